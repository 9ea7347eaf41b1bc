"""In a real browser on a 390 px phone: the coordinator prepares a meeting's agenda by ticking what the
app proposes and records a decision that rewords an action; the meeting page fits the screen, under the
Content-Security-Policy, and the action's page shows the decision."""

import datetime
import os

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Attendance, Meeting
from partners.models import Organisation
from plans.models import Action
from suivi.models import Step

pytestmark = pytest.mark.browser

PLAN = "lanaudiere-2024-2026"
SHOTS = os.environ.get("SCREENSHOTS")  # a folder: the pages are saved there to be looked at


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=open(os.devnull, "w"))
    action = Action.objects.get(plan__slug=PLAN, code="3.1.1")
    habeo = Organisation.objects.get(name__startswith="Habeo")
    Step.objects.create(action=action, description="Inventaire des études existantes", organisation=habeo)
    when = timezone.localtime() + datetime.timedelta(days=7)
    when = when.replace(hour=13, minute=30, second=0, microsecond=0)
    meeting = Meeting.objects.create(
        plan=action.plan, body=Meeting.Body.COORDINATION, starts_at=when, ends_at=when + datetime.timedelta(hours=2),
        place="Salle du conseil de la MRC de Joliette, 450 rue Beaudry Nord", video_link="https://visio.example.org/comite-coordination-lanaudiere",
    )
    meeting.invited.add(habeo)
    Attendance.objects.create(meeting=meeting, organisation=habeo, presence=Attendance.Presence.PRESENT)
    return meeting


def sign_in(page, url, username):
    page.goto(url + "/comptes/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_coordinator_prepares_the_agenda_and_a_decision_on_a_phone(live_server, page, demo):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "coordination")
    page.goto(live_server.url + demo.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Comité de coordination")

    page.get_by_role("link", name="Préparer l’ordre du jour").click()
    page.get_by_label("3.1.1", exact=False).first.check()
    page.get_by_role("button", name="Ajouter à l’ordre du jour").click()
    expect(page.get_by_role("status")).to_contain_text("Ordre du jour mis à jour")

    page.goto(live_server.url + demo.get_absolute_url() + "decisions/")
    page.get_by_label("Décision", exact=True).fill("Le comité précise l’action 3.1.1.")
    page.get_by_label("Cette décision modifie le plan").select_option("reworded")
    page.get_by_label("Action modifiée").fill("3.1.1")
    page.get_by_label("Nouveau texte").fill("Documenter les besoins en habitation de chaque MRC")
    page.get_by_role("button", name="Inscrire la décision").click()
    expect(page.get_by_role("status")).to_contain_text("Décision inscrite")

    page.goto(live_server.url + demo.get_absolute_url())
    expect(page.locator(".decisions")).to_contain_text("Action reformulée")
    expect(page.locator(".agenda")).to_contain_text("3.1.1")
    assert fits_the_screen(page)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "reunion-390.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.screenshot(path=os.path.join(SHOTS, "reunion-1366.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})

    page.get_by_role("link", name="3.1.1").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Documenter les besoins en habitation de chaque MRC")
    expect(page.locator(".action-meetings")).to_contain_text("Comité de coordination du")
    assert fits_the_screen(page)
    assert violations == []

    # The point is taken off the agenda: the button asks, the agenda is drawn again, the status says so.
    page.goto(live_server.url + demo.get_absolute_url() + "ordre-du-jour/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.locator("ol.agenda").get_by_role("link", name="Retirer").first.click()
    expect(page.get_by_role("status")).to_contain_text("retiré de l’ordre du jour")
    assert asked and asked[0].startswith("Retirer «\u00a0")
    expect(page.locator("ol.agenda .empty")).to_have_text("L’ordre du jour n’est pas encore préparé.")
    assert fits_the_screen(page)
    assert violations == []
