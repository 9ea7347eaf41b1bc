"""Organisations are shared by every plan and kept by the coordinators of the plans that use them: list,
create, edit (never over someone else's save), archive, merge two duplicates, and the history of their
changes. What one plan's coordinator may not do to another plan's organisations: tests/test_cross_plan.py."""

import pytest
from django.urls import reverse

from partners.models import Organisation
from plans.models import ActionPartner, Committee, CommitteeMember, Membership, ObjectivePartner, Role
from suivi.models import Step
from tests.conftest import make_person
from tests.factories import make_plan


def snapshot():
    return list(Organisation.objects.order_by("pk").values_list("pk", "name", "acronym", "archived_at", "version"))


def edit_data(organisation, **changes):
    data = {
        "name": organisation.name,
        "acronym": organisation.acronym,
        "kind": organisation.kind,
        "website": organisation.website,
        "version": organisation.version,
    }
    return {**data, **changes}


def test_coordinator_creates_an_organisation(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("partners:organisation_create"),
        {"name": "Habitat Joliette", "acronym": "HJ", "kind": "coop", "website": "habitat-joliette.org"},
    )
    organisation = Organisation.objects.get(acronym="HJ")
    assert response.url == reverse("partners:organisation", args=[organisation.pk])
    assert organisation.website == "https://habitat-joliette.org"
    assert organisation.get_kind_display() == "Coopérative"


def test_organisation_form_shows_french_errors_at_the_field(client, coordinator, all_org):
    client.force_login(coordinator)
    before = snapshot()
    page = client.post(
        reverse("partners:organisation_create"), {"name": "", "acronym": "all", "kind": "other"}
    ).content.decode()
    assert "Ce champ est obligatoire" in page
    assert "Une organisation porte déjà ce sigle" in page
    page = client.post(
        reverse("partners:organisation_create"), {"name": all_org.name.upper(), "kind": "other"}
    ).content.decode()
    assert "Une organisation porte déjà ce nom" in page  # ACTION-LOGEMENT LANAUDIÈRE, on SQLite too
    assert snapshot() == before


@pytest.mark.parametrize("person", [None, "partner", "committee_member", "outsider"])
def test_only_coordinators_create_edit_archive_or_merge(client, request, lanaudiere, all_org, person):
    if person:
        client.force_login(request.getfixturevalue(person))
    duplicate = Organisation.objects.create(name="Action Logement Lanaudière (doublon)")
    before = snapshot()
    responses = [
        client.post(reverse("partners:organisation_create"), {"name": "Nouvelle", "kind": "other"}),
        client.post(reverse("partners:organisation_edit", args=[all_org.pk]), edit_data(all_org, name="Changé")),
        client.post(reverse("partners:organisation_archive", args=[all_org.pk])),
        client.post(
            reverse("partners:organisation_merge", args=[all_org.pk]), {"duplicate": duplicate.pk, "confirm": "1"}
        ),
    ]
    for response in responses:
        if person is None:
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            assert response.status_code == 403
    assert snapshot() == before


def test_a_coordinator_keeps_the_organisations_their_plans_use(client, db):
    """Once « a coordinator of any plan keeps the shared organisations »: now only those no other plan uses
    (ALL, which Lanaudière uses, is refused to this coordinator: tests/test_cross_plan.py)."""
    plan = make_plan("autre-plan", actions=3, organisations=3)
    own = Organisation.objects.get(acronym="O-autre-plan-0")
    client.force_login(make_person("coordo-autre-plan", plan, Role.COORDINATOR))
    response = client.post(reverse("partners:organisation_edit", args=[own.pk]), edit_data(own, website="https://o.org"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.website == "https://o.org"
    assert own.version == 2


def test_second_save_from_an_old_version_is_refused_and_shows_the_saved_one(client, coordinator, all_org):
    client.force_login(coordinator)
    opened = edit_data(all_org)  # both people open the form on version 1
    first = client.post(reverse("partners:organisation_edit", args=[all_org.pk]), {**opened, "website": "https://premier.org"})
    assert first.status_code == 302

    second = client.post(reverse("partners:organisation_edit", args=[all_org.pk]), {**opened, "website": "https://second.org"})
    assert second.status_code == 409
    page = second.content.decode()
    assert "Quelqu’un d’autre a modifié cette organisation" in page
    assert "contrainte" not in page  # only the conflict, no false duplicate-name error
    assert "https://premier.org" in page  # the other person's version, shown
    assert 'value="https://second.org"' in page  # and this person's values, kept in the form
    assert 'name="version" value="2"' in page
    all_org.refresh_from_db()
    assert all_org.website == "https://premier.org"
    assert all_org.version == 2

    # Saving again, knowingly, from the version now shown.
    third = client.post(reverse("partners:organisation_edit", args=[all_org.pk]), {**opened, "website": "https://second.org", "version": 2})
    assert third.status_code == 302
    all_org.refresh_from_db()
    assert all_org.website == "https://second.org"


def test_organisation_page_shows_its_history_with_who_and_what(client, coordinator, lanaudiere, all_org):
    coordinator.first_name, coordinator.last_name = "Claire", "Coordo"
    coordinator.save()
    client.force_login(coordinator)
    client.post(reverse("partners:organisation_edit", args=[all_org.pk]), edit_data(all_org, website="https://all.org"))
    make_person("nouveau", lanaudiere, Role.PARTNER, all_org)
    page = client.get(reverse("partners:organisation", args=[all_org.pk])).content.decode()
    assert "Historique" in page
    assert "Claire Coordo" in page
    assert "site web\u00a0: « — » → « https://all.org »" in page
    assert "nouveau rejoint l’organisation" in page


def test_archive_and_restore(client, coordinator, all_org):
    client.force_login(coordinator)
    client.post(reverse("partners:organisation_archive", args=[all_org.pk]))
    all_org.refresh_from_db()
    assert all_org.archived_at is not None
    listing = client.get(reverse("partners:organisations"), {"archived": "no"}).content.decode()
    assert "Action-Logement Lanaudière" not in listing
    client.post(reverse("partners:organisation_archive", args=[all_org.pk]))
    all_org.refresh_from_db()
    assert all_org.archived_at is None


def test_merge_moves_everything_to_the_kept_organisation_without_doubling(client, coordinator, lanaudiere, all_org):
    duplicate = Organisation.objects.create(name="Action Logement Lanaudière inc.", acronym="ALL-2")
    shared_action = lanaudiere.actions.get(code="3.1.1")
    own_action = lanaudiere.actions.get(code="1.1.1")
    objective = lanaudiere.objectives.get(code="1.1")
    ActionPartner.objects.create(action=own_action, organisation=duplicate)
    ActionPartner.objects.create(action=shared_action, organisation=all_org)
    ActionPartner.objects.create(action=shared_action, organisation=duplicate)  # both on it: one link stays
    ObjectivePartner.objects.create(objective=objective, organisation=duplicate)
    committee = Committee.objects.create(plan=lanaudiere, name="Comité test")
    CommitteeMember.objects.create(committee=committee, organisation=duplicate)
    CommitteeMember.objects.create(committee=committee, organisation=all_org)
    member = make_person("membre-doublon", lanaudiere, Role.PARTNER, duplicate)
    both = make_person("membre-des-deux", lanaudiere, Role.PARTNER, duplicate)
    Membership.objects.create(plan=lanaudiere, user=both, organisation=all_org)
    step = Step.objects.create(action=own_action, description="Rencontre", organisation=duplicate)
    lanaudiere.participants.add(duplicate)

    client.force_login(coordinator)
    confirm = client.get(reverse("partners:organisation_merge", args=[all_org.pk]), {"duplicate": duplicate.pk})
    assert "Confirmer la fusion" in confirm.content.decode()
    assert "1 étape réalisée" in confirm.content.decode()
    assert Organisation.objects.filter(pk=duplicate.pk).exists()  # nothing done before confirming

    response = client.post(
        reverse("partners:organisation_merge", args=[all_org.pk]), {"duplicate": duplicate.pk, "confirm": "1"}
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    assert ActionPartner.objects.filter(action=own_action, organisation=all_org).exists()
    assert ActionPartner.objects.filter(action=shared_action).count() == 1
    assert ObjectivePartner.objects.filter(objective=objective, organisation=all_org).exists()
    assert list(committee.member_links.values_list("organisation_id", flat=True)) == [all_org.pk]
    assert Membership.objects.filter(user=member, organisation=all_org).exists()
    assert Membership.objects.filter(user=both).count() == 1
    step.refresh_from_db()
    assert step.organisation == all_org
    assert lanaudiere.participants.filter(pk=all_org.pk).exists()
    assert "fusionnée" in client.get(response.url).content.decode()


def test_organisations_list_filters_sorts_and_exports(client, partner, lanaudiere):
    client.force_login(partner)
    page = client.get(reverse("partners:organisations"), {"q": "ALL"}).content.decode()
    assert "Action-Logement Lanaudière" in page
    assert "Ajouter une organisation" not in page  # a partner reads, does not edit
    export = client.get(reverse("partners:organisations"), {"_export": "csv", "kind": "housing_office"})
    rows = export.content.decode("utf-8-sig").splitlines()  # a French Excel's CSV: BOM, ';'
    assert rows[0] == "Nom;Sigle;Type;Site web;Actions;Objectifs;Personnes;Archivée"
    assert all("Office d’habitation" in row for row in rows[1:])
    assert len(rows) > 1


def test_person_without_a_plan_does_not_see_the_organisations(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("partners:organisations")).status_code == 403


def test_organisations_list_runs_a_fixed_number_of_queries(client, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator)
    with django_assert_max_num_queries(9):  # 9 with the header's unread notices
        assert client.get(reverse("partners:organisations")).status_code == 200
    make_plan("grand", actions=200, organisations=120)
    with django_assert_max_num_queries(9):  # 9 with the header's unread notices
        assert client.get(reverse("partners:organisations")).status_code == 200
