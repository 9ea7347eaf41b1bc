"""The people of a plan, for its coordinator: the list (and its CSV and XLSX exports), inviting, resending an
invitation, taking someone out of the plan (their role in it, and the organisations they act for in it).
Deactivating and reactivating an account close or open it in every plan: only someone who answers for
every plan of the person may (partners.change_person)."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lib.access import require
from lib.lists import TableListView
from partners.models import Deactivation, has_arrived, is_invited
from partners.sign_in import lift_lockout, locked_out_usernames

from .filters import PersonFilter
from .models import Membership, PlanRole
from .people_forms import InvitationForm, send_invitation
from .tables import PersonTable
from .views import get_plan_for


def get_person_for(user, plan, user_id, permission="partners.change_person"):
    """The role in the plan of a person whose account this person may deactivate or reactivate (or, with
    `permission` "partners.unlock_sign_in", whose lockout they may lift): 404 when the plan or the person
    in it is not there for them, 403 when they may not."""
    require(user, "plans.manage_people", plan)
    role = get_object_or_404(PlanRole.objects.select_related("user", "user__deactivation"), plan=plan, user_id=user_id)
    require(user, permission, role.user)
    return role


def people_of(plan):
    """The roles in the plan, with what the list shows of each person, in a fixed number of queries."""
    return (
        PlanRole.objects.filter(plan=plan)
        .select_related("user", "plan", "user__deactivation", "user__instance_administrator")
        .prefetch_related(
            Prefetch("user__memberships", queryset=Membership.objects.filter(plan=plan).select_related("organisation")),
            "user__plan_roles",
        )
    )


class PersonListView(TableListView):
    """The people of a plan: name, email, the organisations they act for in it, role, access, last sign-in."""

    table_class = PersonTable
    filterset_class = PersonFilter
    template_name = "plans/people/person_list.html"

    def dispatch(self, request, *args, **kwargs):
        self.plan = get_plan_for(request.user, kwargs["slug"])
        require(request.user, "plans.view_people", self.plan)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return people_of(self.plan)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "plan": self.plan}

    def get_table_kwargs(self):
        return {"locked_out": locked_out_usernames()}

    def get_export_filename(self, export_format):
        return f"personnes-{self.plan.slug}.{export_format}"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "plan": self.plan}


def person_invite(request, slug):
    plan = get_plan_for(request.user, slug)
    require(request.user, "plans.manage_people", plan)
    form = InvitationForm(request.POST or None, plan=plan)
    if form.is_valid():
        person = form.save()
        send_invitation(request, person, plan, form.cleaned_data["role"])
        messages.success(request, _("Une invitation est envoyée à %(email)s.") % {"email": person.email})
        return redirect("plans:people", plan.slug)
    return render(request, "plans/people/person_invite.html", {"plan": plan, "form": form})


@require_POST
def person_resend_invitation(request, slug, user_id):
    """A new link for a person who has not arrived yet. Resending to one whose account was deactivated
    reactivates it: get_person_for allows it only to someone who may (an invitation from another plan
    never does, plans/people_forms.py)."""
    plan = get_plan_for(request.user, slug)
    role = get_person_for(request.user, plan, user_id)
    if not has_arrived(role.user):
        Deactivation.reactivate(role.user)
    if is_invited(role.user):
        send_invitation(request, role.user, plan, role.role)
        messages.success(request, _("L’invitation est renvoyée à %(email)s.") % {"email": role.user.email})
    return redirect("plans:people", plan.slug)


@require_POST
def person_deactivate(request, slug, user_id):
    """The person can no longer sign in (in any plan); nothing they recorded changes."""
    plan = get_plan_for(request.user, slug)
    person = get_person_for(request.user, plan, user_id).user
    Deactivation.deactivate(person, by=request.user)
    messages.success(request, _("%(name)s ne peut plus se connecter.") % {"name": person.get_full_name() or person})
    return redirect("plans:people", plan.slug)


@require_POST
def person_reactivate(request, slug, user_id):
    """Open the account again; a person who had never arrived gets their invitation again."""
    plan = get_plan_for(request.user, slug)
    role = get_person_for(request.user, plan, user_id)
    person = role.user
    if Deactivation.reactivate(person):
        messages.success(request, _("%(name)s peut de nouveau se connecter.") % {"name": person.get_full_name() or person})
    else:
        send_invitation(request, person, plan, role.role)
        messages.success(request, _("L’invitation est renvoyée à %(email)s.") % {"email": person.email})
    return redirect("plans:people", plan.slug)


@require_POST
def person_unlock(request, slug, user_id):
    """Lift a sign-in lockout (partners/sign_in.py): the person may try again at once."""
    plan = get_plan_for(request.user, slug)
    person = get_person_for(request.user, plan, user_id, permission="partners.unlock_sign_in").user
    lift_lockout(person)
    name = person.get_full_name() or person
    messages.success(request, _("%(name)s peut de nouveau essayer de se connecter.") % {"name": name})
    return redirect("plans:people", plan.slug)


@require_POST
def person_remove(request, slug, user_id):
    """Take a person out of this plan: their role in it and the organisations they act for in it. Their
    account, their other plans and their steps stay. A pending invitation link stops working when the plan
    was the person's only one."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "plans.manage_people", plan)
    role = get_object_or_404(PlanRole.objects.select_related("user", "plan"), plan=plan, user_id=user_id)
    require(request.user, "plans.remove_from_plan", role)
    person = role.user
    role.delete()
    if is_invited(person) and not person.plan_roles.exists():
        person.set_unusable_password()  # a new one: the link sent stops working
        person.save()
    messages.success(request, _("%(name)s ne fait plus partie de ce plan.") % {"name": person.get_full_name() or person})
    return redirect("plans:people", plan.slug)
