"""The reminders: each partner's digest of their organisations' actions, at the frequency of the plan (or
their own), the coordination's weekly digest, and the grouped notice of new steps to validate. A plan's
reminders are gathered in a fixed number of queries, whatever its number of people (bench/reminders.py),
and each email is claimed in the sent-log (`Reminder`) before it goes: a second run in the same period
sends nothing again, a failed email is retried by the next run.

Each section of a digest is one function below, reading the whole plan at once and answering by
organisation.
"""

import datetime
import logging
import uuid
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from lib.typography import colon
from plans.models import Action, ExpectedResult, Membership, Plan, ReminderFrequency, Role, live_action
from plans.rules import partner_organisation_ids
from meetings.models import Meeting
from suivi.models import CheckIn, PlannedStep, Step

from . import mail
from .links import CHECK_IN, STEP, action_link, action_path
from .models import Notification, Preference, Reminder
from .notices import in_language_of

logger = logging.getLogger("chantier.notifications")

DAY, WEEK = datetime.timedelta(days=1), datetime.timedelta(days=7)
SHOWN = 20  # of each list in the coordination's digest; the page it links to has them all
PLANNED_SOON_DAYS = 14  # planned steps due within two weeks come with the late ones in a partner's digest


def period_of(frequency, today):
    """The period an email of this frequency belongs to: one email per person and period."""
    if frequency == ReminderFrequency.WEEKLY:
        year, week, _ = today.isocalendar()
        return f"{year}-S{week:02d}"
    if frequency == ReminderFrequency.MONTHLY:
        return f"{today:%Y-%m}"
    return f"{today:%Y-%m-%d}"


# The sections of a partner's digest: each answers {organisation id: [items]} for the whole plan.


def actions_of_plan(plan):
    """The plan's active actions, each with the organisations in effect on it (`organisation_ids`)."""
    actions = list(Action.objects.filter(plan=plan).live().select_related("plan").with_partners_in_effect())
    for action in actions:
        action.organisation_ids = partner_organisation_ids(action)
        action.url = mail.absolute(action.get_absolute_url())
        action.step_path, action.check_in_path = action_path(action, STEP), action_path(action, CHECK_IN)
    return {action.pk: action for action in actions}


def code_order(item):
    """1.1.2 before 1.1.10."""
    return tuple(int(part) for part in item.code.split(".") if part.isdigit())


def by_organisation(items, organisations_of):
    grouped = defaultdict(list)
    for item in items:
        for organisation_id in organisations_of(item):
            grouped[organisation_id].append(item)
    return grouped


def actions_without_news(plan, actions, today):
    """Actions due this reporting year with no step or check-in for the plan's `stale_after_months`."""
    year_start, year_end = plan.reporting_year(today)
    stale = dict(plan.stale_actions(today).values_list("pk", "last_news_on"))
    found = []
    for pk, last_news_on in stale.items():
        action = actions.get(pk)
        if action is not None and action.meets(year_start, year_end):
            action.last_news_on = last_news_on
            found.append(action)
    return by_organisation(sorted(found, key=code_order), lambda a: a.organisation_ids)


def results_due(plan, actions, today):
    """Expected results not achieved yet whose reference period (or their action's) meets this year."""
    year_start, year_end = plan.reporting_year(today)
    results = sorted(
        ExpectedResult.objects.active().filter(live_action("action__"), plan=plan, achieved_on__isnull=True), key=code_order
    )
    found = []
    for result in results:
        action = actions.get(result.action_id)
        if action is None:
            continue
        result.action = action
        if (result if result.period_start else action).meets(year_start, year_end):
            found.append(result)
    return by_organisation(found, lambda r: r.action.organisation_ids)


def steps_returned(plan, actions):
    """Steps the coordination sent back, to be corrected by the organisation that recorded them."""
    steps = Step.objects.filter(action__plan=plan, review=Step.Review.RETURNED).order_by("-reviewed_at")
    found = []
    for step in steps:
        if step.action_id in actions:
            step.action = actions[step.action_id]
            found.append(step)
    return by_organisation(found, lambda s: [s.organisation_id])


def planned_steps_due(plan, actions, today):
    """Planned steps still open, late or due within `PLANNED_SOON_DAYS`, by the organisation planned to do
    them."""
    planned = (
        PlannedStep.objects.filter(action__plan=plan).open()
        .filter(due_on__lte=today + datetime.timedelta(days=PLANNED_SOON_DAYS)).order_by("due_on", "pk")
    )
    found = []
    for step in planned:
        if step.action_id in actions:
            step.action, step.is_late = actions[step.action_id], step.due_on < today
            found.append(step)
    return by_organisation(found, lambda s: [s.organisation_id])


def next_meeting(plan, today):
    """The plan's next meeting, whatever its body, for the coordination's digest; None when none is set."""
    return (
        Meeting.objects.filter(plan=plan, starts_at__date__gte=today).select_related("plan", "committee")
        .order_by("starts_at").first()
    )


# Who gets what


def partners_of(plan):
    """{person: [organisations]} of the plan's active partners who have an email."""
    memberships = Membership.objects.filter(
        plan=plan, user__is_active=True, user__plan_roles__plan=plan, user__plan_roles__role=Role.PARTNER
    ).exclude(user__email="").select_related("user__language_choice", "organisation").order_by("user_id", "organisation__name")
    people = {}
    for membership in memberships:
        people.setdefault(membership.user_id, (membership.user, []))[1].append(membership.organisation)
    return people.values()


def coordinators_of(plan):
    return list(
        get_user_model().objects.filter(plan_roles__plan=plan, plan_roles__role=Role.COORDINATOR, is_active=True)
        .exclude(email="").select_related("language_choice")  # each is written to in their language
    )


def preferences_of(people):
    return {p.person_id: p for p in Preference.objects.filter(person__in=[person.pk for person in people])}


def partner_digest(person, organisations, sections):
    """The context of one partner's digest: only their organisations' items (an action two of their
    organisations share, once). None when there is nothing to tell."""
    ids = [organisation.pk for organisation in organisations]

    def theirs(section):
        seen, items = set(), []
        for organisation_id in ids:
            for item in section.get(organisation_id, []):
                if item.pk not in seen:
                    seen.add(item.pk)
                    items.append(item)
        return items

    context = {name: theirs(section) for name, section in sections.items()}
    if not any(context.values()):
        return None
    # The action in hand is shared by every digest: each person's links go beside it, not on it.
    context["actions"] = [
        Linked(action, mail.absolute(action_link(person, action, STEP, action.step_path)),
               mail.absolute(action_link(person, action, CHECK_IN, action.check_in_path)))
        for action in context["actions"]
    ]
    return {**context, "organisations": organisations}


class Linked:
    """An action of a digest with the person's two links; reads as the action otherwise."""

    def __init__(self, action, step_url, check_in_url):
        self.action, self.step_url, self.check_in_url = action, step_url, check_in_url

    def __getattr__(self, name):
        return getattr(self.action, name)


def partner_sections(plan, today, only=None):
    actions = actions_of_plan(plan)
    if only is not None:  # a reminder sent now by the coordination: these actions, nothing else
        chosen = [actions[pk] for pk in only if pk in actions]
        return {"actions": by_organisation(chosen, lambda a: a.organisation_ids), "results": {}, "returned": {},
                "planned": {}}
    return {
        "actions": actions_without_news(plan, actions, today),
        "results": results_due(plan, actions, today),
        "returned": steps_returned(plan, actions),
        "planned": planned_steps_due(plan, actions, today),
    }


# Sending, once


def claim(plan, kind, wanted, sent_by=None):
    """Claim in the sent-log the emails `wanted` ({person id: (period, organisations)}): the rows of this
    period not sent yet (new, or failed before) that no other run holds come back, {person id: Reminder}.
    Four queries.

    The claim is one UPDATE that marks the free rows with this run's token, then a read of the rows that
    bear it: on both databases an UPDATE takes each row it changes, and a run that comes second finds the
    row already held (PostgreSQL checks the condition again once the first run's change is committed;
    SQLite runs one writer at a time), so no email is sent by two runs."""
    if not wanted:
        return {}
    Reminder.objects.bulk_create(
        [Reminder(person_id=pk, plan=plan, kind=kind, period=period, sent_by=sent_by) for pk, (period, _) in wanted.items()],
        ignore_conflicts=True,
    )
    periods = Q()
    for period in {period for period, _ in wanted.values()}:
        people = [pk for pk, (p, _) in wanted.items() if p == period]
        periods |= Q(period=period, person_id__in=people)
    unsent = Reminder.objects.filter(periods, plan=plan, kind=kind, sent_at__isnull=True)
    token, now = uuid.uuid4().hex, timezone.now()
    unsent.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - Reminder.CLAIM_LEASE)).update(
        claimed_by=token, claimed_at=now
    )
    rows = {r.person_id: r for r in unsent.filter(claimed_by=token)}
    Through = Reminder.organisations.through
    Through.objects.bulk_create(
        [Through(reminder_id=row.pk, organisation_id=o.pk) for pk, row in rows.items() for o in wanted[pk][1]],
        ignore_conflicts=True,
    )
    return rows


def deliver(rows, emails):
    """Send each claimed email through one connection; record which went, and why the others did not
    (they stay unsent and are let go, for the next run). Returns the number sent.

    The rows sent are recorded together at the end, so that the queries stay fixed: a run killed while it
    sends leaves its rows held, and they go again after `Reminder.CLAIM_LEASE` (an email may then arrive
    twice; none is lost)."""
    sent, now = [], timezone.now()
    with get_connection() as connection:
        for person_id, email in emails.items():
            row = rows[person_id]
            try:
                connection.send_messages([email])
            except Exception as error:  # any backend's failure is kept on the row and retried next run
                logger.exception("reminder not sent reminder=%s person=%s", row.pk, person_id)
                Reminder.objects.filter(pk=row.pk).update(
                    attempts=F("attempts") + 1, error=repr(error)[:2000], claimed_at=None, claimed_by=""
                )
            else:
                sent.append(row.pk)
    Reminder.objects.filter(pk__in=sent).update(
        sent_at=now, attempts=F("attempts") + 1, error="", claimed_at=None, claimed_by=""
    )
    return len(sent)


def send_partner_digests(plan, today, kind=Reminder.Kind.PARTNER_DIGEST, only=None, sent_by=None, people=None):
    """Each partner of the plan whose period has come gets their digest (or, with `only`, the reminder
    about these actions), once. Returns the number of emails sent."""
    partners = list(people if people is not None else partners_of(plan))
    preferences = preferences_of([person for person, _ in partners])
    sections = partner_sections(plan, today, only)
    wanted, contexts = {}, {}
    now = timezone.now()
    for person, organisations in partners:
        preference = preferences.get(person.pk) or Preference(person=person)
        frequency = preference.frequency_in(plan)
        if frequency == ReminderFrequency.NEVER:  # unsubscribed: not even a reminder sent by hand
            continue
        context = partner_digest(person, organisations, sections)
        if context is None:
            continue
        period = f"{now:%Y-%m-%dT%H:%M}" if only is not None else period_of(frequency, today)
        wanted[person.pk] = (period, organisations)
        contexts[person.pk] = (person, context)
    rows = claim(plan, kind, wanted, sent_by)
    name = "partner_digest" if only is None else "on_demand"
    emails = {pk: mail.message(contexts[pk][0], name, {**contexts[pk][1], "plan": plan, "today": today}) for pk in rows}
    return deliver(rows, emails)


def send_coordination_digests(plan, today):
    """The coordination's week: new steps, steps waiting, actions without news, check-ins, the next meeting."""
    coordinators = coordinators_of(plan)
    preferences = preferences_of(coordinators)
    since = timezone.now() - WEEK
    steps = Step.objects.filter(action__plan=plan).select_related("action", "organisation")
    new = list(steps.filter(created_at__gte=since).order_by("-created_at")[:SHOWN])
    waiting = steps.awaiting_review()
    stale = plan.stale_actions(today).order_by("objective__axis__number", "objective__number", "number")
    check_ins = list(
        CheckIn.objects.filter(action__plan=plan, created_at__gte=since).select_related("action", "organisation")[:SHOWN]
    )
    context = {
        "plan": plan,
        "today": today,
        "new_steps": new,
        "new_count": steps.filter(created_at__gte=since).count(),
        "waiting": list(waiting.order_by("created_at")[:SHOWN]),
        "waiting_count": waiting.count(),
        "stale": list(stale.select_related("plan")[:SHOWN]),
        "stale_count": stale.count(),
        "check_ins": check_ins,
        "next_meeting": next_meeting(plan, today),
    }
    for action in context["stale"]:
        action.plan = plan
    for item in new + context["waiting"] + check_ins:
        item.action.plan = plan
    if not (context["new_count"] or context["waiting_count"] or context["stale_count"] or check_ins):
        return 0
    period = period_of(ReminderFrequency.WEEKLY, today)
    wanted = {
        person.pk: (period, [])
        for person in coordinators
        if (preferences.get(person.pk) or Preference(person=person)).reminder_frequency != Preference.Frequency.NEVER
    }
    rows = claim(plan, Reminder.Kind.COORDINATION_DIGEST, wanted)
    people = {person.pk: person for person in coordinators}
    emails = {pk: mail.message(people[pk], "coordination_digest", context) for pk in rows}
    return deliver(rows, emails)


def send_steps_waiting(plan, today):
    """Once a day at most, the coordinators hear of the steps recorded since they last heard: one email
    for all of them, never one per step; and a notice in the app."""
    last = (
        Reminder.objects.filter(plan=plan, kind=Reminder.Kind.STEPS_WAITING, sent_at__isnull=False)
        .order_by("-sent_at").values_list("sent_at", flat=True).first()
    )
    since = last or timezone.now() - DAY
    steps = list(
        Step.objects.filter(action__plan=plan, created_at__gte=since).awaiting_review()
        .select_related("action", "organisation").order_by("created_at")
    )
    if not steps:
        return 0
    for step in steps:
        step.action.plan = plan
    coordinators = coordinators_of(plan)
    preferences = preferences_of(coordinators)
    period = period_of(None, today)
    wanted = {
        person.pk: (period, [])
        for person in coordinators
        if (preferences.get(person.pk) or Preference(person=person)).emails
    }
    rows = claim(plan, Reminder.Kind.STEPS_WAITING, wanted)
    people = {person.pk: person for person in coordinators}
    url = mail.absolute(plan_review_url(plan))
    context = {"plan": plan, "steps": steps, "url": url}
    emails = {pk: mail.message(people[pk], "steps_waiting", context) for pk in rows}
    def text():  # in each coordinator's language (notices.in_language_of)
        return f"{Notification.Kind.STEPS_WAITING.label}{colon()} {len(steps)}"

    Notification.objects.bulk_create(
        Notification(
            person_id=pk, plan=plan, kind=Notification.Kind.STEPS_WAITING, text=in_language_of(people[pk], text),
            url=plan_review_url(plan),
        )
        for pk in rows
    )
    return deliver(rows, emails)


def plan_review_url(plan):
    return reverse("suivi:steps_to_review", args=[plan.slug])


def send_reminders(today=None, plans=None):
    """Everything due today, for every open plan (or these): {plan slug: emails sent}."""
    today = today or timezone.localdate()
    plans = plans if plans is not None else Plan.objects.active()
    sent = {}
    for plan in plans:
        sent[plan.slug] = (
            send_steps_waiting(plan, today) + send_coordination_digests(plan, today) + send_partner_digests(plan, today)
        )
    return sent


def remind_now(plan, action_ids, by):
    """The coordination reminds the organisations of these actions now, about these actions only: their
    partners each get one email. Returns (emails sent, organisations with someone to remind)."""
    actions = actions_of_plan(plan)
    organisations = {pk for action_id in action_ids if action_id in actions for pk in actions[action_id].organisation_ids}
    people = [(person, [o for o in orgs if o.pk in organisations]) for person, orgs in partners_of(plan)]
    people = [(person, orgs) for person, orgs in people if orgs]
    sent = send_partner_digests(
        plan, timezone.localdate(), Reminder.Kind.ON_DEMAND, only=action_ids, sent_by=by, people=people
    )
    # The organisations someone was there to hear it: one without people in the plan is told nothing.
    return sent, len({organisation.pk for _person, orgs in people for organisation in orgs})
