"""Every page of a plan, found in the URL configuration, answers 200 and asks the same number of queries on
the Lanaudière plan (37 actions) and on a plan of 2,000 actions and 10,000 steps.

A new route under /plans/<slug>/ is tried here without anyone writing a test for it; a route whose other
parameters this module cannot fill fails the test until it is filled below or listed in NOT_PAGES.
"""

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from sesame.utils import get_token

from bilans import plan_steps
from bilans.documents import gather
from bilans.models import Bilan, PlanDocument
from notifications.links import CHECK_IN, STEP
from notifications.links import scope as link_scope
from partners.models import Organisation
from plans.edit_views import KINDS
from meetings.models import AgendaPoint, Amendment, Attendance, CalendarKey, Decision, Meeting, MeetingFile
from plans.models import Action, Committee, PlanRole
from suivi.models import PlannedStep, Step, StepFile
from tests.conftest import make_person
from tests.factories import make_plan
from tests.urls_helpers import plan_routes

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# Routes of a plan that are not pages: they only write (POST), and a GET must say so (405, checked below).
NOT_PAGES = {
    "plans:move_item",
    "plans:archive_item",
    "plans:restore_item",
    "plans:restore_plan",
    "suivi:add_step",
    "suivi:action_status",
    "suivi:validate_step",
    "suivi:return_step",
    "suivi:toggle_result",
    "suivi:add_planned_step",
    "suivi:tick_planned_step",
    "suivi:untick_planned_step",
    "tableur:spreadsheet_confirm",
    "tableur:partner_sheet_confirm",
    "bilans:create",
    "bilans:adopt",
    "meetings:invite",
    "plans:person_resend_invitation",
    "plans:person_deactivate",
    "plans:person_reactivate",
    "plans:person_remove",
    "plans:person_unlock",
    "suivi:check_in",
    "notifications:remind_now",
}
# A partner's own pages; the coordinator asks for every other one.
PARTNER_PAGES = {"suivi:my_actions", "tableur:partner_sheet", "tableur:partner_sheet_download"}


@dataclass
class World:
    """A plan with what its pages show, and the people who look at them."""

    plan: object
    coordinator: object
    partner: object
    items: dict  # one item of each kind, by its name in the addresses (axes, objectifs…)
    step: object
    stored_file: object
    bilan: object
    planned: object = None  # an open planned step of the partner's organisation
    meetings: dict = None  # a meeting with its agenda, attendance, decisions and file; a committee; a key


# How to fill the parameters other than <slug>, by route: each gives (kwargs, query string) pairs, all tried.
def each_item(world):
    return [({"kind": kind, "pk": item.pk}, {}) for kind, item in world.items.items()]


def one_bilan(world):
    return [({"pk": world.bilan.pk}, {})]


def one_plan_document(world):
    """A large plan's PDF of « Le plan et ses étapes réalisées », made in the background and ready; made once
    (the fuzzing asks for it at each address it makes up, outside the attempts it rolls back)."""
    document = PlanDocument.objects.filter(plan=world.plan, rendering=Bilan.Rendering.READY).first()
    if document is None:
        document = PlanDocument(
            plan=world.plan, starts_on=world.bilan.starts_on, ends_on=world.bilan.ends_on, rendering=Bilan.Rendering.READY
        )
        document.file.save("plan.pdf", ContentFile(PDF))
    return [({"pk": document.pk}, {})]


def new_items(world):
    """An axis under the plan; an objective, action or result under the parent of the item of that kind."""
    pairs = []
    for kind, model in KINDS.items():
        parent = getattr(world.items[kind], model.parent_field) if model.parent_field else None
        pairs.append(({"kind": kind}, {"parent": parent.pk} if parent else {}))
    return pairs


FILL = {
    "plans:objective": lambda world: [({"code": world.items["objectifs"].code}, {})],
    "plans:add_item": new_items,
    "plans:edit_item": each_item,
    "plans:delete_item": each_item,
    "plans:item_history": each_item,
    "suivi:action": lambda world: [({"code": world.items["actions"].code}, {})],
    "suivi:edit_step": lambda world: [({"pk": world.step.pk}, {})],
    "suivi:delete_step": lambda world: [({"pk": world.step.pk}, {})],
    "suivi:step_file": lambda world: [({"pk": world.stored_file.pk}, {})],
    "suivi:change_planned_step": lambda world: [({"pk": world.planned.pk}, {})],
    "suivi:planned_step_history": lambda world: [({"pk": world.planned.pk}, {})],
    "tableur:spreadsheet_export": lambda world: [({"file_format": "xlsx"}, {}), ({"file_format": "csv"}, {})],
    "bilans:detail": one_bilan,
    "bilans:pdf": one_bilan,
    "bilans:preview": one_bilan,
    "bilans:xlsx": one_bilan,
    "bilans:docx": one_bilan,
    "bilans:texts": one_bilan,
    "bilans:plan_document": one_plan_document,
    "bilans:plan_document_file": one_plan_document,
    "meetings:detail": lambda world: [({"pk": world.meetings["meeting"].pk}, {})],
    "meetings:edit": lambda world: [({"pk": world.meetings["meeting"].pk}, {})],
    "meetings:agenda": lambda world: [({"pk": world.meetings["meeting"].pk}, {})],
    "meetings:attendance": lambda world: [({"pk": world.meetings["meeting"].pk}, {})],
    "meetings:minutes": lambda world: [({"pk": world.meetings["meeting"].pk}, {})],
    "meetings:decisions": lambda world: [({"pk": world.meetings["meeting"].pk}, {})],
    "meetings:ics": lambda world: [({"pk": world.meetings["meeting"].pk}, {})],
    "meetings:file": lambda world: [({"pk": world.meetings["file"].pk}, {})],
    "meetings:delete_agenda_point": lambda world: [({"pk": world.meetings["meeting"].agenda.first().pk}, {})],
    "meetings:delete_decision": lambda world: [({"pk": world.meetings["meeting"].decisions.filter(amendments=None).first().pk}, {})],
    "meetings:committee": lambda world: [({"pk": world.meetings["committee"].pk}, {})],
    "meetings:feed": lambda world: [({"key": world.meetings["key"].key}, {})],
    "notifications:link_step": lambda world: reminder_link(world, STEP),
    "notifications:link_check_in": lambda world: reminder_link(world, CHECK_IN),
}


def reminder_link(world, purpose):
    """A reminder's one-click link for the plan's partner, on the first action of their organisation."""
    organisation = world.partner.memberships.get(plan=world.plan).organisation
    action = Action.objects.filter(plan=world.plan).for_organisation(organisation).order_by("pk").first()
    return [({"code": action.code}, {"t": get_token(world.partner, scope=link_scope(purpose, action))})]


def populate(plan, coordinator, partner, organisation, steps):
    """Steps in each review state (a third of them waiting), some advancing results, one with a file; a
    result achieved and one archived; a bilan with its data and PDF."""
    actions = list(plan.actions.order_by("pk"))
    own = set(Action.objects.filter(plan=plan).for_organisation(organisation).values_list("pk", flat=True))
    other = Organisation.objects.exclude(pk=organisation.pk).first()
    now = timezone.now()
    rows = []
    for n in range(steps):
        action = actions[n % len(actions)]
        review = [Step.Review.PENDING, Step.Review.VALIDATED, Step.Review.RETURNED][n % 3]
        rows.append(
            Step(
                action=action,
                organisation=organisation if action.pk in own else other,
                author=partner,
                done_on=datetime.date(2024, 4, 1) + datetime.timedelta(days=n % 300),
                description=f"Étape {n}",
                review=review,
                reviewed_by=None if review == Step.Review.PENDING else coordinator,
                reviewed_at=None if review == Step.Review.PENDING else now,
                review_comment="À préciser" if review == Step.Review.RETURNED else "",
            )
        )
    rows = Step.objects.bulk_create(rows)
    result_of = dict(plan.results.order_by("-number").values_list("action_id", "pk"))  # each action's first
    Step.results.through.objects.bulk_create(
        Step.results.through(step=step, expectedresult_id=result_of[step.action_id])
        for step in rows[::7]
        if step.action_id in result_of
    )
    step = next(step for step in rows if step.action_id in own)
    # A planned step per action: to come, overdue, done (the action's first step), dropped.
    today = timezone.localdate()
    planned = PlannedStep.objects.bulk_create(
        PlannedStep(
            action=action,
            organisation=organisation if action.pk in own else other,
            description=f"Prévue {n}",
            due_on=today + datetime.timedelta(days=n % 60 - 20),
            planned_by=coordinator,
            step=rows[n] if n % 5 == 1 and n < len(rows) else None,
            dropped_at=now if n % 7 == 3 and n % 5 != 1 else None,
            reason="Plus de budget" if n % 7 == 3 and n % 5 != 1 else "",
        )
        for n, action in enumerate(actions)
    )
    PlannedStep.results.through.objects.bulk_create(
        PlannedStep.results.through(plannedstep=one, expectedresult_id=result_of[one.action_id])
        for one in planned[::3]
        if one.action_id in result_of
    )
    open_planned = next(one for one in planned if one.action_id in own and one.is_open)
    stored_file = StepFile(step=step, name="compte-rendu.pdf", content_type="application/pdf", size=len(PDF))
    stored_file.file.save("compte-rendu.pdf", ContentFile(PDF))
    first_result, last_result = plan.results.order_by("pk")[0], plan.results.order_by("-pk")[0]
    plan.results.filter(pk=first_result.pk).update(achieved_on=datetime.date(2025, 1, 15), achieved_by=partner)
    plan.results.filter(pk=last_result.pk).update(archived_at=now)
    bilan = Bilan.create_draft(plan, datetime.date(2024, 4, 1), datetime.date(2025, 3, 31), year=2024, user=coordinator)
    bilan.data = gather(plan, bilan.starts_on, bilan.ends_on)
    bilan.pdf.save(bilan.file_name(), ContentFile(PDF), save=False)
    bilan.rendering, bilan.progress, bilan.generated_at = Bilan.Rendering.READY, 100, now
    bilan.save()
    objective = plan.objectives.get(code="1.1")
    action = objective.actions.order_by("number")[0]
    items = {"axes": objective.axis, "objectifs": objective, "actions": action, "resultats": action.results.first()}
    for item in items.values():
        item.save()  # a change in its history, as an item edited on the site has
    return World(
        plan, coordinator, partner, items, step, stored_file, bilan, open_planned,
        meetings_of(plan, coordinator, organisation),
    )


def meetings_of(plan, coordinator, organisation):
    """Two meetings of the coordination committee, the second with points and decisions about actions
    (one amending the plan), attendance and a file; a working committee that met; the coordinator's
    calendar key."""
    actions = list(plan.actions.active().order_by("pk")[:3])
    first = timezone.make_aware(datetime.datetime(2024, 9, 10, 13, 30))
    length = datetime.timedelta(hours=2, minutes=30)
    Meeting.objects.create(plan=plan, body=Meeting.Body.COORDINATION, starts_at=first, ends_at=first + length)
    when = first + datetime.timedelta(days=60)
    meeting = Meeting.objects.create(plan=plan, body=Meeting.Body.COORDINATION, starts_at=when, ends_at=when + length)
    meeting.invited.add(organisation)
    for action in actions:
        AgendaPoint.objects.create(meeting=meeting, title=f"Point {action.code}").actions.add(action)
        Decision.objects.create(meeting=meeting, text=f"Décision {action.code}").actions.add(action)
    Amendment.record(meeting.decisions.first(), Amendment.Kind.REWORDED, coordinator, action=actions[0], text="Reformulée")
    Attendance.objects.create(meeting=meeting, organisation=organisation, presence=Attendance.Presence.PRESENT)
    Attendance.objects.create(meeting=meeting, person=coordinator, presence=Attendance.Presence.PRESENT)
    stored = MeetingFile(meeting=meeting, name="compte-rendu.pdf", content_type="application/pdf", size=len(PDF))
    stored.file.save("compte-rendu.pdf", ContentFile(PDF))
    committee, _created = Committee.objects.get_or_create(plan=plan, name="Menus travaux")
    Meeting.objects.create(
        plan=plan, body=Meeting.Body.WORKING_COMMITTEE, committee=committee, starts_at=when, ends_at=when + length
    )
    return {"meeting": meeting, "file": stored, "committee": committee, "key": CalendarKey.objects.for_person(coordinator, plan)}


def addresses(name, parameters, world):
    """The addresses to ask for, or None when this module does not know how to fill the route."""
    if not parameters:
        return [reverse(name, kwargs={"slug": world.plan.slug})]
    if name not in FILL:
        return None
    return [
        reverse(name, kwargs={"slug": world.plan.slug, **kwargs}) + (f"?{urlencode(query)}" if query else "")
        for kwargs, query in FILL[name](world)
    ]


def queries_of(client, address):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)  # a file is read when it is sent
    return response.status_code, len(captured)


def test_every_page_of_a_plan_answers_with_the_same_queries_at_37_and_at_2000_actions(
    client, lanaudiere, coordinator, partner, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    # « Le plan et ses étapes réalisées » is written as PDF and Word from its gathered data, with no query:
    # its files are counted here without laying out 2,000 actions (test_plan_steps.py reads them back).
    monkeypatch.setattr(plan_steps, "render_pdf", lambda data: PDF)
    monkeypatch.setattr(plan_steps, "render_docx", lambda data: b"PK")
    monkeypatch.setattr(plan_steps, "IN_REQUEST_UP_TO", 10_000)  # made in the request at both sizes, to count
    # The plan's page as a large plan has it at both sizes: axes and objectives, each objective's actions
    # on their own page (tried below). Its other way, every action drawn, is counted in test_plan_pages.py.
    settings.PLAN_PAGE_INLINE_ACTIONS = 10
    small = populate(lanaudiere, coordinator, partner, Organisation.objects.get(acronym="ALL"), steps=200)
    big_plan = make_plan("grand-plan", actions=2000)
    big_organisation = Organisation.objects.get(acronym="O-grand-plan-0")
    big = populate(
        big_plan,
        make_person("coordo-grand", big_plan, PlanRole.Role.COORDINATOR),
        make_person("partenaire-grand", big_plan, PlanRole.Role.PARTNER, big_organisation),
        big_organisation,
        steps=10_000,
    )

    routes = dict(plan_routes())
    problems = [f"{name}: listed here, but no such route" for name in (NOT_PAGES | set(FILL)) - set(routes)]
    for name, parameters in sorted(routes.items()):
        if name in NOT_PAGES:
            client.force_login(small.coordinator)
            address = reverse(name, kwargs={"slug": small.plan.slug, **{parameter: 1 for parameter in parameters}})
            if client.get(address).status_code != 405:
                problems.append(f"{name}: listed as writing only, but a GET does not answer 405")
            continue
        asked = {label: addresses(name, parameters, world) for label, world in (("37", small), ("2000", big))}
        if asked["37"] is None:
            problems.append(f"{name}: cannot fill {', '.join(parameters)} (add it to FILL, or to NOT_PAGES)")
            continue
        counts = {}
        for label, world in (("37", small), ("2000", big)):
            client.force_login(world.partner if name in PARTNER_PAGES else world.coordinator)
            # Warm the process's caches (content types…) before counting; and at both sizes, note the visit of
            # the plan page, which is then not written again for a few minutes (PlanVisit.record).
            if label == "37" or name == "plans:detail":
                for address in asked[label]:
                    client.get(address)
            counts[label] = [queries_of(client, address) for address in asked[label]]
        for address, (status, small_count), (big_status, big_count) in zip(asked["37"], counts["37"], counts["2000"]):
            if (status, big_status) != (200, 200):
                problems.append(f"{name} {address}: status {status} at 37 actions, {big_status} at 2,000")
            elif small_count != big_count:
                problems.append(f"{name} {address}: {small_count} queries at 37 actions, {big_count} at 2,000")
    assert problems == []
