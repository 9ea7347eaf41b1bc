"""The plans' part of an organisation's page (partners/ shows it without importing this app): where the
organisation is a partner and who acts for it, in the plans the reader sees."""

from django import template
from django.db.models import F

from partners.models import is_erased, name_of_person
from partners.rules import in_plans, visible_plan_ids

from ..models import Membership

register = template.Library()


def name_of(person, with_email):
    """A person as the page names them: never by an email address unless their email may be shown (the
    user name of an invited person is their email)."""
    if person is None:
        return None
    if is_erased(person):
        return name_of_person(person)
    name = person.get_full_name() or person.get_username()
    return name if with_email or "@" not in name else None


@register.inclusion_tag("plans/includes/organisation_in_plans.html", takes_context=True)
def organisation_in_plans(context, organisation):
    """Only the plans the reader takes part in (every plan for whoever answers for all of them): the
    objectives and actions it is a partner of, the people who act for it (their names; their emails for
    each plan's coordinators), and who joined or left it in those plans. A fixed number of queries."""
    user = context["user"]
    plans = visible_plan_ids(user)
    members = list(
        organisation.memberships.filter(in_plans("plan", plans), user__plan_roles__plan=F("plan"))
        .select_related("user", "plan")
        .order_by("plan__title", "user__last_name", "user__first_name", "user__username")
    )
    for membership in members:
        membership.shows_email = user.has_perm("plans.view_email", membership)
        membership.name = name_of(membership.user, membership.shows_email)
    joined_and_left = list(
        Membership.history.filter(in_plans("plan", plans), organisation_id=organisation.pk)
        .select_related("history_user", "user", "plan")
        .order_by("-history_date", "-history_id")
    )
    for record in joined_and_left:
        record.name = name_of(record.user, False)
    return {
        "organisation": organisation,
        "objective_links": organisation.objective_links.filter(in_plans("objective__plan", plans))
        .select_related("objective__plan")
        .order_by("objective__plan__title", "objective__code"),
        "action_links": organisation.action_links.filter(in_plans("action__plan", plans))
        .select_related("action__plan")
        .order_by("action__plan__title", "action__code"),
        "members": members,
        "joined_and_left": joined_and_left,
    }


# Which entry of the plan's navigation each page belongs to, by its URL's name (a whole app, or one view);
# the pages not named here (an action, an objective, the acronyms…) belong to « Plan ».
NAV_SECTIONS = {
    "suivi:my_actions": "my_actions",
    "suivi:steps": "steps",
    "suivi:edit_step": "steps",
    "suivi:delete_step": "steps",
    "suivi:steps_to_review": "to_review",
    "suivi:stale_actions": "stale",
    "bilans": "bilans",
    "tableur": "tableur",
    "meetings": "meetings",
    "plans:people": "people",
    "plans:person_invite": "people",
    "plans:plan_settings": "settings",
    "plans:archived": "settings",
    "plans:archive_plan": "settings",
}


@register.simple_tag(takes_context=True)
def plan_nav_section(context):
    """The entry of the plan's navigation the page in hand belongs to (`aria-current`)."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None:
        return "plan"
    return NAV_SECTIONS.get(match.view_name) or NAV_SECTIONS.get(match.app_name) or "plan"
