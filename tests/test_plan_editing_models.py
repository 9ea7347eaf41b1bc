"""Renumbering, archiving, deleting and copying on the models: codes follow the structure."""

import datetime

import pytest
from django.db import connection

from partners.models import Organisation
from plans.models import Action, Axis, ExpectedResult, Objective, Plan, PlanRole
from suivi.models import Step

pytestmark = pytest.mark.django_db


def codes(queryset):
    return list(queryset.active().order_by("number").values_list("code", flat=True))


def texts(objective):
    return list(objective.actions.active().order_by("number").values_list("text", flat=True))


def test_inserting_at_1_shifts_the_others_and_their_results_follow(lanaudiere):
    objective = Objective.objects.get(plan=lanaudiere, code="1.1")
    before = texts(objective)
    first_result = ExpectedResult.objects.get(plan=lanaudiere, code="1.1.1.1")

    new = Action(objective=objective, text="Une nouvelle action")
    new.insert_at(1)

    assert texts(objective) == ["Une nouvelle action"] + before
    assert codes(objective.actions) == [f"1.1.{n}" for n in range(1, len(before) + 2)]
    first_result.refresh_from_db()
    assert first_result.code == "1.1.2.1"
    assert first_result.action.code == "1.1.2"


def test_moving_an_axis_renumbers_everything_below(lanaudiere):
    axis_4 = Axis.objects.get(plan=lanaudiere, code="4")
    titles = list(lanaudiere.axes.order_by("number").values_list("title", flat=True))
    result_codes_before = list(ExpectedResult.objects.filter(action__objective__axis=axis_4).order_by("code").values_list("pk", "code"))

    axis_4.move_to(1)

    assert list(lanaudiere.axes.order_by("number").values_list("title", flat=True)) == [titles[3]] + titles[:3]
    for pk, code in result_codes_before:
        assert ExpectedResult.objects.get(pk=pk).code == "1" + code[1:]
    assert Objective.objects.get(plan=lanaudiere, code="2.1").axis.title == titles[0]
    assert sorted(Action.objects.filter(plan=lanaudiere).values_list("code", flat=True)) != []
    assert Action.objects.filter(plan=lanaudiere).count() == 37


def test_moving_down_and_clamping(lanaudiere):
    objective = Objective.objects.get(plan=lanaudiere, code="3.3")
    before = texts(objective)
    first = objective.actions.get(number=1)

    first.move_to(99)  # beyond the end: the last position

    assert texts(objective) == before[1:] + before[:1]
    first.refresh_from_db()
    assert first.code == f"3.3.{len(before)}"


def test_archiving_closes_the_gap_and_restoring_puts_it_last(lanaudiere):
    objective = Objective.objects.get(plan=lanaudiere, code="1.1")
    before = texts(objective)
    second = objective.actions.get(number=2)

    second.archive()

    assert texts(objective) == before[:1] + before[2:]
    assert codes(objective.actions) == [f"1.1.{n}" for n in range(1, len(before))]
    assert second.number >= 10000 and second.archived_at is not None

    second.restore()

    assert texts(objective) == before[:1] + before[2:] + before[1:2]
    assert second.code == f"1.1.{len(before)}"


def test_deleting_an_item_with_nothing_recorded_really_deletes_it_and_what_is_below(lanaudiere):
    action = Action.objects.get(plan=lanaudiere, code="1.1.1")
    results = list(action.results.values_list("pk", flat=True))

    assert action.delete_or_archive() is True

    assert not Action.objects.filter(pk=action.pk).exists()
    assert not ExpectedResult.objects.filter(pk__in=results).exists()
    assert codes(Objective.objects.get(plan=lanaudiere, code="1.1").actions)[0] == "1.1.1"


def test_deleting_an_item_with_a_step_below_archives_it(lanaudiere, coordinator):
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    Step.objects.create(
        action=action, description="Rencontre", organisation=Organisation.objects.get(acronym="ALL"), author=coordinator
    )
    axis = Axis.objects.get(plan=lanaudiere, code="3")

    assert axis.delete_or_archive() is False

    axis.refresh_from_db()
    assert axis.archived_at is not None
    assert Step.objects.filter(action=action).count() == 1
    assert codes(lanaudiere.axes) == ["1", "2", "3"]


def test_deleting_a_result_achieved_archives_it(lanaudiere):
    result = ExpectedResult.objects.get(plan=lanaudiere, code="1.1.1.1")
    result.achieved_on = datetime.date(2025, 1, 10)
    result.save()

    assert result.delete_or_archive() is False
    assert ExpectedResult.objects.filter(pk=result.pk, archived_at__isnull=False).exists()


def test_a_save_from_an_older_version_is_refused(lanaudiere):
    action = Action.objects.get(plan=lanaudiere, code="1.1.1")
    mine, theirs = Action.objects.get(pk=action.pk), Action.objects.get(pk=action.pk)
    theirs.text = "Leur version"
    assert theirs.save_from_version(1) is True
    mine.text = "Ma version"
    assert mine.save_from_version(1) is False
    action.refresh_from_db()
    assert (action.text, action.version) == ("Leur version", 2)


def test_copying_a_plan_keeps_the_structure_and_nothing_recorded(lanaudiere, coordinator):
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    Step.objects.create(action=action, description="x", organisation=Organisation.objects.get(acronym="ALL"))
    ExpectedResult.objects.filter(plan=lanaudiere, code="1.1.1.1").update(achieved_on=datetime.date(2025, 1, 1))
    archived = Action.objects.get(plan=lanaudiere, code="1.1.2")
    archived.archive()

    copy = lanaudiere.copy(title="Plan 2027-2029", slug="lanaudiere-2027-2029", first_year=2027, last_year=2029)

    assert copy.axes.count() == 4 and copy.objectives.count() == 12
    assert copy.actions.count() == 36
    assert copy.results.count() == ExpectedResult.objects.filter(plan=lanaudiere).exclude(action=archived).count()
    assert not copy.results.filter(achieved_on__isnull=False).exists()
    assert not Step.objects.filter(action__plan=copy).exists()
    original = Action.objects.get(plan=lanaudiere, code="3.1.1")
    copied = Action.objects.get(plan=copy, code="3.1.1")
    assert copied.text == original.text
    assert [l.organisation_id for l in copied.partner_links.all()] == [l.organisation_id for l in original.partner_links.all()]
    assert PlanRole.objects.filter(plan=copy, user=coordinator, role="coordinator").exists()
    assert Plan.objects.get(pk=lanaudiere.pk).actions.active().count() == 36


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_from_the_same_version_cannot_both_win():
    """Two people save the same action at the same moment, both from version 1: one wins, one is refused.
    PostgreSQL only: SQLite's test database cannot be shared between threads."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrence vérifiée sur PostgreSQL seulement.")
    import threading

    from django.db import connections

    from tests.factories import make_plan

    plan = make_plan("concurrence", actions=3)
    pk = Action.objects.filter(plan=plan).first().pk
    barrier, outcomes = threading.Barrier(2), []

    def save(text):
        try:
            item = Action.objects.get(pk=pk)
            item.text = text
            barrier.wait()
            outcomes.append((text, item.save_from_version(1)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(text,)) for text in ("Version A", "Version B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(won for _, won in outcomes) == [False, True]
    winner = next(text for text, won in outcomes if won)
    action = Action.objects.get(pk=pk)
    assert (action.text, action.version) == (winner, 2)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_insertions_under_the_same_objective_both_land():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrence vérifiée sur PostgreSQL seulement.")
    import threading

    from django.db import connections

    from tests.factories import make_plan

    plan = make_plan("concurrence", actions=3)
    objective = Objective.objects.get(plan=plan, code="1.1")
    barrier, errors = threading.Barrier(2), []

    def insert(text):
        try:
            barrier.wait()
            Action(objective=Objective.objects.get(pk=objective.pk), text=text).insert_at(1)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=insert, args=(text,)) for text in ("Première", "Seconde")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = list(objective.actions.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert set(objective.actions.filter(number__lte=2).values_list("text", flat=True)) == {"Première", "Seconde"}


def test_an_item_archived_around_these_methods_does_not_block_renumbering(lanaudiere):
    """Archived in the admin: it keeps its number among the active ones until the next change parks it."""
    objective = Objective.objects.get(plan=lanaudiere, code="3.3")
    stray = objective.actions.get(number=2)
    stray.archived_at = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    stray.save()
    before = texts(objective)

    Action(objective=objective, text="En tête").insert_at(1)

    assert texts(objective) == ["En tête"] + before
    assert codes(objective.actions) == [f"3.3.{n}" for n in range(1, len(before) + 2)]
    stray.refresh_from_db()
    assert stray.number >= 10000 and stray.archived_at is not None


def test_two_items_archived_around_these_methods_do_not_block_renumbering(lanaudiere):
    objective = Objective.objects.get(plan=lanaudiere, code="3.3")
    strays = [objective.actions.get(number=2), objective.actions.get(number=4)]
    for stray in strays:
        stray.archived_at = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
        stray.save()
    before = texts(objective)

    Action(objective=objective, text="En tête").insert_at(1)

    assert texts(objective) == ["En tête"] + before
    assert codes(objective.actions) == [f"3.3.{n}" for n in range(1, len(before) + 2)]
    for stray in strays:
        stray.refresh_from_db()
        assert stray.number >= 10000 and stray.code == f"3.3.{stray.number}"
