"""A signed-in person's session ends after eight hours without a request (SESSION_COOKIE_AGE), and reading
pages does not write it each time (lib/sessions.py)."""

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

PLAN_PAGE = "/plans/lanaudiere-2024-2026/"


def session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries if "django_session" in query["sql"] and not query["sql"].startswith("SELECT")]


def test_reading_pages_one_after_the_other_does_not_write_the_session(client, partner):
    client.force_login(partner)
    client.get(PLAN_PAGE)  # the first page after signing in notes when the expiry was last moved
    assert session_writes(client, PLAN_PAGE) == []
    assert session_writes(client, "/") == []


def test_a_session_in_use_lasts_and_one_left_alone_for_eight_hours_ends(client, partner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(partner)
        assert client.get(PLAN_PAGE).status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=7), tick=False):
        assert session_writes(client, PLAN_PAGE), "seven hours on, the request moves the expiry"
    with time_machine.travel(start + datetime.timedelta(hours=14), tick=False):  # 7 h after the last request
        assert client.get(PLAN_PAGE).status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=22, minutes=1), tick=False):  # 8 h 1 min after
        response = client.get(PLAN_PAGE)
        assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")
