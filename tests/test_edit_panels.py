"""The coordinator's edit panels as people use them: adding an expected result is found at once, headings
read as sentences, a save is confirmed where it can be seen or heard, and the organisation search works
without JavaScript."""

import re

import pytest
from django.urls import reverse

from plans.models import Action, ExpectedResult

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(name, plan, *args):
    return reverse(f"plans:{name}", args=[plan.slug, *args])


def test_adding_a_result_is_the_first_thing_in_an_actions_panel(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    action = Action.objects.get(plan=lanaudiere, code="1.1.2")
    html = client.get(url("edit_item", lanaudiere, "actions", action.pk), headers=HTMX).content.decode()
    assert html.index("Ajouter un résultat attendu à l’action 1.1.2") < html.index("<form")


def test_the_new_result_form_reads_well_and_takes_the_actions_years(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    action = Action.objects.get(plan=lanaudiere, code="1.1.2")
    action.period_start, action.period_end = 2025, 2026
    action.save()
    html = client.get(url("add_item", lanaudiere, "resultats") + f"?parent={action.pk}").content.decode()
    assert "Nouveau résultat attendu de l’action 1.1.2" in html
    assert "Ajouter\u00a0:" not in html and "Ajouter :" not in html
    assert re.search(r'name="period_start" value="2025"', html) and re.search(r'name="period_end" value="2026"', html)


def test_the_edit_page_without_javascript_has_its_heading(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    action = Action.objects.get(plan=lanaudiere, code="1.1.1")
    html = client.get(url("edit_item", lanaudiere, "actions", action.pk)).content.decode()
    assert re.search(r"<h1 class=\"panel-title\">Modifier\u00a0: 1\.1\.1", html)
    assert "<main" in html


def test_an_htmx_save_brings_its_confirmation_into_the_message_region(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    action = Action.objects.get(plan=lanaudiere, code="1.1.1")
    response = client.post(
        url("edit_item", lanaudiere, "actions", action.pk), {"text": "Texte neuf", "version": action.version}, headers=HTMX
    )
    html = response.content.decode()
    region = re.search(r'<div id="messages" class="messages" role="status">(.*?)</div>', html, re.S).group(1)
    assert "1.1.1\u00a0: modifications enregistrées." in region
    form = client.get(url("edit_item", lanaudiere, "actions", action.pk), headers=HTMX).content.decode()
    assert 'hx-select-oob="#messages:innerHTML"' in form


def test_without_javascript_a_save_goes_back_to_the_saved_item(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    action = Action.objects.get(plan=lanaudiere, code="1.1.1")
    response = client.post(url("edit_item", lanaudiere, "actions", action.pk), {"text": "Texte neuf", "version": action.version})
    assert response.status_code == 302 and response["Location"].endswith("#action-1.1.1")
    page = client.get(response["Location"]).content.decode()
    assert "1.1.1\u00a0: modifications enregistrées." in page


def test_without_javascript_the_organisation_search_narrows_the_list(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    action = Action.objects.get(plan=lanaudiere, code="1.1.1")
    page = client.get(url("edit_item", lanaudiere, "actions", action.pk), {"recherche": "economie"}).content.decode()
    partners = re.search(r'<select name="partners"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert "Économie sociale Lanaudière" in partners and "Entreprise d’économie sociale" in partners
    assert "Ville de Joliette" not in partners
    assert '<form method="get" class="search-form">' in page


def test_a_partner_cannot_open_the_edit_panel(client, partner, lanaudiere):
    client.force_login(partner)
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    assert client.get(url("edit_item", lanaudiere, "actions", action.pk), {"recherche": "a"}).status_code == 403
    before = ExpectedResult.objects.filter(action=action).count()
    client.post(url("add_item", lanaudiere, "resultats") + f"?parent={action.pk}", {"text": "x", "version": 1})
    assert ExpectedResult.objects.filter(action=action).count() == before
