"""Codes and history: when the coordinator moves, inserts, archives, restores or deletes an item, every item
whose code changes (siblings, children, grandchildren) takes its new code in the same transaction and gets a
history row saying so, by the person who did it; the database refuses inconsistent codes written behind the
models' back; a move runs the same queries whatever the size of the plan."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Action, Axis, ExpectedResult, Objective
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

LEVELS = (Axis, Objective, Action, ExpectedResult)


def url(name, plan, *args):
    return reverse(f"plans:{name}", args=[plan.slug, *args])


def codes_of(plan):
    """{(model, pk): code} for every item of the plan."""
    return {
        (model, pk): code for model in LEVELS for pk, code in model.objects.filter(plan=plan).values_list("pk", "code")
    }


def history_of(plan):
    """{(model, pk): (how many history rows, the latest one's code, its user's id)}, in a query per level."""
    found = {}
    for model in LEVELS:
        rows = model.history.filter(plan=plan).order_by("history_date", "history_id")
        for pk, code, user_id in rows.values_list("id", "code", "history_user_id"):
            found[model, pk] = (found.get((model, pk), (0,))[0] + 1, code, user_id)
    return found


def assert_history_follows_codes(plan, codes_before, history_before, user):
    """Each item whose code changed has exactly one new history row, the latest, with its new code and the
    person who made the change; the others have no new row. Returns how many codes changed."""
    changed, history = 0, history_of(plan)
    for (model, pk), code in codes_of(plan).items():
        count, latest_code, user_id = history.get((model, pk), (0, None, None))
        if codes_before.get((model, pk)) == code:
            assert count == history_before.get((model, pk), (0,))[0], (model.__name__, code)
            continue
        changed += 1
        assert (latest_code, user_id) == (code, getattr(user, "pk", None)), (model.__name__, code)
        assert count == history_before.get((model, pk), (0,))[0] + 1, (model.__name__, code)
    return changed


def pk_of(codes, model, code):
    """The item that had this code before the change."""
    return next(pk for (level, pk), old in codes.items() if level is model and old == code)


def assert_codes_extend_parents(plan):
    for model in (Objective, Action, ExpectedResult):
        for item in model.objects.filter(plan=plan).select_related(model.parent_field):
            assert item.code == f"{item.parent.code}.{item.number}"


@pytest.fixture
def coordinating(client, coordinator):
    client.force_login(coordinator)
    return client


def test_moving_objective_3_1_to_second_place_renumbers_its_actions_and_results_in_history(
    coordinating, coordinator, lanaudiere
):
    objective = Objective.objects.get(plan=lanaudiere, code="3.1")
    first_action = objective.actions.get(number=1)
    assert first_action.history.latest().code == "3.1.1"
    codes, history = codes_of(lanaudiere), history_of(lanaudiere)

    response = coordinating.post(url("move_item", lanaudiere, "objectifs", objective.pk), {"position": "2"})

    assert response.status_code == 302
    assert Objective.objects.get(pk=objective.pk).code == "3.2"
    assert sorted(objective.actions.values_list("code", flat=True)) == ["3.2.1", "3.2.2", "3.2.3"]
    assert sorted(ExpectedResult.objects.filter(action__objective=objective).values_list("code", flat=True)) == [
        "3.2.1.1", "3.2.2.1", "3.2.3.1"
    ]
    latest = first_action.history.latest()
    assert (latest.code, latest.history_user) == ("3.2.1", coordinator)
    # The objective, its 3 actions and 3 results; the one that was 3.2, its 2 actions and 3 results.
    assert assert_history_follows_codes(lanaudiere, codes, history, coordinator) == 7 + 6
    assert_codes_extend_parents(lanaudiere)


def test_archiving_an_objective_moves_the_next_ones_up_with_everything_below_in_history(
    coordinating, coordinator, lanaudiere
):
    objective = Objective.objects.get(plan=lanaudiere, code="3.1")
    codes, history = codes_of(lanaudiere), history_of(lanaudiere)

    coordinating.post(url("archive_item", lanaudiere, "objectifs", objective.pk))

    objective.refresh_from_db()
    assert objective.archived_at is not None and objective.number >= 10000
    assert Action.objects.get(plan=lanaudiere, code="3.1.2").objective_id == pk_of(codes, Objective, "3.2")
    assert ExpectedResult.objects.get(pk=pk_of(codes, ExpectedResult, "3.3.7.1")).code == "3.2.7.1"
    # The archived one with its 3 actions and 3 results; the 2 after it with their 9 actions and 10 results.
    assert assert_history_follows_codes(lanaudiere, codes, history, coordinator) == 7 + 21
    assert_codes_extend_parents(lanaudiere)


def test_restoring_an_objective_puts_it_last_with_everything_below_in_history(coordinating, coordinator, lanaudiere):
    objective = Objective.objects.get(plan=lanaudiere, code="3.1")
    objective.archive()
    codes, history = codes_of(lanaudiere), history_of(lanaudiere)

    coordinating.post(url("restore_item", lanaudiere, "objectifs", objective.pk))

    assert Objective.objects.get(pk=objective.pk).code == "3.3"
    assert sorted(objective.actions.values_list("code", flat=True)) == ["3.3.1", "3.3.2", "3.3.3"]
    assert assert_history_follows_codes(lanaudiere, codes, history, coordinator) == 7
    assert_codes_extend_parents(lanaudiere)


def test_deleting_an_objective_moves_the_next_ones_up_with_everything_below_in_history(
    coordinating, coordinator, lanaudiere
):
    objective = Objective.objects.get(plan=lanaudiere, code="3.1")
    codes, history = codes_of(lanaudiere), history_of(lanaudiere)

    coordinating.post(url("delete_item", lanaudiere, "objectifs", objective.pk))

    assert not Objective.objects.filter(pk=objective.pk).exists()
    axis = Axis.objects.get(plan=lanaudiere, code="3")
    assert list(axis.objectives.order_by("number").values_list("code", flat=True)) == ["3.1", "3.2"]
    assert assert_history_follows_codes(lanaudiere, codes, history, coordinator) == 2 + 9 + 10
    assert_codes_extend_parents(lanaudiere)


def test_inserting_an_objective_first_moves_the_others_down_with_everything_below_in_history(
    coordinating, coordinator, lanaudiere
):
    axis = Axis.objects.get(plan=lanaudiere, code="3")
    codes, history = codes_of(lanaudiere), history_of(lanaudiere)

    data = {"parent": axis.pk, "title": "En premier", "position": 1}
    coordinating.post(url("add_item", lanaudiere, "objectifs"), data)

    new = Objective.objects.get(plan=lanaudiere, code="3.1")
    assert new.title == "En premier"
    assert (new.history.get().code, new.history.get().history_user) == ("3.1", coordinator)  # one row: created
    assert Action.objects.get(pk=pk_of(codes, Action, "3.3.7")).code == "3.4.7"
    # The new one, and the three that moved down with their 12 actions and 13 results.
    assert assert_history_follows_codes(lanaudiere, codes, history, coordinator) == 1 + 3 + 12 + 13
    assert_codes_extend_parents(lanaudiere)


def test_moving_an_axis_carries_the_codes_down_to_its_grandchildren_in_history(coordinating, coordinator, lanaudiere):
    axis = Axis.objects.get(plan=lanaudiere, code="4")
    codes, history = codes_of(lanaudiere), history_of(lanaudiere)

    coordinating.post(url("move_item", lanaudiere, "axes", axis.pk), {"position": "1"})

    result = ExpectedResult.objects.get(pk=pk_of(codes, ExpectedResult, "4.3.2.2"))
    assert result.code == "1.3.2.2"
    assert (result.history.latest().code, result.history.latest().history_user) == ("1.3.2.2", coordinator)
    assert ExpectedResult.objects.get(pk=pk_of(codes, ExpectedResult, "3.3.7.1")).code == "4.3.7.1"
    # Every item of the plan changed code: 4 axes, 12 objectives, 37 actions, 40 results.
    assert assert_history_follows_codes(lanaudiere, codes, history, coordinator) == 4 + 12 + 37 + 40
    assert_codes_extend_parents(lanaudiere)


def test_saving_an_item_with_a_new_number_carries_its_code_down_in_history(lanaudiere):
    """As the admin does: a number changed and saved, without the numbering methods."""
    axis = Axis.objects.get(plan=lanaudiere, code="4")
    codes, history = codes_of(lanaudiere), history_of(lanaudiere)

    axis.number = 9
    axis.save()

    assert Action.objects.get(pk=pk_of(codes, Action, "4.2.4")).code == "9.2.4"
    assert assert_history_follows_codes(lanaudiere, codes, history, None) == 1 + 4 + 9 + 10
    assert_codes_extend_parents(lanaudiere)


def test_the_moved_item_in_memory_has_its_new_code_and_its_children_theirs(lanaudiere):
    objective = Objective.objects.prefetch_related("actions").get(plan=lanaudiere, code="3.1")
    assert [action.code for action in objective.actions.all()] == ["3.1.1", "3.1.2", "3.1.3"]

    objective.move_to(2)

    assert (objective.number, objective.code) == (2, "3.2")
    assert sorted(action.code for action in objective.actions.all()) == ["3.2.1", "3.2.2", "3.2.3"]
    assert objective.history.latest().code == "3.2"


def test_a_text_edit_writes_no_history_below(coordinating, coordinator, lanaudiere):
    objective = Objective.objects.get(plan=lanaudiere, code="3.1")
    codes, history = codes_of(lanaudiere), history_of(lanaudiere)

    coordinating.post(url("edit_item", lanaudiere, "objectifs", objective.pk), {"title": "Autre titre", "version": 1})

    assert Objective.objects.get(pk=objective.pk).title == "Autre titre"
    assert codes_of(lanaudiere) == codes
    after = history_of(lanaudiere)
    assert [key for key in after if after[key][0] != history[key][0]] == [(Objective, objective.pk)]


@pytest.mark.parametrize("fields, why", [
    ({"code": "9.9.9"}, "no objective 9.9 in the plan: the code extends no parent's"),
    ({"code": "3.1.5"}, "its objective's code, but not its own number"),
    ({"number": 5}, "a new number without the code that goes with it"),
    ({"number": 2, "code": "3.1.2"}, "a sibling's number and code: twice in the plan"),
    ({"code": "3.1"}, "the shape of an objective's code"),
    ({"code": "3.1.1.1"}, "the shape of a result's code"),
])
def test_database_refuses_an_inconsistent_code_written_behind_the_models_back(lanaudiere, fields, why):
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    before = codes_of(lanaudiere)

    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(**fields)

    assert codes_of(lanaudiere) == before, why


def test_database_refuses_an_axis_code_twice_in_a_plan(lanaudiere):
    with pytest.raises(IntegrityError), transaction.atomic():
        Axis.objects.filter(plan=lanaudiere, code="4").update(number=1, code="1")
    assert list(lanaudiere.axes.order_by("number").values_list("code", flat=True)) == ["1", "2", "3", "4"]


def queries_of(change):
    with CaptureQueriesContext(connection) as captured:
        change()
    return len(captured)


@pytest.mark.parametrize("level", ["action", "objective", "axis"])
def test_a_move_runs_the_same_queries_on_a_small_and_a_large_plan(level):
    counts = []
    for size in (40, 2000):
        plan = make_plan(f"plan-{size}", actions=size)
        item = {
            "action": lambda: Action.objects.get(plan=plan, code="1.1.1"),
            "objective": lambda: Objective.objects.get(plan=plan, code="1.1"),
            "axis": lambda: Axis.objects.get(plan=plan, code="1"),
        }[level]()
        codes, history = codes_of(plan), history_of(plan)

        counts.append(queries_of(lambda: item.move_to(99)))  # the last place

        assert item.code == type(item).objects.get(pk=item.pk).code
        assert assert_history_follows_codes(plan, codes, history, None) > (size if level == "axis" else 2)
        assert_codes_extend_parents(plan)
    assert counts[0] == counts[1]


def test_archiving_and_restoring_run_the_same_queries_on_a_small_and_a_large_plan():
    counts = []
    for size in (40, 2000):
        plan = make_plan(f"plan-{size}", actions=size)
        objective = Objective.objects.get(plan=plan, code="1.1")
        counts.append((queries_of(objective.archive), queries_of(objective.restore)))
        assert_codes_extend_parents(plan)
    assert counts[0] == counts[1]
