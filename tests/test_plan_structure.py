"""The plan's structure keeps its invariants, in validation and in the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from plans.models import Action, Axis, ExpectedResult, Objective, Plan


@pytest.fixture
def plan(empty_database):
    """Alone in the database: the tests count every item."""
    return Plan.objects.create(title="Plan d’essai", slug="essai", first_year=2024, last_year=2026)


@pytest.fixture
def objective(plan):
    axis = Axis.objects.create(plan=plan, number=1, title="Mobilisation")
    return Objective.objects.create(axis=axis, number=2, title="Collaborer")


def test_codes_extend_their_parents_code(objective):
    action = Action.objects.create(objective=objective, number=3, text="Agir")
    result = ExpectedResult.objects.create(action=action, number=1, text="C’est fait")
    assert (objective.code, action.code, result.code) == ("1.2", "1.2.3", "1.2.3.1")
    assert result.plan == objective.plan


def test_children_are_ordered_naturally_ten_after_nine(objective):
    for number in (10, 9, 1, 2):
        Action.objects.create(objective=objective, number=number, text=f"Action {number}")
    assert list(Action.objects.values_list("code", flat=True)) == ["1.2.1", "1.2.2", "1.2.9", "1.2.10"]


def test_duplicate_code_is_refused_with_a_french_message(objective):
    Action.objects.create(objective=objective, number=1, text="Première")
    duplicate = Action(objective=objective, number=1, text="Seconde")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert error.value.message_dict["number"] == ["Le code 1.2.1 existe déjà dans ce plan."]


def test_database_refuses_duplicate_code_in_a_plan(objective):
    Action.objects.create(objective=objective, number=1, text="Première")
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(objective=objective, number=1, text="Seconde")
    assert Action.objects.count() == 1


def test_same_code_is_allowed_in_another_plan(objective):
    other = Plan.objects.create(title="Autre", slug="autre", first_year=2024, last_year=2024)
    Axis.objects.create(plan=objective.plan, number=2, title="Vision")
    Axis.objects.create(plan=other, number=2, title="Vision")
    assert Axis.objects.filter(code="2").count() == 2


def test_database_refuses_a_code_of_the_wrong_shape(objective):
    action = Action.objects.create(objective=objective, number=1, text="Agir")
    for bad in ("1.2", "1.2.1.1", "1.2.x", "1.2.0", ""):
        with pytest.raises(IntegrityError), transaction.atomic():
            Action.objects.filter(pk=action.pk).update(code=bad)
    assert Action.objects.get().code == "1.2.1"


def test_database_refuses_a_code_that_does_not_extend_its_parent(objective):
    action = Action.objects.create(objective=objective, number=1, text="Agir")
    # 2.1.3 under objective 1.2, written behind the model's back: the database says no.
    for bad in ("2.1.3", "1.3.1", "1.2.2"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Action.objects.filter(pk=action.pk).update(code=bad)
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.bulk_create([Action(plan=objective.plan, objective=objective, number=4, code="1.1.4", text="x")])
    assert list(Action.objects.values_list("code", flat=True)) == ["1.2.1"]


def test_database_refuses_a_child_in_another_plan_than_its_parent(objective):
    other = Plan.objects.create(title="Autre", slug="autre", first_year=2024, last_year=2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.bulk_create([Action(plan=other, objective=objective, number=1, code="1.2.1", text="x")])
    assert not Action.objects.exists()


def test_renumbering_a_parent_renumbers_everything_below_it(objective):
    action = Action.objects.create(objective=objective, number=3, text="Agir")
    result = ExpectedResult.objects.create(action=action, number=1, text="C’est fait")
    axis = objective.axis
    axis.number = 7
    axis.save()
    objective.refresh_from_db()
    action.refresh_from_db()
    result.refresh_from_db()
    assert (objective.code, action.code, result.code) == ("7.2", "7.2.3", "7.2.3.1")


def test_empty_title_is_refused(plan):
    with pytest.raises(ValidationError) as error:
        Axis(plan=plan, number=1, title="").full_clean()
    assert "title" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Axis.objects.create(plan=plan, number=1, title="")
    assert not Axis.objects.exists()


def test_last_year_before_first_is_refused(empty_database):
    plan = Plan(title="À l’envers", slug="envers", first_year=2026, last_year=2024)
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert error.value.message_dict["last_year"] == ["La dernière année ne peut pas précéder la première."]
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()
    assert not Plan.objects.exists()


def test_reference_period_must_be_in_order(objective):
    action = Action(objective=objective, number=1, text="Agir", period_start=2026, period_end=2025)
    with pytest.raises(ValidationError):
        action.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()
    half = Action(objective=objective, number=1, text="Agir", period_start=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        half.save()
    assert not Action.objects.exists()


def test_period_reads_as_the_plan_writes_it(objective):
    action = Action(objective=objective, number=1, text="Agir", period_start=2024, period_end=2026)
    assert action.period == "2024-2026"
    action.period_start = 2026
    assert action.period == "2026"
    assert Action(objective=objective, number=1, text="Agir").period == ""


def test_deleting_an_action_with_results_is_refused(objective):
    from django.db.models import ProtectedError

    action = Action.objects.create(objective=objective, number=1, text="Agir")
    ExpectedResult.objects.create(action=action, number=1, text="Atteint")
    with pytest.raises(ProtectedError):
        action.delete()
    assert ExpectedResult.objects.count() == 1
