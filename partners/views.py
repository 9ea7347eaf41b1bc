"""Organisations (shared by every plan, kept by the coordinators) and the people of a plan (invited,
deactivated and reactivated by its coordinator). Every decision goes through plans/rules.py."""

from django.contrib import messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from lib.lists import TableListView
from plans.models import PlanRole
from lib.access import require
from plans.views import get_plan_for

from .filters import OrganisationFilter, PersonFilter
from .forms import InvitationForm, MergeForm, OrganisationForm, invitation_token, is_invited, send_invitation
from .models import Membership, Organisation
from .tables import OrganisationTable, PersonTable


# Organisations


def get_organisation_for(user, pk, write=False):
    """The organisation, if this person may see it (403 otherwise), and change it when `write`."""
    require(user, "partners.view_organisation", None)
    if write:
        require(user, "partners.change_organisation", None)
    return get_object_or_404(Organisation, pk=pk)


class OrganisationListView(TableListView):
    """All organisations, with how many actions and people each has; exportable to CSV and XLSX."""

    table_class = OrganisationTable
    filterset_class = OrganisationFilter
    template_name = "partners/organisation_list.html"
    export_name = "organisations"

    def dispatch(self, request, *args, **kwargs):
        require(request.user, "partners.view_organisation", None)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Organisation.objects.annotate(
            action_count=Count("action_links", distinct=True),
            objective_count=Count("objective_links", distinct=True),
            member_count=Count("memberships", distinct=True),
        )


def readable_change(change):
    """A field's change as people read it: its French name, the labels of choices."""
    field = Organisation._meta.get_field(change.field)
    labels = dict(field.choices or [])
    return {
        "field": field.verbose_name,
        "old": labels.get(change.old, change.old),
        "new": labels.get(change.new, change.new),
    }


def organisation_detail(request, pk):
    """An organisation: its details, where it is a partner, its people, and the history of its changes."""
    organisation = get_organisation_for(request.user, pk)
    records = list(organisation.history.select_related("history_user").order_by("-history_date", "-history_id"))
    changes = []
    for record, previous in zip(records, records[1:] + [None]):
        diff = record.diff_against(previous).changes if previous else []
        changes.append({"record": record, "changes": [readable_change(change) for change in diff]})
    membership_history = Membership.history.filter(organisation_id=organisation.pk).select_related(
        "history_user", "user"
    ).order_by("-history_date")
    context = {
        "organisation": organisation,
        "changes": changes,
        "membership_history": membership_history,
        "objective_links": organisation.objective_links.select_related("objective__plan"),
        "action_links": organisation.action_links.select_related("action__plan"),
        "members": organisation.memberships.select_related("user"),
    }
    return render(request, "partners/organisation_detail.html", context)


def organisation_create(request):
    require(request.user, "partners.change_organisation", None)
    form = OrganisationForm(request.POST or None)
    if form.is_valid():
        organisation = form.save()
        messages.success(request, _("L’organisation « %(name)s » est créée.") % {"name": organisation.name})
        return redirect("partners:organisation", organisation.pk)
    return render(request, "partners/organisation_form.html", {"form": form})


def organisation_edit(request, pk):
    """Edit with optimistic locking: the form carries the version it was opened on, and a save from an older
    version is refused, showing what the other person saved. Re-submitting then overwrites knowingly."""
    organisation = get_organisation_for(request.user, pk, write=True)
    form = OrganisationForm(request.POST or None, instance=organisation)
    current = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"] or 0
        with transaction.atomic():
            # One UPDATE … WHERE version = n claims version n + 1: of two saves from the same version,
            # exactly one wins. The full save follows in the same transaction so that history records it.
            if Organisation.objects.filter(pk=pk, version=version).update(version=version + 1):
                form.instance.version = version + 1
                form.save()
                messages.success(request, _("L’organisation est enregistrée."))
                return redirect("partners:organisation", organisation.pk)
        current = Organisation.objects.get(pk=pk)
        # The person's own values stay in the form, now on the saved version; `current` shows the other's.
        form = OrganisationForm(
            {**request.POST.dict(), "version": current.version}, instance=Organisation.objects.get(pk=pk)
        )
        form.is_valid()
        form.add_error(
            None,
            _("Quelqu’un d’autre a modifié cette organisation pendant que vous la modifiiez; vos changements ne "
              "sont pas enregistrés. Voici la version enregistrée. Enregistrez de nouveau pour la remplacer "
              "par la vôtre."),
        )
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
    """Fold a duplicate into this organisation: the form, a confirmation showing what moves, the merge."""
    kept = get_organisation_for(request.user, pk, write=True)
    form = MergeForm(request.POST or request.GET or None, kept=kept)
    if form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        if request.method == "POST" and "confirm" in request.POST:
            name = duplicate.display_name
            try:
                duplicate.merge_into(kept)
            except ProtectedError:
                messages.error(request, _("Cette fusion est impossible : le doublon est encore utilisé ailleurs."))
                return redirect("partners:organisation", kept.pk)
            messages.success(request, _("« %(name)s » est fusionnée dans cette organisation.") % {"name": name})
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


# People of a plan


def get_person_for(user, plan, user_id):
    """A person of the plan that this coordinator may deactivate or reactivate (403 otherwise)."""
    require(user, "partners.manage_people", plan)
    role = get_object_or_404(PlanRole.objects.select_related("user"), plan=plan, user_id=user_id)
    require(user, "partners.change_person", role.user)
    return role


class PersonListView(TableListView):
    """The people of a plan: name, email, organisations, role, whether active, last sign-in."""

    table_class = PersonTable
    filterset_class = PersonFilter
    template_name = "partners/person_list.html"

    def dispatch(self, request, *args, **kwargs):
        self.plan = get_plan_for(request.user, kwargs["slug"])
        require(request.user, "partners.manage_people", self.plan)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            PlanRole.objects.filter(plan=self.plan)
            .select_related("user", "plan")
            .prefetch_related("user__memberships__organisation", "user__plan_roles")
        )

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "plan": self.plan}

    def get_export_filename(self, export_format):
        return f"personnes-{self.plan.slug}.{export_format}"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "plan": self.plan}


def person_invite(request, slug):
    plan = get_plan_for(request.user, slug)
    require(request.user, "partners.manage_people", plan)
    form = InvitationForm(request.POST or None, plan=plan)
    if form.is_valid():
        person = form.save()
        send_invitation(request, person, plan, form.cleaned_data["role"])
        messages.success(request, _("Une invitation est envoyée à %(email)s.") % {"email": person.email})
        return redirect("partners:people", plan.slug)
    return render(request, "partners/person_invite.html", {"plan": plan, "form": form})


@require_POST
def person_resend_invitation(request, slug, user_id):
    plan = get_plan_for(request.user, slug)
    role = get_person_for(request.user, plan, user_id)
    if is_invited(role.user):
        send_invitation(request, role.user, plan, role.role)
        messages.success(request, _("L’invitation est renvoyée à %(email)s.") % {"email": role.user.email})
    return redirect("partners:people", plan.slug)


@require_POST
def person_deactivate(request, slug, user_id):
    """The person can no longer sign in (in any plan); nothing they recorded changes."""
    plan = get_plan_for(request.user, slug)
    person = get_person_for(request.user, plan, user_id).user
    if not person.has_usable_password():
        person.set_unusable_password()  # a new one: a pending invitation link stops working
    person.is_active = False
    person.save()
    messages.success(request, _("%(name)s ne peut plus se connecter.") % {"name": person.get_full_name() or person})
    return redirect("partners:people", plan.slug)


@require_POST
def person_reactivate(request, slug, user_id):
    plan = get_plan_for(request.user, slug)
    person = get_person_for(request.user, plan, user_id).user
    if is_invited(person):
        return person_resend_invitation(request, slug, user_id)
    person.is_active = True
    person.save()
    messages.success(request, _("%(name)s peut de nouveau se connecter.") % {"name": person.get_full_name() or person})
    return redirect("partners:people", plan.slug)


@require_POST
def person_remove(request, slug, user_id):
    """Take a person out of this plan (their role in it); their account, organisations and steps stay. A
    pending invitation link stops working when the plan was the person's only one."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "partners.manage_people", plan)
    role = get_object_or_404(PlanRole.objects.select_related("user", "plan"), plan=plan, user_id=user_id)
    require(request.user, "partners.remove_from_plan", role)
    person = role.user
    role.delete()
    if is_invited(person) and not person.plan_roles.exists():
        person.set_unusable_password()  # a new one: the link sent stops working
        person.save()
    messages.success(request, _("%(name)s ne fait plus partie de ce plan.") % {"name": person.get_full_name() or person})
    return redirect("partners:people", plan.slug)


class AcceptInvitationView(PasswordResetConfirmView):
    """The invitation link: the person chooses a password, their account becomes active, they are signed in.
    Django's reset-confirm view does the token checking (and moves the token out of the URL)."""

    token_generator = invitation_token
    template_name = "registration/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("plans:home")

    def get_user(self, uidb64):
        person = super().get_user(uidb64)
        # Only a person who has not arrived yet: an active or deactivated account is not reopened by a link.
        return person if person is not None and is_invited(person) else None

    def form_valid(self, form):
        form.user.is_active = True
        response = super().form_valid(form)
        messages.success(self.request, _("Bienvenue! Votre mot de passe est enregistré."))
        return response


accept_invitation = AcceptInvitationView.as_view()

