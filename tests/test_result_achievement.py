"""A result is achieved on a date the person who ticks it chooses; the coordination corrects it; the
history keeps both."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lib.history import history_entries
from plans.models import Action, ExpectedResult

SLUG = "lanaudiere-2024-2026"


@pytest.fixture
def own_result(lanaudiere):
    """A result of 3.1.1, an action of the partner's organisation (ALL)."""
    return ExpectedResult.objects.get(plan=lanaudiere, action__code="3.1.1", number=1)


def tick(client, result, **data):
    return client.post(reverse("suivi:toggle_result", args=[SLUG, result.pk]), {"achieved": "1", **data})


def test_partner_ticks_a_result_achieved_on_a_date_of_the_past_year(client, partner, own_result):
    client.force_login(partner)
    response = tick(client, own_result, achieved_on="2025-03-15")
    assert response.status_code == 302
    own_result.refresh_from_db()
    assert (own_result.achieved_on, own_result.achieved_by) == (datetime.date(2025, 3, 15), partner)
    page = client.get(reverse("suivi:action", args=[SLUG, "3.1.1"])).content.decode()
    assert "Atteint le 15 mars 2025" in page


def test_without_a_date_the_result_is_achieved_today(client, partner, own_result):
    client.force_login(partner)
    tick(client, own_result)
    own_result.refresh_from_db()
    assert own_result.achieved_on == timezone.localdate()


def test_the_date_field_offers_today_and_no_later(client, partner, own_result):
    client.force_login(partner)
    page = client.get(reverse("suivi:action", args=[SLUG, "3.1.1"])).content.decode()
    today = timezone.localdate().isoformat()
    assert f'id="id_resultat_{own_result.pk}_achieved_on"' in page
    assert f'value="{today}"' in page and f'max="{today}"' in page and 'min="2023-04-01"' in page


@pytest.mark.parametrize(
    "day, message",
    [
        ("tomorrow", "Un résultat ne peut pas être atteint à une date future."),
        ("2023-03-31", "Un résultat ne peut pas être atteint avant le 2023-04-01 : aucun bilan ne le compterait."),
        ("15/03/2025x", "Saisissez une date valide."),
    ],
    ids=["future", "before-the-first-bilan", "not-a-date"],
)
def test_a_bad_date_is_refused_at_the_field_and_nothing_changes(client, partner, own_result, day, message):
    if day == "tomorrow":
        day = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client.force_login(partner)
    response = tick(client, own_result, achieved_on=day)
    assert response.status_code == 422
    html = response.content.decode().replace("\u00a0", " ")
    assert f'id="id_resultat_{own_result.pk}_achieved_on_error"' in html
    assert message in html
    own_result.refresh_from_db()
    assert own_result.achieved_on is None and own_result.achieved_by is None
    assert Action.objects.get(pk=own_result.action_id).status == Action.Status.NOT_STARTED


def test_a_bad_date_with_htmx_comes_back_in_the_results_fragment(client, partner, own_result):
    client.force_login(partner)
    response = client.post(
        reverse("suivi:toggle_result", args=[SLUG, own_result.pk]),
        {"achieved": "1", "achieved_on": "2099-01-01"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only successful responses
    assert html.lstrip().startswith('<section id="resultats"')
    assert "Un résultat ne peut pas être atteint à une date future." in html
    own_result.refresh_from_db()
    assert own_result.achieved_on is None


def test_no_date_after_the_plan_s_last_year(lanaudiere, own_result):
    from django.core.exceptions import ValidationError

    with time_machine.travel(datetime.datetime(lanaudiere.last_year + 1, 6, 1, 12, tzinfo=datetime.UTC)), pytest.raises(ValidationError, match="après la fin du plan"):
        own_result.check_achieved_on(datetime.date(lanaudiere.last_year + 1, 1, 1))
    own_result.check_achieved_on(datetime.date(lanaudiere.first_year - 1, 4, 1))  # before the plan: accepted


def test_coordinator_corrects_the_date_and_the_history_shows_both(client, partner, coordinator, own_result):
    client.force_login(partner)
    tick(client, own_result, achieved_on="2025-04-02")
    client.force_login(coordinator)
    page = client.get(reverse("suivi:action", args=[SLUG, "3.1.1"])).content.decode()
    assert "Corriger la date" in page
    response = tick(client, own_result, achieved_on="2025-03-15", change="1")
    assert response.status_code == 302
    own_result.refresh_from_db()
    # The date changes; who ticked it stays the partner.
    assert (own_result.achieved_on, own_result.achieved_by) == (datetime.date(2025, 3, 15), partner)

    entries = history_entries(own_result, hidden=("id", "plan"))
    correction, achievement = entries[0], entries[1]
    assert correction["record"].history_user == coordinator
    assert ("atteint le", "2 avril 2025", "15 mars 2025") in correction["changes"]
    assert achievement["record"].history_user == partner
    assert ("atteint le", None, "2 avril 2025") in achievement["changes"]
    history_page = client.get(reverse("plans:item_history", args=[SLUG, "resultats", own_result.pk]))
    assert history_page.status_code == 200
    assert "15 mars 2025" in history_page.content.decode()


def test_partner_cannot_correct_the_date_of_a_recorded_achievement(client, partner, own_result):
    client.force_login(partner)
    tick(client, own_result, achieved_on="2025-04-02")
    page = client.get(reverse("suivi:action", args=[SLUG, "3.1.1"])).content.decode()
    assert "Corriger la date" not in page
    history_rows = own_result.history.count()
    response = tick(client, own_result, achieved_on="2025-03-15", change="1")
    assert response.status_code == 403
    own_result.refresh_from_db()
    assert own_result.achieved_on == datetime.date(2025, 4, 2)
    assert own_result.history.count() == history_rows


def test_a_second_tick_with_another_date_changes_nothing(client, partner, own_result):
    """A page left open: the result is achieved already, a second "achieved" keeps its date."""
    client.force_login(partner)
    tick(client, own_result, achieved_on="2025-04-02")
    tick(client, own_result, achieved_on="2025-05-01")
    own_result.refresh_from_db()
    assert own_result.achieved_on == datetime.date(2025, 4, 2)


def test_partner_of_another_organisation_cannot_tick_with_a_date(client, other_partner, own_result):
    client.force_login(other_partner)
    response = tick(client, own_result, achieved_on="2025-03-15")
    assert response.status_code == 403
    own_result.refresh_from_db()
    assert own_result.achieved_on is None


def test_each_date_field_on_the_action_page_has_a_label_of_its_own(client, coordinator, lanaudiere):
    """A screen reader lists the form fields by their labels: « Atteint le » once per result would be
    the same name over and over."""
    import re

    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    achieved = action.results.order_by("number").first()
    achieved.achieved_on = datetime.date(2025, 3, 15)
    achieved.save()
    ExpectedResult.objects.create(plan=lanaudiere, action=action, number=2, code="3.1.1.2", text="Un second résultat")
    client.force_login(coordinator)
    page = client.get(reverse("suivi:action", args=[SLUG, "3.1.1"])).content.decode()
    labels = re.findall(r'<label for="(id_resultat_\d+_achieved_on)">(.*?)</label>', page)
    names = [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for _for, text in labels]
    results = list(action.results.filter(archived_at__isnull=True).order_by("number"))
    assert len(results) >= 2 and len(labels) == len(results)  # the achieved one's date can be corrected
    assert sorted(names) == sorted(f"Atteint le – {result.code}" for result in results)
    assert len({target for target, _text in labels}) == len(labels)
