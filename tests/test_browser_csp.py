"""In a real browser, under the Content-Security-Policy (no inline script, style or event attribute): the
main pages of each role report no violation, and the behaviours moved to static/js/chantier.js (the
partners' search box, « Fermer » on the edit panel) still work after htmx swaps them in."""

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from partners.models import Organisation
from plans.models import Action
from suivi.models import Step

pytestmark = pytest.mark.browser

PLAN = "lanaudiere-2024-2026"

# Reported to the test by the page itself, from before any of its scripts runs.
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", sans_activite=True, stdout=open(os.devnull, "w"))
    action = Action.objects.get(plan__slug=PLAN, code="3.1.1")
    habeo = Organisation.objects.get(name__startswith="Habeo")
    Step.objects.create(action=action, description="Inventaire des études existantes", organisation=habeo)


@pytest.fixture
def violations(page):
    """What the browser refused on the pages this test opens: violation events and CSP console errors."""
    found = []
    page.expose_binding("reportViolation", lambda source, text: found.append(f"{source['frame'].url}: {text}"))
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: found.append(f"{page.url}: {message.text}")
        if message.type == "error" and "Content Security Policy" in message.text
        else None,
    )
    return found


def sign_in(page, url, username):
    page.goto(url + "/comptes/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def visit(page, url, path):
    response = page.goto(url + path)
    assert response.status == 200, path
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


def test_the_sign_in_page_holds_under_the_policy(live_server, page, violations, demo):
    response = page.goto(live_server.url + "/comptes/login/")
    policy = response.headers["content-security-policy"]
    for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                      "form-action 'self'", "base-uri 'none'", "object-src 'none'"]:
        assert directive in policy
    assert "unsafe" not in policy
    page.goto(live_server.url + "/comptes/password_reset/")

    # Five wrong passwords: the lockout page, under the same policy.
    page.goto(live_server.url + "/comptes/login/")
    for _ in range(5):
        page.get_by_label("Nom d’utilisateur").fill("coordination")
        page.get_by_label("Mot de passe").fill("pas-le-bon")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
        if page.get_by_role("heading", name="Connexion bloquée").count():
            break
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion bloquée")
    expect(page.get_by_role("alert")).to_contain_text("30\u00a0minutes")
    assert violations == []


def test_partner_pages_report_no_violation(live_server, page, violations, demo):
    sign_in(page, live_server.url, "partenaire")
    for path in ["/", f"/plans/{PLAN}/", f"/plans/{PLAN}/mes-actions/", f"/plans/{PLAN}/actions/3.1.1/",
                 f"/plans/{PLAN}/actions/"]:
        visit(page, live_server.url, path)
    # An action's steps on « Mes actions », drawn by htmx when their list is opened.
    visit(page, live_server.url, f"/plans/{PLAN}/mes-actions/")
    page.locator("#action-3\\.1\\.1 summary").click()
    expect(page.locator("#action-3\\.1\\.1 li.step")).to_contain_text("Inventaire des études existantes")
    # The step form, with its errors shown.
    visit(page, live_server.url, f"/plans/{PLAN}/actions/3.1.1/")
    page.get_by_role("button", name="Inscrire l’étape").click()
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_coordinator_pages_report_no_violation_and_the_edit_panel_works(live_server, page, violations, demo):
    sign_in(page, live_server.url, "coordination")
    for path in [f"/plans/{PLAN}/etapes/a-valider/", f"/plans/{PLAN}/etapes/", f"/plans/{PLAN}/personnes/",
                 f"/plans/{PLAN}/a-relancer/", f"/plans/{PLAN}/bilans/", "/organisations/"]:
        visit(page, live_server.url, path)

    # The edit panel, opened in the plan page by htmx: its search box hides the partners that do not match.
    visit(page, live_server.url, f"/plans/{PLAN}/")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Modifier 3.1.1", exact=True).click()
    panel = page.locator(".edit-panel")
    expect(panel).to_be_visible()
    options = panel.locator("select[name=partners] option")
    total = options.count()
    assert total > 5
    panel.get_by_label("Chercher un organisme dans la liste").fill("habeo")  # no accent, no capital
    expect(panel.locator("select[name=partners] option:not([hidden])")).to_have_count(1)
    expect(panel.locator("select[name=partners] option:not([hidden])")).to_contain_text("Habeo")
    panel.get_by_label("Chercher un organisme dans la liste").fill("")
    expect(panel.locator("select[name=partners] option:not([hidden])")).to_have_count(total)

    # « Fermer » removes the panel, and a panel opened again after an htmx swap closes too.
    panel.get_by_role("button", name="Fermer").click()
    expect(page.locator(".edit-panel")).to_have_count(0)
    page.get_by_role("link", name="Modifier 3.1.1", exact=True).click()
    page.locator(".edit-panel").get_by_role("button", name="Enregistrer").click()  # swaps the plan in again
    expect(page.locator(".edit-panel")).to_have_count(0)
    page.get_by_role("link", name="Modifier 1.1.1", exact=True).click()
    page.locator(".edit-panel").get_by_role("button", name="Fermer").click()
    expect(page.locator(".edit-panel")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True

    assert violations == []


def test_committee_produces_a_bilan_and_its_preview_reports_no_violation(live_server, page, violations, demo):
    sign_in(page, live_server.url, "comite")
    visit(page, live_server.url, f"/plans/{PLAN}/")
    visit(page, live_server.url, f"/plans/{PLAN}/bilans/")
    page.get_by_role("button", name="Produire le bilan").click()
    page.get_by_role("link", name="Aperçu dans le navigateur").click()
    expect(page.locator("body.bilan.preview")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations == []
