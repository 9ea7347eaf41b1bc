"""Forms for organisations (editing with optimistic locking, merging duplicates), and the token of the
links invitation emails carry (the invitation itself is a plan's: plans/people_forms.py)."""

from django import forms
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.translation import gettext_lazy as _

from lib.locking import VersionedForm

from .models import Organisation


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for invitation links. Like a password reset token, a link stops working once the person has
    chosen a password (the hash covers it), and after PASSWORD_RESET_TIMEOUT."""

    key_salt = "partners.forms.InvitationTokenGenerator"


invitation_token = InvitationTokenGenerator()


class OrganisationForm(VersionedForm):
    """Name, acronym, kind and website. The form carries the version it was opened on: a save from an older
    version is refused (lib/locking.py)."""

    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "acronym", "kind", "website"]

    def taken(self, field, value):
        """Whether another organisation has this name or acronym, whatever the case. Compared here rather
        than with `iexact` because SQLite folds the case of ASCII letters only (« LANAUDIÈRE »)."""
        others = Organisation.objects.exclude(pk=self.instance.pk).values_list(field, flat=True)
        return value.casefold() in {other.casefold() for other in others}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if self.taken("name", name):
            raise forms.ValidationError(_("Une organisation porte déjà ce nom."))
        return name

    def clean_acronym(self):
        acronym = self.cleaned_data["acronym"].strip()
        if acronym and self.taken("acronym", acronym):
            raise forms.ValidationError(_("Une organisation porte déjà ce sigle."))
        return acronym


class MergeForm(forms.Form):
    """Which duplicate to fold into the organisation being kept. The duplicate's plans are changed too: the
    person merging must be allowed to change it (partners/rules.py), as they are the kept one."""

    duplicate = forms.ModelChoiceField(
        label=_("Doublon à fusionner dans cette organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Ses partenariats, membres, étapes et participations passent à l’organisation conservée; "
                    "le doublon est ensuite supprimé."),
    )

    def __init__(self, *args, kept, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["duplicate"].queryset = Organisation.objects.exclude(pk=kept.pk)
        self.fields["duplicate"].label_from_instance = lambda org: org.display_name

    def clean_duplicate(self):
        duplicate = self.cleaned_data["duplicate"]
        if not self.user.has_perm("partners.change_organisation", duplicate):
            raise forms.ValidationError(
                _("Vous ne pouvez pas fusionner cette organisation : elle sert à un plan que vous ne "
                  "coordonnez pas. Demandez-le à l’administration de l’instance.")
            )
        return duplicate
