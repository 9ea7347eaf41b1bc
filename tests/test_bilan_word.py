"""The bilan in Word: read back with python-docx, it says what the PDF says (pypdf's text)."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from PIL import Image
from pypdf import PdfReader

from bilans.documents import gather, render_pdf
from bilans.models import Bilan
from bilans.templatetags.bilans import percent, signed
from bilans.word import render_docx
from meetings.models import Attendance, Decision, Meeting
from partners.models import Organisation
from plans.models import Action
from suivi.models import PlannedStep, Step

from tests.bilan_fixtures import YEAR_2024, add_step, media  # noqa: F401  (fixture)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def flat(text):
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").replace("’", "'").split())


@pytest.fixture
def year(lanaudiere):
    all_ = Organisation.objects.get(acronym="ALL")
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    add_step(action, datetime.date(2024, 6, 3), "Inventaire de la documentation régionale réalisé", all_)
    add_step(action, datetime.date(2024, 11, 5), "Rencontre des partenaires de la MRC", all_)
    add_step(action, datetime.date(2024, 9, 10), "Rencontre attendant la validation", all_, Step.Review.PENDING)
    result = action.results.order_by("number").first()
    result.achieved_on = datetime.date(2025, 3, 15)
    result.save()
    return lanaudiere


TEXTS = {
    "word": "Une année **riche** pour le chantier.\n\nMerci aux partenaires :\n\n- ALL\n- TPDSL",
    "outlook": "Voir [le site du chantier](https://chantier.example.org/plan) pour la suite.",
}


def read_docx(content):
    return Document(io.BytesIO(content))


def headings(document):
    return [
        (int(p.style.name.removeprefix("Heading ")), flat(p.text))
        for p in document.paragraphs
        if p.style.name.startswith("Heading ")
    ]


def docx_text(document):
    lines = [p.text for p in document.paragraphs]
    lines += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return flat("\n".join(lines))


def pdf_outline(reader, outline=None, level=1):
    """The PDF's bookmarks (WeasyPrint makes one per heading): [(level, title)]."""
    found = []
    for item in reader.outline if outline is None else outline:
        if isinstance(item, list):
            found += pdf_outline(reader, item, level + 1)
        else:
            found.append((level, flat(item.title)))
    return found


@pytest.fixture
def both(year):
    data = gather(year, *YEAR_2024, texts=TEXTS)
    pdf = PdfReader(io.BytesIO(render_pdf(data)))
    return data, read_docx(render_docx(data)), pdf


def test_the_word_document_has_the_pdfs_headings_at_the_same_levels(both):
    data, document, pdf = both
    assert headings(document) == pdf_outline(pdf)
    levels = dict((title, level) for level, title in headings(document))
    assert levels[flat(data["plan"]["title"])] == 1
    assert levels["Sommaire de l'année"] == 2 and levels["Mot de la coordination"] == 2
    assert levels[flat("Axe 3 : " + data["axes"][2]["title"])] == 2
    assert any(level == 3 and title.startswith("3.1 ") for title, level in levels.items())


def test_the_word_document_holds_the_same_figures_as_the_pdf(both):
    data, document, pdf = both
    pdf_text = flat("\n".join(page.extract_text() for page in pdf.pages))
    text = docx_text(document)
    for said in (
        "2 étapes réalisées et validées durant la période.",
        "1 autre étape attend la validation de la coordination",
        "1 résultat attendu atteint durant la période.",
        "atteint le 15 mars 2025",
        "Inventaire de la documentation régionale réalisé",
    ):
        assert said in text and said in pdf_text, said

    summary = document.tables[0]
    rows = [[flat(cell.text) for cell in row.cells] for row in summary.rows]
    assert rows[0] == ["", "Au début", "À la fin", "Variation (points)", "Étapes validées", "Étapes prévues", "dont réalisées"]
    expected = [("Ensemble du plan", data)]
    for axis in data["axes"]:
        expected.append((flat(f"Axe {axis['code']} : {axis['title']}"), axis))
    for row, (label, counts) in zip(rows[1:], expected):
        progress = counts["progress"]
        figures = [flat(percent(progress["start"])), flat(percent(progress["end"]))]
        figures += [signed(progress["change"]), str(counts["step_count"])]
        figures += [str(counts["planned_count"]), str(counts["planned_done_count"])]
        assert row == [label, *figures]
        # The PDF's table has the same row.
        assert flat(" ".join([label, *figures])) in pdf_text, label
    assert len(rows) == 1 + 1 + len(data["axes"])
    axis_3 = next(row for row in rows if row[0].startswith("Axe 3 "))
    assert axis_3[4] == "2" and axis_3[2] != "0 %"  # the year's steps and the result achieved in March 2025

    organisations = next(table for table in document.tables if table.rows[0].cells[0].text == "Organisation")
    rows = [[flat(cell.text) for cell in row.cells] for row in organisations.rows]
    assert ["Action-Logement Lanaudière (ALL)", "2", "1", "3.1.1"] in rows


def test_the_committees_words_keep_their_paragraphs_lists_bold_and_links(both):
    _data, document, _pdf = both
    paragraphs = document.paragraphs
    riche = next(p for p in paragraphs if "riche" in p.text)
    assert [run.text for run in riche.runs if run.bold] == ["riche"]
    items = [p.text for p in paragraphs if p.style.name == "List Bullet" and p.text in ("ALL", "TPDSL")]
    assert items == ["ALL", "TPDSL"]
    link = next(p for p in paragraphs if "site du chantier" in p.text)
    targets = [rel.target_ref for rel in link.part.rels.values() if rel.reltype.endswith("/hyperlink")]
    assert "https://chantier.example.org/plan" in targets
    assert link.hyperlinks[0].text == "le site du chantier"


def test_the_progress_chart_is_a_picture(both):
    data, document, _pdf = both
    pictures = document.inline_shapes
    assert len(pictures) == 1
    blob = document.part.related_parts[pictures[0]._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    image = Image.open(io.BytesIO(blob))
    assert image.format == "PNG" and image.width > 1000
    # The plan's bar is drawn in the PDF's dark blue, as far as its progress goes.
    colours = {colour for _count, colour in image.getcolors(100_000)}
    assert ((0x0B, 0x53, 0x94) in colours) == bool(data["progress"]["end"])


def test_title_and_language_are_in_the_files_properties(both):
    data, document, _pdf = both
    assert document.core_properties.title == f"Bilan annuel – {data['plan']['title']}"
    assert document.core_properties.language == "fr-CA"
    defaults = document.styles.element.xpath("//w:docDefaults//w:lang/@w:val")
    assert defaults == ["fr-CA"]


def test_a_draft_says_projet_and_an_adopted_bilan_adopte_on_every_page(year):
    data = gather(year, *YEAR_2024)
    draft = read_docx(render_docx(data, mark="Projet — version 2 du 1er décembre 2026"))
    adopted = read_docx(render_docx(data, mark="Adopté le 12 juin 2027 par le comité de coordination"))
    for document, mark in ((draft, "Projet — version 2 du 1er décembre 2026"), (adopted, "Adopté le 12 juin 2027")):
        assert len(document.sections) == 1 and not document.sections[0].different_first_page_header_footer
        header = flat(" ".join(p.text for p in document.sections[0].header.paragraphs))
        assert mark in header and "2024-2025" in header
    assert "Adopté" not in flat(" ".join(p.text for p in draft.sections[0].header.paragraphs))


def test_committee_member_downloads_the_word_document_beside_the_pdf(client, year, committee_member):
    client.force_login(committee_member)
    client.post(reverse("bilans:create", args=[year.slug]), {"year": "2024"})
    bilan = Bilan.objects.get()
    page = client.get(bilan.get_absolute_url()).content.decode()
    url = reverse("bilans:docx", args=[year.slug, bilan.pk])
    assert f'href="{url}"' in page and "Word" in page

    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert 'filename="bilan-lanaudiere-2024-2026-2024-2025-v1.docx"' in response["Content-Disposition"]
    document = read_docx(response.content)
    header = flat(" ".join(p.text for p in document.sections[0].header.paragraphs))
    assert re.search(r"Projet — version 1 du \d", header)


def test_an_adopted_bilans_word_document_says_adopte_le(client, year, coordinator):
    client.force_login(coordinator)
    client.post(reverse("bilans:create", args=[year.slug]), {"year": "2024"})
    bilan = Bilan.objects.get()
    bilan.adopt("Rencontre du comité", timezone.localdate(), "le comité de coordination", coordinator)
    Bilan.objects.filter(pk=bilan.pk).update(rendering=Bilan.Rendering.READY)
    document = read_docx(client.get(reverse("bilans:docx", args=[year.slug, bilan.pk])).content)
    header = flat(" ".join(p.text for p in document.sections[0].header.paragraphs))
    assert "Adopté le" in header and "par le comité de coordination" in header and "Projet" not in header


def test_outsiders_get_no_word_document(client, year, coordinator, outsider, other_coordinator):
    client.force_login(coordinator)
    client.post(reverse("bilans:create", args=[year.slug]), {"year": "2024"})
    bilan = Bilan.objects.get()
    url = reverse("bilans:docx", args=[year.slug, bilan.pk])
    for person in (outsider, other_coordinator):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_bilan_not_yet_gathered_has_no_word_document(client, year, coordinator):
    bilan = Bilan.create_draft(year, *YEAR_2024, year=2024, user=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("bilans:docx", args=[year.slug, bilan.pk]))
    assert response.status_code == 404


def test_command_writes_the_word_document_and_still_the_pdf(year, tmp_path):
    docx_file, pdf_file = tmp_path / "bilan.docx", tmp_path / "bilan.pdf"
    call_command("bilan", "lanaudiere-2024-2026", "--year", "2024", "--output", str(docx_file), stdout=io.StringIO())
    call_command("bilan", "lanaudiere-2024-2026", "--year", "2024", "--output", str(pdf_file), stdout=io.StringIO())
    assert "Rencontre des partenaires de la MRC" in docx_text(read_docx(docx_file.read_bytes()))
    assert pdf_file.read_bytes().startswith(b"%PDF") and not Bilan.objects.exists()


def test_each_numbered_list_of_the_committee_starts_again_at_one(year):
    texts = {"word": "1. Mobiliser\n2. Documenter", "outlook": "1. Adopter le plan 2027\n2. Élargir le comité"}
    document = read_docx(render_docx(gather(year, *YEAR_2024, texts=texts)))
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["Mobiliser", "Documenter", "Adopter le plan 2027", "Élargir le comité"]
    lists = [p._p.pPr.numPr.numId.val for p in numbered]
    assert lists[0] == lists[1] != lists[2] == lists[3]
    numbering = document.part.numbering_part.element
    for number_id in (lists[0], lists[2]):
        override = numbering.num_having_numId(number_id).xpath("./w:lvlOverride/w:startOverride/@w:val")
        assert override == ["1"]


# The two formats side by side, with every section a bilan can have


@pytest.fixture
def full_year(year):
    """The year of `year`, with two planned steps on 3.1.1 (one done) and a coordination committee in
    October 2024: ALL present, TPDSL excused, one decision about 3.1.1."""
    all_, tpdsl = Organisation.objects.get(acronym="ALL"), Organisation.objects.get(acronym="TPDSL")
    action = Action.objects.get(plan=year, code="3.1.1")
    done = action.steps.get(description="Rencontre des partenaires de la MRC")
    PlannedStep.objects.create(action=action, organisation=all_, description="Rencontre", due_on=datetime.date(2024, 11, 1), step=done)
    PlannedStep.objects.create(action=action, organisation=all_, description="Portrait", due_on=datetime.date(2025, 2, 1))
    starts_at = timezone.make_aware(datetime.datetime(2024, 10, 15, 13, 30))
    meeting = Meeting.objects.create(
        plan=year, body=Meeting.Body.COORDINATION, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2),
        place="Salle du conseil, Joliette",
    )
    Attendance.objects.create(meeting=meeting, organisation=all_, presence=Attendance.Presence.PRESENT)
    Attendance.objects.create(meeting=meeting, organisation=tpdsl, presence=Attendance.Presence.EXCUSED)
    Decision.objects.create(meeting=meeting, text="Le comité adopte le portrait régional.").actions.add(action)
    return year


def test_the_pdf_and_the_word_document_hold_the_same_sections_and_figures(full_year):
    data = gather(full_year, *YEAR_2024, texts=TEXTS)
    pdf = PdfReader(io.BytesIO(render_pdf(data)))
    document = read_docx(render_docx(data))
    pdf_text = flat("\n".join(page.extract_text() for page in pdf.pages))

    # The same headings, at the same levels: a section in one format only fails here.
    assert headings(document) == pdf_outline(pdf)
    titles = [title for _level, title in headings(document)]
    assert "Réunions et décisions de l'année" in titles and "Contributions des organisations" in titles
    assert "Comité de coordination, 15 octobre 2024, 13 h 30" in titles

    # Every row of every table of the Word document (its header aside) reads the same in the PDF; the
    # acronyms, a list beside its terms in the PDF, term by term.
    pdf_words = pdf_text.replace("’", "'")
    for grid in document.tables:
        acronyms = grid.rows[0].cells[0].text == "Acronyme"
        for row in grid.rows[1:]:
            cells = [flat(cell.text) for cell in row.cells]
            for said in cells if acronyms else [" ".join(cells)]:
                assert said in pdf_words, said

    # The key figures: steps, results achieved, planned steps done/planned per axis, attendance.
    summary = [[flat(cell.text) for cell in row.cells] for row in document.tables[0].rows]
    assert summary[0][-2:] == ["Étapes prévues", "dont réalisées"]
    axis_3 = next(row for row in summary if row[0].startswith("Axe 3 "))
    assert (axis_3[4], axis_3[5], axis_3[6]) == ("2", "2", "1")
    assert summary[1][4:] == [str(data["step_count"]), "2", "1"]
    contributions = next(t for t in document.tables if t.rows[0].cells[0].text == "Organisation")
    rows = [[flat(cell.text) for cell in row.cells] for row in contributions.rows]
    assert rows[0] == ["Organisation", "Étapes validées", "En attente", "Réunions", "Actions auxquelles elle a contribué"]
    assert ["Action-Logement Lanaudière (ALL)", "2", "1", "1", "3.1.1"] in rows
    assert not any(row[0].endswith("(TPDSL)") for row in rows)  # excused, and no step: no contribution
    for said in (
        "2 étapes réalisées et validées durant la période.",
        "1 résultat attendu atteint durant la période.",
        "Organisations présentes : ALL Excusées : TPDSL",
        "Le comité adopte le portrait régional. (actions 3.1.1)",
    ):
        assert said in docx_text(document) and said in pdf_text, said
