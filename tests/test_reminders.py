"""Reminders: each partner's digest of their own organisation's actions, once a period; the coordination's
week; the one-click links in them (« Inscrire une étape », « Rien de nouveau, toujours en cours »); the
links to change one's frequency or unsubscribe; « Actions à relancer » and its « Relancer maintenant »."""

import datetime
import io
import re
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_token

from notifications.links import CHECK_IN, STEP, action_link, preferences_link, scope
from notifications.models import Preference, Reminder, UsedLink
from notifications.reminders import period_of, send_reminders
from notifications.tasks import send_reminders_task
from partners.models import Organisation
from plans.models import Action, PlanRole
from meetings.models import Meeting
from suivi.models import CheckIn, PlannedStep, Step
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(lanaudiere, partner, other_partner, coordinator):
    """ALL's partner and the TPDSL's, and the coordinator, with emails (the shared people have none)."""
    for person, email in ((partner, "all@example.org"), (other_partner, "tpdsl@example.org"), (coordinator, "coordo@example.org")):
        person.email = email
        person.save()
    return partner, other_partner, coordinator


def own_codes(plan, acronym):
    return set(Action.objects.filter(plan=plan).active().for_organisation(Organisation.objects.get(acronym=acronym)).values_list("code", flat=True))


def mails_to(address):
    return [email for email in mail.outbox if email.to == [address]]


def listed_codes(email):
    """The actions an email lists, as its text part writes them (« - 3.1.1 Le texte »)."""
    return set(re.findall(r"^- (\d+\.\d+\.\d+) ", email.body, flags=re.M))


def html_of(email):
    return next(content for content, kind in email.alternatives if kind == "text/html")


def test_each_partner_gets_one_digest_of_their_organisations_actions_only(lanaudiere, people):
    partner, other_partner, coordinator = people
    call_command("send_reminders", stdout=open("/dev/null", "w"))
    [to_all] = mails_to("all@example.org")
    [to_tpdsl] = mails_to("tpdsl@example.org")
    all_codes, tpdsl_codes = own_codes(lanaudiere, "ALL"), own_codes(lanaudiere, "TPDSL")
    assert listed_codes(to_all) and listed_codes(to_all) <= all_codes
    assert listed_codes(to_tpdsl) and listed_codes(to_tpdsl) <= tpdsl_codes
    for code in tpdsl_codes - all_codes:
        assert f"- {code} " not in to_all.body and f"<strong>{code}</strong>" not in html_of(to_all)
    assert "Inscrire une étape" in to_all.body and "Rien de nouveau, toujours en cours" in to_all.body
    assert to_all.subject == f"Vos actions du plan « {lanaudiere.title} » : où en êtes-vous ?"
    assert "Se désabonner" in html_of(to_all) and to_all.extra_headers["List-Unsubscribe-Post"]


def test_two_people_of_one_organisation_each_get_their_own_links(client, lanaudiere, people):
    colleague = make_person("collegue", lanaudiere, PlanRole.Role.PARTNER, Organisation.objects.get(acronym="ALL"))
    colleague.email = "collegue@example.org"
    colleague.save()
    send_reminders(plans=[lanaudiere])
    [mine], [theirs] = mails_to("all@example.org"), mails_to("collegue@example.org")
    assert listed_codes(mine) == listed_codes(theirs)
    check_in = re.compile(r"toujours en cours\u00a0: http://127.0.0.1:8000(\S+)")
    mine_link, theirs_link = check_in.search(mine.body).group(1), check_in.search(theirs.body).group(1)
    assert mine_link != theirs_link
    client.post(theirs_link, {"t": theirs_link.split("?t=")[1]})
    assert CheckIn.objects.get().person == colleague


def test_running_twice_sends_nothing_twice_and_records_who_got_what(lanaudiere, people):
    partner, _other, _coordinator = people
    send_reminders(plans=[lanaudiere])
    first = len(mail.outbox)
    assert first >= 3  # ALL, the TPDSL, the coordination's week
    send_reminders(plans=[lanaudiere])
    assert len(mail.outbox) == first
    sent = Reminder.objects.get(person=partner, plan=lanaudiere, kind=Reminder.Kind.PARTNER_DIGEST)
    assert sent.sent_at is not None and sent.period == period_of("monthly", timezone.localdate())
    assert list(sent.organisations.values_list("acronym", flat=True)) == ["ALL"]


def test_once_handed_to_the_tasks_worker_the_reminders_go_every_morning_by_themselves(
    transactional_db, lanaudiere, people, settings
):
    """The worker takes its tasks in transactions of its own: this test commits, as in production."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    partner, _other, _coordinator = people
    at = lambda day, hour, minute: timezone.make_aware(datetime.datetime(2026, 12, day, hour, minute))  # noqa: E731
    waiting = DBTaskResult.objects.filter(status="READY")

    with time_machine.travel(at(2, 9, 0), tick=False):
        call_command("send_reminders", "--every-morning", stdout=io.StringIO())
        call_command("send_reminders", "--every-morning", stdout=io.StringIO())  # started twice: one series
        # Two servers started at the same moment, each having queued its run: the next start keeps one.
        send_reminders_task.using(run_after=at(3, 7, 15)).enqueue()
        call_command("send_reminders", "--every-morning", stdout=io.StringIO())
    assert [timezone.localtime(run) for run in waiting.values_list("run_after", flat=True)] == [at(3, 7, 15)]
    assert mail.outbox == []

    with time_machine.travel(at(3, 7, 16), tick=False):
        call_command("db_worker", batch=True, startup_delay=False, stdout=io.StringIO(), stderr=io.StringIO())
    assert len(mails_to("all@example.org")) == 1
    assert [timezone.localtime(run) for run in waiting.values_list("run_after", flat=True)] == [at(4, 7, 15)]

    with time_machine.travel(at(4, 7, 16), tick=False):
        call_command("db_worker", batch=True, startup_delay=False, stdout=io.StringIO(), stderr=io.StringIO())
    assert len(mails_to("all@example.org")) == 1  # monthly: nothing again the next morning
    assert waiting.count() == 1 and DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


def test_handing_the_reminders_to_a_worker_that_cannot_wait_says_to_use_cron(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(CommandError, match="cron"):
        call_command("send_reminders", "--every-morning")
    for other in (["--dry-run"], ["--plan", "lanaudiere-2024-2026"]):  # the series is for every plan, for real
        with pytest.raises(CommandError, match="--every-morning"):
            call_command("send_reminders", "--every-morning", *other)
    assert mail.outbox == []


def test_fresh_and_checked_in_actions_are_left_out_stale_ones_stay(lanaudiere, people):
    partner, _other, _coordinator = people
    fresh, checked_in, *stale = sorted(own_codes(lanaudiere, "ALL"))
    all_org = Organisation.objects.get(acronym="ALL")
    Step.objects.create(action=lanaudiere.actions.get(code=fresh), organisation=all_org, description="Rencontre", author=partner)
    CheckIn.objects.create(action=lanaudiere.actions.get(code=checked_in), organisation=all_org, person=partner)
    send_reminders(plans=[lanaudiere])
    [to_all] = mails_to("all@example.org")
    assert fresh not in listed_codes(to_all) and checked_in not in listed_codes(to_all)
    assert set(stale) & listed_codes(to_all)
    stale_now = set(lanaudiere.stale_actions().values_list("code", flat=True))
    assert fresh not in stale_now and checked_in not in stale_now  # « Actions à relancer » agrees


def test_a_reminder_already_sent_this_period_is_not_sent_again(lanaudiere, people):
    partner, other_partner, _coordinator = people
    Reminder.objects.create(
        person=partner, plan=lanaudiere, kind=Reminder.Kind.PARTNER_DIGEST,
        period=period_of("monthly", timezone.localdate()), sent_at=timezone.now(),
    )
    send_reminders(plans=[lanaudiere])
    assert mails_to("all@example.org") == []
    assert len(mails_to("tpdsl@example.org")) == 1


def test_a_failed_email_is_kept_logged_and_retried_on_the_next_run(lanaudiere, people, caplog):
    partner, _other, _coordinator = people
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("serveur absent")):
        with pytest.raises(CommandError, match="réessayés"):
            call_command("send_reminders", plan=lanaudiere.slug, stdout=open("/dev/null", "w"))
    failed = Reminder.objects.get(person=partner, kind=Reminder.Kind.PARTNER_DIGEST)
    assert failed.sent_at is None and failed.attempts == 1 and "serveur absent" in failed.error
    assert "reminder not sent" in caplog.text
    call_command("send_reminders", plan=lanaudiere.slug, stdout=open("/dev/null", "w"))
    assert len(mails_to("all@example.org")) == 1
    failed.refresh_from_db()
    assert failed.sent_at is not None and failed.attempts == 2 and failed.error == ""


def test_a_second_run_while_the_first_sends_sends_nothing_twice(lanaudiere, people):
    """cron and a person by hand, at once: the second run starts while the first holds its claims."""
    from django.core.mail.backends.locmem import EmailBackend  # noqa: PLC0415

    send, second = EmailBackend.send_messages, {}

    def first_email_starts_a_second_run(self, messages):
        if "started" not in second:
            second["started"] = True
            second["sent"] = send_reminders(plans=[lanaudiere])[lanaudiere.slug]
        return send(self, messages)

    with mock.patch.object(EmailBackend, "send_messages", first_email_starts_a_second_run):
        first = send_reminders(plans=[lanaudiere])
    # The second run took what the first had not claimed yet; what one sent, the other left.
    assert first[lanaudiere.slug] + second["sent"] == len(mail.outbox) >= 3
    assert len({(email.to[0], email.subject) for email in mail.outbox}) == len(mail.outbox)
    assert len(mails_to("all@example.org")) == len(mails_to("tpdsl@example.org")) == 1
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert not Reminder.objects.exclude(claimed_by="").exists()


def test_an_email_held_by_a_run_in_progress_is_left_to_it_and_one_left_by_a_dead_run_is_retried(lanaudiere, people):
    partner, other_partner, _coordinator = people
    period = period_of("monthly", timezone.localdate())

    def held(person, since):
        return Reminder.objects.create(
            person=person, plan=lanaudiere, kind=Reminder.Kind.PARTNER_DIGEST, period=period,
            claimed_by="une-autre-execution", claimed_at=timezone.now() - since,
        )

    in_progress = held(partner, datetime.timedelta(minutes=5))
    abandoned = held(other_partner, Reminder.CLAIM_LEASE + datetime.timedelta(minutes=1))
    send_reminders(plans=[lanaudiere])
    assert mails_to("all@example.org") == []
    in_progress.refresh_from_db()
    assert in_progress.sent_at is None and in_progress.claimed_by == "une-autre-execution"
    [to_tpdsl] = mails_to("tpdsl@example.org")
    abandoned.refresh_from_db()
    assert abandoned.sent_at is not None and abandoned.attempts == 1 and abandoned.claimed_by == ""
    # An hour on, the run that held the ALL's email has not recorded it: it died, and the next run sends it.
    Reminder.objects.filter(pk=in_progress.pk).update(claimed_at=F("claimed_at") - Reminder.CLAIM_LEASE)
    send_reminders(plans=[lanaudiere])
    assert len(mails_to("all@example.org")) == 1 and len(mails_to("tpdsl@example.org")) == 1


def test_a_run_asks_the_same_queries_however_many_people_it_reminds(lanaudiere, people):
    """What bench/reminders.py measures on 1,000 people (its 43 queries, and 3 more for the claims), kept
    in the suite on a few: a run, then the same run again in the period."""
    def run():
        mail.outbox.clear()
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as first:
            send_reminders(plans=[lanaudiere])
        with CaptureQueriesContext(connection) as again:
            send_reminders(plans=[lanaudiere])
        return len(first), len(again), len(mail.outbox)

    few = run()
    for n in range(4):
        colleague = make_person(f"collegue-{n}", lanaudiere, PlanRole.Role.PARTNER, Organisation.objects.get(acronym="TPDSL"))
        colleague.email = f"collegue-{n}@example.org"
        colleague.save()
    many = run()
    assert many[2] == few[2] + 4
    assert many[:2] == few[:2]


def test_nobody_is_reminded_when_the_plan_says_never_or_the_person_unsubscribed(lanaudiere, people):
    partner, other_partner, _coordinator = people
    Preference.objects.create(person=partner, reminder_frequency=Preference.Frequency.NEVER)
    send_reminders(plans=[lanaudiere])
    assert mails_to("all@example.org") == [] and len(mails_to("tpdsl@example.org")) == 1
    mail.outbox.clear()
    Reminder.objects.all().delete()
    lanaudiere.reminder_frequency = "never"
    lanaudiere.save()
    send_reminders(plans=[lanaudiere])
    assert mails_to("tpdsl@example.org") == []


def test_a_weekly_partner_gets_their_digest_again_the_next_week(lanaudiere, people):
    partner, _other, _coordinator = people
    Preference.objects.create(person=partner, reminder_frequency=Preference.Frequency.WEEKLY)
    today = timezone.localdate()
    send_reminders(plans=[lanaudiere], today=today)
    send_reminders(plans=[lanaudiere], today=today + datetime.timedelta(days=1 if today.weekday() < 6 else 0))
    assert len(mails_to("all@example.org")) == 1
    send_reminders(plans=[lanaudiere], today=today + datetime.timedelta(days=7))
    assert len(mails_to("all@example.org")) == 2


def test_the_coordination_gets_its_week_and_one_grouped_notice_of_new_steps(lanaudiere, people):
    partner, _other, coordinator = people
    all_org = Organisation.objects.get(acronym="ALL")
    action = lanaudiere.actions.get(code="3.1.1")
    for n in range(3):
        Step.objects.create(action=action, organisation=all_org, description=f"Rencontre {n}", author=partner)
    CheckIn.objects.create(action=lanaudiere.actions.get(code="3.1.2"), organisation=all_org, person=partner)
    send_reminders(plans=[lanaudiere])
    to_coordinator = mails_to("coordo@example.org")
    subjects = sorted(email.subject for email in to_coordinator)
    assert subjects == [f"3 nouvelles étapes à valider dans « {lanaudiere.title} »", f"La semaine du plan « {lanaudiere.title} »"]
    week = next(email for email in to_coordinator if email.subject.startswith("La semaine"))
    assert "3 nouvelles étapes cette semaine" in week.body and "3 étapes attendent votre validation" in week.body
    assert "actions à relancer" in week.body
    # The check-in is told as such, and the action it is about is not one to remind.
    assert "« Rien de nouveau, toujours en cours » cette semaine" in week.body and "- 3.1.2 · ALL · " in week.body
    assert not re.search(r"^- 3\.1\.2 [^·]", week.body, flags=re.M)
    assert coordinator.notifications.get().text == "Étapes à valider\u00a0: 3"
    send_reminders(plans=[lanaudiere])
    assert len(mails_to("coordo@example.org")) == 2  # nothing new: nothing again


def test_a_partners_digest_lists_their_organisations_planned_steps_late_or_due_soon(lanaudiere, people):
    partner, other_partner, coordinator = people
    all_org, tpdsl = Organisation.objects.get(acronym="ALL"), Organisation.objects.get(acronym="TPDSL")
    action = lanaudiere.actions.get(code="3.1.1")
    today = timezone.localdate()

    def plan(description, days, organisation=all_org):
        return PlannedStep.objects.create(
            action=action, organisation=organisation, description=description,
            due_on=today + datetime.timedelta(days=days), planned_by=coordinator,
        )

    plan("Portrait des besoins", -3)
    plan("Rencontre des élus", 10)
    plan("Bilan de l’été", 60)
    send_reminders(plans=[lanaudiere])

    [to_all] = mails_to("all@example.org")
    assert "Étapes prévues bientôt ou en retard" in to_all.body
    assert "3.1.1 Portrait des besoins" in to_all.body and "en retard" in to_all.body
    assert "3.1.1 Rencontre des élus" in to_all.body and "Bilan de l’été" not in to_all.body
    assert "Portrait des besoins" in html_of(to_all)
    [to_tpdsl] = mails_to("tpdsl@example.org")
    assert "Portrait des besoins" not in to_tpdsl.body and "Étapes prévues" not in to_tpdsl.body


def test_the_coordinations_week_names_the_next_meeting(lanaudiere, people):
    start = timezone.now() + datetime.timedelta(days=5)
    Meeting.objects.create(
        plan=lanaudiere, body=Meeting.Body.COORDINATION, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
        place="Salle du conseil, Joliette",
    )
    send_reminders(plans=[lanaudiere])
    week = next(email for email in mails_to("coordo@example.org") if email.subject.startswith("La semaine"))
    assert "Prochaine rencontre" in week.body and "Salle du conseil, Joliette" in week.body


# The one-click links


def link(person, code, purpose, plan):
    return action_link(person, plan.actions.get(code=code), purpose)


def test_check_in_link_asks_once_records_once_and_is_spent(client, lanaudiere, partner):
    url = link(partner, "3.1.1", CHECK_IN, lanaudiere)
    page = client.get(url)
    assert page.status_code == 200 and "Oui, toujours en cours" in page.content.decode()
    assert CheckIn.objects.count() == 0  # opening the link (a mail program does) writes nothing
    token = url.split("?t=")[1]
    done = client.post(url, {"t": token})
    assert done.status_code == 302
    check_in = CheckIn.objects.get()
    assert (check_in.person, check_in.organisation.acronym, check_in.action.code) == (partner, "ALL", "3.1.1")
    assert check_in.checked_on == timezone.localdate()
    again = client.post(url, {"t": token})
    assert again.status_code == 403 and "Ce lien ne fonctionne plus" in again.content.decode()
    assert "ce que vous avez inscrit avec lui est bien enregistré" in again.content.decode()  # not « lost »
    assert CheckIn.objects.count() == 1 and client.get(url).status_code == 403
    assert "_auth_user_id" not in client.session  # the link opened no session


def test_step_link_opens_only_its_own_actions_form(client, lanaudiere, partner):
    url = link(partner, "3.1.1", STEP, lanaudiere)
    token = url.split("?t=")[1]
    assert "Inscrire l’étape" in client.get(url).content.decode()
    elsewhere = reverse("notifications:link_step", args=[lanaudiere.slug, "3.1.2"]) + f"?t={token}"
    assert client.get(elsewhere).status_code == 403
    assert client.post(elsewhere, {"t": token, "description": "Ailleurs", "done_on": timezone.localdate().isoformat()}).status_code == 403
    check_in_url = reverse("notifications:link_check_in", args=[lanaudiere.slug, "3.1.1"]) + f"?t={token}"
    assert client.post(check_in_url, {"t": token}).status_code == 403  # the step link says nothing for it
    assert Step.objects.count() == 0 and CheckIn.objects.count() == 0


def test_step_link_records_the_step_for_its_person_once(client, lanaudiere, partner):
    url = link(partner, "3.1.1", STEP, lanaudiere)
    token = url.split("?t=")[1]
    all_org = Organisation.objects.get(acronym="ALL")
    data = {"t": token, "description": "Rencontre du comité", "done_on": timezone.localdate().isoformat(), "organisation": all_org.pk}
    assert client.post(url, {**data, "description": ""}).status_code == 422  # a clear error at the field, link not spent
    assert client.post(url, data).status_code == 302
    step = Step.objects.get()
    assert (step.author, step.action.code, step.review) == (partner, "3.1.1", Step.Review.PENDING)
    again = client.post(url, data)
    assert again.status_code == 403 and Step.objects.count() == 1
    assert "ce que vous avez inscrit avec lui est bien enregistré" in again.content.decode()


def test_a_link_expires(client, lanaudiere, partner, settings):
    url = link(partner, "3.1.1", CHECK_IN, lanaudiere)
    with time_machine.travel(timezone.now() + settings.SESAME_MAX_AGE + datetime.timedelta(minutes=1)):
        response = client.post(url, {"t": url.split("?t=")[1]})
    assert response.status_code == 403 and CheckIn.objects.count() == 0


def test_a_link_of_a_person_no_longer_partner_on_the_action_does_nothing(client, lanaudiere, partner):
    url = link(partner, "3.1.1", CHECK_IN, lanaudiere)
    PlanRole.objects.get(plan=lanaudiere, user=partner).delete()
    assert client.post(url, {"t": url.split("?t=")[1]}).status_code == 403
    assert CheckIn.objects.count() == 0


def test_a_made_up_or_other_scope_token_is_refused(client, lanaudiere, partner):
    action = lanaudiere.actions.get(code="3.1.1")
    url = reverse("notifications:link_check_in", args=[lanaudiere.slug, "3.1.1"])
    for token in ("", "abc", get_token(partner), get_token(partner, scope=scope(CHECK_IN, lanaudiere.actions.get(code="3.1.2")))):
        assert client.post(url, {"t": token}).status_code == 403
    assert CheckIn.objects.count() == 0 and UsedLink.objects.count() == 0
    assert client.post(url, {"t": get_token(partner, scope=scope(CHECK_IN, action))}).status_code == 302


# Frequency and unsubscribing


def test_unsubscribe_link_works_in_one_click_without_signing_in(client, lanaudiere, people):
    partner, _other, _coordinator = people
    url = preferences_link(partner, "never")
    assert "Me désabonner" in client.get(url).content.decode()
    assert not Preference.objects.filter(person=partner).exists()  # a GET writes nothing
    assert client.post(url).status_code == 200
    preference = Preference.objects.get(person=partner)
    assert preference.reminder_frequency == "never" and preference.emails is False
    send_reminders(plans=[lanaudiere])
    assert mails_to("all@example.org") == []


def test_the_links_in_a_digest_change_the_frequency(client, lanaudiere, people):
    send_reminders(plans=[lanaudiere])
    [to_all] = mails_to("all@example.org")
    weekly = re.search(r"chaque semaine\u00a0: (\S+)", to_all.body).group(1)
    assert client.post(weekly).status_code == 200
    assert Preference.objects.get(person=people[0]).reminder_frequency == "weekly"


def test_an_unsubscribe_link_cannot_be_forged(client, partner, other_partner):
    genuine = preferences_link(partner, "never")
    token = genuine.rstrip("/").split("/")[-1]
    payload, _timestamp, signature = token.split(":")
    # Someone else's id with ALL's partner's signature, a changed signature, a made-up token.
    other = preferences_link(other_partner, "never").rstrip("/").split("/")[-1].split(":")[0]
    for forged in (f"{other}:{_timestamp}:{signature}", f"{payload}:{_timestamp}:{signature[:-2]}xx", "bonjour"):
        response = client.post(reverse("notifications:unsubscribe", args=[forged]))
        assert response.status_code == 400 and "Ce lien ne fonctionne plus" in response.content.decode()
    assert Preference.objects.count() == 0


def test_preferences_page_changes_frequency_and_emails(client, partner):
    client.force_login(partner)
    response = client.post(reverse("notifications:preferences"), {"reminder_frequency": "weekly", "email_when_validated": "on"})
    assert response.status_code == 302
    preference = Preference.objects.get(person=partner)
    assert (preference.reminder_frequency, preference.emails, preference.email_when_validated) == ("weekly", False, True)
    bad = client.post(reverse("notifications:preferences"), {"reminder_frequency": "chaque heure"})
    assert bad.status_code == 200 and "Sélectionnez un choix valide" in bad.content.decode()
    assert Preference.objects.get(person=partner).reminder_frequency == "weekly"


# « Actions à relancer »


def test_stale_page_says_what_it_lists_and_when_each_organisation_was_last_reminded(client, lanaudiere, people):
    partner, _other, coordinator = people
    client.force_login(coordinator)
    page = client.get(reverse("suivi:stale_actions", args=[lanaudiere.slug])).content.decode()
    assert "aucune organisation n’a inscrit d’étape ni dit « rien de nouveau, toujours en cours » depuis 4 mois" in page
    assert "jamais rappelée" in page and "Relancer maintenant" in page
    send_reminders(plans=[lanaudiere])
    page = client.get(reverse("suivi:stale_actions", args=[lanaudiere.slug])).content.decode()
    assert "ALL <span class=\"meta\">(rappel le " in page


def test_coordinator_reminds_now_the_organisations_of_chosen_actions(client, lanaudiere, people):
    partner, other_partner, coordinator = people
    chosen = lanaudiere.stale_actions().for_organisation(Organisation.objects.get(acronym="ALL")).exclude(
        pk__in=lanaudiere.stale_actions().for_organisation(Organisation.objects.get(acronym="TPDSL"))
    ).first()
    client.force_login(coordinator)
    response = client.post(reverse("notifications:remind_now", args=[lanaudiere.slug]), {"action": [chosen.pk]}, follow=True)
    assert "Relance envoyée : 1 courriel aux personnes de 1 organisation." in [str(m) for m in response.context["messages"]]
    [to_all] = mail.outbox
    assert to_all.to == ["all@example.org"] and listed_codes(to_all) == {chosen.code}
    reminder = Reminder.objects.get(kind=Reminder.Kind.ON_DEMAND)
    assert reminder.sent_by == coordinator and reminder.person == partner


def test_reminding_organisations_with_nobody_to_write_to_says_so_rather_than_sent(client, lanaudiere, people):
    """The demo's people have no email address: the coordinator is told nobody was reached, not « sent »."""
    partner, other_partner, coordinator = people
    for person in (partner, other_partner):
        person.email = ""
        person.save()
    client.force_login(coordinator)
    stale = list(lanaudiere.stale_actions().values_list("pk", flat=True)[:3])
    response = client.post(reverse("notifications:remind_now", args=[lanaudiere.slug]), {"action": stale}, follow=True)
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("Personne n’a été relancé :") and mail.outbox == []


def test_partner_cannot_send_reminders_and_nothing_is_written(client, lanaudiere, people):
    partner, _other, _coordinator = people
    client.force_login(partner)
    stale = list(lanaudiere.stale_actions().values_list("pk", flat=True)[:3])
    assert client.post(reverse("notifications:remind_now", args=[lanaudiere.slug]), {"action": stale}).status_code == 403
    assert Reminder.objects.count() == 0 and mail.outbox == []


def test_reminding_nothing_says_so(client, lanaudiere, people):
    client.force_login(people[2])
    response = client.post(reverse("notifications:remind_now", args=[lanaudiere.slug]), {"action": ["x", "99999999999999999999"]}, follow=True)
    assert "Cochez au moins une action à relancer." in response.content.decode() and mail.outbox == []


def test_partner_says_nothing_new_from_the_action_page(client, lanaudiere, partner, other_partner):
    action = lanaudiere.actions.get(code="3.1.1")
    client.force_login(other_partner)  # the TPDSL is no partner on 3.1.1
    assert client.post(reverse("suivi:check_in", args=[lanaudiere.slug, "3.1.1"])).status_code == 403
    assert CheckIn.objects.count() == 0
    client.force_login(partner)
    client.post(reverse("suivi:check_in", args=[lanaudiere.slug, "3.1.1"]))
    page = client.get(action.get_absolute_url()).content.decode()
    assert "toujours en cours, rien de nouveau." in page and "ALL" in page
