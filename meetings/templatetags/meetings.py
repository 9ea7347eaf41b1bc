"""The meetings app's pieces in other apps' pages (the action's page lists the meetings and decisions
about it: suivi, below, loads this library rather than importing the app) and its filters."""

from django import template
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from lib import french
from lib.narrative import to_html

from ..models import AgendaPoint, Amendment, Decision

register = template.Library()


def clock(moment):
    """14 h 05, as French typography writes the time (non-breaking spaces); 2:05 p.m. in English."""
    return french.clock(timezone.localtime(moment))


@register.filter
def hours(meeting):
    """« 13 h 30 à 16 h »: the meeting's start and end, in the app's time zone."""
    return _("%(start)s à %(end)s") % {"start": clock(meeting.starts_at), "end": clock(meeting.ends_at)}


@register.filter
def narrative(text):
    """Minutes typed with the markup of lib/narrative.py, as sanitised HTML."""
    return to_html(text)


@register.inclusion_tag("meetings/includes/action_meetings.html")
def meetings_about(action):
    """The meetings whose agenda or decisions name this action, newest first, in three queries."""
    meeting = ("meeting", "meeting__committee")
    points = AgendaPoint.objects.filter(actions=action).select_related(*meeting).order_by("-meeting__starts_at", "position")
    decisions = (
        Decision.objects.filter(actions=action)
        .select_related(*meeting)
        .prefetch_related(Prefetch("amendments", queryset=Amendment.objects.all()))
        .order_by("-meeting__starts_at", "pk")
    )
    return {"plan": action.plan, "action": action, "points": list(points), "decisions": list(decisions)}
