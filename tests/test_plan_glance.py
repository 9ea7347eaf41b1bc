"""The plan at a glance (issue 13): one navigation on every page of a plan, the plan page's overview
(progress by axis, this reporting year's steps and results, what changed since the person's previous
visit), and « Mes actions » in the order of what to do now."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Organisation
from plans.models import Action, PlanRole, PlanVisit
from suivi.models import CheckIn, Step

MONTREAL = zoneinfo.ZoneInfo("America/Toronto")
JUNE_2026 = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=MONTREAL)  # the reporting year 2026-2027


def nav_of(page):
    """The plan's navigation: its entries' names (counts left out), and the one marked as current."""
    nav = re.search(r'<nav class="plan-nav".*?</nav>', page, re.S).group(0)
    entries = [re.sub(r"<span.*", "", text).strip() for text in re.findall(r"<li><a [^>]*>(.*?)</a></li>", nav, re.S)]
    current = re.findall(r'aria-current="page">([^<]*)', nav)
    return entries, current


def step(action, organisation, text="Une étape", review=Step.Review.PENDING, by=None, **fields):
    step = Step.objects.create(action=action, organisation=organisation, description=text, **fields)
    if review != Step.Review.PENDING:
        step.set_review(review, by=by, comment="À préciser" if review == Step.Review.RETURNED else "")
    return step


def action(plan, code):
    return Action.objects.get(plan=plan, code=code)


# The navigation


def test_a_partner_sees_the_entries_they_may_open(client, partner, lanaudiere):
    client.force_login(partner)
    entries, current = nav_of(client.get(lanaudiere.get_absolute_url()).content.decode())
    assert entries == ["Plan", "Mes actions", "Étapes", "À relancer", "Réunions", "Tableur"]
    assert current == ["Plan"]


def test_the_coordinator_sees_every_entry_but_mes_actions(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    entries, _current = nav_of(client.get(lanaudiere.get_absolute_url()).content.decode())
    assert entries == ["Plan", "Étapes", "À valider", "À relancer", "Réunions", "Bilans", "Tableur", "Personnes", "Réglages"]


def test_the_committee_sees_bilans_and_validates_only_when_the_plan_allows_it(client, committee_member, lanaudiere):
    client.force_login(committee_member)
    entries, _current = nav_of(client.get(lanaudiere.get_absolute_url()).content.decode())
    assert entries == ["Plan", "Étapes", "À relancer", "Réunions", "Bilans"]
    lanaudiere.committee_may_validate = True
    lanaudiere.save()
    entries, _current = nav_of(client.get(lanaudiere.get_absolute_url()).content.decode())
    assert entries == ["Plan", "Étapes", "À valider", "À relancer", "Réunions", "Bilans"]


@pytest.mark.parametrize(
    "route, args, marked",
    [
        ("suivi:steps", [], "Étapes"),
        ("suivi:steps_to_review", [], "À valider"),
        ("suivi:stale_actions", [], "À relancer"),
        ("bilans:list", [], "Bilans"),
        ("tableur:spreadsheet", [], "Tableur"),
        ("plans:people", [], "Personnes"),
        ("plans:plan_settings", [], "Réglages"),
        ("plans:archived", [], "Réglages"),
        ("plans:actions", [], "Plan"),
        ("suivi:action", ["3.1.1"], "Plan"),
        ("plans:acronyms", [], "Plan"),
    ],
)
def test_every_page_of_the_plan_has_the_navigation_with_its_entry_marked(client, coordinator, lanaudiere, route, args, marked):
    client.force_login(coordinator)
    response = client.get(reverse(route, args=[lanaudiere.slug, *args]))
    assert response.status_code == 200
    entries, current = nav_of(response.content.decode())
    assert current == [marked]
    assert len(entries) == 9


def test_mes_actions_is_marked_on_the_partners_page(client, partner, lanaudiere):
    client.force_login(partner)
    _entries, current = nav_of(client.get(reverse("suivi:my_actions", args=[lanaudiere.slug])).content.decode())
    assert current == ["Mes actions"]


def test_the_navigation_counts_steps_to_validate_and_steps_sent_back(client, coordinator, partner, lanaudiere):
    all_ = Organisation.objects.get(acronym="ALL")
    step(action(lanaudiere, "3.1.1"), all_)
    step(action(lanaudiere, "3.1.2"), all_)
    step(action(lanaudiere, "3.1.2"), all_, review=Step.Review.RETURNED, by=coordinator)
    step(action(lanaudiere, "1.1.1"), Organisation.objects.get(acronym="TPDSL"), review=Step.Review.RETURNED, by=coordinator)
    client.force_login(coordinator)
    page = client.get(lanaudiere.get_absolute_url()).content.decode()
    assert re.search(r'À valider <span class="count">2<span class="visually-hidden"> étapes</span>', page)
    client.force_login(partner)
    page = client.get(lanaudiere.get_absolute_url()).content.decode()
    # Only the steps of their own organisation that were sent back.
    assert re.search(r'Mes actions <span class="count"[^>]*>1<span class="visually-hidden"> étape renvoyée</span>', page)


def test_the_plan_page_no_longer_opens_on_rows_of_loose_links(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    page = client.get(lanaudiere.get_absolute_url()).content.decode()
    assert "Importer ou exporter le plan (tableur)" not in page
    assert "Étapes réalisées</a>" not in page.split('<section class="overview"')[0]
    assert page.count('class="plan-nav"') == 1


def test_an_archived_plan_offers_no_settings_and_no_spreadsheet(client, coordinator, lanaudiere):
    lanaudiere.archive()
    client.force_login(coordinator)
    entries, _current = nav_of(client.get(lanaudiere.get_absolute_url()).content.decode())
    # Its people stay readable (an archived plan is read as it was left), not its settings or spreadsheet.
    assert entries == ["Plan", "Étapes", "À relancer", "Réunions", "Bilans", "Personnes"]


def test_outsiders_and_another_plans_coordinator_get_no_navigation_of_the_plan(client, outsider, other_coordinator, lanaudiere):
    for person in (outsider, other_coordinator):
        client.force_login(person)
        response = client.get(lanaudiere.get_absolute_url())
        assert response.status_code == 404
        assert "plan-nav" not in response.content.decode()


# The overview


def overview_of(page):
    return re.search(r'<section class="overview".*?</section>\s*</div>\s*</section>', page, re.S).group(0)


def test_the_overview_shows_each_axis_progress_as_a_bar_with_its_figure(client, partner, lanaudiere):
    result = action(lanaudiere, "3.1.1").results.get(code="3.1.1.1")
    result.achieved_on = datetime.date(2025, 5, 1)
    result.save()
    client.force_login(partner)
    overview = overview_of(client.get(lanaudiere.get_absolute_url()).content.decode())
    bars = re.findall(r'<li><a href="#axe-(\d)">.*?<progress value="(\d+)" max="100" aria-label="Avancement de l’axe">\d+\xa0%</progress> <span class="progress-value">(\d+)\xa0%</span>', overview, re.S)
    assert [axis for axis, _value, _text in bars] == ["1", "2", "3", "4"]
    values = {axis: (int(value), int(text)) for axis, value, text in bars}
    assert values["3"][0] == values["3"][1] > 0  # the figure is written, not only drawn
    assert values["1"] == (0, 0)
    assert "<strong>1</strong> sur 40 résultats attendus" in overview


@time_machine.travel(JUNE_2026, tick=False)
def test_the_overview_counts_this_reporting_years_steps_and_results(client, coordinator, partner, lanaudiere):
    all_ = Organisation.objects.get(acronym="ALL")
    one = action(lanaudiere, "3.1.2")
    step(one, all_, done_on=datetime.date(2026, 5, 2), review=Step.Review.VALIDATED, by=coordinator)
    step(one, all_, done_on=datetime.date(2026, 4, 1))
    step(one, all_, done_on=datetime.date(2026, 3, 31), review=Step.Review.VALIDATED, by=coordinator)  # last year
    results = list(one.results.all())
    results[0].achieved_on = datetime.date(2026, 4, 10)
    results[0].save()
    client.force_login(partner)
    overview = overview_of(client.get(lanaudiere.get_absolute_url()).content.decode())
    assert "Étapes de l’année 2026-2027" in overview
    assert "<strong>2</strong> étapes réalisées" in overview
    assert "1 validée · 1 à valider" in overview
    assert "1 atteint pendant l’année de reddition 2026-2027" in overview


def test_a_first_visit_says_so_and_is_recorded(client, partner, lanaudiere):
    client.force_login(partner)
    page = client.get(lanaudiere.get_absolute_url()).content.decode()
    assert "C’est votre première visite de ce plan" in page
    assert PlanVisit.objects.filter(plan=lanaudiere, user=partner, since=None).count() == 1


def test_what_changed_since_the_previous_visit(client, coordinator, partner, lanaudiere):
    all_ = Organisation.objects.get(acronym="ALL")
    with time_machine.travel(datetime.datetime(2026, 5, 1, 14, 5, tzinfo=MONTREAL), tick=False):
        client.force_login(partner)
        client.get(lanaudiere.get_absolute_url())
        old = step(action(lanaudiere, "3.1.2"), all_, text="Avant la visite")  # seen during that visit
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, 0, tzinfo=MONTREAL), tick=False):
        step(action(lanaudiere, "3.1.3"), all_, text="Après")
        step(action(lanaudiere, "3.2.2"), all_, text="Après aussi")
        old.set_review(Step.Review.VALIDATED, by=coordinator)
        result = action(lanaudiere, "3.1.1").results.first()
        result.achieved_on = datetime.date(2026, 5, 20)
        result.save()
    with time_machine.travel(datetime.datetime(2026, 6, 1, 8, 0, tzinfo=MONTREAL), tick=False):
        client.force_login(partner)  # a session lasts 8 hours
        page = client.get(lanaudiere.get_absolute_url()).content.decode()
        assert "Depuis votre dernière visite" in page
        assert "Votre visite précédente s’est terminée le 1er mai 2026 à 14\xa0h\xa005." in page
        since = page.split("Depuis votre dernière visite")[1]
        assert "2 nouvelles étapes inscrites" in since
        assert "1 étape validée" in since
        assert "1 résultat atteint" in since
    # Coming back to the page a little later is the same visit: the same changes are still shown.
    with time_machine.travel(datetime.datetime(2026, 6, 1, 8, 30, tzinfo=MONTREAL), tick=False):
        page = client.get(lanaudiere.get_absolute_url()).content.decode()
        assert "2 nouvelles étapes inscrites" in page
    # The next day is a new visit: nothing happened since the last one.
    with time_machine.travel(datetime.datetime(2026, 6, 2, 8, 0, tzinfo=MONTREAL), tick=False):
        client.force_login(partner)
        page = client.get(lanaudiere.get_absolute_url()).content.decode()
        assert "Rien de nouveau." in page


def test_each_person_has_their_own_last_visit_per_plan(client, partner, other_partner, lanaudiere):
    client.force_login(partner)
    client.get(lanaudiere.get_absolute_url())
    client.force_login(other_partner)
    client.get(lanaudiere.get_absolute_url())
    assert PlanVisit.objects.filter(plan=lanaudiere).count() == 2
    client.get(lanaudiere.get_absolute_url())
    assert PlanVisit.objects.filter(plan=lanaudiere).count() == 2


def test_a_refused_visit_records_nothing(client, outsider, other_coordinator, lanaudiere):
    for person in (outsider, other_coordinator):
        client.force_login(person)
        assert client.get(lanaudiere.get_absolute_url()).status_code == 404
    assert not PlanVisit.objects.exists()


# « Mes actions »: what to do now


@time_machine.travel(JUNE_2026, tick=False)
def test_mes_actions_puts_returned_steps_first_then_what_is_due_without_a_recent_step(client, coordinator, partner, lanaudiere):
    """ALL's actions: 3.1.1 and 3.2.1 ended in 2025 (not due in 2026-2027); 3.1.2, 3.1.3, 3.2.2 and 3.3.3 are
    due. 3.1.2 has a recent step; 3.2.2 only one from last October (more than 4 months ago); 3.3.3's step
    was sent back."""
    all_ = Organisation.objects.get(acronym="ALL")
    step(action(lanaudiere, "3.1.2"), all_, text="Récente", done_on=datetime.date(2026, 5, 1))
    step(action(lanaudiere, "3.2.2"), all_, text="Ancienne", done_on=datetime.date(2025, 10, 1))
    step(action(lanaudiere, "3.3.3"), all_, text="À reprendre", review=Step.Review.RETURNED, by=coordinator, done_on=datetime.date(2026, 6, 1))
    client.force_login(partner)
    page = client.get(reverse("suivi:my_actions", args=[lanaudiere.slug])).content.decode()
    headings = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]
    assert headings[:3] == [
        "Étapes renvoyées par la coordination",
        "À faire avancer maintenant : 2 actions",
        "Vos autres actions : 4",
    ]
    returned, now, rest = (
        page.split('id="titre-renvoyees"')[1].split('id="titre-maintenant"')[0],
        page.split('id="titre-maintenant"')[1].split('id="titre-autres-actions"')[0],
        page.split('id="titre-autres-actions"')[1].split('id="titre-autres"')[0],
    )
    assert "À reprendre" in returned
    codes = lambda part: re.findall(r'<li class="action" id="action-([\d.]+)">', part)  # noqa: E731
    assert codes(now) == ["3.1.3", "3.2.2"]
    assert codes(rest) == ["3.1.1", "3.1.2", "3.2.1", "3.3.3"]


@time_machine.travel(JUNE_2026, tick=False)
def test_a_recent_check_in_is_news_in_mes_actions_as_in_the_reminders_and_a_relancer(client, coordinator, partner, lanaudiere):
    """3.1.3 and 3.2.2 are due with no recent step; the partner said « rien de nouveau » on 3.1.3 last week,
    and on 3.2.2 before the plan's months without news began."""
    all_ = Organisation.objects.get(acronym="ALL")
    said_on = {"3.1.3": datetime.date(2026, 6, 8), "3.2.2": datetime.date(2025, 10, 1)}
    for code, day in said_on.items():
        CheckIn.objects.create(action=action(lanaudiere, code), organisation=all_, person=partner, checked_on=day)
    client.force_login(partner)
    page = client.get(reverse("suivi:my_actions", args=[lanaudiere.slug])).content.decode()
    now = page.split('id="titre-maintenant"')[1].split('id="titre-autres-actions"')[0]
    codes = re.findall(r'<li class="action" id="action-([\d.]+)">', now)
    assert "3.2.2" in codes and "3.1.3" not in codes
    assert "sans étape ni «\u00a0rien de nouveau\u00a0» depuis plus de" in now
    stale = set(lanaudiere.stale_actions().values_list("code", flat=True))  # « Actions à relancer », the reminders
    assert "3.2.2" in stale and "3.1.3" not in stale


@time_machine.travel(JUNE_2026, tick=False)
def test_mes_actions_says_when_nothing_is_late(client, partner, lanaudiere):
    all_ = Organisation.objects.get(acronym="ALL")
    for code in ("3.1.2", "3.1.3", "3.2.2", "3.3.3"):
        step(action(lanaudiere, code), all_, done_on=datetime.date(2026, 6, 1))
    client.force_login(partner)
    page = client.get(reverse("suivi:my_actions", args=[lanaudiere.slug])).content.decode()
    assert "À faire avancer maintenant : 0 action" in page
    assert "Toutes vos actions prévues cette année ont des nouvelles récentes." in page
    assert "Étapes renvoyées par la coordination" not in page


# The last visit is personal information (Law 25): shown in « Mes données », erased with the person.


def test_a_person_sees_their_last_visit_in_their_data_and_it_goes_with_an_erasure(client, coordinator, partner, lanaudiere):
    from partners.models import Erasure
    from partners.personal_data import personal_data

    client.force_login(partner)
    client.get(lanaudiere.get_absolute_url())
    entry = next(entry for entry in personal_data(partner)["plans"] if entry["plan"] == lanaudiere.title)
    assert entry["derniere_visite"] is not None
    Erasure.erase(partner, by=coordinator)
    assert not PlanVisit.objects.filter(user=partner).exists()


def test_reading_the_plan_page_again_soon_after_writes_no_visit(client, partner, lanaudiere):
    client.force_login(partner)
    client.get(lanaudiere.get_absolute_url())
    noted = PlanVisit.objects.get(plan=lanaudiere, user=partner).seen_at
    with CaptureQueriesContext(connection) as queries:
        client.get(lanaudiere.get_absolute_url())
    assert not [query for query in queries if "plans_planvisit" in query["sql"] and not query["sql"].startswith("SELECT")]
    assert PlanVisit.objects.get(plan=lanaudiere, user=partner).seen_at == noted


def test_a_person_taken_out_of_the_plan_leaves_no_visit_of_it_nor_calendar_address(client, coordinator, partner, lanaudiere, other_plan):
    from meetings.models import CalendarKey

    PlanRole.objects.create(plan=other_plan, user=partner, role=PlanRole.Role.COMMITTEE)
    client.force_login(partner)
    for plan in (lanaudiere, other_plan):
        client.get(plan.get_absolute_url())
        CalendarKey.objects.for_person(partner, plan)
    feed = reverse("meetings:feed", args=[lanaudiere.slug, CalendarKey.objects.get(user=partner, plan=lanaudiere).key])
    client.force_login(coordinator)
    removed = client.post(reverse("plans:person_remove", args=[lanaudiere.slug, partner.pk]))
    assert removed.status_code == 302
    assert list(PlanVisit.objects.filter(user=partner).values_list("plan__slug", flat=True)) == [other_plan.slug]
    assert list(CalendarKey.objects.filter(user=partner).values_list("plan__slug", flat=True)) == [other_plan.slug]
    PlanRole.objects.create(plan=lanaudiere, user=partner, role=PlanRole.Role.PARTNER)  # invited back
    assert client.get(feed).status_code == 404


def test_the_admin_lists_visits_and_changes_none(client, partner, lanaudiere):
    from django.contrib.auth import get_user_model

    client.force_login(partner)
    client.get(lanaudiere.get_absolute_url())
    visit = PlanVisit.objects.get(user=partner)
    client.force_login(get_user_model().objects.create_superuser("admin-visites", "admin@example.org", "motdepasse-test"))
    listing = client.get(reverse("admin:plans_planvisit_changelist"))
    assert listing.status_code == 200 and "visites des plans" in listing.content.decode().lower()
    assert client.get(reverse("admin:plans_planvisit_change", args=[visit.pk])).status_code == 200  # to read
    before = (visit.seen_at, visit.since)
    refused = [
        client.post(reverse("admin:plans_planvisit_change", args=[visit.pk]), {"seen_at_0": "2020-01-01", "seen_at_1": "10:00"}),
        client.post(reverse("admin:plans_planvisit_delete", args=[visit.pk]), {"post": "yes"}),
        client.get(reverse("admin:plans_planvisit_add")),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403]
    visit.refresh_from_db()
    assert (visit.seen_at, visit.since) == before
