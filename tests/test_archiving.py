"""What has recorded work is archived, never deleted: a plan (archived, it is read as it was left and
changed by nobody), an organisation or a person with steps or history. The app offers archiving; the
Django admin refuses to delete; the database refuses too (steps PROTECT their action, organisation,
author and reviewer), so a deletion from the shell fails."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation, has_records
from plans.models import Plan
from suivi.models import Step

SLUG = "lanaudiere-2024-2026"


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("admin-test", "admin@example.org", "motdepasse-test")


@pytest.fixture
def step(lanaudiere, partner):
    """A step the partner recorded for ALL on action 3.1.1."""
    return Step.objects.create(
        action=lanaudiere.actions.get(code="3.1.1"),
        organisation=Organisation.objects.get(acronym="ALL"),
        author=partner,
        description="Rencontre avec les propriétaires",
    )


def archived(plan):
    plan.archive()
    return Plan.objects.get(pk=plan.pk)


# A plan


def test_coordinator_archives_the_plan_it_leaves_the_home_list_and_stays_readable(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    confirmation = client.get(reverse("plans:archive_plan", args=[SLUG]))
    assert "Rien n’est supprimé" in confirmation.content.decode()

    response = client.post(reverse("plans:archive_plan", args=[SLUG]), follow=True)

    assert "Le plan est archivé" in response.content.decode()
    assert Plan.objects.get(pk=lanaudiere.pk).archived_at is not None
    home = client.get(reverse("plans:home")).content.decode()
    main_list, archived_list = home.split("Plans archivés")
    assert lanaudiere.title not in main_list and lanaudiere.title in archived_list
    page = client.get(lanaudiere.get_absolute_url())
    assert page.status_code == 200
    assert "Plan archivé le" in page.content.decode()
    assert "Restaurer le plan" in page.content.decode()
    assert Plan.history.filter(id=lanaudiere.pk).latest().archived_at is not None
    history = client.get(reverse("plans:plan_history", args=[SLUG])).content.decode()
    assert "rchivé le" in history and "coordo" in history


def test_an_archived_plan_is_read_by_its_people_and_changed_by_nobody(
    client, lanaudiere, coordinator, partner, committee_member
):
    plan = archived(lanaudiere)
    action = plan.actions.get(code="3.1.1")
    result = action.results.first()
    steps_before = Step.objects.count()

    client.force_login(partner)
    assert client.get(reverse("suivi:action", args=[SLUG, "3.1.1"])).status_code == 200
    refused = client.post(
        reverse("suivi:add_step", args=[SLUG, "3.1.1"]),
        {"description": "Trop tard", "done_on": timezone.localdate().isoformat(), "organisation": Organisation.objects.get(acronym="ALL").pk},
    )
    assert refused.status_code == 403
    assert client.post(reverse("suivi:toggle_result", args=[SLUG, result.pk]), {"achieved": "1"}).status_code == 403

    client.force_login(coordinator)
    settings_page = reverse("plans:plan_settings", args=[SLUG])
    assert client.post(settings_page, {"title": "Renommé", "first_year": 2024, "last_year": 2026}).status_code == 403
    assert client.post(reverse("plans:archive_item", args=[SLUG, "actions", action.pk])).status_code == 403
    assert "Archiver le plan" not in client.get(plan.get_absolute_url()).content.decode()

    client.force_login(committee_member)
    assert client.post(reverse("bilans:create", args=[SLUG]), {"year": 2024}).status_code == 403

    assert Step.objects.count() == steps_before
    plan.refresh_from_db()
    assert plan.title == lanaudiere.title
    action.refresh_from_db()
    assert action.archived_at is None
    result.refresh_from_db()
    assert result.achieved_on is None
    assert not plan.bilans.exists()


def test_the_coordinator_still_exports_an_archived_plan_and_lists_its_people(client, lanaudiere, coordinator, partner):
    plan = archived(lanaudiere)
    client.force_login(coordinator)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert reverse("tableur:spreadsheet_export", args=[SLUG, "xlsx"]) in page
    for file_format in ("xlsx", "csv"):
        assert client.get(reverse("tableur:spreadsheet_export", args=[SLUG, file_format])).status_code == 200
    people = client.get(reverse("plans:people", args=[SLUG]))
    assert people.status_code == 200 and partner.username in people.content.decode()
    assert "Inviter une personne" not in people.content.decode()  # nobody joins an archived plan
    assert client.get(reverse("plans:people", args=[SLUG]), {"_export": "csv"}).status_code == 200
    assert client.get(reverse("plans:person_invite", args=[SLUG])).status_code == 403
    assert client.get(reverse("tableur:spreadsheet", args=[SLUG])).status_code == 403  # the import writes

    client.force_login(partner)  # who could not read them before still cannot
    assert client.get(reverse("tableur:spreadsheet_export", args=[SLUG, "xlsx"])).status_code == 403
    assert client.get(reverse("plans:people", args=[SLUG])).status_code == 403


def test_a_superuser_reads_an_archived_plan_and_writes_nothing_in_it(client, lanaudiere, superuser, step):
    plan = archived(lanaudiere)
    action = plan.actions.get(code="3.1.1")
    result = action.results.first()
    client.force_login(superuser)
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert client.get(reverse("tableur:spreadsheet_export", args=[SLUG, "csv"])).status_code == 200
    assert client.get(reverse("plans:people", args=[SLUG])).status_code == 200

    today = timezone.localdate().isoformat()
    organisation = Organisation.objects.get(acronym="ALL").pk
    writes = [
        (reverse("plans:plan_settings", args=[SLUG]), {"title": "Renommé", "first_year": 2024, "last_year": 2026}),
        (reverse("suivi:add_step", args=[SLUG, "3.1.1"]), {"description": "Trop tard", "done_on": today, "organisation": organisation}),
        (reverse("suivi:validate_step", args=[SLUG, step.pk]), {}),
        (reverse("suivi:edit_step", args=[SLUG, step.pk]), {"description": "Changée", "done_on": today, "organisation": organisation, "version": step.version}),
        (reverse("suivi:toggle_result", args=[SLUG, result.pk]), {"achieved": "1"}),
        (reverse("plans:archive_item", args=[SLUG, "actions", action.pk]), {}),
        (reverse("plans:person_invite", args=[SLUG]), {"email": "nouvelle@example.org", "role": "partner"}),
        (reverse("bilans:create", args=[SLUG]), {"year": 2024}),
    ]
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url

    plan.refresh_from_db()
    step.refresh_from_db()
    result.refresh_from_db()
    action.refresh_from_db()
    assert plan.title == lanaudiere.title and Step.objects.count() == 1
    assert (step.description, step.review) == ("Rencontre avec les propriétaires", "pending")
    assert result.achieved_on is None and action.archived_at is None
    assert not plan.bilans.exists() and not get_user_model().objects.filter(email="nouvelle@example.org").exists()
    assert client.post(reverse("plans:restore_plan", args=[SLUG])).status_code == 302  # its one change
    assert Plan.objects.get(pk=plan.pk).archived_at is None


def test_coordinator_restores_an_archived_plan_and_steps_can_be_recorded_again(client, coordinator, partner, lanaudiere):
    archived(lanaudiere)
    client.force_login(coordinator)
    response = client.post(reverse("plans:restore_plan", args=[SLUG]), follow=True)
    assert "Le plan est restauré" in response.content.decode()
    assert Plan.objects.get(pk=lanaudiere.pk).archived_at is None
    assert partner.has_perm("suivi.add_step", Plan.objects.get(pk=lanaudiere.pk).actions.get(code="3.1.1"))


@pytest.mark.parametrize("who", ["partner", "committee_member", "other_coordinator", "outsider"])
def test_only_the_coordination_archives_or_restores_a_plan(client, request, lanaudiere, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("plans:archive_plan", args=[SLUG])).status_code in (403, 404)
    assert Plan.objects.get(pk=lanaudiere.pk).archived_at is None
    archived(lanaudiere)
    assert client.post(reverse("plans:restore_plan", args=[SLUG])).status_code in (403, 404)
    assert Plan.objects.get(pk=lanaudiere.pk).archived_at is not None


def test_the_admin_refuses_to_delete_a_plan_with_steps(client, superuser, lanaudiere, step):
    client.force_login(superuser)
    assert client.post(reverse("admin:plans_plan_delete", args=[lanaudiere.pk]), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:plans_plan_changelist"),
        {"action": "delete_selected", "_selected_action": [lanaudiere.pk], "post": "yes"},
    )
    assert bulk.status_code == 200
    assert "du travail y est inscrit, archivez-le plutôt" in bulk.content.decode()
    assert Plan.objects.filter(pk=lanaudiere.pk).exists()
    assert Step.objects.filter(pk=step.pk).exists()


def test_the_admin_still_deletes_a_plan_nothing_was_recorded_in(client, superuser):
    plan = Plan.objects.create(title="Plan d’essai", slug="essai", first_year=2025, last_year=2026)
    client.force_login(superuser)
    response = client.post(reverse("admin:plans_plan_delete", args=[plan.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Plan.objects.filter(pk=plan.pk).exists()


# An organisation


def test_the_admin_refuses_to_delete_an_organisation_with_steps_and_says_so(client, superuser, step):
    organisation = step.organisation
    client.force_login(superuser)
    change_page = client.get(reverse("admin:partners_organisation_change", args=[organisation.pk])).content.decode()
    assert reverse("admin:partners_organisation_delete", args=[organisation.pk]) not in change_page
    assert client.post(reverse("admin:partners_organisation_delete", args=[organisation.pk]), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:partners_organisation_changelist"),
        {"action": "delete_selected", "_selected_action": [organisation.pk], "post": "yes"},
    )
    assert "archivez-le plutôt" in bulk.content.decode()
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_the_admin_deletes_an_organisation_nobody_used(client, superuser):
    organisation = Organisation.objects.create(name="Doublon saisi par erreur")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:partners_organisation_changelist"),
        {"action": "delete_selected", "_selected_action": [organisation.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=organisation.pk).exists()


# A person


def test_the_admin_refuses_to_delete_a_person_who_recorded_a_step(client, superuser, partner, step):
    client.force_login(superuser)
    assert client.post(reverse("admin:auth_user_delete", args=[partner.pk]), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [partner.pk], "post": "yes"},
    )
    assert "archivez-le plutôt" in bulk.content.decode()
    assert get_user_model().objects.filter(pk=partner.pk).exists()


def test_a_person_whose_changes_the_history_records_has_recorded_work(client, coordinator, lanaudiere):
    assert not has_records(coordinator)
    client.force_login(coordinator)
    client.post(reverse("plans:archive_plan", args=[SLUG]))
    assert has_records(coordinator)


def test_the_admin_deletes_an_account_created_by_mistake(client, superuser):
    mistake = get_user_model().objects.create_user("erreur", password="motdepasse-test")
    client.force_login(superuser)
    assert client.post(reverse("admin:auth_user_delete", args=[mistake.pk]), {"post": "yes"}).status_code == 302
    assert not get_user_model().objects.filter(pk=mistake.pk).exists()


# In the shell: the database refuses


def test_deleting_from_the_shell_what_steps_point_to_fails(step, partner, coordinator):
    step.set_review(Step.Review.VALIDATED, by=coordinator)
    for recorded in (step.organisation, partner, coordinator, step.action):
        with pytest.raises(ProtectedError):
            recorded.delete()
    step.refresh_from_db()
    assert (step.author, step.reviewed_by, step.organisation.acronym) == (partner, coordinator, "ALL")
