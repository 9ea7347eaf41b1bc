"""A partner's sheet in their words: French column headers that import back, old technical headers still
accepted, the link on « Mes actions », and « d’Action-Logement » rather than « de Action-Logement »."""

import datetime

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from suivi.models import Step
from tableur.spreadsheets import PARTNER_COLUMNS
from tests.spreadsheet_helpers import database_state

pytestmark = pytest.mark.django_db

SLUG = "lanaudiere-2024-2026"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_sheet_has_readable_french_headers(client, partner):
    client.force_login(partner)
    response = client.get(reverse("tableur:partner_sheet_download", args=[SLUG]))
    headers = tablib.Dataset().load(response.content, format="xlsx").headers
    assert headers[:5] == ["Action", "Texte de l’action", "Résultat attendu", "Texte du résultat", "Atteint le"]
    assert "Date de l’étape" in headers and "Ce qui a été fait" in headers
    assert not any("_" in header for header in headers)


def test_a_sheet_with_the_old_technical_headers_still_imports(client, partner):
    client.force_login(partner)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    row = {"action": "3.1.1", "etape_date": yesterday, "etape_description": "Rencontre avec la MRC"}
    content = tablib.Dataset([row.get(column, "") for column in PARTNER_COLUMNS], headers=PARTNER_COLUMNS).export("xlsx")
    page = client.post(reverse("tableur:partner_sheet", args=[SLUG]), {"file": SimpleUploadedFile("f.xlsx", content)})
    assert "Rencontre avec la MRC" in page.content.decode() and page.context["report"].ok
    client.post(reverse("tableur:partner_sheet_confirm", args=[SLUG]), {"token": page.context["token"]})
    assert Step.objects.filter(action__plan__slug=SLUG, description="Rencontre avec la MRC").exists()


def test_a_missing_column_is_named_as_the_sheet_names_it(client, partner):
    client.force_login(partner)
    content = tablib.Dataset(["3.1.1"], headers=["Action"]).export("xlsx")
    before = database_state()
    page = client.post(reverse("tableur:partner_sheet", args=[SLUG]), {"file": SimpleUploadedFile("f.xlsx", content)})
    assert "Date de l’étape" in page.content.decode()
    assert database_state() == before


def test_the_sheet_is_linked_from_my_actions_and_elides_de(client, partner):
    client.force_login(partner)
    my_actions = client.get(reverse("suivi:my_actions", args=[SLUG])).content.decode()
    assert reverse("tableur:partner_sheet", args=[SLUG]) in my_actions
    sheet = client.get(reverse("tableur:partner_sheet", args=[SLUG])).content.decode()
    assert "Feuille de suivi d’Action-Logement Lanaudière" in sheet
    assert "de Action-Logement" not in sheet


def test_an_outsider_gets_no_sheet(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("tableur:partner_sheet_download", args=[SLUG])).status_code == 404
