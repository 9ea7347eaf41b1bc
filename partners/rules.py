"""Who may change what every plan shares: organisations and accounts (django `rules` finds this module).

An organisation may take part in several plans, and a person in several plans: changing either reaches
every plan concerned, so it needs someone responsible for all of them, an instance administrator
(`InstanceAdministrator`) or a coordinator of each of those plans. A coordinator still creates
organisations, and keeps those that only their plans use.

People's roles are held in plans (plans' `PlanRole`, an app above this one): they are read here through
the reverse relation `user.plan_roles`, never by importing plans, once per request; plans/rules.py builds
its own predicates on the same reading.
"""

import rules
from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import Organisation, is_erased, is_instance_administrator

# Where the apps above this one say an organisation is used by a plan, as paths from the organisation to
# a plan id: partner of an objective or an action, on a committee, among the plan's participants, someone
# acting for it, a step recorded on its behalf.
PLAN_PATHS = [
    "objective_links__objective__plan",
    "action_links__action__plan",
    "committee_memberships__committee__plan",
    "participating_plans",
    "memberships__plan",
    "steps__action__plan",
]


# Where the apps above this one say a person is or was in a plan: a role there, an organisation they act
# for there, a step they recorded there (which stays after they leave the plan).
PERSON_PLAN_PATHS = [
    "plan_roles__plan",
    "memberships__plan",
    "steps__action__plan",
]


def roles_of(user):
    """This person's roles in plans, read once per request (a list of plans' PlanRole)."""
    if not hasattr(user, "_roles"):
        user._roles = list(user.plan_roles.all()) if user.is_authenticated else []
    return user._roles


def plan_ids_of(user):
    """The plans this person takes part in."""
    return {role.plan_id for role in roles_of(user)}


def coordinated_plan_ids(user):
    return {role.plan_id for role in roles_of(user) if role.is_coordinator}


def visible_plan_ids(user):
    """The plans whose part in an organisation this person sees: those they take part in, or every plan
    (None) for a superuser or an instance administrator, who answer for all of them."""
    if user.is_superuser or is_instance_administrator(user):
        return None
    return plan_ids_of(user)


def in_plans(path, plan_ids):
    """A filter on `path` (to a plan) keeping only these plans; none when `plan_ids` is None (every plan)."""
    return Q() if plan_ids is None else Q(**{f"{path}__in": plan_ids})


def plans_using(organisation):
    """The plans that use this organisation (PLAN_PATHS), in one query, kept on it for the request."""
    if not hasattr(organisation, "_plans_using"):
        queries = [
            Organisation.objects.filter(pk=organisation.pk, **{f"{path}__isnull": False})
            .order_by()
            .values_list(path, flat=True)
            for path in PLAN_PATHS
        ]
        organisation._plans_using = set(queries[0].union(*queries[1:]))
    return organisation._plans_using


def plans_of_person(person):
    """The plans this person is or was in (PERSON_PLAN_PATHS), in one query, kept on them for the request."""
    if not hasattr(person, "_plans_of_person"):
        queries = [
            get_user_model()
            .objects.filter(pk=person.pk, **{f"{path}__isnull": False})
            .order_by()
            .values_list(path, flat=True)
            for path in PERSON_PLAN_PATHS
        ]
        person._plans_of_person = set(queries[0].union(*queries[1:]))
    return person._plans_of_person


@rules.predicate
def is_superuser(user):
    return user.is_superuser


@rules.predicate
def administers_instance(user):
    return is_instance_administrator(user)


@rules.predicate
def takes_part_in_a_plan(user):
    return bool(roles_of(user))


@rules.predicate
def coordinates_a_plan(user):
    return bool(coordinated_plan_ids(user))


@rules.predicate
def coordinates_every_plan_using(user, organisation):
    """Every plan that uses the organisation is one this person coordinates (true of an organisation no
    plan uses yet)."""
    return plans_using(organisation) <= coordinated_plan_ids(user)


@rules.predicate
def is_same_person(user, person):
    return user.pk == person.pk


@rules.predicate
def person_is_superuser(user, person):
    return person.is_superuser


@rules.predicate
def person_answers_for_every_plan(user, person):
    """A superuser or an instance administrator: no plan's coordinator manages their account. Reads the
    cached reverse relation (a list selects `user__instance_administrator`)."""
    return person.is_superuser or is_instance_administrator(person)


@rules.predicate
def coordinates_every_plan_of_person(user, person):
    """Every plan the person takes part in is one this person coordinates. Reads `person.plan_roles.all()`,
    so a list that prefetches them asks no query per person."""
    theirs = {role.plan_id for role in person.plan_roles.all()}
    return bool(theirs) and theirs <= coordinated_plan_ids(user)


@rules.predicate
def person_is_erased(user, person):
    return is_erased(person)


@rules.predicate
def coordinates_every_plan_person_was_in(user, person):
    """Every plan the person is or was in is one this person coordinates. A person with no trace in any
    plan belongs to no coordinator: only whoever answers for every plan may erase them."""
    theirs = plans_of_person(person)
    return bool(theirs) and theirs <= coordinated_plan_ids(user)


# Everyone who takes part in a plan reads the organisations (each page shows only their plans' part).
rules.add_perm("partners.view_organisation", is_superuser | takes_part_in_a_plan | administers_instance)
rules.add_perm("partners.add_organisation", is_superuser | coordinates_a_plan | administers_instance)
# Renaming, archiving, merging: on an organisation (merging: on both the kept one and the duplicate).
rules.add_perm(
    "partners.change_organisation",
    is_superuser | (coordinates_a_plan & coordinates_every_plan_using) | administers_instance,
)
# Every account, with its plans: whoever answers for every plan.
rules.add_perm("partners.view_accounts", is_superuser | administers_instance)
# Deactivating or reactivating an account closes or opens it in every plan: someone who answers for
# every plan of the person. Removing someone from one plan is that plan's coordinator's (plans/rules.py).
rules.add_perm(
    "partners.change_person",
    ~is_same_person
    & ~person_is_erased
    & (
        is_superuser
        | (administers_instance & ~person_is_superuser)
        | (coordinates_every_plan_of_person & ~person_answers_for_every_plan)
    ),
)
# Erasing a departed person's personal information (Law 25) reaches every plan they were in, and their
# steps stay in those plans under their organisation's name: it needs someone who answers for all of them.
# A coordinator may for a person whose roles, memberships and steps are all in plans they coordinate; a
# person still (or formerly) in another plan is that plan's coordinator's too, so it is then refused, and
# the instance administration erases. One's own account is never erased from here (a coordinator would lock
# themself out), nor an erased one again.
rules.add_perm(
    "partners.erase_person",
    ~is_same_person
    & ~person_is_erased
    & (
        is_superuser
        | (administers_instance & ~person_is_superuser)
        | (coordinates_every_plan_person_was_in & ~person_answers_for_every_plan)
    ),
)


@rules.predicate
def coordinates_a_plan_of_person(user, person):
    """One of the plans the person takes part in is one this person coordinates (reads
    `person.plan_roles.all()`, as coordinates_every_plan_of_person)."""
    return bool({role.plan_id for role in person.plan_roles.all()} & coordinated_plan_ids(user))


# Lifting a sign-in lockout (partners/sign_in.py) lets the person try passwords again at once: a coordinator
# of one of their plans, who knows them, or an instance administrator. An account that answers for every
# plan is lifted only by someone above it, as for deactivating.
rules.add_perm(
    "partners.unlock_sign_in",
    ~is_same_person
    & (
        is_superuser
        | (administers_instance & ~person_is_superuser)
        | (coordinates_a_plan_of_person & ~person_answers_for_every_plan)
    ),
)
