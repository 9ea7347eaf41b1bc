"""Accounts in French: sign in, password change, forgotten password by email (no self-registration)."""

import re

import pytest
from django.urls import reverse

from tests.conftest import make_person


@pytest.fixture
def person(db):
    person = make_person("marie")
    person.email = "marie@example.org"
    person.first_name = "Marie"
    person.save()
    return person


def test_sign_in_page_offers_the_forgotten_password_link_and_no_registration(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Mot de passe oublié ?" in page
    assert "inscri" not in page.lower()


def test_person_changes_their_password_in_french(client, person):
    client.force_login(person)
    page = client.get(reverse("password_change")).content.decode()
    assert "Changer mon mot de passe" in page
    assert "Ancien mot de passe" in page

    refused = client.post(
        reverse("password_change"),
        {"old_password": "pas-le-bon", "new_password1": "Nouveau-secret-42", "new_password2": "Nouveau-secret-42"},
    )
    assert "Votre ancien mot de passe est incorrect" in refused.content.decode()

    response = client.post(
        reverse("password_change"),
        {"old_password": "motdepasse-test", "new_password1": "Nouveau-secret-42", "new_password2": "Nouveau-secret-42"},
    )
    assert response.status_code == 302
    assert "Mot de passe changé" in client.get(response.url).content.decode()
    person.refresh_from_db()
    assert person.check_password("Nouveau-secret-42")


def test_forgotten_password_link_by_email_sets_a_new_password(client, person, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "marie@example.org"})
    assert response.status_code == 302
    assert "Courriel envoyé" in client.get(response.url).content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["marie@example.org"]
    assert mail.subject == "Chantier : choisir un nouveau mot de passe"
    assert "Bonjour Marie" in mail.body

    link = re.search(r"http://testserver(/comptes/reset/\S+/)", mail.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Nouveau mot de passe" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Nouveau-secret-42", "new_password2": "Nouveau-secret-42"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Nouveau-secret-42")
    # The link has served: it no longer works.
    assert "Ce lien ne fonctionne plus" in client.get(link, follow=True).content.decode()


def test_forgotten_password_for_an_unknown_address_sends_nothing_and_says_the_same(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "inconnu@example.org"}, follow=True)
    assert "Courriel envoyé" in response.content.decode()
    assert mailoutbox == []


def test_signed_in_person_sees_the_password_link(client, person):
    client.force_login(person)
    assert reverse("password_change") in client.get(reverse("plans:home")).content.decode()
