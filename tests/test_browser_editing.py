"""In a real browser: the demo coordinator edits the plan in place (htmx), then without JavaScript."""

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from plans.models import Action, ExpectedResult

pytestmark = pytest.mark.browser

PLAN = "Chantier régional en habitation – Plan d’action 2024-2026"


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True
    call_command("load_demo", sans_activite=True, stdout=open(os.devnull, "w"))


def sign_in(page, live_server):
    page.goto(live_server.url)
    page.get_by_label("Nom d’utilisateur").fill("coordination")
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name=PLAN).click()


def test_coordinator_adds_moves_and_edits_in_place_and_reads_the_history(live_server, page, demo):
    sign_in(page, live_server)
    objective = page.locator("#objectif-1\\.1")
    actions_before = objective.locator("li.action").count()
    last = f"1.1.{actions_before}"
    last_text = objective.locator("li.action").last.locator(".action-text").inner_text()

    # Add an action: the form opens in the plan, and saving shows it without reloading the page.
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Ajouter une action à l’objectif 1.1").click()
    panel = page.locator(".edit-panel")
    panel.get_by_label("Moyen ou action").fill("Tenir un forum régional sur l’habitation")
    panel.get_by_role("button", name="Enregistrer").click()
    new_code = f"1.1.{actions_before + 1}"
    expect(page.locator(f"[id='action-{new_code}']")).to_contain_text("Tenir un forum régional sur l’habitation")
    assert page.evaluate("window.notReloaded") is True

    # Move it above the one before it: the codes are renumbered.
    page.get_by_role("link", name=f"Modifier {new_code}", exact=True).click()
    page.locator(".edit-panel").get_by_role("button", name="Monter").click()
    expect(page.locator(f"[id='action-{last}']")).to_contain_text("Tenir un forum régional sur l’habitation")
    expect(page.locator(f"[id='action-{new_code}']")).to_contain_text(last_text.split(" ", 1)[1][:40])
    assert page.evaluate("window.notReloaded") is True

    # Edit an expected result in place.
    page.get_by_role("link", name="Modifier 1.1.1.1", exact=True).click()
    panel = page.locator(".edit-panel")
    panel.get_by_label("Résultat attendu").fill("Le chantier accueille des partenaires de toutes les MRC.")
    panel.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#action-1\\.1\\.1 .results")).to_contain_text("Le chantier accueille des partenaires de toutes les MRC.")

    # Its history shows who changed it, the text before and after.
    page.get_by_role("link", name="Modifier 1.1.1.1", exact=True).click()
    page.locator(".edit-panel").get_by_role("link", name="Historique").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Historique")
    change = page.locator("ol.history > li").first
    expect(change).to_contain_text("Coordination")
    expect(change).to_contain_text("modification")
    row = change.get_by_role("row", name="Résultat attendu")
    expect(row).to_contain_text("provenant de toutes les MRC")  # before
    expect(row).to_contain_text("Le chantier accueille des partenaires de toutes les MRC.")  # after

    assert Action.objects.get(plan__slug="lanaudiere-2024-2026", code=last).text == "Tenir un forum régional sur l’habitation"
    assert ExpectedResult.objects.get(plan__slug="lanaudiere-2024-2026", code="1.1.1.1").version == 2


@pytest.fixture
def no_javascript(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_coordinator_edits_without_javascript(live_server, no_javascript, demo):
    page = no_javascript
    sign_in(page, live_server)
    page.get_by_role("link", name="Modifier 2.1.1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Modifier")
    page.get_by_label("Moyen ou action").fill("Une action revue sans JavaScript")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("2.1.1 : modifications enregistrées.")
    expect(page.locator("#action-2\\.1\\.1")).to_contain_text("Une action revue sans JavaScript")

    page.get_by_role("link", name="Modifier 2.1.1", exact=True).click()
    page.get_by_role("button", name="Descendre").click()
    expect(page.locator("#action-2\\.1\\.2")).to_contain_text("Une action revue sans JavaScript")


def test_an_error_stays_in_the_open_form_and_a_stale_save_shows_the_other_version(live_server, page, demo):
    sign_in(page, live_server)
    page.get_by_role("link", name="Modifier 1.2.1", exact=True).click()
    panel = page.locator(".edit-panel")
    panel.get_by_label("Année de référence (début)").fill("2026")
    panel.get_by_label("Année de référence (fin)").fill("2025")
    panel.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".edit-panel")).to_contain_text("L’année de fin ne peut pas précéder l’année de début.")

    # Meanwhile a colleague saves the same action.
    action = Action.objects.get(plan__slug="lanaudiere-2024-2026", code="1.2.1")
    action.text = "Le texte de ma collègue"
    action.save_from_version(action.version)

    panel = page.locator(".edit-panel")
    panel.get_by_label("Année de référence (fin)").fill("2026")
    panel.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".edit-panel [role=alert]")).to_contain_text("Quelqu’un d’autre a enregistré cet élément")
    expect(page.locator(".edit-panel .their-version")).to_contain_text("Le texte de ma collègue")
    assert Action.objects.get(pk=action.pk).text == "Le texte de ma collègue"
