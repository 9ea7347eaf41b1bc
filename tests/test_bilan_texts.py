"""The committee writes its words into a draft bilan in the browser; they are frozen with it at adoption,
and a later edit makes a new draft."""


from django.urls import reverse
from django.utils import timezone

from bilans.models import Bilan
from bilans.narrative import to_html

from tests.bilan_fixtures import draft, media, stored_pdf_pages  # noqa: F401  (fixtures)


def texts_url(bilan):
    return reverse("bilans:texts", args=[bilan.plan.slug, bilan.pk])


def pdf_text(bilan):
    return " ".join(stored_pdf_pages(bilan))


WORDS = {
    "word": "Une année de **chantier** : merci aux partenaires.\n\nVoir [le site](https://exemple.org).",
    "highlights": "- Trois ateliers régionaux\n- Un portrait des besoins",
    "challenges": "Le financement reste fragile.",
    "outlook": "1. Adopter le plan 2027\n2. Élargir le comité",
    "axe-1": "Un axe bien entamé.",
    "objectif-3.1": "Objectif au cœur de l'année.",
}


def test_the_markup_gives_paragraphs_lists_bold_and_links_and_nothing_else():
    html = to_html("Un **mot**\nsur deux lignes\n\n- un\n- deux\n\n1. premier\n\n[lien](https://exemple.org)")
    assert html == (
        "<p>Un <strong>mot</strong><br>sur deux lignes</p><ul><li>un</li><li>deux</li></ul>"
        '<ol><li>premier</li></ol><p><a href="https://exemple.org" rel="noopener noreferrer">lien</a></p>'
    )
    hostile = to_html('<script>alert(1)</script> [x](javascript:alert(1)) <b onclick="x">b</b>')
    assert "<script" not in hostile and "<b " not in hostile and "href" not in hostile  # all of it as text
    assert "&lt;script&gt;" in hostile


def test_committee_writes_its_words_into_the_draft_and_the_pdf_has_them(client, draft):
    page = client.get(texts_url(draft)).content.decode()
    assert "Mot de la coordination" in page and "Commentaire sur l’objectif 3.1" in page
    assert "<script" not in page.split("<main", 1)[1] and 'style="' not in page
    response = client.post(texts_url(draft), WORDS)
    assert response.status_code == 302 and response.url == draft.get_absolute_url()
    draft.refresh_from_db()
    assert (draft.version, draft.state, draft.rendering) == (1, Bilan.State.DRAFT, Bilan.Rendering.READY)
    assert draft.texts["axes"] == {"1": "Un axe bien entamé."}
    assert draft.data["texts"] == draft.texts
    text = pdf_text(draft)
    assert "Une année de chantier : merci aux partenaires." in text
    assert "Trois ateliers régionaux" in text and "Élargir le comité" in text
    assert "Défis rencontrés" in text and "Le financement reste fragile." in text
    assert "Un axe bien entamé." in text and "Objectif au cœur de l’année." in text
    preview = client.get(reverse("bilans:preview", args=[draft.plan.slug, draft.pk])).content.decode()
    assert "<strong>chantier</strong>" in preview and "<style" not in preview


def test_words_survive_adoption_unchanged_and_a_later_edit_makes_a_new_draft(client, draft):
    client.post(texts_url(draft), WORDS)
    client.post(
        reverse("bilans:adopt", args=[draft.plan.slug, draft.pk]),
        {"adopting_body": "le comité", "meeting": "Comité", "adopted_on": timezone.localdate().isoformat(), "confirm": "1"},
    )
    draft.refresh_from_db()
    assert draft.is_adopted and draft.data["texts"]["challenges"] == "Le financement reste fragile."
    with draft.pdf.open("rb") as stored:
        adopted_pdf, adopted_data = stored.read(), draft.data
    assert "Le financement reste fragile." in pdf_text(draft)

    response = client.post(texts_url(draft), {**WORDS, "challenges": "Un défi de plus."})
    new = Bilan.objects.get(plan=draft.plan, version=2)
    assert response.url == new.get_absolute_url()
    assert new.state == Bilan.State.DRAFT and new.texts["challenges"] == "Un défi de plus."
    assert "Un défi de plus." in pdf_text(new)
    draft.refresh_from_db()
    with draft.pdf.open("rb") as stored:
        assert draft.data == adopted_data and stored.read() == adopted_pdf
    assert draft.texts["challenges"] == "Le financement reste fragile."


def test_a_partner_cannot_write_the_committee_s_words(client, draft, partner, settings):
    client.force_login(partner)
    assert client.get(texts_url(draft)).status_code == 403
    assert client.post(texts_url(draft), WORDS).status_code == 403
    draft.refresh_from_db()
    assert draft.texts == {} and Bilan.objects.count() == 1


def test_a_text_too_long_is_refused_at_its_field(client, draft):
    response = client.post(texts_url(draft), {**WORDS, "outlook": "x" * 20_001})
    assert response.status_code == 200
    assert 'id="id_outlook_error"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.texts == {}


def test_an_acronym_the_committee_uses_is_in_the_acronym_list(lanaudiere):
    import datetime

    from bilans.documents import gather

    lanaudiere.terms.create(acronym="ZZQX", meaning="Sigle du mot de la coordination")
    year = (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    assert "ZZQX" not in dict(gather(lanaudiere, *year)["acronyms"])
    data = gather(lanaudiere, *year, texts={"word": "Merci au ZZQX."})
    assert dict(data["acronyms"])["ZZQX"] == "Sigle du mot de la coordination"
    assert data["texts"] == {"word": "Merci au ZZQX."}
