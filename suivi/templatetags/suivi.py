"""The follow-up's parts of the plan's own pages (plans/ shows them without importing this app), and the card
of a step that every list of steps draws."""

from django import template
from django.db.models import Count, Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from lib import french
from partners.models import is_erased, name_of_person
from plans.rules import organisation_ids

from ..models import PlannedStep, Step
from ..views import LATEST_STEPS

register = template.Library()


@register.inclusion_tag("suivi/includes/latest_steps.html", takes_context=True)
def latest_steps(context, plan):
    """The plan's latest steps; the steps page, a link away, filters them all (the plan page draws no form
    for it: one query and a tenth of the page's time less)."""
    return {
        **context.flatten(),
        "plan": plan,
        "steps": Step.objects.filter(action__plan=plan).for_display()[:LATEST_STEPS],
    }


@register.inclusion_tag("suivi/includes/plan_planned_steps.html", takes_context=True)
def planned_steps(context, plan):
    """The plan's planned steps still to do: the overdue ones, then those to come, the first few of each
    with their numbers."""
    open_steps = PlannedStep.objects.filter(action__plan=plan).for_display()
    overdue, upcoming = open_steps.overdue(), open_steps.open().filter(due_on__gte=timezone.localdate())
    return {
        **context.flatten(),
        "plan": plan,
        "overdue": overdue.order_by("due_on", "pk")[:LATEST_STEPS],
        "overdue_count": overdue.count(),
        "upcoming": upcoming.order_by("due_on", "pk")[:LATEST_STEPS],
        "upcoming_count": upcoming.count(),
    }


@register.filter
def step_author(step):
    """Who recorded the step, as its card says it: once the author's data is erased, their organisation
    (the step stays theirs: it counts in the plan's reports)."""
    if is_erased(step.author):
        return _("une personne %(of_organisation)s") % {"of_organisation": french.of(step.organisation.display_name)}
    return name_of_person(step.author)


@register.simple_tag(takes_context=True)
def plan_nav_counts(context, plan):
    """The counts the plan's navigation shows beside « À valider » (steps waiting, for whoever reviews)
    and « Mes actions » (the person's organisations' steps sent back): one query for both, none when the
    person sees neither entry."""
    user = context["user"]
    reviews = user.has_perm("suivi.review_steps", plan)
    own = organisation_ids(user, plan.pk) if user.has_perm("suivi.view_my_actions", plan) else set()
    if not reviews and not own:
        return {}
    counts = Step.objects.filter(action__plan=plan).aggregate(
        to_review=Count("pk", filter=Q(review=Step.Review.PENDING)),
        returned=Count("pk", filter=Q(review=Step.Review.RETURNED, organisation__in=own)),
    )
    return {"to_review": counts["to_review"] if reviews else None, "returned": counts["returned"] if own else None}


@register.inclusion_tag("suivi/includes/plan_overview_steps.html")
def plan_overview_steps(plan, since, results):
    """The plan page's overview, its steps' part: this reporting year's, and what happened to steps since
    the person's previous visit (`since`, None on a first visit). One query."""
    year_start, year_end = plan.reporting_year()
    this_year = Q(done_on__gte=year_start, done_on__lte=year_end)
    counts = {
        "year": Count("pk", filter=this_year),
        "year_validated": Count("pk", filter=this_year & Q(review=Step.Review.VALIDATED)),
        "year_pending": Count("pk", filter=this_year & Q(review=Step.Review.PENDING)),
    }
    if since is not None:
        counts.update(
            new=Count("pk", filter=Q(created_at__gt=since)),
            validated=Count("pk", filter=Q(review=Step.Review.VALIDATED, reviewed_at__gt=since)),
            returned=Count("pk", filter=Q(review=Step.Review.RETURNED, reviewed_at__gt=since)),
        )
    return {
        "plan": plan,
        "since": since,
        "since_text": when(since) if since else "",
        "results": results,
        "year_start": year_start,
        "year_end": year_end,
        "steps": Step.objects.filter(action__plan=plan).aggregate(**counts),
    }


def when(moment):
    """« le 1er décembre 2026 à 14 h 05 »: a moment as French writes it, in the local time zone."""
    moment = timezone.localtime(moment)
    day = _("1er") if moment.day == 1 else str(moment.day)
    return _("le %(day)s %(month_year)s à %(hour)s h %(minute)s") % {
        "day": day,
        "month_year": dateformat.format(moment, "F Y"),
        "hour": moment.hour,
        "minute": f"{moment.minute:02d}",
    }
