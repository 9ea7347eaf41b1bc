"""Forms for organisations and the people of a plan: editing with optimistic locking, merging duplicates,
inviting a person by email."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from plans.models import PlanRole, Role

from .models import Membership, Organisation


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for invitation links. Like a password reset token, a link stops working once the person has
    chosen a password (the hash covers it), and after PASSWORD_RESET_TIMEOUT."""

    key_salt = "partners.forms.InvitationTokenGenerator"


invitation_token = InvitationTokenGenerator()


class OrganisationForm(forms.ModelForm):
    """Name, acronym, kind and website. The form carries the version it was opened on: a save from an older
    version is refused (see `views.organisation_edit`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "acronym", "kind", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def taken(self, field, value):
        """Whether another organisation has this name or acronym, whatever the case. Compared here rather
        than with `iexact` because SQLite folds the case of ASCII letters only (« LANAUDIÈRE »)."""
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
    """Which duplicate to fold into the organisation being kept."""

    duplicate = forms.ModelChoiceField(
        label=_("Doublon à fusionner dans cette organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Ses partenariats, membres, étapes et participations passent à l’organisation conservée; "
                    "le doublon est ensuite supprimé."),
    )

    def __init__(self, *args, kept, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = Organisation.objects.exclude(pk=kept.pk)
        self.fields["duplicate"].label_from_instance = lambda org: org.display_name


class InvitationForm(forms.Form):
    """Invite a person into an organisation and a role in a plan. A new person gets an inactive account
    without a password and an email whose link lets them choose one; a person who already has an account
    is added to the plan."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Courriel"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.active(),
        required=False,
        empty_label=_("Aucune"),
        help_text=_("Obligatoire pour une personne partenaire."),
    )
    role = forms.ChoiceField(label=_("Rôle dans le plan"), choices=Role.choices, initial=Role.PARTNER)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["organisation"].label_from_instance = lambda org: org.display_name

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        self.existing = get_user_model().objects.filter(email__iexact=email).first()
        if self.existing and self.existing.plan_roles.filter(plan=self.plan).exists():
            raise forms.ValidationError(_("Cette personne a déjà un rôle dans ce plan."))
        if self.existing is None and get_user_model().objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(_("Un compte utilise déjà cette adresse comme nom d’utilisateur."))
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.PARTNER and not cleaned.get("organisation"):
            self.add_error("organisation", _("Choisissez l’organisation pour laquelle cette personne agit."))
        return cleaned

    @transaction.atomic
    def save(self):
        data = self.cleaned_data
        person = self.existing
        if person is None:
            person = get_user_model()(
                username=data["email"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                is_active=False,
            )
            person.set_unusable_password()
            person.save()
        PlanRole.objects.create(plan=self.plan, user=person, role=data["role"])
        if data["organisation"]:
            Membership.objects.get_or_create(user=person, organisation=data["organisation"])
        return person


def is_invited(person):
    """Invited and not yet arrived: no password chosen, never signed in."""
    return not person.is_active and not person.has_usable_password() and person.last_login is None


def send_invitation(request, person, plan, role):
    """The invitation email: a link to choose a password when the person has not arrived yet, otherwise a
    note that they now take part in the plan."""
    context = {
        "person": person,
        "plan": plan,
        "role": Role(role).label,
        "invited_by": request.user.get_full_name() or request.user.get_username(),
        "sign_in_url": request.build_absolute_uri(reverse("login")),
        "plan_url": request.build_absolute_uri(plan.get_absolute_url()),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
    }
    if is_invited(person):
        uid = urlsafe_base64_encode(force_bytes(person.pk))
        link = reverse("partners:accept_invitation", args=[uid, invitation_token.make_token(person)])
        context["invitation_url"] = request.build_absolute_uri(link)
    subject = render_to_string("partners/email/invitation_subject.txt", context).strip()
    body = render_to_string("partners/email/invitation.txt", context)
    EmailMultiAlternatives(subject, body, to=[person.email]).send()
