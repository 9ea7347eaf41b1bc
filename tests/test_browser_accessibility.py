"""In a real browser, each role's main pages at 1366 and 390 px: axe-core finds no serious or critical
violation, no page is wider than a 390 px phone, and the edit panel closes with Escape, giving the focus back.

axe-core comes from npm (package.json; `npm ci`, as .ci/run does), never from a CDN; Playwright injects it
from node_modules, past the Content-Security-Policy (`bypass_csp`: it forbids inline scripts, as it should)."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Meeting

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SLUG = "lanaudiere-2024-2026"
WIDTHS = (1366, 390)

PAGES = {
    "coordination": [
        "/", f"/plans/{SLUG}/", f"/plans/{SLUG}/actions/", f"/plans/{SLUG}/etapes/", f"/plans/{SLUG}/etapes/a-valider/",
        f"/plans/{SLUG}/a-relancer/", f"/plans/{SLUG}/personnes/", f"/plans/{SLUG}/activite/", f"/plans/{SLUG}/bilans/",
        f"/plans/{SLUG}/tableur/", f"/plans/{SLUG}/modifier/", f"/plans/{SLUG}/actions/1.1.1/", "/organisations/",
        "/plans/importer/", f"/plans/{SLUG}/reunions/", f"/plans/{SLUG}/reunions/nouvelle/", "/avis/",
        f"/plans/{SLUG}/reunions/mon-calendrier/",
    ],
    "partenaire": ["/", f"/plans/{SLUG}/", f"/plans/{SLUG}/mes-actions/", f"/plans/{SLUG}/actions/3.1.1/",
                   f"/plans/{SLUG}/tableur/mon-organisme/", f"/plans/{SLUG}/etapes/", "/comptes/mes-donnees/", "/avis/"],
    "comite": ["/", f"/plans/{SLUG}/", f"/plans/{SLUG}/bilans/", f"/plans/{SLUG}/etapes/", f"/plans/{SLUG}/plan-et-etapes/"],
}
# The pages of the demo's meeting held, for the coordination: its page and the forms that fill it.
MEETING_PAGES = ("", "ordre-du-jour/", "presences/", "compte-rendu/", "decisions/")


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def demo(transactional_db, settings):
    if not AXE.exists():
        pytest.skip("axe-core est absent : npm ci (comme dans .ci/run).")
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))


def sign_in(page, base, username):
    page.goto(base + "/comptes/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def problems_on(page, url, width):
    """axe-core's serious and critical violations on the page, and whether it is wider than the screen."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    found = [f"{url} at {width} px: {violation}" for violation in violations]
    if width <= 390:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > 390:
            found.append(f"{url} at {width} px: {scroll_width} px wide")
    return found


@pytest.mark.parametrize("username", list(PAGES))
def test_main_pages_pass_axe_and_fit_a_phone(live_server, page, demo, username):
    sign_in(page, live_server.url, username)
    urls = list(PAGES[username])
    if username == "coordination":
        held = Meeting.objects.filter(plan__slug=SLUG, starts_at__lt=timezone.now()).order_by("-starts_at").first()
        urls += [f"{held.get_absolute_url()}{part}" for part in MEETING_PAGES]
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            response = page.goto(live_server.url + url)
            assert response.status == 200, url
            found += problems_on(page, url, width)
    assert found == []


def test_a_confirmation_passes_axe_and_stays_in_view(live_server, page, demo):
    """Without JavaScript's panel: the edit page, saved, takes the coordinator back to the item, and the
    confirmation is on screen there."""
    sign_in(page, live_server.url, "coordination")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + f"/plans/{SLUG}/")
    edit = page.locator("#action-3\\.1\\.1 a.edit-link").first.get_attribute("href")
    page.goto(live_server.url + edit)
    assert page.locator("h1").count() == 1 and page.locator("main").count() == 1
    page.get_by_role("button", name="Enregistrer").click()
    message = page.get_by_role("status")
    expect(message).to_contain_text("3.1.1\u00a0: modifications enregistrées.")
    expect(message).to_be_in_viewport()
    assert problems_on(page, "après l’enregistrement", 390) == []


def test_escape_closes_the_edit_panel_and_focus_returns_to_its_link(live_server, page, demo):
    sign_in(page, live_server.url, "coordination")
    page.goto(live_server.url + f"/plans/{SLUG}/")
    link = page.locator("#action-1\\.1\\.1 a.edit-link").first
    link.click()
    panel = page.locator(".edit-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("link", name="Ajouter un résultat attendu à l’action 1.1.1")).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(link).to_be_focused()

    link.click()
    expect(panel).to_be_visible()
    panel.get_by_role("button", name="Fermer").click()
    expect(panel).to_have_count(0)
    expect(link).to_be_focused()


def test_an_htmx_save_is_confirmed_in_the_status_region(live_server, page, demo):
    sign_in(page, live_server.url, "coordination")
    page.goto(live_server.url + f"/plans/{SLUG}/")
    page.locator("#action-1\\.1\\.1 a.edit-link").first.click()
    page.locator(".edit-panel").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("1.1.1\u00a0: modifications enregistrées.")
