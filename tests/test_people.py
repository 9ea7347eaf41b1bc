"""The coordinator invites people into the plan by email, deactivates and reactivates them, and lists them.
Nobody else manages the people of a plan; nobody registers on their own."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from partners.models import Organisation
from plans.models import Membership, PlanRole, Role
from tests.conftest import make_person
from tests.factories import make_plan

User = get_user_model()


def invite_url(plan):
    return reverse("plans:person_invite", args=[plan.slug])


def people_url(plan):
    return reverse("plans:people", args=[plan.slug])


def invitation_data(**changes):
    data = {
        "first_name": "Julie",
        "last_name": "Tremblay",
        "email": "Julie.Tremblay@example.org",
        "organisation": Organisation.objects.get(acronym="ALL").pk,
        "role": Role.PARTNER,
    }
    return {**data, **changes}


def invite(client, plan):
    response = client.post(invite_url(plan), invitation_data())
    assert response.status_code == 302, response.content.decode()
    return User.objects.get(email="julie.tremblay@example.org")


def link_in(mail):
    return re.search(r"http://testserver(/comptes/invitation/\S+/)", mail.body).group(1)


def test_coordinator_invites_a_person_who_chooses_a_password_and_arrives(client, coordinator, lanaudiere, mailoutbox):
    client.force_login(coordinator)
    person = invite(client, lanaudiere)
    assert not person.is_active
    assert not person.has_usable_password()
    assert person.username == "julie.tremblay@example.org"
    assert PlanRole.objects.get(plan=lanaudiere, user=person).role == Role.PARTNER
    assert Membership.objects.filter(user=person, organisation__acronym="ALL").exists()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["julie.tremblay@example.org"]
    assert "Invitation à suivre le plan" in mail.subject
    assert "Bonjour Julie Tremblay" in mail.body
    assert "Partenaire" in mail.body

    client.logout()
    form_page = client.get(link_in(mail), follow=True)
    page = form_page.content.decode()
    assert "Bienvenue dans Chantier" in page
    assert "julie.tremblay@example.org" in page
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Habitat-Lanaudiere-7", "new_password2": "Habitat-Lanaudiere-7"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_active
    assert person.check_password("Habitat-Lanaudiere-7")
    # Signed in, and the plan is there.
    assert lanaudiere.title in client.get(reverse("plans:home")).content.decode()
    # The link has served.
    client.logout()
    assert "ne fonctionne plus" in client.get(link_in(mail), follow=True).content.decode()


def test_invitation_link_with_a_wrong_token_is_refused(client, coordinator, lanaudiere, mailoutbox):
    client.force_login(coordinator)
    invite(client, lanaudiere)
    client.logout()
    forged = re.sub(r"/[^/]+/$", "/abc-123/", link_in(mailoutbox[0]))
    assert "ne fonctionne plus" in client.get(forged, follow=True).content.decode()


def test_invitation_form_shows_french_errors_at_the_field(client, coordinator, lanaudiere, partner, mailoutbox):
    partner.email = "deja@example.org"
    partner.save()
    client.force_login(coordinator)
    response = client.post(invite_url(lanaudiere), invitation_data(email="pas-une-adresse", organisation=""))
    page = response.content.decode()
    assert "Saisissez une adresse de courriel valide" in page
    assert "Choisissez l’organisation pour laquelle cette personne agit" in page
    response = client.post(invite_url(lanaudiere), invitation_data(email="DEJA@example.org"))
    assert "Cette personne a déjà un rôle dans ce plan" in response.content.decode()
    assert mailoutbox == []


def test_inviting_a_person_who_already_has_an_account_adds_them_to_the_plan(client, coordinator, lanaudiere, mailoutbox):
    existing = make_person("julie")
    existing.email = "julie.tremblay@example.org"
    existing.save()
    client.force_login(coordinator)
    assert invite(client, lanaudiere) == existing
    assert PlanRole.objects.filter(plan=lanaudiere, user=existing, role=Role.PARTNER).exists()
    assert "connectez-vous comme d’habitude" in mailoutbox[0].body
    assert "/comptes/invitation/" not in mailoutbox[0].body


@pytest.mark.parametrize("person", [None, "partner", "committee_member", "other_coordinator", "outsider"])
def test_only_the_coordinator_invites(client, request, lanaudiere, person, mailoutbox):
    if person:
        client.force_login(request.getfixturevalue(person))
    users_before = User.objects.count()
    response = client.post(invite_url(lanaudiere), invitation_data())
    if person is None:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        # A person without a role in the plan does not learn it exists (404); the others are refused (403).
        assert response.status_code == (404 if person in {"other_coordinator", "outsider"} else 403)
    assert User.objects.count() == users_before
    assert not User.objects.filter(email="julie.tremblay@example.org").exists()
    assert mailoutbox == []


def test_deactivated_person_cannot_sign_in_and_can_be_reactivated(client, coordinator, partner, lanaudiere):
    client.force_login(coordinator)
    response = client.post(reverse("plans:person_deactivate", args=[lanaudiere.slug, partner.pk]))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert not partner.is_active

    client.logout()
    refused = client.post(reverse("login"), {"username": "partner", "password": "motdepasse-test"})
    assert refused.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in refused.content.decode()
    # And a session opened before is closed: the next request is a stranger's.
    client.force_login(partner)  # force_login skips the check; the session is then refused
    assert client.get(reverse("plans:detail", args=[lanaudiere.slug])).status_code == 302

    client.force_login(coordinator)
    client.post(reverse("plans:person_reactivate", args=[lanaudiere.slug, partner.pk]))
    partner.refresh_from_db()
    assert partner.is_active
    client.logout()
    assert client.post(reverse("login"), {"username": "partner", "password": "motdepasse-test"}).status_code == 302


@pytest.mark.parametrize("person", [None, "partner", "committee_member", "other_coordinator"])
def test_only_the_coordinator_deactivates(client, request, lanaudiere, partner, person):
    if person:
        client.force_login(request.getfixturevalue(person))
    response = client.post(reverse("plans:person_deactivate", args=[lanaudiere.slug, partner.pk]))
    assert response.status_code in ({302} if person is None else {403, 404})
    if person is None:
        assert response.url.startswith(reverse("login"))
    partner.refresh_from_db()
    assert partner.is_active


def test_coordinator_cannot_deactivate_someone_who_also_takes_part_in_another_plan(
    client, coordinator, partner, lanaudiere
):
    """Inviting a person of another plan into one's own must not give power over them."""
    other = make_plan("autre-plan", actions=3)
    PlanRole.objects.create(plan=other, user=partner, role=Role.PARTNER)
    client.force_login(coordinator)
    response = client.post(reverse("plans:person_deactivate", args=[lanaudiere.slug, partner.pk]))
    assert response.status_code == 403
    partner.refresh_from_db()
    assert partner.is_active


def test_coordinator_cannot_deactivate_themselves(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    assert client.post(reverse("plans:person_deactivate", args=[lanaudiere.slug, coordinator.pk])).status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.is_active


def test_deactivating_an_invited_person_cancels_their_link(client, coordinator, lanaudiere, mailoutbox):
    client.force_login(coordinator)
    person = invite(client, lanaudiere)
    client.post(reverse("plans:person_deactivate", args=[lanaudiere.slug, person.pk]))
    client.logout()
    assert "ne fonctionne plus" in client.get(link_in(mailoutbox[0]), follow=True).content.decode()
    # Resending gives a new link that works.
    client.force_login(coordinator)
    client.post(reverse("plans:person_resend_invitation", args=[lanaudiere.slug, person.pk]))
    assert len(mailoutbox) == 2
    client.logout()
    assert "Activer mon compte" in client.get(link_in(mailoutbox[1]), follow=True).content.decode()


def test_people_list_shows_name_email_organisation_role_access_and_last_sign_in(
    client, coordinator, partner, committee_member, lanaudiere, mailoutbox
):
    partner.first_name, partner.last_name, partner.email = "Paul", "Gagnon", "paul@example.org"
    partner.save()
    client.force_login(coordinator)
    invite(client, lanaudiere)
    page = client.get(people_url(lanaudiere)).content.decode()
    assert "Paul Gagnon" in page
    assert "paul@example.org" in page
    assert "Action-Logement Lanaudière (ALL)" in page
    assert "Partenaire" in page and "Comité de coordination" in page and "Coordination" in page
    assert "Invitée" in page and "Active" in page
    assert "Jamais" in page
    assert "Renvoyer l’invitation" in page
    assert "Désactiver" in page
    assert "Retirer du plan" in page

    filtered = client.get(people_url(lanaudiere), {"role": Role.COMMITTEE}).content.decode()
    assert "comite-test" in filtered and "Paul Gagnon" not in filtered

    export = client.get(people_url(lanaudiere), {"_export": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    rows = export.content.decode("utf-8-sig").splitlines()  # a French Excel's CSV: BOM, ';'
    assert rows[0] == "Nom;Courriel;Organisation(s);Rôle;Accès;Dernière connexion"
    assert any(row.startswith("Paul Gagnon;paul@example.org") for row in rows)


@pytest.mark.parametrize("person", ["partner", "committee_member"])
def test_people_list_is_for_the_coordinator(client, request, lanaudiere, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(people_url(lanaudiere)).status_code == 403
    assert reverse("plans:people", args=[lanaudiere.slug]) not in client.get(
        reverse("plans:detail", args=[lanaudiere.slug])
    ).content.decode()


def test_people_list_runs_a_fixed_number_of_queries(client, coordinator, lanaudiere, django_assert_max_num_queries):
    org = Organisation.objects.get(acronym="ALL")
    for n in range(3):
        make_person(f"p{n}", lanaudiere, Role.PARTNER, org)
    client.force_login(coordinator)
    # 15 with the header's unread notices and the count of steps to validate in the plan's navigation.
    with django_assert_max_num_queries(15):
        assert client.get(people_url(lanaudiere)).status_code == 200
    for n in range(3, 40):
        make_person(f"p{n}", lanaudiere, Role.PARTNER, org)
    with django_assert_max_num_queries(15):
        assert client.get(people_url(lanaudiere)).status_code == 200


@pytest.mark.parametrize("person", [None, "partner", "committee_member", "other_coordinator"])
def test_only_the_coordinator_reactivates_or_resends_an_invitation(
    client, request, coordinator, lanaudiere, person, mailoutbox
):
    client.force_login(coordinator)
    invited = invite(client, lanaudiere)
    deactivated = make_person("ancienne", lanaudiere, Role.PARTNER)
    deactivated.is_active = False
    deactivated.save()
    mailoutbox.clear()
    client.logout()
    if person:
        client.force_login(request.getfixturevalue(person))
    for name, target in [("person_reactivate", deactivated), ("person_resend_invitation", invited)]:
        response = client.post(reverse(f"plans:{name}", args=[lanaudiere.slug, target.pk]))
        if person is None:
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            assert response.status_code in {403, 404}
    deactivated.refresh_from_db()
    invited.refresh_from_db()
    assert not deactivated.is_active
    assert not invited.is_active
    assert mailoutbox == []


def test_writing_urls_refuse_get(client, coordinator, partner, lanaudiere):
    client.force_login(coordinator)
    assert client.get(reverse("plans:person_deactivate", args=[lanaudiere.slug, partner.pk])).status_code == 405
    partner.refresh_from_db()
    assert partner.is_active


@pytest.fixture
def demo(transactional_db, settings):
    import os

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_demo", sans_activite=True, stdout=open(os.devnull, "w"))


@pytest.mark.browser
def test_in_a_browser_the_coordinator_invites_and_the_person_arrives(live_server, page, demo, mailoutbox):
    from playwright.sync_api import expect

    page.goto(live_server.url)
    page.get_by_label("Nom d’utilisateur").fill("coordination")
    page.get_by_label("Mot de passe").fill("chantier-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Chantier régional en habitation – Plan d’action 2024-2026", exact=True).click()
    page.get_by_role("link", name="Personnes").click()
    page.get_by_role("link", name="Inviter une personne").click()
    page.get_by_label("Prénom").fill("Julie")
    page.get_by_label("Nom", exact=True).fill("Tremblay")
    page.get_by_label("Courriel").fill("julie@example.org")
    page.get_by_label("Organisation").select_option(label="Action-Logement Lanaudière (ALL)")
    page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(page.get_by_role("status").first).to_contain_text("Une invitation est envoyée à julie@example.org")
    expect(page.get_by_role("cell", name="Invitée")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    link = re.search(r"http://[^/]+(/comptes/invitation/\S+/)", mailoutbox[0].body).group(1)
    page.goto(live_server.url + link)
    page.get_by_label("Nouveau mot de passe", exact=True).fill("Habitat-Lanaudiere-7")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Habitat-Lanaudiere-7")
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_role("status")).to_contain_text("Bienvenue ! Votre mot de passe est enregistré.")
    expect(page.get_by_role("link", name="Chantier régional en habitation – Plan d’action 2024-2026", exact=True)).to_be_visible()
    expect(page.get_by_text("Julie Tremblay")).to_be_visible()


def test_coordinator_takes_a_person_out_of_the_plan_and_their_link_stops_working(
    client, coordinator, partner, lanaudiere, mailoutbox
):
    client.force_login(coordinator)
    invited = invite(client, lanaudiere)
    for person in (invited, partner):
        response = client.post(reverse("plans:person_remove", args=[lanaudiere.slug, person.pk]))
        assert response.status_code == 302
        assert not PlanRole.objects.filter(plan=lanaudiere, user=person).exists()
    partner.refresh_from_db()
    assert partner.is_active  # the account stays; only the role in this plan goes
    # and with it the organisations they acted for in this plan (no other plan here); history keeps it
    assert not Membership.objects.filter(user=partner).exists()
    assert Membership.history.filter(user=partner, plan=lanaudiere, history_type="-").exists()
    client.logout()
    assert "ne fonctionne plus" in client.get(link_in(mailoutbox[0]), follow=True).content.decode()


@pytest.mark.parametrize("person", [None, "partner", "committee_member", "other_coordinator"])
def test_only_the_coordinator_takes_people_out_of_the_plan(client, request, lanaudiere, partner, person):
    if person:
        client.force_login(request.getfixturevalue(person))
    response = client.post(reverse("plans:person_remove", args=[lanaudiere.slug, partner.pk]))
    if person is None:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code in {403, 404}
    assert PlanRole.objects.filter(plan=lanaudiere, user=partner).exists()


def test_coordinator_cannot_take_themselves_out(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    assert client.post(reverse("plans:person_remove", args=[lanaudiere.slug, coordinator.pk])).status_code == 403
    assert PlanRole.objects.filter(plan=lanaudiere, user=coordinator).exists()
