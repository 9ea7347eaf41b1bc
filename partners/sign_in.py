"""The sign-in's guard against guessing (django-axes, configured in settings' AXES_*): when a person is
locked out, what they are told, and lifting a lockout.

Two limits, counted over the last 30 minutes (AXES_COOLOFF_TIME):
- 5 wrong passwords for one username from one client (its address): enough for a person who mistypes,
  and the client that keeps guessing is stopped while the person signs in from elsewhere;
- 20 for one username from everywhere: a guess spread over many addresses is stopped too. The price is
  that such a guess also locks the person out from their own computer; their coordinator or an
  administrator lifts it (people page, « Comptes »), and after 30 minutes without an attempt it ends.
Axes compares one count (the username's, from everywhere) with one limit: `failure_limit` gives it the
per-client limit once this client has reached it, the wider one otherwise.
"""

from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.utils import reset

from lib import french

FAILURES_FROM_ONE_CLIENT = 5
FAILURES_FROM_EVERYWHERE = 20


def recent_failures():
    """The failed attempts that still count (those of the last AXES_COOLOFF_TIME), one row per username,
    address and browser."""
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)


def failure_limit(request, credentials):
    """AXES_FAILURE_LIMIT: the limit for this sign-in, from this client."""
    username = get_client_username(request, credentials)
    from_this_client = (
        recent_failures()
        .filter(username=username, ip_address=request.axes_ip_address)
        .aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )
    return FAILURES_FROM_ONE_CLIENT if from_this_client >= FAILURES_FROM_ONE_CLIENT else FAILURES_FROM_EVERYWHERE


def locked_out_usernames():
    """The usernames locked out now, from at least one client: the same two limits as `failure_limit`,
    for the lists of people (one query over the recent failures only)."""
    per_client = (
        recent_failures()
        .exclude(username=None)
        .values("username", "ip_address")
        .annotate(total=Sum("failures_since_start"))
        .order_by()
    )
    everywhere = {}
    locked = set()
    for row in per_client:
        everywhere[row["username"]] = everywhere.get(row["username"], 0) + row["total"]
        if row["total"] >= FAILURES_FROM_ONE_CLIENT:
            locked.add(row["username"])
    return locked | {username for username, total in everywhere.items() if total >= FAILURES_FROM_EVERYWHERE}


def lift_lockout(person):
    """The person may try again at once, from anywhere: their failures are forgotten."""
    return reset(username=person.get_username())


def lockout_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE: a French page saying the sign-in is locked, until when, and whom to ask
    (429: too many attempts). Each further attempt starts the wait again, so it ends AXES_COOLOFF_TIME
    after this one."""
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    context = {
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "until": french.date(until, "TIME_FORMAT"),
    }
    return render(request, "registration/locked_out.html", context, status=429)
