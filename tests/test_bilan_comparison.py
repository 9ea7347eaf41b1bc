"""The bilan compares the year with the one before (validated steps, results achieved, progress per axis) and
says what each organisation contributed, the same way in the data, the PDF and the Word document."""

import datetime
import io
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from bilans.documents import gather, previous_period, render_html, render_pdf
from bilans.word import render_docx
from meetings.models import Attendance, Meeting
from partners.models import Organisation
from plans.models import Action
from suivi.models import Step
from tests.bilan_fixtures import YEAR_2024, add_step, flat
from tests.factories import make_plan

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def test_the_previous_period_is_the_previous_reporting_year_or_as_many_days_before():
    assert previous_period(*YEAR_2024) == (datetime.date(2023, 4, 1), datetime.date(2024, 3, 31))
    assert previous_period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)) == (
        datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    )
    # Not a whole year: the same number of days, ending the day before.
    assert previous_period(datetime.date(2024, 9, 1), datetime.date(2024, 9, 30)) == (
        datetime.date(2024, 8, 2), datetime.date(2024, 8, 31)
    )


@pytest.fixture
def two_years(lanaudiere):
    all_, tpdsl = Organisation.objects.get(acronym="ALL"), Organisation.objects.get(acronym="TPDSL")
    action_3, action_1 = Action.objects.get(plan=lanaudiere, code="3.1.1"), Action.objects.get(plan=lanaudiere, code="1.1.1")
    action_3_2 = Action.objects.get(plan=lanaudiere, code="3.2.1")
    # 2023-2024: one validated step on axis 3, one on axis 1, one left waiting; a result achieved.
    add_step(action_3, datetime.date(2023, 6, 1), "Premier inventaire", all_)
    add_step(action_1, datetime.date(2024, 3, 31), "Rencontre de mobilisation", tpdsl)
    add_step(action_1, datetime.date(2024, 2, 1), "Jamais validée", tpdsl, Step.Review.PENDING)
    first = action_3.results.order_by("number").first()
    first.achieved_on = datetime.date(2024, 3, 10)
    first.save()
    # 2024-2025: three validated steps of ALL on two actions of axis 3, one waiting; a result achieved.
    add_step(action_3, datetime.date(2024, 4, 1), "Inventaire complété", all_)
    add_step(action_3, datetime.date(2024, 11, 5), "Rencontre des partenaires de la MRC", all_)
    add_step(action_3_2, datetime.date(2025, 3, 31), "Veille publiée", all_)
    add_step(action_3_2, datetime.date(2024, 9, 10), "Rencontre attendant la validation", all_, Step.Review.PENDING)
    second = action_3_2.results.order_by("number").first()
    second.achieved_on = datetime.date(2025, 3, 15)
    second.save()
    return lanaudiere


def axis(data, code):
    return next(entry for entry in data["axes"] if entry["code"] == code)


def test_the_year_is_set_against_the_previous_one_in_the_data(two_years):
    data = gather(two_years, *YEAR_2024)
    previous = data["previous"]
    assert (previous["starts_on"], previous["ends_on"]) == ("2023-04-01", "2024-03-31")
    assert (previous["step_count"], data["step_count"]) == (2, 3)
    assert (previous["achieved_count"], data["achieved_count"]) == (1, 1)
    axis_3, axis_1 = axis(data, "3"), axis(data, "1")
    assert (axis_3["previous"]["step_count"], axis_3["step_count"]) == (1, 3)
    assert (axis_1["previous"]["step_count"], axis_1["step_count"]) == (1, 0)
    assert (axis_3["previous"]["achieved_count"], axis_3["achieved_count"]) == (1, 1)
    # Progress at the end of each year: more of axis 3's results are achieved by March 2025.
    assert axis_3["previous"]["progress"]["end"] < axis_3["progress"]["end"]
    assert axis_3["previous"]["progress"]["end"] == axis_3["progress"]["start"]


def test_each_organisation_says_its_validated_steps_and_the_actions_it_contributed_to(two_years):
    data = gather(two_years, *YEAR_2024)
    organisations = {org["acronym"]: org for org in data["organisations"]}
    assert organisations["ALL"]["validated"] == 3 and organisations["ALL"]["pending"] == 1
    assert organisations["ALL"]["actions"] == ["3.1.1", "3.2.1"]
    assert "TPDSL" not in organisations  # its steps were in the previous year


def test_each_organisation_says_the_meetings_it_attended_in_the_year_counted_in_the_same_queries(two_years):
    all_, tpdsl = Organisation.objects.get(acronym="ALL"), Organisation.objects.get(acronym="TPDSL")
    omh = Organisation.objects.exclude(pk__in=[all_.pk, tpdsl.pk]).order_by("name").first()

    def meeting(year, month, day, present=(), excused=()):
        starts_at = timezone.make_aware(datetime.datetime(year, month, day, 13, 30))
        held = Meeting.objects.create(plan=two_years, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2))
        for organisation in present:
            Attendance.objects.create(meeting=held, organisation=organisation, presence=Attendance.Presence.PRESENT)
        for organisation in excused:
            Attendance.objects.create(meeting=held, organisation=organisation, presence=Attendance.Presence.EXCUSED)

    meeting(2024, 5, 7, present=[all_, omh])
    with CaptureQueriesContext(connection) as one_meeting:
        gather(two_years, *YEAR_2024)
    meeting(2024, 10, 15, present=[all_], excused=[omh, tpdsl])
    meeting(2025, 2, 11, present=[all_, tpdsl])
    meeting(2024, 3, 12, present=[omh])  # the year before

    with CaptureQueriesContext(connection) as three_meetings:
        data = gather(two_years, *YEAR_2024)

    assert len(three_meetings) == len(one_meeting)
    organisations = {org["name"]: org for org in data["organisations"]}
    all_, tpdsl, omh = organisations[all_.name], organisations[tpdsl.name], organisations[omh.name]
    assert all_["attended"] == 3 and all_["validated"] == 3
    # No step in the year, but at meetings: they contributed too.
    assert (tpdsl["attended"], tpdsl["validated"]) == (1, 0)
    assert (omh["attended"], omh["actions"]) == (1, [])
    preview = render_html(data, for_print=False)
    assert '<th scope="col" class="number">Réunions</th>' in preview
    assert "Réunions : celles de la période où l’organisation était présente." in preview


def test_the_pdf_and_the_word_document_hold_the_same_comparison_and_contributions(two_years):
    data = gather(two_years, *YEAR_2024)
    pdf = render_pdf(data)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "bilan-comparaison.pdf").write_bytes(pdf)
    pdf_text = flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    document = Document(io.BytesIO(render_docx(data)))
    headings = [flat(p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    title = "L’année 2024-2025 comparée à 2023-2024"
    assert title in headings and title in pdf_text

    table = next(t for t in document.tables if t.rows[0].cells[1].text.startswith("Étapes validées 2023-2024"))
    rows = [[flat(cell.text) for cell in row.cells] for row in table.rows]
    assert rows[0][1:] == [
        "Étapes validées 2023-2024", "Étapes validées 2024-2025", "Résultats atteints 2023-2024",
        "Résultats atteints 2024-2025", "Avancement à la fin 2023-2024", "Avancement à la fin 2024-2025",
    ]
    assert rows[1][:5] == ["Ensemble du plan", "2", "3", "1", "1"]
    axis_3 = next(row for row in rows if row[0].startswith("Axe 3 "))
    assert axis_3[1:5] == ["1", "3", "1", "1"]
    for row in rows[1:]:
        assert " ".join(row) in pdf_text, row  # the PDF's table reads the same, row by row

    contributions = next(t for t in document.tables if t.rows[0].cells[0].text == "Organisation")
    assert [flat(c.text) for c in contributions.rows[0].cells][-1] == "Actions auxquelles elle a contribué"
    assert ["Action-Logement Lanaudière (ALL)", "3", "1", "3.1.1, 3.2.1"] in [
        [flat(c.text) for c in row.cells] for row in contributions.rows
    ]
    assert "Action-Logement Lanaudière (ALL) 3 1 3.1.1, 3.2.1" in pdf_text


def test_a_bilan_frozen_before_the_comparison_existed_still_reads(two_years):
    data = gather(two_years, *YEAR_2024)
    del data["previous"]
    for org in data["organisations"]:
        del org["actions"]
    assert "comparée à" not in render_html(data)
    assert render_docx(data)


def test_the_comparison_costs_the_same_queries_whatever_the_size_of_the_plan(db):
    counts = []
    for plan in (make_plan("petit-bilan", actions=20), make_plan("grand-bilan", actions=300)):
        with CaptureQueriesContext(connection) as queries:
            gather(plan, *YEAR_2024)
        counts.append(len(queries))
    assert counts[0] == counts[1]
