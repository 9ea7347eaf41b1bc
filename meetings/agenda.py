"""What the app proposes for a meeting's agenda, one function per kind of proposal; the coordinator ticks
the ones to keep (`AgendaPointForm`). Each proposal names the action it is about, so the agenda point
links to it."""

import datetime
from typing import NamedTuple

from django.db.models import Count, Max
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from plans.models import Action, ExpectedResult, live_action
from suivi.models import CheckIn, PlannedStep, Step

# Each kind lists at most this many proposals: the agenda of a 2,000-action plan stays a page to read.
MOST = 30
# Planned steps due within this many days after the meeting are proposed with the late ones.
SOON_DAYS = 30


def brief(text):
    """An item's text in a proposal's title: its first 120 characters, without the closing period."""
    return text[:120].rstrip(" .")


class Proposal(NamedTuple):
    key: str  # "<kind>:<id>", what the form's checkbox sends
    title: str
    action: object  # the action the point is about, or None


def actions_with_new_steps(meeting):
    """Actions with steps recorded since the last meeting of the same body (since the plan began, for its
    first meeting)."""
    previous = meeting.previous_of_same_body()
    steps = Step.objects.filter(action__plan_id=meeting.plan_id, action__archived_at__isnull=True)
    if previous is not None:
        steps = steps.filter(created_at__gte=previous.starts_at)
    rows = (
        steps.filter(created_at__lt=meeting.starts_at).values("action").annotate(n=Count("pk"), last=Max("created_at"))
        .order_by("-last")[:MOST]
    )
    counts = {row["action"]: row["n"] for row in rows}
    actions = Action.objects.in_bulk(list(counts))
    return [
        Proposal(f"new_steps:{pk}", ngettext("%(code)s %(text)s : %(n)s nouvelle étape", "%(code)s %(text)s : %(n)s nouvelles étapes", n) % {
            "code": actions[pk].code, "text": brief(actions[pk].text), "n": n}, actions[pk])
        for pk, n in counts.items()
    ]


def stale_actions(meeting):
    """Actions under way with no step for the plan's `stale_after_months` (« Actions à relancer »)."""
    actions = meeting.plan.stale_actions().order_by("objective__axis__number", "objective__number", "number")[:MOST]
    return [
        Proposal(f"stale:{action.pk}", _("%(code)s %(text)s : aucune étape depuis %(months)s mois") % {
            "code": action.code, "text": brief(action.text), "months": meeting.plan.stale_after_months}, action)
        for action in actions
    ]


def steps_awaiting_validation(meeting):
    """Actions whose steps wait for the coordination's validation."""
    rows = (
        Step.objects.filter(action__plan_id=meeting.plan_id).awaiting_review().values("action")
        .annotate(n=Count("pk"), first=Max("created_at")).order_by("first")[:MOST]
    )
    counts = {row["action"]: row["n"] for row in rows}
    actions = Action.objects.in_bulk(list(counts))
    return [
        Proposal(f"waiting:{pk}", ngettext("%(code)s %(text)s : %(n)s étape à valider", "%(code)s %(text)s : %(n)s étapes à valider", n) % {
            "code": actions[pk].code, "text": brief(actions[pk].text), "n": n}, actions[pk])
        for pk, n in counts.items()
    ]


def results_due_this_year(meeting):
    """Expected results not achieved whose reference year ends in the meeting's calendar year."""
    year = meeting.local_start.year
    results = (
        ExpectedResult.objects.filter(plan_id=meeting.plan_id, achieved_on__isnull=True, period_end=year)
        .active().filter(live_action("action__")).select_related("action").order_by("code")[:MOST]
    )
    return [
        Proposal(f"result:{result.pk}", _("Résultat %(code)s attendu en %(year)s : %(text)s") % {
            "code": result.code, "year": year, "text": brief(result.text)}, result.action)
        for result in results
    ]


def planned_steps_due(meeting):
    """Planned steps still open and due by a month after the meeting: the late ones, and those to speak of
    before they are."""
    day = meeting.local_start.date()
    planned = (
        PlannedStep.objects.filter(action__plan_id=meeting.plan_id, action__archived_at__isnull=True)
        .open().filter(due_on__lte=day + datetime.timedelta(days=SOON_DAYS))
        .select_related("action", "organisation").order_by("due_on", "pk")[:MOST]
    )
    return [
        Proposal(
            f"planned:{step.pk}",
            (_("%(code)s %(text)s : prévue pour le %(date)s par %(organisation)s, en retard") if step.due_on < day
             else _("%(code)s %(text)s : prévue pour le %(date)s par %(organisation)s")) % {
                "code": step.action.code, "text": brief(step.description), "date": date_format(step.due_on),
                "organisation": step.organisation},
            step.action,
        )
        for step in planned
    ]


def check_ins_since_last_meeting(meeting):
    """Actions an organisation said were « toujours en cours » since the last meeting of the same body."""
    previous = meeting.previous_of_same_body()
    check_ins = CheckIn.objects.filter(action__plan_id=meeting.plan_id, action__archived_at__isnull=True)
    if previous is not None:
        check_ins = check_ins.filter(checked_on__gte=previous.local_start.date())
    check_ins = (
        check_ins.filter(checked_on__lte=meeting.local_start.date()).select_related("action", "organisation")
        .order_by("-checked_on", "-pk")
    )
    latest = {}
    for check_in in check_ins:  # the latest of each action
        latest.setdefault(check_in.action_id, check_in)
        if len(latest) == MOST:
            break
    return [
        Proposal(f"check_in:{check_in.action_id}", _("%(code)s %(text)s : toujours en cours selon %(organisation)s, le %(date)s") % {
            "code": check_in.action.code, "text": brief(check_in.action.text), "organisation": check_in.organisation,
            "date": date_format(check_in.checked_on)}, check_in.action)
        for check_in in latest.values()
    ]


KINDS = {
    "new_steps": (gettext_lazy("Actions avec de nouvelles étapes depuis la dernière réunion"), actions_with_new_steps),
    "stale": (gettext_lazy("Actions à relancer"), stale_actions),
    "waiting": (gettext_lazy("Étapes à valider"), steps_awaiting_validation),
    "result": (gettext_lazy("Résultats attendus cette année"), results_due_this_year),
    "planned": (gettext_lazy("Étapes prévues à échéance ou en retard"), planned_steps_due),
    "check_in": (gettext_lazy("Actions « toujours en cours » signalées"), check_ins_since_last_meeting),
}


def proposals(meeting):
    """[(label, [Proposal…])] by kind, leaving out what is already on the agenda for the same reason."""
    on_agenda = set(meeting.agenda.values_list("source", flat=True))
    groups = []
    for label, propose in KINDS.values():
        found = [proposal for proposal in propose(meeting) if proposal.key not in on_agenda]
        groups.append((label, found))
    return groups
