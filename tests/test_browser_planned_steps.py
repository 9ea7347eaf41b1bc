"""In a real browser, on a phone: the demo partner ticks a planned step off in one click from « Mes actions »;
the row changes in place and the step waits for validation."""

import datetime
import os

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import Organisation
from plans.models import Action
from suivi.models import PlannedStep

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("SCREENSHOTS")  # a folder, to look at the pages


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))
    action = Action.objects.get(plan__slug="lanaudiere-2024-2026", code="3.1.1")
    organisation = Organisation.objects.get(acronym="ALL")
    today = timezone.localdate()
    PlannedStep.objects.create(action=action, organisation=organisation, description="Déposer la demande au fonds",
                               due_on=today - datetime.timedelta(days=3))
    return PlannedStep.objects.create(action=action, organisation=organisation,
                                      description="Rencontrer les élus de la MRC", due_on=today + datetime.timedelta(days=10))


def sign_in(page, url, username):
    page.goto(url)
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()


def shoot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_partner_ticks_a_planned_step_off_in_one_click_on_a_phone(live_server, page, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "partenaire")
    page.get_by_role("link", name="Mes actions").click()
    expect(page.get_by_text("1 étape prévue en retard.")).to_be_visible()
    row = page.locator(f"#prevue-{demo.pk}")
    expect(row).to_contain_text("À venir")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shoot(page, "mes-actions-390")
    page.evaluate("window.notReloaded = true")

    row.get_by_role("button", name="C’est fait – Rencontrer les élus de la MRC").click()

    expect(row).to_contain_text("Réalisée")
    expect(row).to_contain_text("À valider")
    expect(row.get_by_role("button", name="Décocher – Rencontrer les élus de la MRC")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the row, the page stayed
    demo.refresh_from_db()
    assert demo.step is not None and demo.step.done_on == timezone.localdate()
    shoot(page, "mes-actions-coche-390")

    page.goto(live_server.url + demo.action.get_absolute_url())
    expect(page.locator(f"#etape-{demo.step_id}")).to_contain_text("Rencontrer les élus de la MRC")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "action-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    shoot(page, "action-1366")
    page.goto(live_server.url + "/plans/lanaudiere-2024-2026/")
    overdue = PlannedStep.objects.filter(action__plan=demo.action.plan).overdue().count()  # the demo's own, too
    expect(page.get_by_role("heading", name=f"En retard ({overdue})")).to_be_visible()
    expect(page.locator(".plan-planned-steps")).to_contain_text("Déposer la demande au fonds")
    shoot(page, "plan-1366")
