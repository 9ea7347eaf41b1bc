"""Inviting a person into a plan by email: their role in it and, for a partner, the organisation they act for
in it."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils import translation
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from partners.forms import invitation_token
from partners.languages import stored_language
from partners.models import Organisation, is_deactivated, is_invited

from .models import Membership, Plan, PlanRole, Role
from .signals import person_invited


class InvitationForm(forms.Form):
    """Invite a person into a role in a plan and, for a partner, an organisation they act for in it. A new
    person gets an inactive account without a password and an email whose link lets them choose one; a
    person who already has an account is added to the plan, which changes nothing of what they do in
    their other plans. A deactivated account is refused: only reactivating opens it again."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Courriel"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.active(),
        required=False,
        empty_label=_("Aucune"),
        help_text=_("Obligatoire pour une personne partenaire : l’organisation pour laquelle elle agit dans ce plan."),
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
        if self.existing and is_deactivated(self.existing):
            raise forms.ValidationError(
                _("Le compte de cette personne est désactivé : une invitation ne le rouvre pas. Seule une "
                  "personne qui coordonne tous ses plans, ou l’administration de l’instance, peut le réactiver.")
            )
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
            Membership.objects.create(plan=self.plan, user=person, organisation=data["organisation"])
        return person


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
    # In the invited person's language (fr-CA until they choose), not the coordinator's.
    with translation.override(stored_language(person) or settings.LANGUAGE_CODE):
        subject = render_to_string("plans/people/email/invitation_subject.txt", context).strip()
        body = render_to_string("plans/people/email/invitation.txt", context)
        html = render_to_string("plans/people/email/invitation.html", context)
    email = EmailMultiAlternatives(subject, body, to=[person.email])
    email.attach_alternative(html, "text/html")
    email.send()
    person_invited.send(sender=Plan, person=person, plan=plan)
