"""In a real browser: the language switch at the foot of every page, at 1366 and 390 px, without
JavaScript's help (a plain form); the English pages pass axe-core and fit a phone."""

import os

import pytest
from playwright.sync_api import expect

from tests.test_browser_accessibility import SLUG, demo, problems_on, sign_in  # noqa: F401 (demo: a fixture)

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("SCREENSHOTS")  # a folder: the pages as pictures, to look at


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}  # axe-core is injected (test_browser_accessibility)


def test_partner_switches_to_english_from_the_foot_of_the_page(live_server, page, demo):  # noqa: F811
    sign_in(page, live_server.url, "partenaire")
    page.goto(f"{live_server.url}/plans/{SLUG}/mes-actions/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1, name="My actions")).to_be_visible()  # the same page, in English
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"

    found = []
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for url in [f"/plans/{SLUG}/", f"/plans/{SLUG}/mes-actions/", f"/plans/{SLUG}/actions/3.1.1/"]:
            page.goto(live_server.url + url)
            expect(page.get_by_role("button", name="Français")).to_be_visible()
            found += problems_on(page, url, width)
        if SCREENSHOTS:
            page.goto(f"{live_server.url}/plans/{SLUG}/")
            page.screenshot(path=os.path.join(SCREENSHOTS, f"english-plan-{width}.png"), full_page=False)
            page.locator("footer").screenshot(path=os.path.join(SCREENSHOTS, f"english-footer-{width}.png"))
    assert found == []

    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
