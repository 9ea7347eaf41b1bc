"""A newcomer runs `make run` (`load_demo`) and finds the Lanaudière plan with a year of activity: steps
validated, waiting and sent back by several organisations, their files, results achieved, an adopted
bilan. All of it is fictional and says so; `--sans-activite` leaves the plan as the document gives it."""

import datetime
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bilans.models import Bilan
from meetings.models import Meeting
from demo import activity
from demo.activity import FICTIONAL
from plans.models import ExpectedResult, Plan
from suivi.models import PlannedStep, Step, StepFile

SLUG = "lanaudiere-2024-2026"


@pytest.fixture
def first_run(empty_database, settings, tmp_path):
    """A fresh instance, as `make run` leaves it."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=open(os.devnull, "w"))
    return Plan.objects.get(slug=SLUG)


def what_is_there():
    return {
        "steps": sorted(Step.objects.values_list("description", "done_on", "organisation__acronym", "review")),
        "files": StepFile.objects.count(),
        "results": sorted(ExpectedResult.objects.filter(achieved_on__isnull=False).values_list("code", "achieved_on")),
        "bilans": list(Bilan.objects.values_list("year", "state", "version")),
        "planned": sorted(PlannedStep.objects.values_list("description", "due_on")),
        "meetings": sorted(Meeting.objects.values_list("starts_at", "body")),
        "people": sorted(get_user_model().objects.values_list("username", flat=True)),
    }


def test_a_first_run_shows_a_year_of_every_kind_of_activity_all_marked_fictional(first_run, client):
    today = timezone.localdate()
    steps = Step.objects.filter(action__plan=first_run)
    assert {step.review for step in steps} == {"validated", "pending", "returned"}
    assert steps.values("organisation").distinct().count() >= 3  # several partner organisations
    assert all(today - datetime.timedelta(days=365) <= step.done_on <= today for step in steps)
    assert all(step.reviewed_by.username == "coordination" for step in steps.exclude(review="pending"))
    assert all(step.review_comment for step in steps.filter(review="returned"))

    types = set(StepFile.objects.filter(step__action__plan=first_run).values_list("content_type", flat=True))
    assert types == {"application/pdf", "image/png"}
    for stored in StepFile.objects.all():
        content = stored.file.read()
        assert len(content) == stored.size and content[:4] in (b"%PDF", b"\x89PNG")

    achieved = first_run.results.filter(achieved_on__isnull=False)
    assert achieved.count() >= 5
    assert all(result.steps.exists() and result.achieved_by for result in achieved)
    assert first_run.actions.filter(status="done").exists() or first_run.actions.filter(status="in_progress").exists()

    bilan = first_run.bilans.get()
    this_year_began = first_run.reporting_year(today)[0]
    last_complete = first_run.reporting_year_starting(this_year_began.year - 1)
    assert bilan.is_adopted and bilan.is_ready and (bilan.starts_on, bilan.ends_on) == last_complete
    assert bilan.adopted_by.username == "comite" and bilan.adopted_on == today
    assert bilan.pdf.read()[:4] == b"%PDF"
    assert bilan.data["texts"]["word"]

    # Steps planned ahead, one of them overdue; a meeting held, with who came and what it decided, and the next.
    planned = PlannedStep.objects.filter(action__plan=first_run)
    assert planned.count() == 3 and planned.filter(due_on__lt=today).count() == 1
    held, upcoming = Meeting.objects.filter(plan=first_run).order_by("starts_at")
    assert held.starts_at < timezone.now() < upcoming.starts_at
    assert held.attendance.filter(presence="present").count() >= 3 and held.attendance.filter(presence="excused").exists()
    assert held.agenda.filter(actions__isnull=False).exists() and held.decisions.filter(actions__isnull=False).exists()
    assert upcoming.agenda.exists() and upcoming.invited.exists()

    # Every fictional thing says it is fictional.
    assert all(p.description.endswith(FICTIONAL) for p in planned)
    assert all(meeting.place.endswith(FICTIONAL) for meeting in (held, upcoming))
    assert first_run.example_activity
    assert all(step.description.endswith(FICTIONAL) for step in Step.objects.all())
    assert all(step.review_comment.endswith(FICTIONAL) for step in Step.objects.filter(review="returned"))
    recorders = get_user_model().objects.filter(steps__isnull=False).distinct()
    assert all(FICTIONAL in person.get_full_name() for person in recorders.exclude(username="partenaire"))
    assert FICTIONAL in bilan.page_mark()  # on every page of its PDF
    assert "exemple fictif" in bilan.data["texts"]["word"]

    coordination = get_user_model().objects.get(username="coordination")
    assert coordination.check_password("chantier-demo")  # the README's demo accounts still work
    client.force_login(coordination)
    for page in (reverse("plans:detail", args=[SLUG]), reverse("suivi:steps", args=[SLUG])):
        html = client.get(page).content.decode()
        assert "les résultats atteints et les bilans de ce plan sont des exemples fictifs" in html


def test_running_it_again_doubles_nothing_and_the_partner_finds_a_step_to_fix(first_run, client):
    before = what_is_there()
    call_command("load_demo", stdout=open(os.devnull, "w"))
    assert what_is_there() == before

    partner = get_user_model().objects.get(username="partenaire")
    assert partner.check_password("chantier-demo")
    client.force_login(partner)
    returned = Step.objects.filter(author__username="partenaire", review="returned")
    assert returned.exists()
    step = returned.first()
    assert client.get(reverse("suivi:my_actions", args=[SLUG])).status_code == 200
    html = client.get(step.action.get_absolute_url()).content.decode()
    assert step.review_comment in html
    assert client.get(reverse("suivi:edit_step", args=[SLUG, step.pk])).status_code == 200  # theirs to fix


def test_sans_activite_leaves_the_plan_as_the_document_gives_it(empty_database, settings):
    settings.DEBUG = True
    call_command("load_demo", sans_activite=True, stdout=open(os.devnull, "w"))
    plan = Plan.objects.get(slug=SLUG)
    assert not plan.example_activity
    assert not Step.objects.exists() and not StepFile.objects.exists() and not Bilan.objects.exists()
    assert not plan.results.filter(achieved_on__isnull=False).exists()
    assert sorted(get_user_model().objects.values_list("username", flat=True)) == ["comite", "coordination", "partenaire"]


def test_the_same_day_gives_the_same_activity(empty_database, settings):
    """Drawn from a seeded random: two runs on the same day draw the same steps."""
    settings.DEBUG = True
    call_command("load_demo", sans_activite=True, stdout=open(os.devnull, "w"))
    plan = Plan.objects.get(slug=SLUG)
    users = get_user_model().objects
    coordinator, partner = users.get(username="coordination"), users.get(username="partenaire")
    today = datetime.date(2026, 6, 15)

    def draw():
        with transaction.atomic():
            people = activity.example_people(plan, partner)
            activity.add_steps(plan, people, coordinator, today, activity.random.Random(activity.SEED))
            drawn = what_is_there()["steps"]
            transaction.set_rollback(True)
        return drawn

    first = draw()
    assert len(first) == activity.STEPS and draw() == first
