"""The coordinator's spreadsheet page: upload, preview, confirm, exports; and who may not use it."""

import io
from pathlib import Path

import pytest
import tablib
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import Organisation
from plans.models import Action, Plan, PlanRole
from tableur.spreadsheets import read_sheet
from tests.conftest import make_person
from tests.factories import make_plan

from .spreadsheet_helpers import database_state, row, xlsx

SLUG = "lanaudiere-2024-2026"
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "lanaudiere-2024-2026.xlsx"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(content, name="plan.xlsx"):
    return SimpleUploadedFile(name, content)


def kept_files(media):
    folder = media / "django-import-export"
    return list(folder.iterdir()) if folder.exists() else []


def edited_export(client, code="1.1.1", text="Texte revu"):
    content = client.get(reverse("tableur:spreadsheet_export", args=[SLUG, "xlsx"])).content
    dataset = tablib.Dataset().load(content, format="xlsx")
    index = dataset.headers.index("action_texte")
    rows = [list(line) for line in dataset]
    for line in rows:
        if line[dataset.headers.index("action")] == code:
            line[index] = text
    return tablib.Dataset(*rows, headers=dataset.headers).export("xlsx")


def test_coordinator_previews_then_confirms_an_import(client, coordinator, media):
    client.force_login(coordinator)
    content = edited_export(client)
    before = database_state()

    page = client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": upload(content)})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Aperçu de l’import" in html and "Rien n’est encore enregistré" in html
    assert "Confirmer l’import" in html
    levels = {level.name: level for level in page.context["report"].levels}
    assert levels["Actions"].changed == ["1.1.1"] and levels["Actions"].unchanged == 36
    assert database_state() == before
    assert len(kept_files(media)) == 1  # kept in Django's storage until the confirmation

    confirmed = client.post(reverse("tableur:spreadsheet_confirm", args=[SLUG]), {"token": page.context["token"]})

    assert confirmed.status_code == 302 and confirmed["Location"] == reverse("plans:detail", args=[SLUG])
    assert Action.objects.get(plan__slug=SLUG, code="1.1.1").text == "Texte revu"
    assert Action.history.filter(code="1.1.1", plan__slug=SLUG).latest().history_user == coordinator
    assert kept_files(media) == []


def test_preview_lists_every_row_error_and_offers_no_confirmation(client, coordinator, media):
    client.force_login(coordinator)
    content = xlsx([row(), row(action="2.1.3", resultat="2.1.3.1"), row(resultat="1.1.1.2", axe_titre="Autre")])
    before = database_state()

    page = client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": upload(content)})

    html = page.content.decode()
    assert "Ligne 3, colonne E (action)\u00a0: l’action 2.1.3 ne peut pas être sous l’objectif 1.1." in html
    assert "Ligne 4, colonne B (axe_titre)" in html
    assert "Confirmer l’import" not in html
    assert database_state() == before
    assert kept_files(media) == []  # nothing to confirm, nothing kept


def test_a_file_that_is_not_a_spreadsheet_gets_a_message(client, coordinator):
    client.force_login(coordinator)
    page = client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": upload(b"\x00\x01binaire", "photo.xlsx")})
    assert "n’est pas un tableur lisible" in page.content.decode()


def test_a_file_over_5_mb_is_refused(client, coordinator, media):
    client.force_login(coordinator)
    page = client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": upload(b"a" * (5 * 1024 * 1024 + 1), "gros.csv")})
    assert "dépasse 5 Mo" in page.content.decode()
    assert kept_files(media) == []


def test_coordinator_chooses_to_create_an_organisation_rather_than_the_proposed_one(client, coordinator):
    client.force_login(coordinator)
    content = edited_export(client)
    dataset = tablib.Dataset().load(content, format="xlsx")
    column = dataset.headers.index("partenaires")
    rows = [list(line) for line in dataset]
    rows[0][column] = "Action Logement Lanaudiere"
    content = tablib.Dataset(*rows, headers=dataset.headers).export("xlsx")

    page = client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": upload(content)})
    html = page.content.decode()
    assert "« Action Logement Lanaudiere »" in html and "Associer à Action-Logement Lanaudière (ALL)" in html
    client.post(reverse("tableur:spreadsheet_confirm", args=[SLUG]), {"token": page.context["token"], "organisation_0": "new"})

    created = Organisation.objects.get(name="Action Logement Lanaudiere")
    action = Action.objects.get(plan__slug=SLUG, code=rows[0][dataset.headers.index("action")])
    assert [link.organisation for link in action.partner_links.all()] == [created]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_coordinator_downloads_the_plan(client, coordinator, file_format):
    client.force_login(coordinator)
    response = client.get(reverse("tableur:spreadsheet_export", args=[SLUG, file_format]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{SLUG}.{file_format}"'
    assert read_sheet(response.content, f"plan.{file_format}").rows == 40


def test_export_asks_the_same_number_of_queries_at_37_and_at_2000_actions(
    client, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    big = make_plan("grand", actions=2000)
    PlanRole.objects.create(plan=big, user=coordinator, role=PlanRole.Role.COORDINATOR)
    for slug in (SLUG, "grand"):
        with django_assert_max_num_queries(15):
            response = client.get(reverse("tableur:spreadsheet_export", args=[slug, "csv"]))
        assert response.status_code == 200


def test_the_template_is_the_format(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("tableur:spreadsheet_template"))
    sheet = read_sheet(response.content, "modele.xlsx")
    assert not sheet.errors and sheet.rows == 1


def test_plan_page_links_to_the_spreadsheet_page_for_the_coordinator_only(client, coordinator, partner):
    link = 'href="%s"' % reverse("tableur:spreadsheet", args=[SLUG])
    client.force_login(coordinator)
    assert link in client.get(reverse("plans:detail", args=[SLUG])).content.decode()
    client.force_login(partner)
    html = client.get(reverse("plans:detail", args=[SLUG])).content.decode()
    assert link not in html
    assert 'href="%s"' % reverse("tableur:partner_sheet", args=[SLUG]) in html


# Refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["partner", "committee_member"])
def test_partner_and_committee_may_not_import_or_export(client, request, person, coordinator):
    client.force_login(coordinator)
    content = edited_export(client)
    page = client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": upload(content)})
    token = page.context["token"]
    client.force_login(request.getfixturevalue(person))
    before = database_state()

    assert client.get(reverse("tableur:spreadsheet", args=[SLUG])).status_code == 403
    assert client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": upload(content)}).status_code == 403
    assert client.post(reverse("tableur:spreadsheet_confirm", args=[SLUG]), {"token": token}).status_code == 403
    assert client.get(reverse("tableur:spreadsheet_export", args=[SLUG, "xlsx"])).status_code == 403
    assert database_state() == before


def test_coordinator_of_another_plan_may_not_touch_this_one(client, lanaudiere, other_coordinator):
    client.force_login(other_coordinator)
    before = database_state()
    assert client.get(reverse("tableur:spreadsheet", args=[SLUG])).status_code == 404
    assert client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": upload(FIXTURE.read_bytes())}).status_code == 404
    assert client.get(reverse("tableur:spreadsheet_export", args=[SLUG, "csv"])).status_code == 404
    assert database_state() == before


def test_a_token_is_good_only_for_who_uploaded(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    page = client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": upload(edited_export(client))})
    colleague = make_person("coordo-2", lanaudiere, PlanRole.Role.COORDINATOR)
    client.force_login(colleague)
    before = database_state()
    assert client.post(reverse("tableur:spreadsheet_confirm", args=[SLUG]), {"token": page.context["token"]}).status_code == 403
    assert client.post(reverse("tableur:spreadsheet_confirm", args=[SLUG]), {"token": "forged"}).status_code == 403
    assert database_state() == before


def test_anonymous_visitor_is_sent_to_sign_in(client, lanaudiere):
    before = database_state()
    for url in (reverse("tableur:spreadsheet", args=[SLUG]), reverse("tableur:spreadsheet_export", args=[SLUG, "csv"]),
                reverse("tableur:new_plan_import")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(reverse("tableur:spreadsheet_confirm", args=[SLUG]), {"token": "x"})
    assert response.status_code == 302
    assert database_state() == before


# A new plan -------------------------------------------------------------------------------------------


def test_coordinator_creates_a_new_plan_from_a_file_and_coordinates_it(client, coordinator):
    client.force_login(coordinator)
    data = {"title": "Bâtir ensemble", "slug": "batir-ensemble"}
    csv_file = Path(settings.BASE_DIR) / "fixtures" / "batir-ensemble.csv"
    before = database_state()
    page = client.post(reverse("tableur:new_plan_import"), {**data, "file": upload(csv_file.read_bytes(), "b.csv")})
    assert "Confirmer l’import" in page.content.decode()
    assert database_state() == before

    response = client.post(reverse("tableur:new_plan_confirm"), {"token": page.context["token"]})

    plan = Plan.objects.get(slug="batir-ensemble")
    assert response["Location"] == plan.get_absolute_url()
    assert plan.roles.get(user=coordinator).role == PlanRole.Role.COORDINATOR
    assert plan.actions.count() == 9


@pytest.mark.parametrize("person", ["partner", "committee_member", "outsider"])
def test_others_may_not_create_a_plan_from_a_file(client, request, person):
    client.force_login(request.getfixturevalue(person))
    before = database_state()
    response = client.post(reverse("tableur:new_plan_import"),
                           {"title": "X", "slug": "x", "file": upload(FIXTURE.read_bytes())})
    assert response.status_code == 403
    assert database_state() == before


def test_staff_export_actions_from_the_admin_in_the_same_columns_neutralised(client, django_user_model, lanaudiere):
    Action.objects.filter(plan=lanaudiere, code="1.1.1").update(text="=1+1")
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "x"))
    form = client.get(reverse("admin:plans_action_export")).context["form"]
    data = {name: True for name in form.fields if name.startswith("actionresource_")}
    response = client.post(reverse("admin:plans_action_export"), {**data, "format": "0", "resource": "0"})
    dataset = tablib.Dataset().load(response.content.decode(), format="csv")
    assert dataset.headers == ["action", "objectif", "action_texte", "partenaires", "annee_reference"]
    assert dataset.dict[0]["action_texte"] == "'=1+1"


def test_preview_of_an_unchanged_plan_asks_as_many_queries_at_37_and_at_2000_actions(
    client, coordinator, django_assert_max_num_queries
):
    """Items are read once per level, not once per row (a changed item is saved on its own, of course)."""
    from lib.spreadsheets import spreadsheet_bytes
    from tableur.spreadsheets import export_dataset, import_sheet, read_sheet

    source = make_plan("source", actions=2000)
    content = spreadsheet_bytes(export_dataset(source), "xlsx")
    big = import_sheet(read_sheet(content, "a.xlsx"), new_plan={"title": "Grand", "slug": "grand"}, commit=True).plan
    PlanRole.objects.create(plan=big, user=coordinator, role=PlanRole.Role.COORDINATOR)
    client.force_login(coordinator)
    for slug in (SLUG, "grand"):
        content = client.get(reverse("tableur:spreadsheet_export", args=[slug, "xlsx"])).content
        with django_assert_max_num_queries(70):
            page = client.post(reverse("tableur:spreadsheet", args=[slug]), {"file": upload(content)})
        assert page.status_code == 200
        assert [len(level.new) + len(level.changed) for level in page.context["report"].levels] == [0, 0, 0, 0]


def test_an_unknown_export_format_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("tableur:spreadsheet_export", args=[SLUG, "pdf"])).status_code == 404


def test_staff_find_the_import_and_export_pages_from_the_plan_admin(client, django_user_model, lanaudiere):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "motdepasse-test")
    client.force_login(admin)
    listing = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert reverse("tableur:spreadsheet", args=[lanaudiere.slug]) in listing
    add = client.get(reverse("admin:plans_plan_add")).content.decode()
    assert reverse("tableur:new_plan_import") in add
