"""Notices: a step sent back or validated (to its author), a bilan ready or adopted (to who adopts it), an
invitation; each in the person's list, with its unread count in the header, and by email (text and HTML,
in French) unless the person chose otherwise. The plan's links count the steps to validate and those
sent back."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse

from bilans.models import Bilan
from notifications import notices
from notifications.models import Notification, Preference
from partners.models import Organisation
from plans.models import Role
from suivi.models import Step

pytestmark = pytest.mark.django_db


@pytest.fixture
def step(lanaudiere, partner):
    partner.email = "all@example.org"
    partner.save()
    return Step.objects.create(
        action=lanaudiere.actions.get(code="3.1.1"), organisation=Organisation.objects.get(acronym="ALL"),
        description="Rencontre avec la municipalité", author=partner,
    )


def html_of(email):
    return next(content for content, kind in email.alternatives if kind == "text/html")


def review(client, coordinator, step, verb, **data):
    client.force_login(coordinator)
    url = reverse(f"suivi:{verb}_step", args=[step.action.plan.slug, step.pk])
    with_commit = client.post(url, data)
    assert with_commit.status_code == 302
    return with_commit


def test_author_is_told_by_email_and_in_the_app_when_their_step_is_sent_back(client, coordinator, step, partner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review(client, coordinator, step, "return", comment="Précisez la date de la rencontre.")
    [email] = mail.outbox
    assert email.to == ["all@example.org"]
    assert email.subject == "Votre étape sur l’action 3.1.1 est renvoyée"
    assert "Précisez la date de la rencontre." in email.body
    assert "http://127.0.0.1:8000" + step.action.get_absolute_url() in email.body
    assert "Corriger l’étape" in html_of(email) and "Précisez la date de la rencontre." in html_of(email)
    notice = partner.notifications.get()
    assert notice.kind == Notification.Kind.STEP_RETURNED and "Précisez la date" in notice.text


def test_a_validated_step_is_told_in_the_app_and_by_email_only_to_who_asked(client, coordinator, step, partner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review(client, coordinator, step, "validate")
    assert mail.outbox == []
    assert partner.notifications.get().text == "Votre étape sur l’action 3.1.1 est validée."
    Preference.objects.create(person=partner, email_when_validated=True)
    step.set_review(Step.Review.PENDING, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        review(client, coordinator, step, "validate")
    [email] = mail.outbox
    assert email.subject == "Votre étape sur l’action 3.1.1 est validée" and "comptera dans le bilan" in email.body


def test_a_person_who_turned_emails_off_still_finds_the_notice_in_the_app(client, coordinator, step, partner, django_capture_on_commit_callbacks):
    Preference.objects.create(person=partner, emails=False)
    with django_capture_on_commit_callbacks(execute=True):
        review(client, coordinator, step, "return", comment="Ajoutez le compte rendu.")
    assert mail.outbox == [] and partner.notifications.count() == 1


def test_a_refused_review_tells_nobody(client, partner, other_partner, step, django_capture_on_commit_callbacks):
    client.force_login(other_partner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("suivi:return_step", args=[step.action.plan.slug, step.pk]), {"comment": "Non"})
    assert response.status_code == 403
    assert Notification.objects.count() == 0 and mail.outbox == []
    step.refresh_from_db()
    assert step.review == Step.Review.PENDING


def test_header_shows_unread_count_and_the_list_marks_them_read(client, lanaudiere, partner, other_partner):
    for n in range(2):
        Notification.objects.create(person=partner, plan=lanaudiere, kind="returned", text=f"Avis {n}", url="/")
    theirs = Notification.objects.create(person=other_partner, kind="returned", text="Pas à vous", url="/")
    client.force_login(partner)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "2 non lus" in page and "Avis 0" in page and "Pas à vous" not in page
    mine = partner.notifications.first()
    assert client.post(reverse("notifications:mark_read", args=[mine.pk])).status_code == 302
    assert "1 non lu<" in client.get(reverse("plans:home")).content.decode()
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None  # another's notice stays unread
    client.post(reverse("notifications:mark_all_read"))
    assert partner.notifications.unread().count() == 0 and other_partner.notifications.unread().count() == 1
    assert "non lu" not in client.get(reverse("plans:home")).content.decode()


def test_plan_links_count_steps_to_validate_and_steps_sent_back(client, lanaudiere, coordinator, partner, other_partner, step):
    Step.objects.create(action=step.action, organisation=step.organisation, description="Autre", author=partner)
    step.set_review(Step.Review.RETURNED, by=coordinator, comment="À revoir")
    client.force_login(coordinator)
    assert nav_counts(client, lanaudiere) == {"À valider": "1 étape"}
    client.force_login(partner)
    assert nav_counts(client, lanaudiere) == {"Mes actions": "1 étape renvoyée"}
    client.force_login(other_partner)  # the TPDSL had nothing sent back
    assert nav_counts(client, lanaudiere) == {}


def nav_counts(client, plan):
    """{entry: its count as a screen reader says it} of the plan's navigation."""
    nav = re.search(r'<nav class="plan-nav".*?</nav>', client.get(plan.get_absolute_url()).content.decode(), re.S).group()
    entries = re.findall(r'<a [^>]*>([^<]+?) <span class="count"[^>]*>(.*?)</span></a>', nav, re.S)
    return {name.strip(): re.sub(r"<[^>]+>", "", count).strip() for name, count in entries}


def test_bilan_ready_and_adopted_reach_coordination_and_committee_only(lanaudiere, coordinator, committee_member, partner):
    coordinator.email, committee_member.email, partner.email = "coordo@example.org", "comite@example.org", "all@example.org"
    for person in (coordinator, committee_member, partner):
        person.save()
    bilan = Bilan.create_draft(lanaudiere, datetime.date(2024, 4, 1), datetime.date(2025, 3, 31), year=2024, user=coordinator)
    notices.bilan_ready(bilan)
    assert sorted(email.to[0] for email in mail.outbox) == ["comite@example.org", "coordo@example.org"]
    assert "est prêt à relire" in mail.outbox[0].subject and "Ouvrir le bilan" in html_of(mail.outbox[0])
    notices.bilan_adopted(bilan)
    assert committee_member.notifications.filter(kind=Notification.Kind.BILAN_ADOPTED).count() == 1
    assert partner.notifications.count() == 0


def test_a_person_invited_into_another_plan_finds_it_in_their_notices(client, lanaudiere, coordinator, other_coordinator, django_capture_on_commit_callbacks):
    other_coordinator.email = "autre@example.org"
    other_coordinator.save()
    client.force_login(coordinator)
    data = {"first_name": "A", "last_name": "B", "email": "autre@example.org", "role": Role.COMMITTEE}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:person_invite", args=[lanaudiere.slug]), data)
    assert response.status_code == 302, response.content.decode()
    [email] = mail.outbox
    assert "<html" in html_of(email) and lanaudiere.title in html_of(email)
    assert other_coordinator.notifications.get().text == f"Vous participez au plan « {lanaudiere.title} »."


def test_emails_carry_the_persons_own_unsubscribe_link(client, coordinator, step, partner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review(client, coordinator, step, "return", comment="Une précision.")
    [email] = mail.outbox
    link = re.search(r"se désabonner\)\u00a0: http://127.0.0.1:8000(\S+)", email.body).group(1)
    client.logout()
    assert client.post(link).status_code == 200
    assert Preference.objects.get(person=partner).emails is False
