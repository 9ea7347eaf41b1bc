"""The bilans pages as the committee and the coordination use them, refusals for everyone else, the
background preparation, adoption, and the `bilan` command."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from bilans.models import Bilan
from partners.models import Organisation
from plans.models import Action, PlanRole
from suivi.models import Step
from tests.conftest import make_person
from tests.factories import make_plan

from tests.bilan_fixtures import media  # noqa: F401  (fixture)

DATABASE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


@pytest.fixture
def steps(lanaudiere):
    organisation = Organisation.objects.get(acronym="ALL")
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    for done_on, text in [(datetime.date(2024, 5, 2), "Étape validée de mai 2024"), (datetime.date(2023, 5, 2), "Étape de 2023")]:
        Step.objects.create(
            action=action, done_on=done_on, description=text, organisation=organisation,
            review=Step.Review.VALIDATED, reviewed_at=timezone.now(),
        )
    return lanaudiere


def generate(client, plan, **data):
    return client.post(reverse("bilans:create", args=[plan.slug]), data or {"year": "2024"})


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_committee_member_generates_downloads_and_previews_a_bilan(client, steps, committee_member):
    client.force_login(committee_member)
    response = generate(client, steps)
    bilan = Bilan.objects.get()
    assert response.status_code == 302 and response.url == bilan.get_absolute_url()
    assert (bilan.version, bilan.state, bilan.rendering) == (1, Bilan.State.DRAFT, Bilan.Rendering.READY)
    assert (bilan.starts_on, bilan.ends_on, bilan.created_by) == (
        datetime.date(2024, 4, 1), datetime.date(2025, 3, 31), committee_member
    )

    page = client.get(bilan.get_absolute_url()).content.decode()
    assert "bilan-lanaudiere-2024-2026-2024-2025-v1.pdf" in page
    assert "every 2s" not in page

    response = client.get(reverse("bilans:pdf", args=[steps.slug, bilan.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="bilan-lanaudiere-2024-2026-2024-2025-v1.pdf"' in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "Étape validée de mai 2024" in text and "Étape de 2023" not in text

    preview = client.get(reverse("bilans:preview", args=[steps.slug, bilan.pk])).content.decode()
    assert "Étape validée de mai 2024" in preview and "Table des matières" in preview


def test_coordinator_gets_the_data_as_a_workbook_one_sheet_per_axis(client, steps, coordinator):
    client.force_login(coordinator)
    generate(client, steps)
    bilan = Bilan.objects.get()
    response = client.get(reverse("bilans:xlsx", args=[steps.slug, bilan.pk]))
    assert response.status_code == 200
    assert "bilan-lanaudiere-2024-2026-2024-2025-v1.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [name for name in workbook.sheetnames if name.startswith("Axe ")]
    assert len(workbook.sheetnames) == 4
    cells = [cell for row in workbook[workbook.sheetnames[2]].values for cell in row]
    assert "Étape validée de mai 2024" in cells and "Étape de 2023" not in cells


def test_a_bilan_over_any_two_dates(client, steps, coordinator):
    client.force_login(coordinator)
    generate(client, steps, year="", starts_on="2023-01-01", ends_on="2023-12-31")
    bilan = Bilan.objects.get()
    assert (bilan.year, bilan.starts_on, bilan.ends_on) == (None, datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))
    assert "Étape de 2023" in pdf_text(bilan.pdf.read())


def test_dates_in_the_wrong_order_are_refused(client, steps, coordinator):
    client.force_login(coordinator)
    response = generate(client, steps, year="", starts_on="2024-01-01", ends_on="2023-12-31")
    assert response.status_code == 400
    assert "La date de fin ne peut pas précéder la date de début." in response.content.decode()
    assert not Bilan.objects.exists()


@pytest.mark.parametrize("starts_on, ends_on", [("0001-01-01", "0001-12-31"), ("2024-01-01", "9999-12-31")])
def test_a_period_outside_the_apps_years_is_refused_at_its_field(client, steps, coordinator, starts_on, ends_on):
    client.force_login(coordinator)
    response = generate(client, steps, year="", starts_on=starts_on, ends_on=ends_on)
    assert response.status_code == 400
    assert "Indiquez une date entre 2000 et 2100." in response.content.decode()
    assert not Bilan.objects.exists()  # no bilan queued that could only fail


def test_the_plan_page_links_to_the_bilans_for_committee_not_for_partners(client, lanaudiere, committee_member, partner):
    link = reverse("bilans:list", args=[lanaudiere.slug])
    client.force_login(committee_member)
    assert link in client.get(lanaudiere.get_absolute_url()).content.decode()
    client.force_login(partner)
    assert link not in client.get(lanaudiere.get_absolute_url()).content.decode()


def test_list_shows_each_version_and_its_state_in_the_same_queries_at_any_size(
    client, coordinator, lanaudiere, django_assert_max_num_queries
):
    for version in range(1, 4):
        Bilan.objects.create(
            plan=lanaudiere, version=version, year=2024, starts_on=datetime.date(2024, 4, 1),
            ends_on=datetime.date(2025, 3, 31), rendering=Bilan.Rendering.QUEUED,
        )
    client.force_login(coordinator)
    with django_assert_max_num_queries(10):  # 8, the header's unread notices and the navigation's count of steps to validate
        response = client.get(reverse("bilans:list", args=[lanaudiere.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Version 3" in page and "Version 1" in page and "Brouillon" in page


@pytest.mark.parametrize("who", ["partner", "outsider", "other_coordinator"])
def test_people_without_the_bilan_permission_get_nothing_and_write_nothing(
    client, steps, coordinator, partner, outsider, other_coordinator, who
):
    person = {"partner": partner, "outsider": outsider, "other_coordinator": other_coordinator}[who]
    expected = 403 if who == "partner" else 404
    client.force_login(coordinator)
    generate(client, steps)
    bilan = Bilan.objects.get()
    client.force_login(person)
    for name in ["detail", "pdf", "preview", "xlsx"]:
        assert client.get(reverse(f"bilans:{name}", args=[steps.slug, bilan.pk])).status_code == expected, name
    assert client.get(reverse("bilans:list", args=[steps.slug])).status_code == expected
    assert generate(client, steps).status_code == expected
    adopt = client.post(
        reverse("bilans:adopt", args=[steps.slug, bilan.pk]), {"meeting": "Réunion", "adopted_on": "2025-06-12"}
    )
    assert adopt.status_code == expected
    assert list(Bilan.objects.values_list("version", "state")) == [(1, Bilan.State.DRAFT)]


def test_partners_download_bilans_only_when_the_plan_allows_it(client, steps, coordinator, partner):
    client.force_login(coordinator)
    generate(client, steps)
    bilan = Bilan.objects.get()
    pdf_url = reverse("bilans:pdf", args=[steps.slug, bilan.pk])
    client.force_login(partner)
    assert client.get(pdf_url).status_code == 403  # off by default

    steps.partners_may_download_bilans = True
    steps.save()
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert steps.title in pdf_text(b"".join(response.streaming_content))
    listing = client.get(reverse("bilans:list", args=[steps.slug])).content.decode()
    assert "Produire le bilan" not in listing  # reading, not preparing nor adopting
    assert generate(client, steps).status_code == 403
    adopt = client.post(
        reverse("bilans:adopt", args=[steps.slug, bilan.pk]), {"meeting": "Réunion", "adopted_on": "2025-06-12"}
    )
    assert adopt.status_code == 403
    assert list(Bilan.objects.values_list("version", "state")) == [(1, Bilan.State.DRAFT)]


def test_adopted_bilan_stays_frozen_when_the_plan_changes(client, steps, committee_member):
    client.force_login(committee_member)
    generate(client, steps)
    bilan = Bilan.objects.get()
    today = timezone.localdate()
    response = client.post(
        reverse("bilans:adopt", args=[steps.slug, bilan.pk]),
        {
            "adopting_body": "le comité de coordination",
            "meeting": "Comité de coordination du 12 juin 2025",
            "adopted_on": today.isoformat(),
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    bilan.refresh_from_db()
    assert (bilan.state, bilan.adopted_on, bilan.adopted_by) == (Bilan.State.ADOPTED, today, committee_member)
    pdf, data = bilan.pdf.read(), bilan.data

    # The plan changes after the adoption.
    axis = steps.axes.get(number=3)
    axis.title = "Axe renommé après l’adoption"
    axis.save()
    Step.objects.create(
        action=Action.objects.get(plan=steps, code="3.1.1"), done_on=datetime.date(2024, 8, 1),
        description="Étape ajoutée après l’adoption", organisation=Organisation.objects.get(acronym="ALL"),
        review=Step.Review.VALIDATED, reviewed_at=timezone.now(),
    )

    bilan.refresh_from_db()
    with bilan.pdf.open("rb") as stored:
        assert stored.read() == pdf
    assert bilan.data == data
    downloaded = b"".join(client.get(reverse("bilans:pdf", args=[steps.slug, bilan.pk])).streaming_content)
    assert downloaded == pdf
    preview = client.get(reverse("bilans:preview", args=[steps.slug, bilan.pk])).content.decode()
    assert "Axe renommé après l’adoption" not in preview and "Étape ajoutée après l’adoption" not in preview

    # Adopting again changes nothing; generating again gives a new draft with the change.
    client.post(reverse("bilans:adopt", args=[steps.slug, bilan.pk]), {"meeting": "Autre", "adopted_on": "2025-07-01"})
    bilan.refresh_from_db()
    assert (bilan.adopted_at_meeting, bilan.adopted_on) == ("Comité de coordination du 12 juin 2025", today)
    generate(client, steps)
    new = Bilan.objects.get(version=2)
    assert new.state == Bilan.State.DRAFT
    assert "Étape ajoutée après l’adoption" in pdf_text(new.pdf.read())
    page = client.get(reverse("bilans:list", args=[steps.slug])).content.decode()
    assert "Adopté" in page and "Brouillon" in page


def test_adoption_needs_the_meeting_and_the_date(client, steps, coordinator):
    client.force_login(coordinator)
    generate(client, steps)
    bilan = Bilan.objects.get()
    response = client.post(reverse("bilans:adopt", args=[steps.slug, bilan.pk]), {"meeting": "", "adopted_on": ""})
    assert response.status_code == 400
    bilan.refresh_from_db()
    assert bilan.state == Bilan.State.DRAFT and bilan.adopted_on is None


# The worker takes an exclusive lock on SQLite, which cannot happen inside the test's own transaction.
@pytest.mark.django_db(transaction=True)
def test_in_production_a_worker_prepares_the_bilan_and_the_page_polls_meanwhile(client, settings, steps, coordinator):
    settings.TASKS = DATABASE
    client.force_login(coordinator)
    generate(client, steps)
    bilan = Bilan.objects.get()
    assert bilan.rendering == Bilan.Rendering.QUEUED and not bilan.pdf and bilan.task_id

    page = client.get(bilan.get_absolute_url()).content.decode()
    assert "Le bilan est en préparation." in page
    assert 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page
    fragment = client.get(bilan.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="bilan-status"') and "<html" not in fragment
    assert client.get(reverse("bilans:pdf", args=[steps.slug, bilan.pk])).status_code == 404

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    bilan.refresh_from_db()
    assert bilan.rendering == Bilan.Rendering.READY and bilan.progress == 100
    fragment = client.get(bilan.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in fragment and "Télécharger le PDF" in fragment
    assert response_refreshes(client, bilan)


def response_refreshes(client, bilan):
    return client.get(bilan.get_absolute_url(), headers={"HX-Request": "true"}).get("HX-Refresh") == "true"


def test_a_failed_preparation_says_so_and_offers_nothing_to_download(client, steps, coordinator, monkeypatch):
    from bilans import tasks

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint en panne")

    monkeypatch.setattr(tasks, "render_pdf", broken)
    client.force_login(coordinator)
    generate(client, steps)
    bilan = Bilan.objects.get()
    assert bilan.rendering == Bilan.Rendering.FAILED and "WeasyPrint en panne" in bilan.error and not bilan.pdf
    page = client.get(bilan.get_absolute_url()).content.decode()
    assert "La préparation du bilan a échoué." in page and "Adopter" not in page
    assert client.get(reverse("bilans:pdf", args=[steps.slug, bilan.pk])).status_code == 404


@pytest.mark.parametrize("actions", [37, 2000])
def test_bilan_pages_take_the_same_queries_whatever_the_plan_size(client, db, actions, django_assert_max_num_queries):
    plan = make_plan(f"taille-{actions}", actions=actions)
    coordinator = make_person(f"coordo-{actions}", plan, PlanRole.Role.COORDINATOR)
    bilan = Bilan.objects.create(
        plan=plan, version=1, year=2024, starts_on=datetime.date(2024, 4, 1), ends_on=datetime.date(2025, 3, 31)
    )
    client.force_login(coordinator)
    for url in [reverse("bilans:list", args=[plan.slug]), bilan.get_absolute_url()]:
        with django_assert_max_num_queries(10):  # 8, the header's unread notices and the navigation's count of steps to validate
            assert client.get(url).status_code == 200


def test_command_writes_the_pdf_of_a_reporting_year(steps, tmp_path):
    output = tmp_path / "bilan.pdf"
    stdout = io.StringIO()
    call_command("bilan", "lanaudiere-2024-2026", year=2024, output=str(output), stdout=stdout)
    text = pdf_text(output.read_bytes())
    assert "Lanaudière" in text and "Étape validée de mai 2024" in text and "Étape de 2023" not in text
    assert "2024-04-01" in stdout.getvalue() and not Bilan.objects.exists()


def test_command_writes_a_workbook_over_two_dates(steps, tmp_path):
    output = tmp_path / "bilan.xlsx"
    call_command("bilan", "lanaudiere-2024-2026", "--from", "2023-04-01", "--to", "2024-03-31", "--output", str(output))
    cells = [cell for sheet in load_workbook(output) for row in sheet.values for cell in row]
    assert "Étape de 2023" in cells and "Étape validée de mai 2024" not in cells


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["inconnu", "--year", "2024"], "Aucun plan"),
        (["lanaudiere-2024-2026"], "--year"),
        (["lanaudiere-2024-2026", "--from", "2025-01-01", "--to", "2024-01-01"], "précéder"),
        (["lanaudiere-2024-2026", "--year", "2024", "--from", "2024-01-01"], "pas les deux"),
    ],
)
def test_command_refuses_what_it_cannot_do(lanaudiere, tmp_path, arguments, message):
    output = tmp_path / "bilan.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("bilan", *arguments, "--output", str(output))
    assert not output.exists()
