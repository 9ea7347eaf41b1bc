"""The follow-up's parts of the plan's own pages (plans/ shows them without importing this app), and the card
of a step that every list of steps draws."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from lib import french
from partners.models import is_erased, name_of_person

from ..filters import StepFilter
from ..models import PlannedStep, Step
from ..views import LATEST_STEPS

register = template.Library()


@register.inclusion_tag("suivi/includes/latest_steps.html", takes_context=True)
def latest_steps(context, plan):
    """The plan's latest steps, with the filters of its steps page."""
    return {
        **context.flatten(),
        "plan": plan,
        "steps": Step.objects.filter(action__plan=plan).for_display()[:LATEST_STEPS],
        "filter": StepFilter(plan=plan),
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
