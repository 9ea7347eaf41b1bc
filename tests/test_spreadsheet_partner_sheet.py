"""A partner's own sheet: download their organisation's actions, fill in steps and results offline,
upload, preview, confirm; rows about other organisations' actions are refused."""

import datetime

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation
from plans.models import Action, ExpectedResult
from suivi.models import Step
from tableur.spreadsheets import partner_column

from .spreadsheet_helpers import database_state

SLUG = "lanaudiere-2024-2026"
ALL_ACTIONS = ["3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.3.3"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def download(client):
    response = client.get(reverse("tableur:partner_sheet_download", args=[SLUG]))
    assert response.status_code == 200
    return tablib.Dataset().load(response.content, format="xlsx")


def fill(dataset, changes):
    """Write into the first empty step row of an action, or into a result's row: {code: {column: value}}."""
    rows = [list(line) for line in dataset]
    headers = [partner_column(header) for header in dataset.headers]  # the sheet's French headers, by their keys
    for code, values in changes.items():
        column = "resultat" if code.count(".") == 3 else "action"
        for line in rows:
            if line[headers.index(column)] == code and (column == "resultat" or not line[headers.index("resultat")]) \
                    and not line[headers.index("etape_description")]:
                for key, value in values.items():
                    line[headers.index(key)] = value
                break
        else:
            rows.append([values.get(h, code if h == "action" else "") for h in headers])
    return tablib.Dataset(*rows, headers=dataset.headers).export("xlsx")


def upload(client, content):
    return client.post(reverse("tableur:partner_sheet", args=[SLUG]),
                       {"file": SimpleUploadedFile("feuille.xlsx", content)})


def test_partner_downloads_the_actions_of_their_organisation(client, partner):
    client.force_login(partner)
    dataset = download(client)
    assert sorted({line["Action"] for line in dataset.dict}) == ALL_ACTIONS
    results = [line["Résultat attendu"] for line in dataset.dict if line["Résultat attendu"]]
    assert results == list(
        ExpectedResult.objects.filter(action__plan__slug=SLUG, action__code__in=ALL_ACTIONS)
        .order_by("action__code", "code").values_list("code", flat=True)
    )
    assert sum(1 for line in dataset.dict if not line["Résultat attendu"]) == 3 * len(ALL_ACTIONS)  # rows for steps


def test_partner_fills_the_sheet_previews_and_confirms(client, partner):
    client.force_login(partner)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    result = ExpectedResult.objects.get(plan__slug=SLUG, code="3.1.1.1")
    content = fill(download(client), {
        "3.1.1": {"etape_date": yesterday, "etape_description": "Rencontre avec la MRC", "etape_resultats": "3.1.1.1"},
        "3.2.1": {"etape_date": "31/03/2025", "etape_description": "Veille publiée"},
        "3.1.1.1": {"atteint_le": "oui"},
    })
    before = database_state()

    page = upload(client, content)

    report = page.context["report"]
    assert report.ok, report.errors
    assert [(step.action.code, step.description) for step in report.steps] == [
        ("3.1.1", "Rencontre avec la MRC"), ("3.2.1", "Veille publiée")
    ]
    assert [achieved[1] for achieved in report.achievements] == [result]
    assert "Confirmer" in page.content.decode()
    assert database_state() == before

    response = client.post(reverse("tableur:partner_sheet_confirm", args=[SLUG]), {"token": page.context["token"]})

    assert response.status_code == 302
    steps = Step.objects.filter(action__plan__slug=SLUG).order_by("done_on")
    assert [(s.action.code, s.review, s.author, s.organisation.acronym) for s in steps] == [
        ("3.2.1", Step.Review.PENDING, partner, "ALL"), ("3.1.1", Step.Review.PENDING, partner, "ALL")
    ]
    assert list(steps.get(action__code="3.1.1").results.all()) == [result]
    result.refresh_from_db()
    assert result.achieved_on == timezone.localdate() and result.achieved_by == partner
    assert Action.objects.get(plan__slug=SLUG, code="3.1.1").status != Action.Status.NOT_STARTED

    # The same sheet again adds nothing.
    again = upload(client, content)
    assert again.context["report"].steps == [] and again.context["report"].achievements == []


def test_a_row_on_another_organisations_action_is_refused(client, partner):
    client.force_login(partner)
    dataset = download(client)
    content = fill(dataset, {
        "3.1.1": {"etape_date": "2025-03-31", "etape_description": "Rencontre"},
        "1.1.1": {"etape_date": "2025-03-31", "etape_description": "Pas à nous"},
    })
    before = database_state()

    page = upload(client, content)

    html = page.content.decode()
    row = len(dataset) + 2  # the row added at the end
    assert f"Ligne {row}, colonne A (Action) : l’action 1.1.1 n’est pas une action de votre organisme : ligne refusée." in html
    assert "Confirmer" not in html
    assert "token" not in page.context  # nothing to confirm
    assert database_state() == before


def test_a_step_in_the_future_or_without_description_is_refused(client, partner):
    client.force_login(partner)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    content = fill(download(client), {
        "3.1.1": {"etape_date": tomorrow, "etape_description": "Demain"},
        "3.1.2": {"etape_date": "2025-01-15"},
    })
    errors = [str(error) for error in upload(client, content).context["report"].errors]
    assert any("colonne F (Date de l’étape)\u00a0: une étape réalisée ne peut pas être datée dans le futur." in e for e in errors)
    assert any("colonne G (Ce qui a été fait)\u00a0: décrivez ce qui a été fait." in e for e in errors)


@pytest.mark.parametrize("person", ["coordinator", "committee_member"])
def test_only_partners_have_a_sheet(client, request, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("tableur:partner_sheet", args=[SLUG])).status_code == 403
    assert client.get(reverse("tableur:partner_sheet_download", args=[SLUG])).status_code == 403


def test_outsider_gets_404_and_anonymous_is_sent_to_sign_in(client, outsider, lanaudiere):
    client.force_login(outsider)
    assert client.get(reverse("tableur:partner_sheet", args=[SLUG])).status_code == 404
    client.logout()
    assert client.get(reverse("tableur:partner_sheet_download", args=[SLUG])).status_code == 302


def test_step_rows_are_checked_by_the_step_form_and_achievements_by_the_result(client, partner):
    """The sheet's rows meet the same rules as the step page (suivi.forms.StepForm) and the result itself
    (ExpectedResult.clean): refused at their row and column, nothing written."""
    client.force_login(partner)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    dataset = download(client)
    content = fill(dataset, {
        "3.1.1.1": {"atteint_le": tomorrow},
        "3.1.2": {"etape_date": "2025-02-30", "etape_description": "Une date qui n’existe pas"},
        "3.2.1": {"etape_description": "Sans date"},
    })
    before = database_state()

    errors = [str(error) for error in upload(client, content).context["report"].errors]

    assert any("colonne E (Atteint le)\u00a0: un résultat ne peut pas être atteint à une date future." in e for e in errors)
    assert any("colonne F (Date de l’étape)\u00a0: « 2025-02-30 » n’est pas une date" in e for e in errors)
    assert any("colonne F (Date de l’étape)\u00a0: indiquez la date de l’étape." in e for e in errors)
    assert len(errors) == 3
    assert database_state() == before
    assert not ExpectedResult.objects.get(plan__slug=SLUG, code="3.1.1.1").is_achieved


def test_checking_achievements_asks_the_same_queries_for_one_row_or_six(client, partner):
    """Each achievement row is checked against its plan's years: the plan comes with the results, not
    once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tableur.spreadsheets import read_partner_sheet

    client.force_login(partner)
    dataset = download(client)
    plan = partner.plan_roles.get().plan
    organisation = Organisation.objects.get(acronym="ALL")
    column = [partner_column(header) for header in dataset.headers].index("resultat")
    codes = [line[column] for line in dataset if line[column]]
    counts = []
    # Once before counting: the first reading fills the process's caches (the person's roles…).
    read_partner_sheet(fill(dataset, {codes[0]: {"atteint_le": "2025-03-15"}}), "feuille.xlsx", plan, partner, organisation)
    for chosen in (codes[:1], codes[:6]):
        content = fill(dataset, {code: {"atteint_le": "2025-03-15"} for code in chosen})
        with CaptureQueriesContext(connection) as queries:
            report = read_partner_sheet(content, "feuille.xlsx", plan, partner, organisation)
        assert not report.errors and len(report.achievements) == len(chosen)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
