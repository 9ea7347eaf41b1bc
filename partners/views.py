"""Organisations, shared by every plan: listed and read by everyone who takes part in a plan (each seeing
only their plans' part of them), changed by someone responsible for every plan that uses them
(partners/rules.py); accounts, deactivated and reactivated by whoever answers for every plan of the
person, their sign-in lockout lifted (partners/sign_in.py); the « Mot de passe oublié » page with its
emails rate-limited; and the link of an invitation email. The people of a plan are the plan's
(plans/people_views.py)."""

import logging

from django.contrib import messages
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import PasswordResetConfirmView, PasswordResetView
from django.db.models import Count, ProtectedError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_ratelimit.core import is_ratelimited

from lib import french
from lib.access import require
from lib.history import history_entries
from lib.lists import TableListView
from lib.locking import refuse_stale, save_from_version

from .filters import AccountFilter, OrganisationFilter
from .forms import MergeForm, OrganisationForm, invitation_token
from .languages import remember
from .models import Deactivation, Organisation, is_invited, name_of_person
from .rules import in_plans, visible_plan_ids
from .signals import client_address
from .sign_in import lift_lockout, locked_out_usernames
from .tables import AccountTable, OrganisationTable

logger = logging.getLogger(__name__)

STALE_SAVE = gettext_lazy(
    "Quelqu’un d’autre a modifié cette organisation pendant que vous la modifiiez; vos changements ne sont pas "
    "enregistrés. Voici la version enregistrée. Enregistrez de nouveau pour la remplacer par la vôtre."
)


# Organisations


def get_organisation_for(user, pk, write=False):
    """The organisation, if this person may see organisations (403 otherwise), and change this one when
    `write` (403 otherwise)."""
    require(user, "partners.view_organisation", None)
    organisation = get_object_or_404(Organisation, pk=pk)
    if write:
        require(user, "partners.change_organisation", organisation)
    return organisation


class OrganisationListView(TableListView):
    """All organisations, with how many actions and people each has in the plans this person takes part in;
    exportable to CSV and XLSX."""

    table_class = OrganisationTable
    filterset_class = OrganisationFilter
    template_name = "partners/organisation_list.html"
    export_name = "organisations"

    def dispatch(self, request, *args, **kwargs):
        require(request.user, "partners.view_organisation", None)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        """Every organisation (their names are no secret, and a coordinator chooses partners among them),
        with what the plans this person sees hold of each."""
        plans = visible_plan_ids(self.request.user)
        return Organisation.objects.annotate(
            action_count=Count("action_links", filter=in_plans("action_links__action__plan", plans), distinct=True),
            objective_count=Count(
                "objective_links", filter=in_plans("objective_links__objective__plan", plans), distinct=True
            ),
            member_count=Count("memberships", filter=in_plans("memberships__plan", plans), distinct=True),
        )


def organisation_detail(request, pk):
    """An organisation: its details and the history of their changes. Where it is a partner and who acts for
    it, in the plans this person takes part in, are the plans' part of the page (its template tag
    `organisation_in_plans`)."""
    organisation = get_organisation_for(request.user, pk)
    context = {"organisation": organisation, "changes": history_entries(organisation, person=name_of_person)}
    return render(request, "partners/organisation_detail.html", context)


def organisation_create(request):
    require(request.user, "partners.add_organisation", None)
    form = OrganisationForm(request.POST or None)
    if form.is_valid():
        organisation = form.save()
        messages.success(request, _("L’organisation « %(name)s » est créée.") % {"name": organisation.name})
        return redirect("partners:organisation", organisation.pk)
    return render(request, "partners/organisation_form.html", {"form": form})


def organisation_edit(request, pk):
    """Edit with optimistic locking (lib/locking.py): a save from an older version is refused, showing what
    the other person saved; re-submitting then overwrites knowingly."""
    organisation = get_organisation_for(request.user, pk, write=True)
    form = OrganisationForm(request.POST or None, instance=organisation)
    current = None
    if request.method == "POST" and form.is_valid():
        if save_from_version(form.instance, form.cleaned_data["version"]):
            messages.success(request, _("L’organisation est enregistrée."))
            return redirect("partners:organisation", organisation.pk)
        form, current = refuse_stale(OrganisationForm, request.POST, organisation, STALE_SAVE)
    context = {"form": form, "organisation": organisation, "current": current}
    return render(request, "partners/organisation_form.html", context, status=409 if current else 200)


@require_POST
def organisation_archive(request, pk):
    """Archive (hidden from the lists of partners to choose from) or restore an organisation."""
    organisation = get_organisation_for(request.user, pk, write=True)
    organisation.archived_at = None if organisation.archived_at else timezone.now()
    organisation.version += 1
    organisation.save()
    if organisation.archived_at:
        messages.success(request, _("L’organisation est archivée."))
    else:
        messages.success(request, _("L’organisation est restaurée."))
    return redirect("partners:organisation", organisation.pk)


def organisation_merge(request, pk):
    """Fold a duplicate into this organisation: the form, a confirmation showing what moves, the merge. Both
    organisations must be ones this person may change (the form checks the duplicate)."""
    kept = get_organisation_for(request.user, pk, write=True)
    form = MergeForm(request.POST or request.GET or None, kept=kept, user=request.user)
    if form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        if request.method == "POST" and "confirm" in request.POST:
            name = duplicate.display_name
            try:
                duplicate.merge_into(kept)
            except ProtectedError:
                messages.error(request, _("Cette fusion est impossible : le doublon est encore utilisé ailleurs."))
                return redirect("partners:organisation", kept.pk)
            messages.success(request, _("« %(name)s » est fusionnée dans cette organisation.") % {"name": name})
            return redirect("partners:organisation", kept.pk)
        moving = {
            "objectives": duplicate.objective_links.count(),
            "actions": duplicate.action_links.count(),
            "committees": duplicate.committee_memberships.count(),
            "members": duplicate.memberships.count(),
            "steps": duplicate.steps.count(),
            "plans": duplicate.participating_plans.count(),
        }
        context = {"kept": kept, "duplicate": duplicate, "moving": moving, "form": form}
        return render(request, "partners/organisation_merge_confirm.html", context)
    return render(request, "partners/organisation_merge.html", {"kept": kept, "form": form})


# Accounts, for whoever answers for every plan (an instance administrator). A plan's coordinator
# deactivates from the people of their plan (plans/people_views.py), under the same rule.


class AccountListView(TableListView):
    """Every account: name, email, plans, access; exportable to CSV and XLSX."""

    table_class = AccountTable
    filterset_class = AccountFilter
    template_name = "partners/account_list.html"
    export_name = "comptes"

    def dispatch(self, request, *args, **kwargs):
        require(request.user, "partners.view_accounts", None)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            get_user_model()
            .objects.select_related("deactivation", "instance_administrator")
            .prefetch_related("plan_roles__plan")
        )

    def get_table_kwargs(self):
        return {"locked_out": locked_out_usernames()}


def get_account_for(user, user_id, permission="partners.change_person"):
    """An account this person may deactivate or reactivate (or, with `permission`
    "partners.unlock_sign_in", whose lockout they may lift): 403 when they may not see accounts or not do
    that to this one, 404 when there is none."""
    require(user, "partners.view_accounts", None)
    person = get_object_or_404(
        get_user_model().objects.select_related("deactivation", "instance_administrator"), pk=user_id
    )
    require(user, permission, person)
    return person


@require_POST
def account_deactivate(request, user_id):
    person = get_account_for(request.user, user_id)
    Deactivation.deactivate(person, by=request.user)
    messages.success(request, _("%(name)s ne peut plus se connecter.") % {"name": person.get_full_name() or person})
    return redirect("partners:accounts")


@require_POST
def account_reactivate(request, user_id):
    person = get_account_for(request.user, user_id)
    if Deactivation.reactivate(person):
        messages.success(request, _("%(name)s peut de nouveau se connecter.") % {"name": person.get_full_name() or person})
    else:
        messages.success(
            request,
            _("Le compte %(of_name)s est rouvert. Cette personne n’a pas encore choisi son mot de passe : "
              "la coordination de son plan peut lui renvoyer l’invitation.") % {"of_name": french.of(person.get_full_name() or person)},
        )
    return redirect("partners:accounts")


@require_POST
def account_unlock(request, user_id):
    """Lift a sign-in lockout (partners/sign_in.py): the person may try again at once."""
    person = get_account_for(request.user, user_id, permission="partners.unlock_sign_in")
    lift_lockout(person)
    name = person.get_full_name() or person
    messages.success(request, _("%(name)s peut de nouveau essayer de se connecter.") % {"name": name})
    return redirect("partners:accounts")


# Forgotten passwords

# Reset emails, counted in the shared cache (settings' CACHES) over fixed hours: a person who asks again
# because the first one is slow gets it; someone who fills a mailbox, or tries address after address from
# one client, gets no more.
RESETS_PER_ADDRESS = "3/h"
RESETS_PER_CLIENT = "10/h"


def requested_address(group, request):
    """The address asked for, as the reset form matches it (whatever its case)."""
    return request.POST.get("email", "").strip().lower()


def client_key(group, request):
    """The client as the sign-in lockout and the logs see it (behind the proxy, the address it appended)."""
    return client_address(request) or ""


def reset_limits_reached(request):
    """Counts this request against both limits (both on every request, so that neither is dodged by
    reaching the other first); the names of those it is over."""
    counted = {
        "address": dict(group="password_reset:address", key=requested_address, rate=RESETS_PER_ADDRESS),
        "client": dict(group="password_reset:client", key=client_key, rate=RESETS_PER_CLIENT),
    }
    return [name for name, limit in counted.items() if is_ratelimited(request, increment=True, **limit)]


class LimitedPasswordResetView(PasswordResetView):
    """Django's « Mot de passe oublié » page, with its emails limited per address and per client (address
    of the request). Over a limit the page answers what it always answers, so that it says nothing about
    which addresses have an account, and no email leaves."""

    def form_valid(self, form):
        over = reset_limits_reached(self.request)
        if over:
            logger.warning("Password reset email not sent: over the limit per %s", " and per ".join(over))
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


password_reset = LimitedPasswordResetView.as_view()


# The link of an invitation email


class AcceptInvitationView(PasswordResetConfirmView):
    """The invitation link: the person chooses a password, their account becomes active, they are signed in.
    Django's reset-confirm view does the token checking (and moves the token out of the URL)."""

    token_generator = invitation_token
    template_name = "registration/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "partners.backends.AccountBackend"
    success_url = reverse_lazy("plans:home")

    def get_user(self, uidb64):
        person = super().get_user(uidb64)
        # Only a person who has not arrived yet: an active or deactivated account is not reopened by a link.
        return person if person is not None and is_invited(person) else None

    def form_valid(self, form):
        form.user.is_active = True
        response = super().form_valid(form)
        messages.success(self.request, _("Bienvenue ! Votre mot de passe est enregistré."))
        return response


accept_invitation = AcceptInvitationView.as_view()



# The language switch (base.html)


@login_not_required
@require_POST
def set_language(request):
    """Django's set_language (the cookie, then back to the page), and for a signed-in person their
    choice, kept for every device they sign in on."""
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        # Django's view would set the cookie to any language Django itself speaks (de, es…): back to the
        # page, nothing changed.
        request.POST = request.POST.copy()
        request.POST["language"] = ""
    response = django_set_language(request)
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        remember(request, language)
    return response
