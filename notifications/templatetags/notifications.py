"""What the plan's pages show of notifications and reminders, for templates of the apps below this one
(they may not import it, README « Layout »): the counts beside the plan's links, when each organisation
was last reminded."""

from django import template
from django.db.models import Max

from plans.rules import organisation_ids
from suivi.models import Step

from ..models import Reminder

register = template.Library()


@register.simple_tag(takes_context=True)
def review_counts(context, plan):
    """« À valider (n) » for those who validate the plan's steps, « Renvoyées (n) » for a partner: one
    query each, only for whom it concerns."""
    user = context["request"].user
    counts = {"to_review": None, "returned": None}
    steps = Step.objects.filter(action__plan=plan)
    if user.has_perm("suivi.review_steps", plan):
        counts["to_review"] = steps.awaiting_review().count()
    organisations = organisation_ids(user, plan.pk) if user.has_perm("suivi.view_my_actions", plan) else None
    if organisations:
        counts["returned"] = steps.filter(review=Step.Review.RETURNED, organisation__in=organisations).count()
    return counts


@register.simple_tag
def last_reminded(plan):
    """{organisation id: when a reminder about its actions last went to one of its people}, in one query."""
    sent = Reminder.organisations.through.objects.filter(reminder__plan=plan, reminder__sent_at__isnull=False)
    return dict(sent.values("organisation_id").annotate(last=Max("reminder__sent_at")).values_list("organisation_id", "last"))


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
