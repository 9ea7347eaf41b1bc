"""In a real browser, on a 390 px phone: the plan's navigation fits the screen, is reached with the keyboard
and marks the page in hand; the search gives its results as one types (and without JavaScript, on
submitting)."""

import os
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from partners.models import Organisation
from plans.models import Action
from suivi.models import Step

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))
    action = Action.objects.get(plan__slug="lanaudiere-2024-2026", code="3.1.1")
    Step.objects.create(
        action=action, description="Inventaire des études existantes", organisation=Organisation.objects.get(acronym="ALL")
    )
    return action.plan


def sign_in(page, url, username):
    page.goto(url)
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_on_a_phone_the_plans_navigation_fits_and_works_with_the_keyboard(live_server, browser, demo):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url + demo.get_absolute_url(), "partenaire")
    nav = page.get_by_role("navigation", name=f"Pages du plan {demo.title}")
    expect(nav.get_by_role("link", name="Plan", exact=True)).to_have_attribute("aria-current", "page")
    for name in ("Plan", "Mes actions", "Étapes", "À relancer", "Réunions", "Tableur"):
        # « Mes actions » says its count of steps sent back when there are some: the name begins with it.
        link = nav.get_by_role("link", name=re.compile(rf"^{name}( |$)"))
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    expect(nav.get_by_role("link", name="Réglages")).to_have_count(0)
    assert page_width(page) <= PHONE["width"]

    # From the navigation's first entry, the keyboard goes to the next one.
    nav.get_by_role("link", name="Plan", exact=True).focus()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Mes actions")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes actions")
    nav = page.get_by_role("navigation", name=f"Pages du plan {demo.title}")
    expect(nav.get_by_role("link", name="Mes actions")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="À faire avancer maintenant")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    context.close()


def test_the_search_answers_as_one_types(live_server, browser, demo):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url + demo.get_absolute_url(), "partenaire")
    page.get_by_role("searchbox", name="Rechercher dans mes plans").fill("etudes existantes")
    page.get_by_role("searchbox", name="Rechercher dans mes plans").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recherche")
    expect(page.get_by_role("link", name="Inventaire des études existantes")).to_be_visible()

    box = page.get_by_label("Actions, résultats attendus, étapes et organisations de vos plans")
    box.fill("")
    box.press_sequentially("recenser la doc")  # no submit: htmx brings the results
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()
    expect(page.get_by_role("link", name="3.1.1 Recenser la documentation liée à l’habitation.")).to_be_visible()
    assert "recenser" in page.url  # the address follows, for the back button and a shared link
    assert page_width(page) <= PHONE["width"]
    context.close()


def test_the_search_works_without_javascript(live_server, browser, demo):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url + "/recherche/", "partenaire")
    page.get_by_label("Actions, résultats attendus, étapes et organisations de vos plans").fill("Action-Logement")
    page.get_by_role("button", name="Rechercher").last.click()
    expect(page.get_by_role("link", name="Action-Logement Lanaudière (ALL)")).to_be_visible()
    context.close()
