"""Bad input found by trying: each ends in a French message at the field or a 404, never a 500, and writes
nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from lib.converters import BIGGEST_ID, whole_number
from partners.models import Organisation
from plans.models import Plan
from suivi.models import Step
from tests.spreadsheet_helpers import csv_bytes, row

SLUG = "lanaudiere-2024-2026"
HUGE = str(2**63)  # one past the biggest id a database holds
HUGER = "9" * 40


def test_whole_numbers_are_plain_digits_within_an_id():
    assert [whole_number(text) for text in ("12", "²", "١٢", "", " 3", "-1", HUGE, HUGER)] == [12] + [None] * 7
    assert whole_number(str(BIGGEST_ID)) == BIGGEST_ID
    assert whole_number("9" * 5000) is None  # Python refuses int() of so many digits: never asked


@pytest.mark.parametrize("pk", [HUGE, HUGER, str(BIGGEST_ID)])
def test_ids_past_what_a_database_holds_are_no_such_page(client, coordinator, pk):
    client.force_login(coordinator)
    for name, args in [
        ("suivi:edit_step", [SLUG, pk]),
        ("suivi:step_file", [SLUG, pk]),
        ("plans:edit_item", [SLUG, "actions", pk]),
        ("bilans:detail", [SLUG, pk]),
    ]:
        url = reverse(name, args=[SLUG, 1] if name != "plans:edit_item" else [SLUG, "actions", 1]).replace("/1/", f"/{pk}/")
        assert client.get(url).status_code == 404, url
    assert client.get(f"/organisations/{pk}/").status_code == 404


def test_a_position_that_only_looks_like_a_number_moves_nothing(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    action = lanaudiere.actions.get(code="1.1.1")
    url = reverse("plans:move_item", args=[SLUG, "actions", action.pk])
    for position in ["²", "٣", HUGER, "-2", "0"]:
        response = client.post(url, {"position": position}, follow=True)
        assert response.status_code == 200
        assert "Indiquez une position (1, 2, 3…)." in response.content.decode()
    action.refresh_from_db()
    assert action.code == "1.1.1"


def test_a_huge_position_puts_the_item_last(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    action = lanaudiere.actions.get(code="1.1.1")
    last = action.siblings().active().count()
    client.post(reverse("plans:move_item", args=[SLUG, "actions", action.pk]), {"position": str(BIGGEST_ID)})
    action.refresh_from_db()
    assert action.number == last


@pytest.mark.parametrize("parent", ["²", HUGE, HUGER, "abc"])
def test_a_new_item_under_a_parent_that_cannot_be_is_no_such_page(client, coordinator, parent):
    client.force_login(coordinator)
    assert client.get(reverse("plans:add_item", args=[SLUG, "actions"]), {"parent": parent}).status_code == 404


@pytest.mark.parametrize("value", ["²", HUGE, HUGER, "-1"])
def test_huge_or_odd_ids_in_forms_and_filters_are_field_errors(client, coordinator, partner, lanaudiere, value):
    client.force_login(coordinator)
    assert client.get(reverse("suivi:steps", args=[SLUG]), {"organisation": value, "page": value}).status_code == 200
    response = client.post(
        reverse("suivi:add_step", args=[SLUG, "3.1.1"]),
        {"description": "Essai", "done_on": timezone.localdate().isoformat(), "organisation": value, "results": [value]},
    )
    assert response.status_code == 422
    assert not Step.objects.exists()
    client.force_login(partner)
    assert client.get(reverse("tableur:partner_sheet", args=[SLUG]), {"organisation": value}).status_code == 200


def settings_data(plan, **changes):
    data = {
        "title": plan.title, "region": plan.region, "first_year": plan.first_year, "last_year": plan.last_year,
        "priority": plan.priority, "mission": plan.mission, "values": "", "follow_up": "",
        "reporting_year_start_month": plan.reporting_year_start_month,
        "stale_after_months": plan.stale_after_months, "version": plan.version,
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"stale_after_months": 30000}, "stale_after_months", "inférieure ou égale à 120"),
        ({"stale_after_months": 0}, "stale_after_months", "supérieure ou égale à 1"),
        ({"first_year": 0}, "first_year", "supérieure ou égale à 2000"),
        ({"last_year": 32767}, "last_year", "inférieure ou égale à 2100"),
    ],
)
def test_plan_settings_out_of_range_are_refused_at_the_field(client, coordinator, lanaudiere, changes, field, message):
    client.force_login(coordinator)
    response = client.post(reverse("plans:plan_settings", args=[SLUG]), settings_data(lanaudiere, **changes))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    fresh = Plan.objects.get(pk=lanaudiere.pk)
    assert (fresh.first_year, fresh.last_year, fresh.stale_after_months, fresh.version) == (
        lanaudiere.first_year, lanaudiere.last_year, lanaudiere.stale_after_months, lanaudiere.version
    )
    # The pages that broke on such values answer.
    assert client.get(reverse("suivi:stale_actions", args=[SLUG])).status_code == 200
    assert client.get(reverse("bilans:list", args=[SLUG])).status_code == 200


@pytest.mark.parametrize(
    "values", [{"stale_after_months": 121}, {"first_year": 1999}, {"last_year": 2101}]
)
def test_the_database_refuses_plan_values_out_of_range(lanaudiere, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=lanaudiere.pk).update(**values)


def test_a_new_plan_from_a_spreadsheet_with_years_out_of_range_is_refused_at_the_cell(client, coordinator):
    client.force_login(coordinator)
    content = csv_bytes([row(annee_reference="1990-1995")])
    page = client.post(
        reverse("tableur:new_plan_import"),
        {"title": "Vieux plan", "slug": "vieux-plan", "file": SimpleUploadedFile("vieux.csv", content)},
    )
    assert page.status_code == 200
    assert "une année de référence va de 2000 à 2100" in page.content.decode()
    assert not Plan.objects.filter(slug="vieux-plan").exists()


def test_organisation_ids_past_2_63_in_a_merge_are_a_field_error(client, coordinator):
    client.force_login(coordinator)
    organisation = Organisation.objects.get(acronym="ALL")
    response = client.get(reverse("partners:organisation_merge", args=[organisation.pk]), {"duplicate": HUGE})
    assert response.status_code in (200, 403)
