"""A bilan tells the year as it stood at its end: results count in the year of the date they were achieved
on, an action's status is the one it had then (today's shown beside it only where it differs)."""

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from bilans.documents import gather, render_pdf
from plans.models import Action, ExpectedResult
from tests.factories import make_plan

YEAR_2024 = (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
YEAR_2025 = (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))


def at(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 15, tzinfo=datetime.UTC), tick=False)


def actions_of(data):
    return {a["code"]: a for axis in data["axes"] for o in axis["objectives"] for a in o["actions"]}


def set_status(action, status, reason):
    action.status, action.status_is_manual, action.status_reason = status, True, reason
    action.save()


@pytest.fixture
def changed_in_2026(lanaudiere):
    """3.1.1 set « En continu » by the coordination in February 2025, then « Abandonnée » in May 2026;
    3.2.2's first result achieved on 2025-03-15 (ticked long after), its second on 2026-05-01."""
    ongoing = Action.objects.get(plan=lanaudiere, code="3.1.1")
    with at(2025, 2, 10):
        set_status(ongoing, Action.Status.ONGOING, "Veille documentaire continue")
    with at(2026, 5, 4):
        set_status(ongoing, Action.Status.ABANDONED, "Faute de financement")
    done = Action.objects.get(plan=lanaudiere, code="3.2.2")
    first, second = done.results.order_by("number")
    for result, day in ((first, datetime.date(2025, 3, 15)), (second, datetime.date(2026, 5, 1))):
        result.achieved_on = day
        result.save()
    done.refresh_status()
    assert done.status == Action.Status.DONE
    return lanaudiere


def test_an_action_whose_status_changed_in_2026_shows_its_2025_status(changed_in_2026):
    action = actions_of(gather(changed_in_2026, *YEAR_2024))["3.1.1"]
    assert (action["status_label"], action["status_reason"]) == ("En continu", "Veille documentaire continue")
    assert action["status_today_label"] == "Abandonnée"
    # The year after still ends before the change.
    assert actions_of(gather(changed_in_2026, *YEAR_2025))["3.1.1"]["status_label"] == "En continu"


def test_an_action_done_today_was_under_way_at_the_end_of_2024_2025(changed_in_2026):
    action = actions_of(gather(changed_in_2026, *YEAR_2024))["3.2.2"]
    assert (action["status_label"], action["status_today_label"]) == ("En cours", "Réalisée")
    assert action["progress"] == {"start": 0, "end": 50, "change": 50}


def test_today_s_status_is_not_repeated_where_it_is_the_same(changed_in_2026):
    actions = actions_of(gather(changed_in_2026, *YEAR_2024))
    untouched = actions["1.1.1"]
    assert untouched["status_label"] == "Non commencée" and untouched["status_today_label"] == ""


def test_a_result_achieved_on_2025_03_15_counts_in_2024_2025_and_not_in_2025_2026(changed_in_2026):
    first = ExpectedResult.objects.get(plan=changed_in_2026, code="3.2.2.1")
    year_2024, year_2025 = gather(changed_in_2026, *YEAR_2024), gather(changed_in_2026, *YEAR_2025)
    assert year_2024["achieved_count"] == 1
    assert year_2025["achieved_count"] == 0  # the second result, achieved on 2026-05-01, is 2026-2027's
    results_2024 = {r["code"]: r for r in actions_of(year_2024)["3.2.2"]["results"]}
    assert results_2024[first.code]["achieved_on"] == "2025-03-15"
    assert results_2024["3.2.2.2"]["achieved_on"] is None  # not achieved yet at the end of March 2025
    progress_2025 = actions_of(year_2025)["3.2.2"]["progress"]
    assert progress_2025 == {"start": 50, "end": 50, "change": 0}


def test_the_pdf_says_the_status_at_the_end_and_today_s_beside_it(changed_in_2026):
    reader = PdfReader(io.BytesIO(render_pdf(gather(changed_in_2026, *YEAR_2024))))
    text = " ".join(" ".join(page.extract_text().replace("\u00a0", " ").replace("\u202f", " ").split()) for page in reader.pages)
    assert "En continu (aujourd’hui : Abandonnée)" in text
    assert "En cours (aujourd’hui : Réalisée)" in text
    assert "1 résultat attendu atteint durant la période." in text


def test_the_status_at_the_end_takes_the_same_queries_whatever_the_plan_size(db):
    counts = []
    for slug, size in (("fin-petit", 20), ("fin-grand", 300)):
        plan = make_plan(slug, size)
        with at(2025, 1, 5):
            for action in plan.actions.all()[:size // 2]:
                set_status(action, Action.Status.ONGOING, "En continu")
        with CaptureQueriesContext(connection) as queries:
            data = gather(plan, *YEAR_2024)
        counts.append(len(queries))
        assert sum(a["status"] == "ongoing" for a in actions_of(data).values()) == size // 2
    assert counts[0] == counts[1]
