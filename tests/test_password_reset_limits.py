"""« Mot de passe oublié » sends at most 3 emails an hour to one address and 10 an hour from one client;
over a limit the page answers exactly as always (it never says which addresses have an account) and
nothing is sent. The counts live in the database cache, shared by every app server."""

import datetime
import html

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.urls import reverse
from django.utils import timezone


@pytest.fixture
def marie(db):
    return get_user_model().objects.create_user(username="marie", email="marie@example.org", password="motdepasse-test")


def ask(client, email, address="127.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, follow=True)


def confirmation(response):
    """What the page says (its main part: the header carries a token that changes on every page)."""
    page = html.unescape(response.content.decode())
    return page[page.index("<main") : page.index("</main>")]


def test_the_fourth_request_for_one_address_sends_nothing_and_answers_the_same(client, marie, mailoutbox):
    answers = [ask(client, "marie@example.org") for _ in range(3)]
    assert len(mailoutbox) == 3
    assert all(mail.to == ["marie@example.org"] for mail in mailoutbox)

    fourth = ask(client, "marie@example.org")

    assert len(mailoutbox) == 3
    assert fourth.redirect_chain == answers[0].redirect_chain == [(reverse("password_reset_done"), 302)]
    assert "Si un compte actif correspond à cette adresse" in confirmation(fourth)
    assert confirmation(fourth) == confirmation(answers[0])


def test_another_address_still_gets_its_email(client, marie, mailoutbox):
    get_user_model().objects.create_user(username="paul", email="paul@example.org", password="motdepasse-test")
    for _ in range(4):
        ask(client, "marie@example.org")
    ask(client, "paul@example.org")
    assert [mail.to for mail in mailoutbox] == [["marie@example.org"]] * 3 + [["paul@example.org"]]


def test_the_address_counts_whatever_its_case(client, marie, mailoutbox):
    for email in ["marie@example.org", "Marie@Example.org", " MARIE@EXAMPLE.ORG "]:
        ask(client, email)
    ask(client, "marie@EXAMPLE.org")
    assert len(mailoutbox) == 3


def test_one_client_gets_ten_emails_an_hour_another_client_still_gets_its_own(client, db, mailoutbox):
    for n in range(12):
        get_user_model().objects.create_user(username=f"p{n}", email=f"p{n}@example.org", password="motdepasse-test")
    for n in range(11):
        response = ask(client, f"p{n}@example.org", address="203.0.113.7")
    assert len(mailoutbox) == 10
    assert "Si un compte actif correspond à cette adresse" in confirmation(response)

    ask(client, "p11@example.org", address="198.51.100.2")
    assert len(mailoutbox) == 11
    assert mailoutbox[-1].to == ["p11@example.org"]


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, marie, mailoutbox):
    known, unknown = ask(client, "marie@example.org"), ask(client, "inconnue@example.org")
    assert len(mailoutbox) == 1
    assert confirmation(unknown) == confirmation(known)


def test_a_bad_address_is_told_at_the_field(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "pas une adresse"})
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in html.unescape(response.content.decode())
    assert mailoutbox == []


def test_an_hour_later_the_address_gets_an_email_again(client, marie, mailoutbox):
    for _ in range(4):
        ask(client, "marie@example.org")
    assert len(mailoutbox) == 3
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, minutes=1)):
        ask(client, "marie@example.org")
    assert len(mailoutbox) == 4


def test_the_counts_are_kept_in_the_database_shared_by_every_app_server(client, marie, mailoutbox):
    assert caches["default"].__class__.__name__ == "DatabaseCache"
    ask(client, "marie@example.org")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM chantier_cache")
        assert cursor.fetchone()[0] == 2  # one count for the address, one for the client
