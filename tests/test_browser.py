"""In a real browser: the demo coordinator signs in and reads the plan."""

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True
    call_command("load_demo", sans_activite=True, stdout=open(os.devnull, "w"))


def test_coordinator_signs_in_and_reads_the_plan(live_server, page, demo):
    page.goto(live_server.url)
    page.get_by_label("Nom d’utilisateur").fill("coordination")
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_role("link", name="Chantier régional en habitation – Plan d’action 2024-2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chantier régional en habitation – Plan d’action 2024-2026")
    expect(page.locator("section.axis")).to_have_count(4)
    expect(page.locator("li.action")).to_have_count(37)
    expect(page.get_by_role("heading", name="Axe 4 : Accessibilité à divers modèles d’habitat")).to_be_visible()

    page.get_by_role("link", name="Liste des acronymes").click()
    expect(page.locator("dt", has_text="TPDSL")).to_be_visible()


def test_wrong_password_is_refused_in_french(live_server, page, demo):
    page.goto(live_server.url)
    page.get_by_label("Nom d’utilisateur").fill("coordination")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Saisissez un nom d’utilisateur et un mot de passe valides")
    expect(page).to_have_url(live_server.url + "/comptes/login/?next=/")


def test_a_large_plan_fills_in_its_actions_as_the_reader_scrolls(live_server, page, demo, settings):
    settings.PLAN_PAGE_INLINE_ACTIONS = 10  # the 37 actions of the demo plan count as a large plan here
    page.goto(live_server.url)
    page.get_by_label("Nom d’utilisateur").fill("comite")
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Chantier régional en habitation – Plan d’action 2024-2026").click()

    expect(page.locator("li.action")).not_to_have_count(37)  # not all at once
    objectives = page.locator("section.objective")
    for index in range(objectives.count()):
        objectives.nth(index).scroll_into_view_if_needed()
        expect(objectives.nth(index).locator("li.action").first).to_be_visible()
    expect(page.locator("li.action")).to_have_count(37)
    expect(page.locator("#action-4\\.4\\.1")).to_contain_text("Soutenir des initiatives")
