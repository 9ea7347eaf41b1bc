"""« Le plan et ses étapes réalisées »: the coordination, the committee (and the partners when the plan allows
it) see the plan as its source document lays it out, each action's validated steps in the last column, as a
page, a landscape PDF and a landscape Word document; nobody else does."""

import datetime
import io
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.enum.section import WD_ORIENT
from pypdf import PdfReader

from bilans import plan_steps
from bilans.models import PlanDocument
from partners.models import Organisation
from plans.models import Action
from suivi.models import Step
from tests.bilan_fixtures import IMMEDIATE, YEAR_2024, add_step, flat
from tests.factories import make_plan

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
COLUMNS = ["Objectifs", "Moyens ou action", "Organismes partenaires", "Résultats attendus", "Année de référence",
           "Étapes réalisées"]


@pytest.fixture
def steps(lanaudiere):
    all_ = Organisation.objects.get(acronym="ALL")
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    add_step(action, datetime.date(2024, 6, 3), "Inventaire de la documentation régionale réalisé", all_)
    add_step(action, datetime.date(2025, 11, 5), "Rencontre des partenaires de la MRC en 2025", all_)
    add_step(action, datetime.date(2024, 9, 10), "Rencontre attendant la validation", all_, Step.Review.PENDING)
    add_step(action, datetime.date(2024, 10, 1), "Compte rendu renvoyé", all_, Step.Review.RETURNED)
    return lanaudiere


def page_url(plan, name="bilans:plan_steps", **query):
    url = reverse(name, args=[plan.slug])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def test_the_plan_page_links_to_it_and_it_reads_like_the_source_document(client, steps, coordinator):
    client.force_login(coordinator)
    assert f'href="{page_url(steps)}"' in client.get(steps.get_absolute_url()).content.decode()
    response = client.get(page_url(steps))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le plan et ses étapes réalisées" in page and "du 1er janvier 2024 au 31 décembre 2026" in page
    for column in COLUMNS:
        assert f'<th scope="col">{column}</th>' in page
    assert page.count('class="plan-steps-table"') == steps.axes.count()
    # Validated steps of the whole plan by default; never those waiting or sent back.
    assert "Inventaire de la documentation régionale réalisé" in page and "Rencontre des partenaires de la MRC" in page
    assert "Rencontre attendant la validation" not in page and "Compte rendu renvoyé" not in page
    # The objective's cell spans its actions, as in the document.
    objective = steps.objectives.get(code="1.1")
    assert f'rowspan="{objective.actions.active().count()}"><span class="code">1.1</span>' in page
    assert "style=" not in page and "<script>" not in page


def test_a_reporting_year_shows_only_its_steps(client, steps, committee_member):
    client.force_login(committee_member)
    page = client.get(page_url(steps, year=2024)).content.decode()
    assert "du 1er avril 2024 au 31 mars 2025" in page
    assert "Inventaire de la documentation régionale réalisé" in page and "en 2025" not in page
    # The downloads carry the same period.
    assert f'href="{page_url(steps, "bilans:plan_steps_pdf", year=2024)}"' in page


def test_a_wrong_period_is_said_at_its_field_and_the_whole_plan_shown(client, steps, coordinator):
    client.force_login(coordinator)
    response = client.get(page_url(steps, starts_on="2025-05-01", ends_on="2024-01-01"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "La date de fin ne peut pas précéder la date de début." in page
    assert "Inventaire de la documentation régionale réalisé" in page  # the whole plan meanwhile
    response = client.get(page_url(steps, starts_on="pas une date", year="3000"))
    assert response.status_code == 400 and "Sélectionnez un choix valide" in response.content.decode()
    # The year before the plan's first, as the bilans offer it, is a choice here too.
    assert client.get(page_url(steps, year=steps.first_year - 1)).status_code == 200


def test_the_pdf_is_landscape_tagged_and_holds_the_tables_and_steps(client, steps, coordinator):
    client.force_login(coordinator)
    response = client.get(page_url(steps, "bilans:plan_steps_pdf", year=2024))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="plan-et-etapes-lanaudiere-2024-2026-20240401-20250331.pdf"' in response["Content-Disposition"]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "plan-et-etapes.pdf").write_bytes(response.content)
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr-CA" and bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog
    assert reader.metadata.title == f"Le plan et ses étapes réalisées – {steps.title}"
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    for column in COLUMNS:
        assert column in text
    assert "Inventaire de la documentation régionale réalisé" in text and "en 2025" not in text
    assert "Rencontre attendant la validation" not in text
    assert "Axe 4 :" in text and len(reader.pages) >= steps.axes.count()


def test_the_word_document_is_landscape_with_a_table_per_axis(client, steps, committee_member):
    client.force_login(committee_member)
    response = client.get(page_url(steps, "bilans:plan_steps_docx", year=2024))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    assert document.core_properties.language == "fr-CA"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == f"Le plan et ses étapes réalisées – {steps.title}"
    assert len(document.tables) == steps.axes.count() == len(headings) - 1
    for table in document.tables:
        assert [cell.text for cell in table.rows[0].cells] == COLUMNS
    axis_3 = document.tables[2]
    row = next(row for row in axis_3.rows if row.cells[1].text.startswith("3.1.1 "))
    assert flat(row.cells[5].text) == "2024-06-03 ALL Inventaire de la documentation régionale réalisé"
    assert "Rencontre attendant" not in row.cells[5].text and "en 2025" not in row.cells[5].text
    # The objective's cell is merged down its actions: each of its rows reads the same cell.
    objective_rows = [r for r in axis_3.rows[1:] if r.cells[0].text.startswith("3.1 ")]
    assert len(objective_rows) == steps.objectives.get(code="3.1").actions.active().count()
    assert len({r.cells[0]._tc for r in objective_rows}) == 1


def test_partners_see_it_only_when_the_plan_lets_them_download_bilans(client, steps, partner):
    client.force_login(partner)
    assert client.get(page_url(steps)).status_code == 403
    assert client.get(page_url(steps, "bilans:plan_steps_pdf")).status_code == 403
    steps.partners_may_download_bilans = True
    steps.save()
    assert client.get(page_url(steps)).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "other_coordinator"])
def test_people_outside_the_plan_are_told_it_does_not_exist(client, steps, who, request):
    client.force_login(request.getfixturevalue(who))
    for name in ("bilans:plan_steps", "bilans:plan_steps_pdf", "bilans:plan_steps_docx"):
        assert client.get(page_url(steps, name)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, steps):
    response = client.get(page_url(steps))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_its_data_is_read_in_the_same_queries_whatever_the_size_of_the_plan(lanaudiere):
    counts = []
    for plan in (lanaudiere, make_plan("grand-tableau", actions=300)):
        with CaptureQueriesContext(connection) as queries:
            data = plan_steps.gather(plan, *YEAR_2024)
        counts.append(len(queries))
        assert sum(len(o["actions"]) for a in data["axes"] for o in a["objectives"]) == plan.actions.active().count()
    assert counts[0] == counts[1]


# A large plan's PDF is made in the background


def test_a_large_plans_pdf_is_made_in_the_background_and_downloaded_from_its_page(
    client, steps, committee_member, monkeypatch, settings, tmp_path
):
    settings.TASKS, settings.MEDIA_ROOT = IMMEDIATE, tmp_path  # the task runs at once, as in development
    monkeypatch.setattr(plan_steps, "IN_REQUEST_UP_TO", 10)  # Lanaudière's 37 actions are then "large"
    client.force_login(committee_member)

    response = client.get(page_url(steps, "bilans:plan_steps_pdf", year=2024))

    document = PlanDocument.objects.get(plan=steps)
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    assert (document.starts_on, document.ends_on, document.requested_by) == (*YEAR_2024, committee_member)
    assert document.is_ready
    page = client.get(document.get_absolute_url()).content.decode()
    download = reverse("bilans:plan_document_file", args=[steps.slug, document.pk])
    assert f'href="{download}"' in page and "plan-et-etapes-lanaudiere-2024-2026-20240401-20250331.pdf" in page
    pdf = b"".join(client.get(download).streaming_content)
    reader = PdfReader(io.BytesIO(pdf))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert "Inventaire de la documentation régionale réalisé" in flat(" ".join(p.extract_text() for p in reader.pages))


def test_a_large_plans_word_document_is_made_in_the_background_too(
    client, steps, coordinator, monkeypatch, settings, tmp_path
):
    settings.TASKS, settings.MEDIA_ROOT = IMMEDIATE, tmp_path
    monkeypatch.setattr(plan_steps, "IN_REQUEST_UP_TO", 10)
    client.force_login(coordinator)

    response = client.get(page_url(steps, "bilans:plan_steps_docx", year=2024))

    document = PlanDocument.objects.get(plan=steps)
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    assert document.kind == PlanDocument.Kind.DOCX and document.is_ready
    page = client.get(document.get_absolute_url()).content.decode()
    assert "Le plan et ses étapes réalisées (Word)" in page
    assert "plan-et-etapes-lanaudiere-2024-2026-20240401-20250331.docx" in page
    download = client.get(reverse("bilans:plan_document_file", args=[steps.slug, document.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    word = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert len(word.tables) == steps.axes.count()
    assert "Inventaire de la documentation régionale réalisé" in " ".join(c.text for t in word.tables for r in t.rows for c in r.cells)
    # The PDF of the same period is another document: asking for it does not hand back the Word one.
    client.get(page_url(steps, "bilans:plan_steps_pdf", year=2024))
    assert sorted(PlanDocument.objects.values_list("kind", flat=True)) == ["docx", "pdf"]


def test_a_plans_documents_are_kept_a_week_then_deleted_with_their_files(
    client, steps, coordinator, monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS, settings.MEDIA_ROOT = IMMEDIATE, tmp_path
    monkeypatch.setattr(plan_steps, "IN_REQUEST_UP_TO", 10)
    client.force_login(coordinator)
    client.get(page_url(steps, "bilans:plan_steps_pdf", year=2024))
    old = PlanDocument.objects.get()
    old_file = Path(old.file.path)
    assert old_file.exists()
    PlanDocument.objects.filter(pk=old.pk).update(requested_at=old.requested_at - datetime.timedelta(days=8))

    with django_capture_on_commit_callbacks(execute=True):
        client.get(page_url(steps, "bilans:plan_steps_docx", year=2024))

    assert list(PlanDocument.objects.values_list("kind", flat=True)) == ["docx"]
    assert not old_file.exists()
    # One still waiting for the worker, however old, is left to it.
    waiting = PlanDocument.objects.create(plan=steps, starts_on=YEAR_2024[0], ends_on=YEAR_2024[1])
    PlanDocument.objects.filter(pk=waiting.pk).update(requested_at=waiting.requested_at - datetime.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        client.get(page_url(steps, "bilans:plan_steps_pdf", year=2025))
    assert PlanDocument.objects.filter(pk=waiting.pk).exists()
    assert client.get(reverse("bilans:plan_document", args=[steps.slug, old.pk])).status_code == 404


def test_one_person_has_one_large_document_in_the_making_at_a_time(
    client, steps, coordinator, committee_member, monkeypatch, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # documents wait
    monkeypatch.setattr(plan_steps, "IN_REQUEST_UP_TO", 10)
    client.force_login(coordinator)
    first = client.get(page_url(steps, "bilans:plan_steps_pdf", year=2024))
    document = PlanDocument.objects.get()

    again = client.get(page_url(steps, "bilans:plan_steps_docx", year=2025), follow=True)

    assert first.url == again.redirect_chain[0][0] == document.get_absolute_url()
    assert "Votre document précédent est encore en préparation" in again.content.decode()
    assert PlanDocument.objects.count() == 1
    client.force_login(committee_member)  # someone else's click is theirs
    client.get(page_url(steps, "bilans:plan_steps_docx", year=2025))
    assert PlanDocument.objects.count() == 2


def test_the_database_holds_one_document_in_the_making_per_period_and_kind(steps):
    """Two clicks at the same moment, in two requests: the second one's row is refused and it follows the
    first's (bilans.views.queue_plan_document)."""
    period = {"plan": steps, "starts_on": YEAR_2024[0], "ends_on": YEAR_2024[1]}
    PlanDocument.objects.create(**period)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanDocument.objects.create(**period)
    PlanDocument.objects.create(**period, kind=PlanDocument.Kind.DOCX)  # the other kind is another document
    PlanDocument.objects.update(rendering="ready")
    PlanDocument.objects.create(**period)  # once made, the period may be asked again
    assert PlanDocument.objects.count() == 3


def test_a_large_plans_pdf_not_yet_made_says_so_and_cannot_be_downloaded(
    client, steps, coordinator, outsider, monkeypatch
):
    monkeypatch.setattr(plan_steps, "IN_REQUEST_UP_TO", 10)
    document = PlanDocument.objects.create(plan=steps, starts_on=YEAR_2024[0], ends_on=YEAR_2024[1])
    client.force_login(coordinator)
    page = client.get(document.get_absolute_url())
    assert "en préparation" in page.content.decode() and 'hx-trigger="every 2s"' in page.content.decode()
    assert client.get(reverse("bilans:plan_document_file", args=[steps.slug, document.pk])).status_code == 404
    # Asked again while it is being made: the same one, no second task.
    response = client.get(page_url(steps, "bilans:plan_steps_pdf", year=2024))
    assert response.url == document.get_absolute_url() and PlanDocument.objects.count() == 1
    client.force_login(outsider)
    assert client.get(document.get_absolute_url()).status_code == 404
    before = PlanDocument.objects.count()
    assert client.get(page_url(steps, "bilans:plan_steps_pdf")).status_code == 404
    assert PlanDocument.objects.count() == before  # nothing asked in their name
