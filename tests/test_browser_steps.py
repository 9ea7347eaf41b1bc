"""In a real browser: the demo partner records a step with a file, ticks a result and sees the plan move."""

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from partners.models import Organisation
from plans.models import Action
from suivi.models import Step

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", sans_activite=True, stdout=open(os.devnull, "w"))
    action = Action.objects.get(plan__slug="lanaudiere-2024-2026", code="3.1.1")
    habeo = Organisation.objects.get(name__startswith="Habeo")
    Step.objects.create(action=action, description="Inventaire des études existantes", organisation=habeo)
    return action


def sign_in(page, url, username):
    page.goto(url)
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()


def test_partner_records_a_step_with_a_file_and_ticks_a_result(live_server, page, demo, tmp_path):
    proof = tmp_path / "compte-rendu.pdf"
    proof.write_bytes(PDF)
    sign_in(page, live_server.url, "partenaire")

    page.get_by_role("link", name="Mes actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes actions")
    page.get_by_role("link", name="Inscrire une étape – 3.1.1").click()

    page.get_by_label("Ce qui a été fait").fill("Collecte des rapports municipaux sur l’habitation")
    page.get_by_label("Fichiers joints").set_input_files(str(proof))
    page.get_by_role("button", name="Inscrire l’étape").click()

    expect(page.get_by_role("status").filter(has_text="Étape inscrite")).to_be_visible()
    step = page.locator("li.step", has_text="Collecte des rapports municipaux")
    expect(step).to_contain_text("À valider")
    expect(step.get_by_role("link", name="compte-rendu.pdf")).to_be_visible()

    progress = page.get_by_label("Avancement de l’action")
    expect(progress).to_have_attribute("value", "0")
    page.get_by_role("button", name="Marquer comme atteint – 3.1.1.1").click()
    expect(page.get_by_label("Avancement de l’action")).to_have_attribute("value", "100")
    expect(page.get_by_role("button", name="Annuler l’atteinte – 3.1.1.1")).to_be_focused()  # keyboard stays put

    others = page.locator("li.step", has_text="Inventaire des études existantes")
    expect(others).to_be_visible()
    expect(others.get_by_role("link", name="Modifier")).to_have_count(0)
    expect(others.get_by_role("link", name="Supprimer")).to_have_count(0)
    expect(step.get_by_role("link", name="Modifier")).to_be_visible()


def test_ticking_works_without_javascript(live_server, browser, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url + demo.get_absolute_url(), "partenaire")
    page.get_by_role("button", name="Marquer comme atteint – 3.1.1.1").click()
    expect(page.get_by_label("Avancement de l’action")).to_have_attribute("value", "100")
    context.close()


def test_partner_opens_an_action_s_steps_on_my_actions(live_server, page, demo):
    sign_in(page, live_server.url, "partenaire")
    page.get_by_role("link", name="Mes actions").click()
    steps = page.locator("#action-3\\.1\\.1 details")
    expect(steps.locator("summary")).to_have_text("1 étape inscrite")
    expect(steps.locator("li.step")).to_have_count(0)  # drawn only when opened
    steps.locator("summary").click()
    expect(steps.locator("li.step")).to_contain_text("Inventaire des études existantes")
    expect(steps.get_by_role("link", name="Voir l’étape de l’action 3.1.1")).to_have_count(0)


def test_my_actions_leads_to_an_action_s_steps_without_javascript(live_server, browser, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url + "/plans/lanaudiere-2024-2026/mes-actions/", "partenaire")
    steps = page.locator("#action-3\\.1\\.1 details")
    steps.locator("summary").click()
    steps.get_by_role("link", name="Voir l’étape de l’action 3.1.1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("3.1.1")
    expect(page.locator("li.step")).to_contain_text("Inventaire des études existantes")
    context.close()
