"""Every page of a bilan says which version it is: « Projet — version N du … » on a draft, « Adopté le …
par … » once the committee has adopted it, after reading its adoption back and confirming it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bilans.models import Bilan
from bilans.templatetags.bilans import long_date

from tests.bilan_fixtures import draft, media  # noqa: F401  (fixtures)
from tests.bilan_fixtures import stored_pdf_pages as pages_text


def adoption(**changes):
    return {
        "adopting_body": "le comité de coordination",
        "meeting": "Comité de coordination du 1er décembre",
        "adopted_on": timezone.localdate().isoformat(),
        **changes,
    }


def adopt_url(bilan):
    return reverse("bilans:adopt", args=[bilan.plan.slug, bilan.pk])


def test_every_page_of_a_draft_says_projet_with_its_version_and_date(draft):
    mark = f"Projet — version 1 du {long_date(timezone.localdate())}"
    pages = pages_text(draft)
    assert mark in pages[0] and mark in pages[-1]
    assert all(mark in page for page in pages)


def test_adoption_is_read_back_then_confirmed_and_the_adopted_pdf_says_so(client, draft, committee_member):
    draft_pdf = draft.pdf.read()
    response = client.post(adopt_url(draft), adoption())
    page = response.content.decode()
    assert response.status_code == 200 and "Confirmer l’adoption" in page
    assert "le comité de coordination" in page and 'name="confirm" value="1"' in page
    draft.refresh_from_db()
    assert draft.state == Bilan.State.DRAFT  # nothing adopted before the confirmation

    response = client.post(adopt_url(draft), adoption(confirm="1"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.rendering, draft.adopting_body, draft.adopted_by) == (
        Bilan.State.ADOPTED, Bilan.Rendering.READY, "le comité de coordination", committee_member
    )
    adopted_pdf = draft.pdf.read()
    assert adopted_pdf != draft_pdf
    mark = f"Adopté le {long_date(timezone.localdate())} par le comité de coordination"
    pages = pages_text(draft)
    assert mark in pages[0] and mark in pages[-1]
    assert not any("Projet — version" in page for page in pages)
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert "par le comité de coordination" in detail


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"adopted_on": "2024-06-12"}, "adopted_on", "il ne peut pas avoir été adopté avant"),
        ({"adopted_on": "2999-01-01"}, "adopted_on", "La date d’adoption ne peut pas être dans le futur."),
        ({"adopted_on": "12 juin"}, "adopted_on", "Saisissez une date valide."),
        ({"adopting_body": ""}, "adopting_body", "Ce champ est obligatoire."),
    ],
    ids=["before-the-draft", "future", "not-a-date", "nobody"],
)
def test_a_bad_adoption_is_refused_at_its_field_and_changes_nothing(client, draft, changes, field, message):
    pdf = draft.pdf.read()
    response = client.post(adopt_url(draft), adoption(confirm="1", **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and message in html
    draft.refresh_from_db()
    assert (draft.state, draft.adopted_on, draft.adopting_body) == (Bilan.State.DRAFT, None, "")
    assert draft.pdf.read() == pdf


def test_the_production_date_is_named_when_an_earlier_adoption_date_is_refused(client, draft):
    response = client.post(adopt_url(draft), adoption(adopted_on="2024-06-12"))
    produced = timezone.localdate(draft.generated_at).isoformat()
    assert f"Ce bilan a été produit le {produced}" in response.content.decode()


def test_the_partner_cannot_adopt_even_with_the_confirmation(client, draft, partner):
    client.force_login(partner)
    response = client.post(adopt_url(draft), adoption(confirm="1"))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.state == Bilan.State.DRAFT and draft.adopted_by is None


def test_a_draft_produced_earlier_accepts_an_adoption_date_from_its_production_on(client, draft):
    Bilan.objects.filter(pk=draft.pk).update(
        generated_at=timezone.now() - datetime.timedelta(days=30)
    )
    day = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    response = client.post(adopt_url(draft), adoption(adopted_on=day, confirm="1"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.adopted_on.isoformat() == day
