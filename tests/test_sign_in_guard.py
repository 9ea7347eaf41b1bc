"""Guessing a password at the sign-in page: after 5 wrong passwords from one client (or 20 from
everywhere) the sign-in is locked for 30 minutes with a French page that says so; a coordinator of the
person's plan or an instance administrator lifts the lockout; a wrong password is never kept."""

import datetime
import html
import logging

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from partners.models import InstanceAdministrator

PASSWORD = "motdepasse-test"  # tests/conftest.py gives it to everyone
WRONG = "pas-le-bon-mot-de-passe-7431"


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def is_signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, username, times, address="127.0.0.1"):
    for _ in range(times):
        response = sign_in(client, username, WRONG, address)
        assert not is_signed_in(client)
    return response


def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in_and_says_why(client, partner):
    fail(client, partner.username, 50)

    response = sign_in(client, partner.username, PASSWORD)

    assert response.status_code == 429
    assert not is_signed_in(client)
    page = html.unescape(response.content.decode())
    assert "Connexion bloquée" in page
    assert "30\u00a0minutes" in page
    assert "la coordination de votre plan" in page
    assert client.get(reverse("plans:home")).status_code == 302  # still sent to the sign-in page


def test_the_lockout_begins_at_the_fifth_wrong_password(client, partner):
    fail(client, partner.username, 4)
    response = sign_in(client, partner.username, WRONG)
    assert response.status_code == 429
    assert "Connexion bloquée" in response.content.decode()


def test_four_wrong_passwords_then_the_right_one_signs_in_and_start_again_from_zero(client, partner):
    fail(client, partner.username, 4)
    sign_in(client, partner.username, PASSWORD)
    assert is_signed_in(client)
    assert not AccessAttempt.objects.filter(username=partner.username).exists()


def test_another_client_still_signs_in_when_one_is_locked_out(client, partner):
    fail(client, partner.username, 5, address="203.0.113.9")
    assert sign_in(client, partner.username, PASSWORD, address="203.0.113.9").status_code == 429

    sign_in(client, partner.username, PASSWORD, address="198.51.100.4")
    assert is_signed_in(client)


def test_a_guess_spread_over_many_addresses_is_stopped_too(client, partner):
    for n in range(5):
        fail(client, partner.username, 4, address=f"203.0.113.{n + 1}")

    response = sign_in(client, partner.username, PASSWORD, address="198.51.100.4")

    assert response.status_code == 429
    assert not is_signed_in(client)


def test_an_unknown_username_is_locked_out_the_same_way(client, db):
    """The page says nothing about which usernames exist."""
    response = fail(client, "personne-inconnue", 5)
    assert response.status_code == 429
    assert "Connexion bloquée" in response.content.decode()


def test_the_lockout_ends_after_thirty_minutes_without_an_attempt(client, partner):
    fail(client, partner.username, 5)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        sign_in(client, partner.username, PASSWORD)
        assert is_signed_in(client)


def test_a_wrong_password_is_never_stored_nor_logged(client, partner, caplog):
    caplog.set_level(logging.DEBUG)
    fail(client, partner.username, 6)

    kept = [
        *AccessAttempt.objects.values_list("get_data", "post_data", "username", "user_agent", "path_info"),
        *AccessFailureLog.objects.values_list("username", "user_agent", "path_info"),
        *AccessLog.objects.values_list("username", "user_agent", "path_info"),
        *Session.objects.values_list("session_data"),
    ]
    assert AccessAttempt.objects.filter(username=partner.username).exists()
    assert WRONG not in repr(kept)
    assert WRONG not in caplog.text


def test_tests_still_sign_people_in_directly(client, partner):
    """force_login needs no password; client.login goes through the guard, which needs the request."""
    client.force_login(partner)
    assert is_signed_in(client)
    client.logout()
    assert client.login(request=HttpRequest(), username=partner.username, password=PASSWORD)
    assert is_signed_in(client)


# Lifting a lockout


def locked_out(client, person):
    fail(client, person.username, 5)
    assert sign_in(client, person.username, PASSWORD).status_code == 429


def test_coordinator_sees_the_lockout_on_the_people_page_lifts_it_and_the_person_signs_in(
    client, lanaudiere, coordinator, partner
):
    locked_out(client, partner)

    client.force_login(coordinator)
    page = client.get(reverse("plans:people", args=[lanaudiere.slug])).content.decode()
    assert "connexion bloquée" in page
    assert page.count("Débloquer la connexion") == 1
    response = client.post(reverse("plans:person_unlock", args=[lanaudiere.slug, partner.pk]))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "peut de nouveau essayer de se connecter" in page
    assert "Débloquer la connexion" not in page
    client.logout()

    sign_in(client, partner.username, PASSWORD)
    assert is_signed_in(client)


def test_instance_administrator_lifts_a_lockout_from_the_accounts_page(client, partner):
    administrator = get_user_model().objects.create_user(username="admin-instance", password=PASSWORD)
    InstanceAdministrator.objects.create(user=administrator)
    locked_out(client, partner)

    client.force_login(administrator)
    page = client.get(reverse("partners:accounts")).content.decode()
    assert "connexion bloquée" in page
    assert "Débloquer la connexion" in page
    assert client.post(reverse("partners:account_unlock", args=[partner.pk])).status_code == 302
    client.logout()

    sign_in(client, partner.username, PASSWORD)
    assert is_signed_in(client)


@pytest.mark.parametrize("who", ["other_coordinator", "other_partner", "committee_member", "outsider"])
def test_nobody_else_lifts_a_lockout(client, request, lanaudiere, partner, who):
    locked_out(client, partner)
    attempts = list(AccessAttempt.objects.values_list("pk", "failures_since_start"))

    client.force_login(request.getfixturevalue(who))
    from_the_plan = client.post(reverse("plans:person_unlock", args=[lanaudiere.slug, partner.pk]))
    from_the_accounts = client.post(reverse("partners:account_unlock", args=[partner.pk]))
    assert from_the_plan.status_code in {403, 404}
    assert from_the_accounts.status_code == 403
    client.logout()

    assert list(AccessAttempt.objects.values_list("pk", "failures_since_start")) == attempts
    assert sign_in(client, partner.username, PASSWORD).status_code == 429


def test_coordinator_of_another_plan_cannot_lift_it_through_their_own_plan(client, other_plan, other_coordinator, partner):
    locked_out(client, partner)

    client.force_login(other_coordinator)
    assert client.post(reverse("plans:person_unlock", args=[other_plan.slug, partner.pk])).status_code == 404
    client.logout()

    assert AccessAttempt.objects.filter(username=partner.username).exists()
    assert sign_in(client, partner.username, PASSWORD).status_code == 429


def test_coordinator_cannot_lift_the_lockout_of_an_instance_administrator_of_their_plan(client, lanaudiere, coordinator):
    from plans.models import PlanRole

    administrator = get_user_model().objects.create_user(username="admin-instance", password=PASSWORD)
    InstanceAdministrator.objects.create(user=administrator)
    PlanRole.objects.create(plan=lanaudiere, user=administrator, role=PlanRole.Role.COMMITTEE)
    locked_out(client, administrator)

    client.force_login(coordinator)
    page = client.get(reverse("plans:people", args=[lanaudiere.slug])).content.decode()
    assert "connexion bloquée" in page
    assert "Débloquer la connexion" not in page
    assert client.post(reverse("plans:person_unlock", args=[lanaudiere.slug, administrator.pk])).status_code == 403
    assert AccessAttempt.objects.filter(username=administrator.username).exists()


def test_unlocking_is_a_post(client, lanaudiere, coordinator, partner):
    locked_out(client, partner)
    client.force_login(coordinator)
    assert client.get(reverse("plans:person_unlock", args=[lanaudiere.slug, partner.pk])).status_code == 405
    assert AccessAttempt.objects.filter(username=partner.username).exists()
