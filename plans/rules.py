"""Who may do what in a plan: the roles people hold in plans and the predicates every app's rules.py
builds on (django `rules` finds each app's rules.py). Views call `require(user, "<app>.<permission>", obj)`
(lib/access.py); templates use `{% load rules %}{% has_perm "<app>.<permission>" user obj as allowed %}`.
Roles are per plan (`PlanRole`); a partner acts through the organisations they are a member of
(`Membership`).

The lookups cache their answers on the user object for the request, so a page that asks about 2,000
actions runs the same two queries as a page that asks about one.
"""

import rules

from .models import Role


def plan_roles(user):
    """{plan id: role} for this person, read once per request."""
    if not hasattr(user, "_plan_roles"):
        user._plan_roles = dict(user.plan_roles.values_list("plan_id", "role")) if user.is_authenticated else {}
    return user._plan_roles


def organisation_ids(user):
    """The organisations this person acts for, read once per request."""
    if not hasattr(user, "_organisation_ids"):
        user._organisation_ids = (
            set(user.memberships.values_list("organisation_id", flat=True)) if user.is_authenticated else set()
        )
    return user._organisation_ids


def role_in(user, plan_id):
    return plan_roles(user).get(plan_id)


def partner_organisation_ids(action):
    """The organisations in effect on an action: its own partners, or its objective's (uses prefetches)."""
    return {link.organisation_id for link in action.partner_links_in_effect}


@rules.predicate
def is_superuser(user):
    return user.is_superuser


@rules.predicate
def has_role_in_plan(user, plan):
    return role_in(user, plan.pk) is not None


@rules.predicate
def coordinates_plan(user, plan):
    return role_in(user, plan.pk) == Role.COORDINATOR


@rules.predicate
def sits_on_committee_of_plan(user, plan):
    return role_in(user, plan.pk) == Role.COMMITTEE


@rules.predicate
def is_partner_in_plan(user, plan):
    return role_in(user, plan.pk) == Role.PARTNER


# Predicates on a plan's items are written once, on the plan, and reached through this adapter.
def on_plan_of(item_to_plan, predicate):
    @rules.predicate(name=f"{predicate.name}_of_item")
    def check(user, item):
        return predicate.test(user, item_to_plan(item))

    return check


@rules.predicate
def committee_validates_in_plan(user, plan):
    return plan.committee_may_validate and sits_on_committee_of_plan.test(user, plan)


# The plan
rules.add_perm("plans.view_plan", is_superuser | has_role_in_plan)
rules.add_perm("plans.change_plan", is_superuser | coordinates_plan)
# Organisations and people. Organisations are shared by every plan: any coordinator keeps them up to date.
# People are managed plan by plan: a coordinator manages a person only when every plan that person takes
# part in is one they coordinate, so that nobody reaches the people of another plan (deactivating a
# person is global) by inviting them into their own.
@rules.predicate
def takes_part_in_a_plan(user):
    return bool(plan_roles(user))


@rules.predicate
def coordinates_a_plan(user):
    return Role.COORDINATOR in plan_roles(user).values()


@rules.predicate
def is_same_person(user, person):
    return user.pk == person.pk


@rules.predicate
def coordinates_every_plan_of_person(user, person):
    """Reads `person.plan_roles.all()`, so a list that prefetches them asks no query per person."""
    if person.is_superuser:
        return False
    theirs = {role.plan_id for role in person.plan_roles.all()}
    mine = {plan_id for plan_id, role in plan_roles(user).items() if role == Role.COORDINATOR}
    return bool(theirs) and theirs <= mine


rules.add_perm("partners.view_organisation", is_superuser | takes_part_in_a_plan)
rules.add_perm("partners.change_organisation", is_superuser | coordinates_a_plan)
rules.add_perm("partners.manage_people", is_superuser | coordinates_plan)  # on a plan: list and invite
rules.add_perm("partners.change_person", ~is_same_person & (is_superuser | coordinates_every_plan_of_person))


@rules.predicate
def is_own_role(user, plan_role):
    return plan_role.user_id == user.pk


@rules.predicate
def coordinates_plan_of_role(user, plan_role):
    return coordinates_plan.test(user, plan_role.plan)


# Taking a person out of one plan (their role in it) touches only that plan: its coordinator decides.
rules.add_perm("partners.remove_from_plan", ~is_own_role & (is_superuser | coordinates_plan_of_role))


# A new plan (issue 3): whoever coordinates a plan may start another (empty, or a copy of one they coordinate).
rules.add_perm("plans.add_plan", is_superuser | coordinates_a_plan)
