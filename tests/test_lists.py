"""The plan's actions as a table: filtered by axis, objective, partner organisation, status, reference year
and text; sorted; paginated; exported to CSV and XLSX as filtered; the same queries at any size."""

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from partners.models import Organisation
from plans.models import ActionStatus, Role
from tests.conftest import make_person
from tests.factories import make_plan

ALL_ACTIONS = ["3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.3.3"]


def actions_url(plan):
    return reverse("plans:actions", args=[plan.slug])


def codes(response):
    """The action codes of the table's rows, in order."""
    return re.findall(r'<a href="[^"]*/actions/[\d.]+/" class="code">([\d.]+)</a>', response.content.decode())


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def test_table_lists_every_action_of_the_plan_in_code_order(signed_in, lanaudiere):
    response = signed_in.get(actions_url(lanaudiere))
    page = response.content.decode()
    assert codes(response) == list(lanaudiere.actions.order_by("objective__axis__number", "objective__number", "number").values_list("code", flat=True))
    assert len(codes(response)) == 37
    assert "37 actions" in page
    for header in ["Code", "Moyen ou action", "Objectif", "Organismes partenaires", "Année de référence", "État", "Avancement"]:
        assert f">{header}</a>" in page or f"{header}\n" in page or f">{header}<" in page


@pytest.mark.parametrize("person", ["coordinator", "partner", "committee_member"])
def test_everyone_in_the_plan_reads_the_table(client, request, lanaudiere, person):
    client.force_login(request.getfixturevalue(person))
    assert len(codes(client.get(actions_url(lanaudiere)))) == 37


def test_strangers_do_not_see_the_table(client, outsider, other_coordinator, lanaudiere):
    response = client.get(actions_url(lanaudiere))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(actions_url(lanaudiere)).status_code == 404
    client.force_login(other_coordinator)
    assert client.get(actions_url(lanaudiere)).status_code == 404


def test_filter_by_axis_and_objective(signed_in, lanaudiere):
    axis = lanaudiere.axes.get(code="3")
    assert all(code.startswith("3.") for code in codes(signed_in.get(actions_url(lanaudiere), {"axis": axis.pk})))
    assert len(codes(signed_in.get(actions_url(lanaudiere), {"axis": axis.pk}))) == lanaudiere.actions.filter(objective__axis=axis).count()
    objective = lanaudiere.objectives.get(code="3.1")
    assert codes(signed_in.get(actions_url(lanaudiere), {"objective": objective.pk})) == ["3.1.1", "3.1.2", "3.1.3"]


def test_filter_by_partner_organisation_includes_partners_inherited_from_the_objective(signed_in, lanaudiere):
    organisation = Organisation.objects.get(acronym="ALL")
    assert codes(signed_in.get(actions_url(lanaudiere), {"organisation": organisation.pk})) == ALL_ACTIONS


def test_filter_by_status_year_and_text(signed_in, lanaudiere):
    action = lanaudiere.actions.get(code="2.1.1")
    action.status = ActionStatus.IN_PROGRESS
    action.save()
    assert codes(signed_in.get(actions_url(lanaudiere), {"status": "in_progress"})) == ["2.1.1"]

    for year in (2024, 2026):
        expected = {
            a.code for a in lanaudiere.actions.all() if a.period_start and a.period_start <= year <= a.period_end
        }
        assert set(codes(signed_in.get(actions_url(lanaudiere), {"year": year}))) == expected

    word = action.text.split()[2]
    found = codes(signed_in.get(actions_url(lanaudiere), {"q": word}))
    assert "2.1.1" in found
    assert all(word.lower() in lanaudiere.actions.get(code=code).text.lower() for code in found)
    assert codes(signed_in.get(actions_url(lanaudiere), {"q": "3.1"})) == ["3.1.1", "3.1.2", "3.1.3"]


def test_filters_combine_and_an_impossible_one_says_so(signed_in, lanaudiere):
    organisation = Organisation.objects.get(acronym="ALL")
    objective = lanaudiere.objectives.get(code="3.2")
    both = signed_in.get(actions_url(lanaudiere), {"organisation": organisation.pk, "objective": objective.pk})
    assert codes(both) == ["3.2.1", "3.2.2"]
    nothing = signed_in.get(actions_url(lanaudiere), {"q": "zzz-introuvable"})
    assert "Aucune action ne correspond à ces filtres." in nothing.content.decode()


def test_sorting_by_code_descending_and_by_status(signed_in, lanaudiere):
    descending = codes(signed_in.get(actions_url(lanaudiere), {"sort": "-code"}))
    assert descending[0] == lanaudiere.actions.order_by("-objective__axis__number", "-objective__number", "-number")[0].code
    assert descending[-1] == "1.1.1"
    page = signed_in.get(actions_url(lanaudiere), {"sort": "status"}).content.decode()
    assert 'aria-sort="ascending"' in page


def test_pages_of_fifty(client, db):
    plan = make_plan("grand", actions=120)
    client.force_login(make_person("c", plan, Role.COORDINATOR))
    first = client.get(actions_url(plan))
    assert len(codes(first)) == 50
    assert "Page 1 de 3 (120 lignes)" in first.content.decode()
    assert len(codes(client.get(actions_url(plan), {"page": 3}))) == 20


def test_csv_export_has_french_headers_and_the_filtered_rows(signed_in, lanaudiere):
    organisation = Organisation.objects.get(acronym="ALL")
    response = signed_in.get(actions_url(lanaudiere), {"organisation": organisation.pk, "_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "actions-lanaudiere-2024-2026.csv" in response["Content-Disposition"]
    # as a French Excel opens it: UTF-8 with a BOM, ';' between cells
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Code", "Moyen ou action", "Objectif", "Organismes partenaires", "Année de référence", "État", "Avancement"]
    assert [row[0] for row in rows[1:]] == ALL_ACTIONS
    first = rows[1]
    assert first[2] == "3.1"
    assert "ALL" in first[3]
    assert first[5] == "Non commencée"


def test_xlsx_export_opens_with_the_header_and_rows(signed_in, lanaudiere):
    response = signed_in.get(actions_url(lanaudiere), {"_export": "xlsx", "axis": lanaudiere.axes.get(code="1").pk})
    assert "actions-lanaudiere-2024-2026.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Code", "Moyen ou action", "Objectif", "Organismes partenaires", "Année de référence", "État", "Avancement")
    action = lanaudiere.actions.get(code="1.1.1")
    assert rows[1][0] == "1.1.1"
    assert rows[1][1] == action.text
    assert len(rows) - 1 == lanaudiere.actions.filter(objective__axis__code="1").count()


def test_export_of_a_2000_action_plan_has_every_row(client, db):
    plan = make_plan("enorme", actions=2000)
    client.force_login(make_person("c", plan, Role.COORDINATOR))
    response = client.get(actions_url(plan), {"_export": "csv"})
    assert len(response.content.decode().splitlines()) == 2001


@pytest.mark.parametrize("size", [37, 2000])
def test_table_runs_the_same_queries_at_37_and_2000_actions(client, db, size, django_assert_max_num_queries):
    plan = make_plan(f"taille-{size}", actions=size)
    client.force_login(make_person("c", plan, Role.COORDINATOR))
    organisation = plan.objectives.first().partners.first()
    with django_assert_max_num_queries(18):  # 16, the header's unread notices and the navigation's count of steps to validate
        assert client.get(actions_url(plan)).status_code == 200
    filtered = {"organisation": organisation.pk, "year": 2025, "sort": "-status"}
    with django_assert_max_num_queries(18):
        assert client.get(actions_url(plan), filtered).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(actions_url(plan), {"_export": "csv"}).status_code == 200


def test_with_htmx_filtering_returns_only_the_results(signed_in, lanaudiere):
    objective = lanaudiere.objectives.get(code="3.1")
    response = signed_in.get(actions_url(lanaudiere), {"objective": objective.pk}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="resultats"')
    assert "<html" not in page
    assert codes(response) == ["3.1.1", "3.1.2", "3.1.3"]
    assert "HX-Request" in response["Vary"]
    # A history restore gets the whole page.
    restore = signed_in.get(
        actions_url(lanaudiere), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


@pytest.fixture
def demo(transactional_db, settings):
    import os

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_demo", sans_activite=True, stdout=open(os.devnull, "w"))


@pytest.mark.browser
def test_in_a_browser_the_partner_filters_the_table_by_their_organisation(live_server, page, demo):
    from playwright.sync_api import expect

    page.goto(live_server.url + reverse("plans:actions", args=["lanaudiere-2024-2026"]))
    page.get_by_label("Nom d’utilisateur").fill("partenaire")
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Tableau des actions")).to_be_visible()
    expect(page.locator("#resultats tbody tr")).to_have_count(37)
    page.get_by_label("Organisme partenaire").select_option(label="Action-Logement Lanaudière (ALL)")
    expect(page.locator("#resultats tbody tr")).to_have_count(6)  # htmx swapped the results on change
    expect(page).to_have_url(re.compile(r"organisation=\d+"))
    page.get_by_role("link", name="Code").click()  # sort descending, still only the results
    expect(page.locator("#resultats tbody tr").first).to_contain_text("3.3.3")
    expect(page.get_by_label("Organisme partenaire")).to_have_value(re.compile(r"\d+"))
