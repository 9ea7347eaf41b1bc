"""Personal information (Quebec's Law 25): the privacy page, a person's own data (« Mes données », a page and
JSON), and the erasure of a departed person, after which their name and email are nowhere in the database
while their steps still count for their organisation."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bilans.documents import gather
from meetings.models import Attendance, CalendarKey, Meeting
from notifications.models import Notification, Preference, Reminder
from partners.models import Deactivation, Erasure, InstanceAdministrator
from plans.models import Membership, PlanRole, Role
from suivi.models import CheckIn, PlannedStep, Step
from tests.conftest import make_person
from tests.factories import make_plan

User = get_user_model()
SLUG = "lanaudiere-2024-2026"
# Names found nowhere in the Lanaudière plan, so that a search of the database finds only this person.
FIRST, LAST, EMAIL = "Zéphirine", "Quintal-Brouillard", "zephirine.qb@exemple.qc.ca"


@pytest.fixture
def departed(client, coordinator, lanaudiere, all_org, mailoutbox):
    """A partner of ALL as they really arrive and work: invited by the coordinator, choosing a password, signing
    in, recording a step on 3.1.1 and ticking one of its results (history rows with their name as author)."""
    client.force_login(coordinator)
    invited = client.post(
        reverse("plans:person_invite", args=[SLUG]),
        {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "organisation": all_org.pk, "role": Role.PARTNER},
    )
    assert invited.status_code == 302
    client.logout()
    link = re.search(r"http://testserver(/comptes/invitation/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    accepted = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Un-secret-solide-42", "new_password2": "Un-secret-solide-42"}
    )
    assert accepted.status_code == 302
    person = User.objects.get(email=EMAIL)
    recorded = client.post(
        reverse("suivi:add_step", args=[SLUG, "3.1.1"]),
        {"description": "Rencontre avec les élus de la MRC", "done_on": "2024-06-03", "organisation": all_org.pk},
    )
    assert recorded.status_code == 302
    result = lanaudiere.results.filter(action__code="3.1.1").first()
    client.post(reverse("suivi:toggle_result", args=[SLUG, result.pk]), {"achieved": "1"})
    client.logout()
    person.refresh_from_db()
    return person


def texts_containing(*needles):
    """Every table and text of the database that holds one of `needles` (case-insensitive): each column is
    read as text, whatever its type, on SQLite and PostgreSQL alike."""
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
            for needle in needles:
                condition = " OR ".join(f"LOWER(CAST({quote(column)} AS TEXT)) LIKE %s" for column in columns)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE {condition}", [f"%{needle.lower()}%"] * len(columns)
                )
                if cursor.fetchone()[0]:
                    found.append((table, needle))
    return found


def erase(client, person, by):
    client.force_login(by)
    return client.post(reverse("partners:person_erase", args=[person.pk]), {"confirm": "1"})


def state_of(person):
    """What an erasure would change, to check that a refusal changed nothing."""
    person = User.objects.get(pk=person.pk)
    return (
        person.username, person.first_name, person.last_name, person.email, person.is_active, person.password,
        sorted(PlanRole.objects.filter(user=person).values_list("plan_id", "role")),
        sorted(Membership.objects.filter(user=person).values_list("plan_id", "organisation_id")),
        Erasure.objects.count(), Deactivation.objects.filter(user=person).exists(),
    )


# The privacy page


def test_privacy_page_is_open_without_signing_in_and_says_what_is_kept_why_and_how_long(client, db):
    page = client.get(reverse("partners:privacy"))
    assert page.status_code == 200
    text = page.content.decode()
    for words in ("Ce que Chantier conserve", "prénom, nom, adresse courriel", "Pendant combien de temps",
                  "après 8\u00a0heures sans activité", "aussi longtemps que le plan", "Vos droits", "Accès",
                  "Rectification", "Effacement", "À qui vous adresser", "Commission d’accès à l’information"):
        assert words in text, words


def test_privacy_page_is_linked_from_the_sign_in_page_and_every_page(client, partner):
    assert reverse("partners:privacy") in client.get(reverse("login")).content.decode()
    client.force_login(partner)
    assert reverse("partners:privacy") in client.get(reverse("plans:home")).content.decode()


def test_privacy_page_names_the_officer_of_the_settings(client, db, settings):
    settings.PRIVACY_OFFICER_NAME = "Hélène Gravel, directrice générale"
    settings.PRIVACY_OFFICER_EMAIL = "vie-privee@chantier.example.org"
    text = client.get(reverse("partners:privacy")).content.decode()
    assert "Hélène Gravel, directrice générale" in text
    assert 'href="mailto:vie-privee@chantier.example.org"' in text


def test_privacy_page_names_the_instance_administrators_by_default(client, db, settings):
    settings.PRIVACY_OFFICER_NAME = settings.PRIVACY_OFFICER_EMAIL = ""
    admin = make_person("admin-instance")
    admin.first_name, admin.last_name, admin.email = "Paul", "Lévesque", "paul.levesque@example.org"
    admin.save()
    InstanceAdministrator.objects.create(user=admin)
    text = client.get(reverse("partners:privacy")).content.decode()
    assert "Paul Lévesque" in text and "paul.levesque@example.org" in text


# « Mes données »


def test_person_sees_their_data_identity_plans_steps_history_and_invitation(client, departed):
    client.force_login(departed)
    home = client.get(reverse("plans:home")).content.decode()
    assert reverse("partners:my_data") in home  # from the account menu
    text = client.get(reverse("partners:my_data")).content.decode()
    for words in (FIRST, LAST, EMAIL, "Plan d’action 2024-2026", "Partenaire", "Action-Logement Lanaudière",
                  "Rencontre avec les élus de la MRC", "3.1.1", "À valider", "Invitations et rôles au fil du temps",
                  "Rôle dans un plan\u00a0: ajout", "étapes réalisées", "Télécharger mes données (JSON)"):
        assert words in text, words


def test_person_downloads_their_data_as_readable_json(client, departed):
    client.force_login(departed)
    response = client.get(reverse("partners:my_data_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-chantier-')
    body = response.content.decode("utf-8")
    assert "Zéphirine" in body  # UTF-8, not \u00e9 escapes
    data = json.loads(body)
    assert data["identite"]["courriel"] == EMAIL
    assert data["identite"]["prenom"] == FIRST
    assert data["plans"] == [{"plan": data["plans"][0]["plan"], "role": "Partenaire",
                              "organisations": ["Action-Logement Lanaudière"], "derniere_visite": None}]
    [step] = data["etapes"]
    assert (step["action"], step["date"], step["organisation"]) == ("3.1.1", "2024-06-03", "Action-Logement Lanaudière")
    made = {(entry["objet"], entry["nombre"]) for entry in data["historique_de_vos_modifications"]}
    assert ("étapes réalisées", 1) in made and ("résultats attendus", 1) in made
    assert {"evenement": "ajout", "objet": "rôle dans un plan", "role": "Partenaire"}.items() <= next(
        event for event in data["roles_au_fil_du_temps"] if event["objet"] == "rôle dans un plan"
    ).items()


def test_my_data_runs_the_same_queries_however_much_the_person_recorded(client, departed, lanaudiere, all_org):
    client.force_login(departed)
    client.get(reverse("partners:my_data"))  # the session and the rules' caches, once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("partners:my_data"))
    action = lanaudiere.actions.get(code="3.1.1")
    for day in range(1, 21):
        step = Step(action=action, organisation=all_org, author=departed, description=f"Étape {day}",
                    done_on=datetime.date(2024, 7, day))
        step._history_user = departed
        step.save()
    other = make_plan("autre-plan-donnees", actions=3)
    PlanRole.objects.create(plan=other, user=departed, role=Role.COMMITTEE)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("partners:my_data"))
    assert "Étape 20" in page.content.decode()
    assert len(many) == len(few)


def test_my_data_needs_signing_in(client, db):
    for name in ("partners:my_data", "partners:my_data_json"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# Erasing a departed person


def test_coordinator_sees_what_an_erasure_does_before_confirming(client, coordinator, departed):
    client.force_login(coordinator)
    people = client.get(reverse("plans:people", args=[SLUG])).content.decode()
    assert reverse("partners:person_erase", args=[departed.pk]) in people
    page = client.get(reverse("partners:person_erase", args=[departed.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for words in (f"Effacer les données personnelles de {FIRST} {LAST}", "son prénom, son nom et son adresse courriel",
                  "Son étape, attribuée à son organisation", "Action-Logement Lanaudière (ALL)", "Effacer définitivement"):
        assert words in text, words
    assert User.objects.get(pk=departed.pk).email == EMAIL  # a look writes nothing


def test_erasure_removes_name_and_email_from_the_whole_database(client, coordinator, departed):
    assert {needle for _table, needle in texts_containing(FIRST, LAST, EMAIL)} == {FIRST, LAST, EMAIL}
    response = erase(client, departed, coordinator)
    assert response.status_code == 302
    assert texts_containing(FIRST, LAST, EMAIL, "zephirine") == []


def test_erasure_closes_the_account_ends_roles_and_sessions_and_is_recorded(client, coordinator, departed, lanaudiere):
    signed_in = type(client)()
    signed_in.force_login(departed)
    assert client.post(reverse("login"), {"username": EMAIL, "password": "Un-secret-solide-42"}).status_code == 302
    client.logout()
    before = timezone.now()

    erase(client, departed, coordinator)

    person = User.objects.get(pk=departed.pk)
    assert person.username == f"personne-effacee-{person.pk}"
    assert (person.first_name, person.last_name, person.email) == ("", "", "")
    assert not person.is_active and not person.has_usable_password() and person.last_login is None
    assert not PlanRole.objects.filter(user=person).exists() and not Membership.objects.filter(user=person).exists()
    assert not any(s.get_decoded().get("_auth_user_id") == str(person.pk) for s in Session.objects.all())
    assert signed_in.get(reverse("plans:home")).status_code == 302  # signed out
    erasure = Erasure.objects.get()
    assert (erasure.account_id, erasure.erased_by) == (person.pk, coordinator)
    assert erasure.erased_at >= before
    # Nothing of what was erased is kept with it.
    assert {field.name for field in Erasure._meta.fields} == {"id", "account", "erased_at", "erased_by"}
    client.logout()
    refused = client.post(reverse("login"), {"username": EMAIL, "password": "Un-secret-solide-42"})
    assert refused.status_code == 200


def test_after_erasure_steps_stay_and_are_shown_as_their_organisations(client, coordinator, partner, departed, lanaudiere):
    erase(client, departed, coordinator)
    step = Step.objects.get(description="Rencontre avec les élus de la MRC")
    assert step.author_id == departed.pk  # still the same account
    client.force_login(partner)
    action_page = client.get(reverse("suivi:action", args=[SLUG, "3.1.1"])).content.decode()
    assert "Inscrite par une personne d’Action-Logement Lanaudière (ALL) le" in action_page
    assert "noté par une personne dont les données ont été effacées" in action_page
    steps_page = client.get(reverse("suivi:steps", args=[SLUG])).content.decode()
    assert "une personne d’Action-Logement Lanaudière (ALL)" in steps_page
    assert "personne-effacee" not in action_page + steps_page


def test_after_erasure_history_pages_show_no_name(client, coordinator, departed, lanaudiere, all_org):
    erase(client, departed, coordinator)
    client.force_login(coordinator)
    result = lanaudiere.results.filter(action__code="3.1.1").first()
    history = client.get(reverse("plans:item_history", args=[SLUG, "resultats", result.pk])).content.decode()
    assert "une personne dont les données ont été effacées" in history
    organisation = client.get(reverse("partners:organisation", args=[all_org.pk])).content.decode()
    assert "une personne dont les données ont été effacées ne fait plus partie de l’organisation" in organisation
    assert "personne-effacee" not in history + organisation


def test_after_erasure_the_steps_still_count_for_the_organisation_in_the_bilan(
    client, coordinator, departed, lanaudiere
):
    Step.objects.filter(author=departed).update(review=Step.Review.VALIDATED, reviewed_at=timezone.now())
    year = (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    before = gather(lanaudiere, *year)
    erase(client, departed, coordinator)
    after = gather(lanaudiere, *year)
    assert after["organisations"] == before["organisations"]
    [all_org] = [row for row in after["organisations"] if row["acronym"] == "ALL"]
    assert (all_org["name"], all_org["validated"], all_org["pending"]) == ("Action-Logement Lanaudière", 1, 0)
    assert after["step_count"] == before["step_count"] == 1


def test_coordinator_erases_a_person_already_taken_out_of_the_plan(client, coordinator, departed, lanaudiere):
    """Departed and removed: their steps say they were in this plan, and nowhere else."""
    PlanRole.objects.get(plan=lanaudiere, user=departed).delete()
    assert erase(client, departed, coordinator).status_code == 302
    assert Erasure.objects.filter(account=departed).exists()


def test_instance_administrator_erases_a_person_of_several_plans(client, departed):
    other = make_plan("autre-plan-effacement", actions=3)
    PlanRole.objects.create(plan=other, user=departed, role=Role.COMMITTEE)
    admin = make_person("admin-instance")
    InstanceAdministrator.objects.create(user=admin)
    assert erase(client, departed, admin).status_code == 302
    assert not PlanRole.objects.filter(user=departed).exists()
    assert texts_containing(FIRST, LAST, EMAIL) == []


@pytest.mark.parametrize("person", ["partner", "other_partner", "committee_member", "other_coordinator", "outsider"])
def test_only_whoever_answers_for_the_persons_plans_erases(client, request, departed, person):
    before = state_of(departed)
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("partners:person_erase", args=[departed.pk])).status_code == 403
    assert client.post(reverse("partners:person_erase", args=[departed.pk]), {"confirm": "1"}).status_code == 403
    assert state_of(departed) == before


def test_anonymous_is_sent_to_sign_in_and_nothing_is_erased(client, departed):
    before = state_of(departed)
    response = client.post(reverse("partners:person_erase", args=[departed.pk]), {"confirm": "1"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert state_of(departed) == before


def test_coordinator_cannot_erase_a_person_who_takes_part_in_another_plan(client, coordinator, departed):
    """The other plan's coordinator answers for them too: only the instance administration may erase them."""
    other = make_plan("autre-plan-refus", actions=3)
    PlanRole.objects.create(plan=other, user=departed, role=Role.PARTNER)
    before = state_of(departed)
    assert erase(client, departed, coordinator).status_code == 403
    assert state_of(departed) == before


def test_coordinator_cannot_erase_a_person_whose_steps_are_in_another_plan(client, coordinator, departed, all_org):
    other = make_plan("autre-plan-etapes", actions=3)
    Step.objects.create(action=other.actions.first(), organisation=all_org, author=departed, description="Ailleurs")
    before = state_of(departed)
    assert erase(client, departed, coordinator).status_code == 403
    assert state_of(departed) == before


def test_nobody_erases_themselves_nor_an_erased_person_again(client, coordinator, departed):
    before = state_of(coordinator)
    assert erase(client, coordinator, coordinator).status_code == 403
    assert state_of(coordinator) == before
    erase(client, departed, coordinator)
    assert erase(client, departed, coordinator).status_code == 403
    assert Erasure.objects.count() == 1


def test_an_erased_account_cannot_be_reactivated(client, coordinator, departed):
    erase(client, departed, coordinator)
    admin = make_person("admin-instance")
    InstanceAdministrator.objects.create(user=admin)
    client.force_login(admin)
    assert client.post(reverse("partners:account_reactivate", args=[departed.pk])).status_code == 403
    assert not User.objects.get(pk=departed.pk).is_active


def test_a_new_invitation_with_the_same_email_gives_a_new_account(client, coordinator, departed, all_org, mailoutbox):
    erase(client, departed, coordinator)
    client.force_login(coordinator)
    client.post(
        reverse("plans:person_invite", args=[SLUG]),
        {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "organisation": all_org.pk, "role": Role.PARTNER},
    )
    again = User.objects.get(email=EMAIL)
    assert again.pk != departed.pk
    assert not Step.objects.filter(author=again).exists()


def test_erasing_an_invited_person_cancels_their_invitation(client, coordinator, all_org, mailoutbox):
    client.force_login(coordinator)
    client.post(
        reverse("plans:person_invite", args=[SLUG]),
        {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "organisation": all_org.pk, "role": Role.PARTNER},
    )
    invited = User.objects.get(email=EMAIL)
    assert erase(client, invited, coordinator).status_code == 302
    client.logout()
    link = re.search(r"http://testserver(/comptes/invitation/\S+/)", mailoutbox[0].body).group(1)
    assert "ne fonctionne plus" in client.get(link, follow=True).content.decode()
    assert texts_containing(FIRST, LAST, EMAIL) == []


def test_no_history_of_accounts_keeps_names_behind_the_erasure(db):
    """Accounts are not tracked by simple-history; if they ever are, Erasure.erase empties those rows too."""
    from simple_history.models import registered_models

    assert User not in registered_models.values()


def test_erasure_also_clears_the_admin_log(client, coordinator, departed, lanaudiere):
    """Staff who changed the account or its role in the Django admin left its name in the admin's log."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    role = PlanRole.objects.get(user=departed, plan=lanaudiere)
    for item in (departed, role):
        LogEntry.objects.create(
            user=coordinator, content_type=ContentType.objects.get_for_model(item), object_id=str(item.pk),
            object_repr=str(item), action_flag=CHANGE, change_message=f"Courriel {EMAIL} pour {FIRST} {LAST}"
            if item is departed else "[]",
        )
    erase(client, departed, coordinator)
    assert texts_containing(FIRST, LAST, EMAIL) == []
    assert LogEntry.objects.count() == 2


def test_erasing_no_such_account_is_not_found(client, coordinator):
    client.force_login(coordinator)
    for address in (reverse("partners:person_erase", args=[987654]), f"/comptes/personnes/{2**64}/effacer/"):
        assert client.post(address, {"confirm": "1"}).status_code == 404
    assert not Erasure.objects.exists()


# Meetings, calendars, notices and reminders: in « Mes données », and erased


@pytest.fixture
def followed(departed, lanaudiere, all_org):
    """The departed partner's traces in meetings and notifications: present at a chantier meeting, excused
    from a committee's where ALL was noted too, a calendar address, a notice, a reminder sent (a failed one
    whose error repeats their address) and their choice of weekly reminders."""
    def meeting(body, day):
        start = timezone.make_aware(datetime.datetime(2025, 3, day, 9, 30))
        return Meeting.objects.create(plan=lanaudiere, body=body, starts_at=start, ends_at=start + datetime.timedelta(hours=2))

    chantier, coordination = meeting(Meeting.Body.CHANTIER, 12), meeting(Meeting.Body.COORDINATION, 19)
    Attendance.objects.create(meeting=chantier, person=departed, presence=Attendance.Presence.PRESENT)
    Attendance.objects.create(meeting=coordination, organisation=all_org, presence=Attendance.Presence.EXCUSED)
    Attendance.objects.create(meeting=coordination, person=departed, presence=Attendance.Presence.PRESENT)
    key = CalendarKey.objects.for_person(departed, lanaudiere)
    Notification.objects.create(person=departed, plan=lanaudiere, kind=Notification.Kind.STEP_RETURNED, text="Étape renvoyée : 3.1.1")
    sent = Reminder.objects.create(person=departed, plan=lanaudiere, kind=Reminder.Kind.PARTNER_DIGEST, period="2025-03",
                                   sent_at=timezone.now(), attempts=2, error=f"SMTPRecipientsRefused('{EMAIL}')")
    sent.organisations.add(all_org)
    Preference.objects.create(person=departed, reminder_frequency=Preference.Frequency.WEEKLY)
    action = lanaudiere.actions.get(code="3.1.1")
    CheckIn.objects.create(action=action, organisation=all_org, person=departed, checked_on=datetime.date(2025, 3, 20),
                           note="Le comité se réunit en avril.")
    PlannedStep.objects.create(action=action, organisation=all_org, description="Portrait des besoins de la MRC",
                               due_on=datetime.date(2025, 5, 30), planned_by=departed)
    return chantier, coordination, key


def test_my_data_lists_check_ins_planned_steps_attendance_calendars_notices_and_reminders(client, departed, followed):
    client.force_login(departed)
    text = client.get(reverse("partners:my_data")).content.decode()
    for words in ("Vos présences aux réunions", "Rencontre du chantier", "Comité de coordination", "Présent",
                  "Vos calendriers de réunions", "Étape renvoyée : 3.1.1", "Rappel des actions d’un partenaire",
                  "2025-03", "Rappels de vos actions\u00a0: chaque semaine", "Le comité se réunit en avril.",
                  "Étapes que vous avez prévues", "Portrait des besoins de la MRC"):
        assert words in text, words
    data = client.get(reverse("partners:my_data_json")).json()
    assert [(row["reunion"], row["presence"]) for row in data["presences_aux_reunions"]] == [
        ("Comité de coordination", "Présent"), ("Rencontre du chantier", "Présent")]
    assert [calendar["plan"] for calendar in data["calendriers"]] == [departed.plan_roles.get().plan.title]
    assert followed[2].key not in json.dumps(data)  # the secret stays on the meetings page
    assert [notice["avis"] for notice in data["avis"]] == ["Étape renvoyée : 3.1.1"]
    [reminder] = data["rappels_recus"]
    assert (reminder["periode"], reminder["organisations"]) == ("2025-03", ["Action-Logement Lanaudière"])
    assert data["preferences_d_avis"]["rappels"] == "chaque semaine"
    assert [(row["action"], row["date"], row["note"]) for row in data["rien_de_nouveau"]] == [
        ("3.1.1", "2025-03-20", "Le comité se réunit en avril.")]
    assert [(row["action"], row["prevue_pour_le"]) for row in data["etapes_prevues"]] == [("3.1.1", "2025-05-30")]


def test_erasure_stops_the_calendar_and_keeps_attendance_as_the_organisations(client, coordinator, departed, followed, all_org):
    chantier, coordination, key = followed
    feed = reverse("meetings:feed", args=[SLUG, key.key])
    client.force_login(departed)
    assert client.get(feed).status_code == 200
    erase(client, departed, coordinator)
    client.logout()
    assert client.get(feed).status_code == 404 and not CalendarKey.objects.filter(user=departed).exists()
    assert not Attendance.objects.filter(person=departed).exists()
    # Present at the chantier: ALL was; noted excused with them present: ALL was present.
    assert [(row.organisation, row.presence) for row in chantier.attendance.all()] == [(all_org, "present")]
    assert [(row.organisation, row.presence) for row in coordination.attendance.all()] == [(all_org, "present")]
    assert not Notification.objects.filter(person=departed).exists() and not Preference.objects.filter(person=departed).exists()
    reminder = Reminder.objects.get(person=departed)  # « last reminded » stays true for ALL
    assert reminder.error == "" and list(reminder.organisations.all()) == [all_org]
    assert texts_containing(FIRST, LAST, EMAIL, "zephirine") == []
    client.force_login(coordinator)
    page = client.get(reverse("meetings:detail", args=[SLUG, chantier.pk])).content.decode()
    assert "<dt>Présentes</dt><dd>ALL</dd>" in page and "personne-effacee" not in page
