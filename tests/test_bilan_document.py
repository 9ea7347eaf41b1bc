"""The yearly report's content, read back from the PDF as a person would read it."""

import datetime
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from bilans.documents import gather, render_pdf, render_xlsx
from bilans.templatetags.bilans import typo
from partners.models import Organisation
from plans.models import Action
from suivi.models import Step

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
from tests.bilan_fixtures import YEAR_2024, add_step, flat


def pdf_text(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)



@pytest.fixture
def year_with_steps(lanaudiere):
    all_ = Organisation.objects.get(acronym="ALL")
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    add_step(action, datetime.date(2024, 6, 3), "Inventaire de la documentation régionale réalisée", all_)
    add_step(action, datetime.date(2025, 3, 31), "Dernier jour de l’année de reddition", all_)
    add_step(action, datetime.date(2024, 3, 31), "Étape de mars 2024 hors période", all_)
    add_step(action, datetime.date(2025, 4, 1), "Étape d’avril 2025 hors période", all_)
    add_step(action, datetime.date(2024, 9, 10), "Rencontre attendant la validation", all_, Step.Review.PENDING)
    add_step(action, datetime.date(2024, 10, 1), "Compte rendu renvoyé pour précision", all_, Step.Review.RETURNED)
    result = action.results.order_by("number").first()
    result.achieved_on = datetime.date(2024, 9, 1)
    result.save()
    return lanaudiere


def test_reporting_year_runs_from_april_to_march(lanaudiere):
    assert lanaudiere.reporting_year_starting(2024) == YEAR_2024
    lanaudiere.reporting_year_start_month = 1
    assert lanaudiere.reporting_year_starting(2024) == (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))


@pytest.fixture
def report(year_with_steps):
    pdf = render_pdf(gather(year_with_steps, *YEAR_2024))
    reader, text = pdf_text(pdf)
    return year_with_steps, pdf, reader, text


def test_pdf_has_the_plan_its_axes_and_the_steps_of_the_year_only(report):
    plan, pdf, reader, text = report
    text = flat(text)
    assert flat(plan.title) in text
    for axis in plan.axes.all():
        assert flat(axis.title) in text, axis.title
    assert "Inventaire de la documentation régionale réalisée" in text
    assert "Dernier jour de l’année de reddition" in text
    assert "hors période" not in text
    assert "1er avril 2024 au 31 mars 2025" in text


def test_pending_and_returned_steps_are_listed_apart_and_marked(report):
    _plan, _pdf, reader, _text = report
    pages = [flat(page.extract_text()) for page in reader.pages]
    apart = [number for number, page in enumerate(pages) if number > 1 and "Étapes en attente de validation" in page]
    assert apart, "no page lists the steps awaiting validation"
    listed = " ".join(pages[apart[0]:])
    assert "Rencontre attendant la validation" in listed and "À valider" in listed
    assert "Compte rendu renvoyé pour précision" in listed and "Renvoyée" in listed
    body = " ".join(pages[: apart[0]])
    assert "Rencontre attendant la validation" not in body
    assert "1 étape attend la validation" not in body  # two are waiting on 3.1.1
    assert "2 étapes attendent la validation" in body


def test_table_of_contents_has_page_numbers_and_pages_are_counted(report):
    _plan, _pdf, reader, text = report
    pages = len(reader.pages)
    assert 8 < pages < 40
    toc = flat(reader.pages[1].extract_text())
    assert "Table des matières" in toc
    assert "Sommaire de l’année" in toc and "Liste des acronymes" in toc
    # Each entry ends with the page it is on: the summary on page 4, the acronym list before the annex of
    # the steps awaiting validation, which is the last page.
    entries = {title.strip(): page for title, page in re.findall(r"([^.\d]+) \.+ (\d+)", toc)}
    assert entries["Sommaire de l’année"] == "4"
    assert entries["Annexe – Étapes en attente de validation ou renvoyées"] == str(pages)
    assert int(entries["Liste des acronymes"]) == pages - 1
    assert "Liste des acronymes" in flat(reader.pages[-2].extract_text())
    assert "Annexe – Étapes en attente de validation" in flat(reader.pages[-1].extract_text())
    assert f"page 2 de {pages}" in toc


def test_accents_survive_and_fonts_are_embedded(report):
    _plan, pdf, reader, text = report
    assert "Lanaudière" in text
    assert "réalisée" in text
    fonts = set()
    for page in reader.pages[:3]:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Open-Sans" in font for font in fonts), fonts


def test_progress_is_read_at_the_end_of_the_year_and_compared_with_its_start(year_with_steps):
    data = gather(year_with_steps, *YEAR_2024)
    action = next(
        action
        for axis in data["axes"]
        for objective in axis["objectives"]
        for action in objective["actions"]
        if action["code"] == "3.1.1"
    )
    assert action["progress"] == {"start": 0, "end": 100, "change": 100}
    assert data["progress"]["end"] > 0
    # The year before, the result was not achieved yet.
    before = gather(year_with_steps, datetime.date(2023, 4, 1), datetime.date(2024, 3, 31))
    assert before["progress"]["end"] == 0


def test_a_year_with_nothing_recorded_still_gives_a_report_that_says_so(lanaudiere):
    _reader, text = pdf_text(render_pdf(gather(lanaudiere, datetime.date(2022, 4, 1), datetime.date(2023, 3, 31))))
    text = flat(text)
    assert "Aucune étape réalisée n’a été inscrite pour cette période." in text
    assert flat(lanaudiere.title) in text


def test_archived_items_appear_only_with_steps_in_the_year(year_with_steps):
    archived_with_steps = Action.objects.get(plan=year_with_steps, code="3.1.1")
    archived_without = Action.objects.get(plan=year_with_steps, code="3.1.2")
    Action.objects.filter(pk__in=[archived_with_steps.pk, archived_without.pk]).update(archived_at=timezone.now())
    data = gather(year_with_steps, *YEAR_2024)
    actions = {a["code"]: a for axis in data["axes"] for o in axis["objectives"] for a in o["actions"]}
    assert actions["3.1.1"]["archived"] is True
    assert "3.1.2" not in actions
    _reader, text = pdf_text(render_pdf(data))
    assert "ARCHIVÉE" in text or "archivée" in text


def test_acronym_list_has_only_the_acronyms_the_report_uses(year_with_steps):
    data = gather(year_with_steps, *YEAR_2024)
    acronyms = dict(data["acronyms"])
    assert acronyms["ALL"] == "Action-Logement Lanaudière"
    text = " ".join(str(value) for value in data["axes"])
    for acronym in acronyms:
        assert acronym in text or any(acronym in " ".join(c["members"]) for c in data["committees"]), acronym
    year_with_steps.terms.create(acronym="ZZQX", meaning="Sigle que le bilan n’emploie pas")
    assert "ZZQX" not in dict(gather(year_with_steps, *YEAR_2024)["acronyms"])


def test_french_typography_puts_no_break_spaces_where_french_wants_them():
    assert typo("Objectif : loger!") == "Objectif\u00a0: loger\u202f!"
    assert typo("« projet »") == "«\u00a0projet\u00a0»"
    assert typo("d'actions") == "d’actions"
    assert typo("Quoi ? Ceci; cela") == "Quoi\u202f? Ceci\u202f; cela"
    assert typo("https://exemple.org/?q=1 à 10:30") == "https://exemple.org/?q=1 à 10:30"


def test_workbook_has_one_sheet_per_axis(year_with_steps):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(render_xlsx(gather(year_with_steps, *YEAR_2024))))
    assert len(workbook.sheetnames) == year_with_steps.axes.count()
    assert all(name.startswith(f"Axe {n}") for n, name in enumerate(workbook.sheetnames, start=1))
    rows = list(workbook[workbook.sheetnames[2]].values)
    assert rows[0][:3] == ("Objectif", "Action", "Moyen ou action")
    steps = [row for row in rows if row[1] == "3.1.1"]
    assert {row[10] for row in steps} >= {"Inventaire de la documentation régionale réalisée"}
    assert {row[11] for row in steps} == {"Validée", "À valider", "Renvoyée"}


def test_pages_rendered_to_png_for_a_person_to_look_at(report):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm est absent (apt-get install poppler-utils, comme dans .ci/run) : pas d’images.")
    _plan, pdf, reader, _text = report
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "bilan-lanaudiere-2024.pdf"
    source.write_bytes(pdf)
    texts = [page.extract_text() for page in reader.pages]
    summary_page = next(number for number, text in enumerate(texts, start=1) if text.startswith("Sommaire de l’année"))
    steps_page = next(number for number, text in enumerate(texts, start=1) if "Inventaire de la documentation" in text)
    for name, page in (("bilan-page-1", 1), ("bilan-page-tableau", summary_page), ("bilan-page-etapes", steps_page)):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", source, ARTIFACTS / name],
            check=True,
        )
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


@pytest.mark.parametrize("processes", [1, 2], ids=["in-this-process", "in-child-processes"])
def test_a_long_report_rendered_in_parts_reads_the_same(year_with_steps, monkeypatch, settings, processes):
    """Long reports are laid out one part at a time to bound memory (in child processes side by side, or
    one after the other in this process); the reader sees the same pages, the same table of contents and
    the same page numbers."""
    from bilans import documents

    settings.BILAN_RENDER_PROCESSES = processes
    data = gather(year_with_steps, *YEAR_2024)
    whole = PdfReader(io.BytesIO(render_pdf(data)))
    monkeypatch.setattr(documents, "PARTS_ABOVE", 0)
    parts = PdfReader(io.BytesIO(render_pdf(data)))
    assert len(parts.pages) == len(whole.pages)

    def toc(reader):
        text = flat(reader.pages[1].extract_text())
        return {title.strip(): page for title, page in re.findall(r"([^.\d]+) \.+ (\d+)", text)}

    assert toc(parts) == toc(whole)
    assert len(toc(parts)) >= 10
    pages = len(parts.pages)
    for number, page in enumerate(parts.pages[1:], start=2):
        text = flat(page.extract_text())
        assert f"page {number} de {pages}" in text
        assert flat(year_with_steps.title) in text  # the running header
    assert "page 1 de" not in flat(parts.pages[0].extract_text())
    text = flat(" ".join(page.extract_text() for page in parts.pages))
    assert "Inventaire de la documentation régionale réalisée" in text and "hors période" not in text


def test_the_background_task_lays_a_long_report_out_in_child_processes(
    year_with_steps, monkeypatch, settings, tmp_path
):
    """The task as development and the tests run it (ImmediateBackend, in the calling process): the
    parts go to spawned children, which set Django up themselves, and the bilan comes back ready."""
    from bilans import documents
    from bilans.models import Bilan
    from bilans.tasks import prepare_bilan

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path
    settings.BILAN_RENDER_PROCESSES = 2
    monkeypatch.setattr(documents, "PARTS_ABOVE", 0)
    started = []
    real = documents.part_renderer

    def watched(parts):
        started.append(min(documents.render_processes(), parts))
        return real(parts)

    monkeypatch.setattr(documents, "part_renderer", watched)
    bilan = Bilan.objects.create(
        plan=year_with_steps, version=1, year=2024, starts_on=YEAR_2024[0], ends_on=YEAR_2024[1]
    )
    prepare_bilan.enqueue(bilan.pk)
    bilan.refresh_from_db()
    assert (bilan.rendering, bilan.progress, bilan.error) == (Bilan.Rendering.READY, 100, "")
    if (os.cpu_count() or 1) > 1:
        assert started == [2]
    reader, text = pdf_text(bilan.pdf.read())
    pages = len(reader.pages)
    assert f"page {pages} de {pages}" in flat(reader.pages[-1].extract_text())
    assert "Inventaire de la documentation régionale réalisée" in flat(text)
