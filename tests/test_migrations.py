"""Moving steps from plans/ to suivi/ keeps every step a database holds: migrated from the old layout, the
steps, their results, files and history are there as they were."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Organisations back to before their sort key too: the old models write none, and the column has no default.
BEFORE_THE_MOVE = [
    ("plans", "0004_plan_partners_may_download_bilans"),
    ("suivi", None),
    ("partners", "0005_cache_table"),
]
# The models of that time: the plan's, and those its rows point at.
OLD_STATE = [
    ("plans", "0004_plan_partners_may_download_bilans"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("contenttypes", "0002_remove_content_type_name"),
]


def migrate(targets, state=None):
    """Migrate the test database to `targets`; the models as they were at `state`."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(state).apps if state else None


@pytest.mark.django_db(transaction=True)
def test_steps_recorded_under_the_old_layout_are_all_there_after_the_move(django_user_model):
    old = migrate(BEFORE_THE_MOVE, OLD_STATE)
    Plan, Organisation = old.get_model("plans", "Plan"), old.get_model("partners", "Organisation")
    Axis, Objective = old.get_model("plans", "Axis"), old.get_model("plans", "Objective")
    Action, Result = old.get_model("plans", "Action"), old.get_model("plans", "ExpectedResult")
    OldStep, OldFile = old.get_model("plans", "Step"), old.get_model("plans", "StepFile")
    OldContentType = old.get_model("contenttypes", "ContentType")
    plan = Plan.objects.create(title="Plan d’avant", slug="avant", first_year=2024, last_year=2026)
    axis = Axis.objects.create(plan=plan, number=1, code="1", title="Axe")
    objective = Objective.objects.create(plan=plan, axis=axis, number=1, code="1.1", title="Objectif")
    action = Action.objects.create(plan=plan, objective=objective, number=1, code="1.1.1", text="Action")
    result = Result.objects.create(plan=plan, action=action, number=1, code="1.1.1.1", text="Résultat")
    organisation = Organisation.objects.create(name="Organisme d’avant")
    author = old.get_model("auth", "User").objects.create(username="avant")
    step = OldStep.objects.create(
        action=action, organisation=organisation, author=author, description="Rencontre du comité",
        done_on=datetime.date(2025, 3, 12), review="validated", reviewed_at=datetime.datetime(2025, 3, 13, tzinfo=datetime.UTC),
    )
    step.results.add(result)
    OldFile.objects.create(step=step, file="etapes/1/1/compte-rendu.pdf", name="compte-rendu.pdf", content_type="application/pdf", size=1234)
    old.get_model("plans", "HistoricalStep").objects.create(
        id=step.pk, action=action, organisation=organisation, description=step.description, done_on=step.done_on,
        created_at=step.created_at, review="pending", history_date=step.created_at, history_type="+",
    )
    OldContentType.objects.filter(app_label="suivi").delete()  # the app did not exist yet
    OldContentType.objects.get_or_create(app_label="plans", model="step")

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.contenttypes.models import ContentType

    from suivi.models import Step

    moved = Step.objects.get(pk=step.pk)
    assert (moved.description, moved.done_on, moved.review) == ("Rencontre du comité", datetime.date(2025, 3, 12), "validated")
    assert moved.action.code == "1.1.1" and moved.organisation.name == "Organisme d’avant" and moved.author.username == "avant"
    assert [r.code for r in moved.results.all()] == ["1.1.1.1"]
    assert [f.name for f in moved.files.all()] == ["compte-rendu.pdf"]
    assert [h.history_type for h in moved.history.all()] == ["+"]
    assert ContentType.objects.get_for_model(Step).app_label == "suivi"
    assert not ContentType.objects.filter(app_label="plans", model="step").exists()
