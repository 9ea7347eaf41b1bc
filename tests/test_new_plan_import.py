"""A coordinator brings a new plan in from a spreadsheet: the address, years and region come from the
title, the preview shows the rows it will create, and the next step after it is the confirmation."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Plan
from tableur.spreadsheets import region_in_title, years_in_title
from tests.spreadsheet_helpers import database_state

pytestmark = pytest.mark.django_db

CSV = Path(settings.BASE_DIR) / "fixtures" / "batir-ensemble.csv"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload():
    return SimpleUploadedFile("plan.csv", CSV.read_bytes(), content_type="text/csv")


def test_years_and_region_are_read_from_the_title():
    assert years_in_title("Plan d’action de la Mauricie 2025-2027") == (2025, 2027)
    assert years_in_title("Plan 2026") == (2026, 2026)
    assert years_in_title("Bâtir ensemble") is None
    assert region_in_title("Plan d’action de la Mauricie 2025-2027") == "Mauricie"
    assert region_in_title("Chantier du centre-du-quebec") == "Centre-du-Québec"
    assert region_in_title("Bâtir ensemble") == ""


def test_the_preview_derives_the_address_and_lists_what_it_creates(client, coordinator):
    client.force_login(coordinator)
    before = database_state()
    page = client.post(
        reverse("tableur:new_plan_import"),
        {"title": "Bâtir ensemble en Mauricie 2025-2027", "slug": "", "region": "", "file": upload()},
    )
    html = page.content.decode()
    assert database_state() == before
    assert "/plans/batir-ensemble-en-mauricie-2025-2027/" in html
    assert "2025-2027" in html and "Mauricie" in html
    assert "à créer" in html and '<span class="code">1.1.1</span>' in html
    # The upload form is not shown again above (or below) a preview that can be confirmed.
    assert 'enctype="multipart/form-data"' not in html and "Confirmer l’import" in html

    client.post(reverse("tableur:new_plan_confirm"), {"token": page.context["token"]})
    plan = Plan.objects.get(slug="batir-ensemble-en-mauricie-2025-2027")
    assert (plan.first_year, plan.last_year, plan.region) == (2025, 2027, "Mauricie")


def test_an_address_already_taken_is_refused_at_the_field(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    before = database_state()
    page = client.post(reverse("tableur:new_plan_import"), {"title": "X", "slug": lanaudiere.slug, "file": upload()})
    assert "choisissez-en un autre" in page.content.decode()
    assert page.context["form"].errors["slug"]
    assert database_state() == before


def test_a_partner_may_not_create_a_plan_from_a_file(client, partner):
    client.force_login(partner)
    before = database_state()
    response = client.post(reverse("tableur:new_plan_import"), {"title": "Plan 2025-2027", "file": upload()})
    assert response.status_code == 403
    assert database_state() == before
