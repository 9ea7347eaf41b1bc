"""The migration that made memberships part of a role in a plan, run on a database filled under the old
layout (global memberships in partners/): each role takes its person's memberships, with their history;
a membership of a person with no role ends; accounts deactivated before are recorded as such."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("partners", "0002_history_and_version"),
    ("plans", "0005_move_steps_to_suivi"),
]
AFTER = [
    ("partners", "0003_instance_administrators_deactivations_memberships_to_plans"),
    ("plans", "0008_a_membership_is_in_a_plan"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def fill_old_layout(apps):
    User = apps.get_model("auth", "User")
    Organisation = apps.get_model("partners", "Organisation")
    Membership = apps.get_model("partners", "Membership")
    HistoricalMembership = apps.get_model("partners", "HistoricalMembership")
    Plan = apps.get_model("plans", "Plan")
    PlanRole = apps.get_model("plans", "PlanRole")

    lanaudiere = Plan.objects.create(title="Lanaudière", slug="lanaudiere", first_year=2024, last_year=2026)
    other = Plan.objects.create(title="Autre", slug="autre", first_year=2025, last_year=2027)
    all_org = Organisation.objects.create(name="Action-Logement Lanaudière", acronym="ALL")
    tpdsl = Organisation.objects.create(name="Table des partenaires", acronym="TPDSL")

    def person(username, **fields):
        # The users' state here is auth's first migration (last_login once defaulted to now): say it.
        return User.objects.create(username=username, password="pbkdf2_sha256$1$sel$haché", last_login=None, **fields)

    in_both = person("dans-les-deux")
    PlanRole.objects.create(plan=lanaudiere, user=in_both, role="partner")
    PlanRole.objects.create(plan=other, user=in_both, role="coordinator")
    shared = Membership.objects.create(user=in_both, organisation=all_org)
    Membership.objects.filter(pk=shared.pk).update(joined_on=datetime.date(2025, 1, 15))
    HistoricalMembership.objects.create(
        id=shared.pk, user=in_both, organisation=all_org, joined_on=datetime.date(2025, 1, 15),
        history_date=timezone.now(), history_type="+",
    )

    two_organisations = person("deux-organismes")
    PlanRole.objects.create(plan=lanaudiere, user=two_organisations, role="partner")
    Membership.objects.create(user=two_organisations, organisation=all_org)
    Membership.objects.create(user=two_organisations, organisation=tpdsl)

    without_role = person("sans-role")
    Membership.objects.create(user=without_role, organisation=tpdsl)

    person("desactivee", is_active=False)  # had chosen a password: deactivated
    User.objects.create(username="invitee", password="!inutilisable", last_login=None, is_active=False)  # not arrived
    return {"lanaudiere": lanaudiere.pk, "other": other.pk, "all": all_org.pk, "tpdsl": tpdsl.pk, "shared": shared.pk}


@pytest.fixture
def flushed_database(transactional_db):
    """Only the rows this test writes under the old layout (the shared plan and people come back after)."""
    call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_memberships_become_per_plan_with_their_history(flushed_database):
    try:
        ids = fill_old_layout(migrate(BEFORE))
        apps = migrate(AFTER)
        Membership = apps.get_model("plans", "Membership")
        HistoricalMembership = apps.get_model("plans", "HistoricalMembership")
        Deactivation = apps.get_model("partners", "Deactivation")

        rows = set(Membership.objects.values_list("plan_id", "user__username", "organisation_id"))
        assert rows == {
            (ids["lanaudiere"], "dans-les-deux", ids["all"]),
            (ids["other"], "dans-les-deux", ids["all"]),
            (ids["lanaudiere"], "deux-organismes", ids["all"]),
            (ids["lanaudiere"], "deux-organismes", ids["tpdsl"]),
        }
        # The membership keeps its row in its person's first plan; the copy keeps the date they joined.
        assert Membership.objects.get(pk=ids["shared"]).plan_id == ids["lanaudiere"]
        copy = Membership.objects.get(plan_id=ids["other"], user__username="dans-les-deux")
        assert copy.joined_on == datetime.date(2025, 1, 15)
        # History: the arrival, in each plan; the membership without a plan ends, saying why.
        joined = HistoricalMembership.objects.filter(user__username="dans-les-deux", history_type="+")
        assert sorted(joined.values_list("plan_id", "id")) == sorted(
            [(ids["lanaudiere"], ids["shared"]), (ids["other"], copy.pk)]
        )
        left = HistoricalMembership.objects.get(user__username="sans-role")
        assert left.history_type == "-" and "Sans rôle dans un plan" in left.history_change_reason
        assert not Membership.objects.filter(user__username="sans-role").exists()

        assert list(Deactivation.objects.values_list("user__username", flat=True)) == ["desactivee"]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_to_global_memberships(flushed_database):
    try:
        migrate(BEFORE)
        apps = migrate(AFTER)
        User = apps.get_model("auth", "User")
        Plan = apps.get_model("plans", "Plan")
        Organisation = apps.get_model("partners", "Organisation")
        Membership = apps.get_model("plans", "Membership")
        person = User.objects.create(username="p")
        organisation = Organisation.objects.create(name="O")
        for slug in ["a", "b"]:
            plan = Plan.objects.create(title=slug, slug=slug, first_year=2024, last_year=2024)
            Membership.objects.create(plan=plan, user=person, organisation=organisation)
        apps = migrate(BEFORE)
        assert apps.get_model("partners", "Membership").objects.filter(user_id=person.pk).count() == 1
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
