"""History pages read as people write, and the plan's activity log: the page a coordinator opens before a
meeting to see who changed or recorded what, and when."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Organisation
from suivi.models import Step
from plans.models import Action
from simple_history.utils import bulk_update_with_history
from tests.factories import make_plan

pytestmark = pytest.mark.django_db


def set_status(client, plan, action, status, reason="Décidé en comité"):
    return client.post(
        f"/plans/{plan.slug}/actions/{action.code}/etat/", {"status": status, "reason": reason, "version": action.version}
    )


def test_an_actions_history_shows_labels_not_stored_values(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    action = lanaudiere.actions.get(code="1.1.1")
    set_status(client, lanaudiere, action, "abandoned")
    html = client.get(f"/plans/{lanaudiere.slug}/modifier/actions/{action.pk}/historique/").content.decode()
    assert "Abandonnée" in html
    assert "abandoned" not in html and "not_started" not in html
    assert ">False<" not in html and ">True<" not in html
    # The objective it belongs to, by its code, never its internal number.
    assert "1.1 " in html


def test_history_dates_and_booleans_are_written_in_french(lanaudiere):
    from lib.history import readable
    from plans.models import Action

    field = Action._meta.get_field("status_is_manual")
    assert readable(field, True) == "Oui" and readable(field, False) == "Non"
    assert readable(Action._meta.get_field("archived_at"), datetime.datetime(2025, 4, 1, 14, 5)) == "1er avril 2025, 14\u00a0h\u00a005"


def test_coordinator_reads_who_changed_or_recorded_what(client, coordinator, partner, lanaudiere):
    client.force_login(partner)
    action = lanaudiere.actions.get(code="3.1.1")
    organisation = Organisation.objects.get(acronym="ALL")
    client.post(
        f"/plans/{lanaudiere.slug}/actions/3.1.1/etapes/",
        {"description": "Rencontre des locataires", "done_on": "2025-01-10", "organisation": organisation.pk},
    )
    assert Step.objects.filter(action=action, description="Rencontre des locataires").exists()
    client.force_login(coordinator)
    set_status(client, lanaudiere, lanaudiere.actions.get(code="1.1.1"), "ongoing")

    html = client.get(f"/plans/{lanaudiere.slug}/activite/").content.decode()
    assert "Activité du plan" in html
    assert "étape sur l’action 3.1.1" in html and "(ALL)" in html
    assert "Action 1.1.1" in html

    only_partner = client.get(f"/plans/{lanaudiere.slug}/activite/", {"person": partner.pk}).content.decode()
    assert "étape sur l’action 3.1.1" in only_partner and "Action 1.1.1" not in only_partner
    of_all = client.get(f"/plans/{lanaudiere.slug}/activite/", {"organisation": organisation.pk}).content.decode()
    assert "étape sur l’action 3.1.1" in of_all and "Action 1.1.1" not in of_all
    actions_only = client.get(f"/plans/{lanaudiere.slug}/activite/", {"kind": "actions"}).content.decode()
    assert "Action 1.1.1" in actions_only and "étape sur l’action" not in actions_only
    future = client.get(f"/plans/{lanaudiere.slug}/activite/", {"since": "2999-01-01"}).content.decode()
    assert "Aucun changement ne correspond." in future


def test_bad_dates_in_the_filters_get_a_french_message(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    response = client.get(f"/plans/{lanaudiere.slug}/activite/", {"since": "2025-05-01", "until": "2025-04-01"})
    assert response.status_code == 200
    assert "Cette date précède la date de début." in response.content.decode()
    response = client.get(f"/plans/{lanaudiere.slug}/activite/", {"since": "hier", "page": "999"})
    assert response.status_code == 200 and "Saisissez une date valide." in response.content.decode()


def test_the_log_is_linked_from_the_plan_page_for_coordinators_only(client, coordinator, partner, lanaudiere):
    client.force_login(coordinator)
    assert f"/plans/{lanaudiere.slug}/activite/" in client.get(f"/plans/{lanaudiere.slug}/").content.decode()
    client.force_login(partner)
    assert f"/plans/{lanaudiere.slug}/activite/" not in client.get(f"/plans/{lanaudiere.slug}/").content.decode()
    assert client.get(f"/plans/{lanaudiere.slug}/activite/").status_code == 403


def test_coordinator_of_another_plan_does_not_find_the_log(client, other_coordinator, lanaudiere):
    client.force_login(other_coordinator)
    assert client.get(f"/plans/{lanaudiere.slug}/activite/").status_code == 404


def test_a_page_of_the_log_costs_the_same_queries_on_a_small_and_a_large_plan(client, coordinator):
    counts = []
    for slug, actions in (("petit", 10), ("grand", 400)):
        plan = make_plan(slug, actions)
        plan.roles.create(user=coordinator, role="coordinator")
        bulk_update_with_history(list(plan.actions.all()), Action, ["text"], default_user=coordinator)
        client.force_login(coordinator)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/plans/{slug}/activite/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
