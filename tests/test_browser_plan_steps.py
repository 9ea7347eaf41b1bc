"""« Le plan et ses étapes réalisées » in a real browser: reached from the plan's page, no violation of the
Content-Security-Policy, a 390 px phone scrolls the tables and not the page, and printing gives landscape
pages. Screenshots at 1366 and 390 px go to test-artifacts/."""

import datetime
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from partners.models import Organisation
from plans.models import Action
from tests.bilan_fixtures import add_step, flat
from tests.test_browser_csp import PLAN, demo, sign_in, violations  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

WIDER_THAN_THE_SCREEN = """[...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > 391 && !e.closest(".table-scroll"))
  .map((e) => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))"""
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def test_coordinator_opens_it_from_the_plan_page_on_a_desk_and_on_a_phone(live_server, page, violations, demo):
    action = Action.objects.get(plan__slug=PLAN, code="3.1.1")
    add_step(action, datetime.date(2024, 6, 3), "Inventaire des études existantes réalisé",
             Organisation.objects.get(acronym="ALL"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, "coordination")
    page.goto(f"{live_server.url}/plans/{PLAN}/")
    page.get_by_role("link", name="Le plan et ses étapes réalisées").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Le plan et ses étapes réalisées")
    expect(page.locator("table.plan-steps-table").nth(2)).to_contain_text("Inventaire des études existantes réalisé")
    page.screenshot(path=ARTIFACTS / "plan-steps-1366.png", full_page=False)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path=ARTIFACTS / "plan-steps-390.png", full_page=False)
    # The page itself fits the phone; the wide tables scroll sideways in their own box.
    wide = page.evaluate(WIDER_THAN_THE_SCREEN)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide

    # Printed, the tables go on landscape pages, without the site's header or the period form.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.emulate_media(media="print")
    page.screenshot(path=ARTIFACTS / "plan-steps-print.png", full_page=False)
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    box = printed.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = flat(" ".join(p.extract_text() for p in printed.pages))
    assert "Inventaire des études existantes réalisé" in text and "Se déconnecter" not in text, text[:3000]
    assert violations == []


def test_the_bilans_preview_with_its_comparison_fits_a_phone(live_server, page, violations, demo):
    from bilans.documents import gather
    from bilans.models import Bilan
    from plans.models import Plan

    plan = Plan.objects.get(slug=PLAN)
    start, end = datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)
    bilan = Bilan.create_draft(plan, start, end, year=2024, user=None)
    Bilan.objects.filter(pk=bilan.pk).update(data=gather(plan, start, end))
    sign_in(page, live_server.url, "coordination")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/plans/{PLAN}/bilans/{bilan.pk}/apercu/")
        page.locator("#comparaison").scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / f"bilan-preview-comparison-{width}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.evaluate(WIDER_THAN_THE_SCREEN)
    assert violations == []
