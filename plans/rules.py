"""Who may do what in a plan: the roles people hold in plans and the predicates every app's rules.py
builds on (django `rules` finds each app's rules.py). Views call `require(user, "<app>.<permission>", obj)`
(lib/access.py); templates use `{% load rules %}{% has_perm "<app>.<permission>" user obj as allowed %}`.
Roles are per plan (`PlanRole`); in each plan, a partner acts through the organisations they act for in
that plan (`Membership`), never through those they act for in another.

The lookups cache their answers on the user object for the request, so a page that asks about 2,000
actions runs the same two queries as a page that asks about one. The roles are read by partners/rules.py
(the app below, which decides about organisations and accounts); this module reuses that reading.
"""

from collections import defaultdict

import rules

from partners.rules import administers_instance, coordinated_plan_ids, coordinates_a_plan, is_superuser, roles_of

from .models import Role


def plan_roles(user):
    """{plan id: role} for this person, read once per request."""
    if not hasattr(user, "_plan_roles"):
        user._plan_roles = {role.plan_id: role.role for role in roles_of(user)}
    return user._plan_roles


def organisation_ids(user, plan_id):
    """The organisations this person acts for in this plan. Read for every plan at once, once per
    request."""
    if not hasattr(user, "_organisation_ids"):
        by_plan = defaultdict(set)
        if user.is_authenticated:
            for plan, organisation in user.memberships.values_list("plan_id", "organisation_id"):
                by_plan[plan].add(organisation)
        user._organisation_ids = by_plan
    return user._organisation_ids.get(plan_id, set())


def role_in(user, plan_id):
    return plan_roles(user).get(plan_id)


def role_in_plan(user, plan):
    """The person's role in this plan; None without a plan (the admin asks `plans.view_plan` with no
    object: Django's permission names and these rules share a name)."""
    return None if plan is None else role_in(user, plan.pk)


def partner_organisation_ids(action):
    """The organisations in effect on an action: its own partners, or its objective's (uses prefetches)."""
    return {link.organisation_id for link in action.partner_links_in_effect}


@rules.predicate
def has_role_in_plan(user, plan):
    return role_in_plan(user, plan) is not None


@rules.predicate
def coordinates_plan(user, plan):
    return role_in_plan(user, plan) == Role.COORDINATOR


@rules.predicate
def sits_on_committee_of_plan(user, plan):
    return role_in_plan(user, plan) == Role.COMMITTEE


@rules.predicate
def is_partner_in_plan(user, plan):
    return role_in_plan(user, plan) == Role.PARTNER


@rules.predicate
def plan_is_open(user, plan):
    """An archived plan is read as it was left: nobody changes it until it is restored, a superuser
    included (views ask the rules themselves, lib/access.py). Every permission that writes in a plan, in
    every app, includes this one; reading (its pages, its people, its exports) does not."""
    return plan is not None and plan.archived_at is None


# Predicates on a plan's items are written once, on the plan, and reached through this adapter.
def on_plan_of(item_to_plan, predicate):
    @rules.predicate(name=f"{predicate.name}_of_item")
    def check(user, item):
        return item is not None and predicate.test(user, item_to_plan(item))

    return check


@rules.predicate
def committee_validates_in_plan(user, plan):
    return plan is not None and plan.committee_may_validate and sits_on_committee_of_plan.test(user, plan)


# The plan
rules.add_perm("plans.view_plan", is_superuser | has_role_in_plan)
rules.add_perm("plans.change_plan", plan_is_open & (is_superuser | coordinates_plan))
# Archiving a plan, and restoring it (an archived plan's only change).
rules.add_perm("plans.archive_plan", is_superuser | coordinates_plan)
# The people of a plan: its coordinator lists them (an archived plan's too), invites people into it and
# takes them out of it (their role in it). Deactivating an account is global: partners.change_person (partners/rules.py).
rules.add_perm("plans.view_people", is_superuser | coordinates_plan)
rules.add_perm("plans.manage_people", plan_is_open & (is_superuser | coordinates_plan))


@rules.predicate
def is_own_role(user, plan_role):
    return plan_role.user_id == user.pk


@rules.predicate
def coordinates_plan_of_role(user, plan_role):
    return plan_role.plan_id in coordinated_plan_ids(user)


@rules.predicate
def plan_of_role_is_open(user, plan_role):
    return plan_is_open.test(user, plan_role.plan)


rules.add_perm("plans.remove_from_plan", plan_of_role_is_open & ~is_own_role & (is_superuser | coordinates_plan_of_role))
# A person's email, beside their role or membership in a plan (anything with a `plan_id`): for that plan's
# coordinators (and whoever answers for every plan); the other people of the plan see their name.
rules.add_perm("plans.view_email", is_superuser | coordinates_plan_of_role | administers_instance)


# A new plan (issue 3): whoever coordinates a plan may start another (empty, or a copy of one they coordinate).
rules.add_perm("plans.add_plan", is_superuser | coordinates_a_plan)
