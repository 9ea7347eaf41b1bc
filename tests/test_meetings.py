"""Meetings and decisions (issue 14): the coordinator prepares a meeting from what the app proposes, sends
the invitation with its .ics, notes who came and what was decided; a decision that amends the plan shows
on the actions, in their history and in the bilan of that year. Every person of the plan reads the
meetings; only its coordinators prepare them, and not in an archived plan."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bilans.documents import gather, render_html
from bilans.models import Bilan
from meetings.models import AgendaPoint, Amendment, Attendance, CalendarKey, Decision, Meeting, MeetingFile
from partners.models import Organisation, name_of_person
from plans.models import ActionStatus, Committee, PlanRole
from suivi.models import CheckIn, PlannedStep, Step, StepFile
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def at(year, month, day, hour=13, minute=30):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def a_meeting(plan, when=None, body=Meeting.Body.COORDINATION, **fields):
    when = when or at(2024, 10, 15)
    return Meeting.objects.create(
        plan=plan, body=body, starts_at=when, ends_at=when + datetime.timedelta(hours=2, minutes=30),
        place=fields.pop("place", "Salle du conseil, Joliette"), **fields,
    )


def meeting_url(name, meeting):
    return reverse(f"meetings:{name}", args=[meeting.plan.slug, meeting.pk])


def counts():
    return tuple(model.objects.count() for model in (Meeting, AgendaPoint, Attendance, Decision, Amendment, MeetingFile))


# Preparing a meeting


def test_coordinator_creates_a_meeting_with_its_end_two_hours_and_a_half_later(client, lanaudiere, coordinator):
    client.force_login(coordinator)
    all_org = Organisation.objects.get(acronym="ALL")
    response = client.post(
        reverse("meetings:create", args=[lanaudiere.slug]),
        {"body": "chantier", "starts_at": "2026-12-10T13:30", "place": "Joliette", "invited": [all_org.pk]},
    )
    meeting = Meeting.objects.get(plan=lanaudiere)
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert timezone.localtime(meeting.ends_at).strftime("%H:%M") == "16:00"
    assert list(meeting.invited.all()) == [all_org]
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Rencontre du chantier" in page and "13\u00a0h\u00a030 à 16\u00a0h" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"starts_at": "2026-12-10T13:30", "ends_at": "2026-12-10T12:00"}, "ends_at", "La fin doit venir après le début."),
        ({"starts_at": "demain"}, "starts_at", "Saisissez une date et une heure valides."),
        ({"starts_at": "2026-12-10T13:30", "body": "committee"}, "committee", "Choisissez le comité de travail"),
        ({"starts_at": "2026-12-10T13:30", "video_link": "pas une adresse"}, "video_link", "Saisissez une URL valide."),
        ({"starts_at": "9999-12-31T23:30"}, "starts_at", "Une réunion a lieu entre 2000 et 2100."),
    ],
)
def test_a_meeting_with_bad_dates_or_links_is_refused_at_the_field(client, lanaudiere, coordinator, data, field, message):
    client.force_login(coordinator)
    response = client.post(reverse("meetings:create", args=[lanaudiere.slug]), {"body": "chantier", **data})
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert Meeting.objects.count() == 0


def test_the_agenda_proposes_new_steps_stale_actions_steps_waiting_and_results_due(client, lanaudiere, coordinator, partner):
    action = lanaudiere.actions.get(code="3.1.1")
    Step.objects.create(action=action, organisation=Organisation.objects.get(acronym="ALL"), description="Rencontre")
    meeting = a_meeting(lanaudiere, timezone.now() + datetime.timedelta(days=7))
    client.force_login(coordinator)

    page = client.get(meeting_url("agenda", meeting))

    groups = dict(page.context["groups"])
    titles = {str(label): [proposal.title for proposal in found] for label, found in groups.items()}
    assert any(title.startswith("3.1.1 ") and "\u00a0: 1 nouvelle étape" in title
               for title in titles["Actions avec de nouvelles étapes depuis la dernière réunion"])
    assert any(title.startswith("3.1.1 ") and "\u00a0: 1 étape à valider" in title for title in titles["Étapes à valider"])


def test_the_agenda_proposes_planned_steps_late_or_due_within_a_month_of_the_meeting(client, lanaudiere, coordinator):
    action = lanaudiere.actions.get(code="3.1.1")
    all_org = Organisation.objects.get(acronym="ALL")
    meeting = a_meeting(lanaudiere, at(2026, 3, 10))

    def plan(description, due_on, **fields):
        return PlannedStep.objects.create(
            action=action, organisation=all_org, description=description, due_on=due_on, planned_by=coordinator, **fields
        )

    plan("Portrait des besoins", datetime.date(2026, 2, 2))
    plan("Rencontre des élus", datetime.date(2026, 4, 2))
    plan("Bilan de l’été", datetime.date(2026, 8, 1))
    plan("Abandonnée", datetime.date(2026, 2, 1), dropped_at=timezone.now(), reason="Plus utile")
    client.force_login(coordinator)

    groups = dict(client.get(meeting_url("agenda", meeting)).context["groups"])

    titles = [proposal.title for proposal in groups["Étapes prévues à échéance ou en retard"]]
    assert titles == [
        "3.1.1 Portrait des besoins\u00a0: prévue pour le 2 février 2026 par ALL, en retard",
        "3.1.1 Rencontre des élus\u00a0: prévue pour le 2 avril 2026 par ALL",
    ]


def test_the_agenda_proposes_actions_said_to_go_on_since_the_last_meeting(client, lanaudiere, coordinator, partner):
    all_org = Organisation.objects.get(acronym="ALL")
    a_meeting(lanaudiere, at(2026, 1, 12))
    meeting = a_meeting(lanaudiere, at(2026, 3, 10))
    CheckIn.objects.create(action=lanaudiere.actions.get(code="3.1.1"), organisation=all_org, person=partner, checked_on=datetime.date(2026, 2, 3))
    CheckIn.objects.create(action=lanaudiere.actions.get(code="3.1.2"), organisation=all_org, person=partner, checked_on=datetime.date(2025, 12, 3))
    client.force_login(coordinator)

    groups = dict(client.get(meeting_url("agenda", meeting)).context["groups"])

    titles = [proposal.title for proposal in groups["Actions « toujours en cours » signalées"]]
    assert len(titles) == 1 and titles[0].startswith("3.1.1 ")
    assert titles[0].endswith("\u00a0: toujours en cours selon ALL, le 3 février 2026")


def test_ticking_a_proposal_makes_an_agenda_point_linked_to_its_action(client, lanaudiere, coordinator):
    action = lanaudiere.actions.get(code="3.1.1")
    Step.objects.create(action=action, organisation=Organisation.objects.get(acronym="ALL"), description="Rencontre")
    meeting = a_meeting(lanaudiere, timezone.now() + datetime.timedelta(days=7))
    client.force_login(coordinator)

    response = client.post(meeting_url("agenda", meeting), {"proposals": [f"new_steps:{action.pk}"]})

    assert response.status_code == 302
    point = meeting.agenda.get()
    assert point.title.startswith("3.1.1 ") and list(point.actions.all()) == [action]
    # Already on the agenda: no longer proposed.
    again = client.get(meeting_url("agenda", meeting))
    assert f"new_steps:{action.pk}" not in again.content.decode()
    assert "À l’ordre du jour" in client.get(action.get_absolute_url()).content.decode()


def test_a_point_of_ones_own_names_its_actions_by_code_and_an_unknown_code_is_refused(client, lanaudiere, coordinator):
    meeting = a_meeting(lanaudiere)
    client.force_login(coordinator)

    refused = client.post(meeting_url("agenda", meeting), {"title": "Bilan des logements", "actions": "1.1.1, 9.9.9"})
    accepted = client.post(meeting_url("agenda", meeting), {"title": "Bilan des logements", "actions": "1.1.1, 3.1.1"})

    assert refused.status_code == 422
    assert "Aucune action de ce plan ne porte le code 9.9.9." in refused.context["form"].errors["actions"]
    assert accepted.status_code == 302
    assert sorted(meeting.agenda.get().actions.values_list("code", flat=True)) == ["1.1.1", "3.1.1"]


# The invitation and calendars


def test_the_invitation_goes_to_the_people_of_invited_organisations_with_an_ics_that_opens(client, lanaudiere, coordinator):
    all_org, tpdsl = Organisation.objects.get(acronym="ALL"), Organisation.objects.get(acronym="TPDSL")
    invited = make_person("julie", lanaudiere, PlanRole.Role.PARTNER, all_org)
    invited.email, invited.first_name = "julie@example.org", "Julie"
    invited.save()
    not_invited = make_person("marc", lanaudiere, PlanRole.Role.PARTNER, tpdsl)
    not_invited.email = "marc@example.org"
    not_invited.save()
    meeting = a_meeting(lanaudiere, at(2026, 12, 10), body=Meeting.Body.CHANTIER)
    meeting.invited.add(all_org)
    AgendaPoint.objects.create(meeting=meeting, title="Bilan de l’année")
    client.force_login(coordinator)

    response = client.post(meeting_url("invite", meeting))

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["julie@example.org"]]
    message = mail.outbox[0]
    assert "Bonjour Julie" in message.body and "Bilan de l’année" in message.body
    assert "jeudi 10 décembre 2026, 13\u00a0h\u00a030 à 16\u00a0h" in message.body
    name, content, mimetype = message.attachments[0]
    assert name == "reunion.ics" and mimetype.startswith("text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["summary"]) == f"Rencontre du chantier – {lanaudiere.title}"
    assert event.decoded("dtstart") == at(2026, 12, 10)
    assert str(event["location"]) == "Salle du conseil, Joliette"
    meeting.refresh_from_db()
    assert meeting.invitation_sent_at is not None


def test_the_calendar_feed_opens_with_the_persons_key_and_refuses_a_wrong_or_renewed_one(client, lanaudiere, partner):
    meeting = a_meeting(lanaudiere, at(2026, 12, 10))
    client.force_login(partner)
    client.get(reverse("meetings:my_calendar", args=[lanaudiere.slug]))
    key = CalendarKey.objects.get(user=partner, plan=lanaudiere).key
    client.logout()  # a calendar program does not sign in

    feed = client.get(reverse("meetings:feed", args=[lanaudiere.slug, key]))
    wrong = client.get(reverse("meetings:feed", args=[lanaudiere.slug, key[:-1] + ("a" if key[-1] != "a" else "b")]))

    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert [event.decoded("dtstart") for event in events] == [meeting.starts_at]
    assert wrong.status_code == 404

    client.force_login(partner)
    client.post(reverse("meetings:my_calendar", args=[lanaudiere.slug]))  # the address has circulated
    client.logout()
    assert client.get(reverse("meetings:feed", args=[lanaudiere.slug, key])).status_code == 404


def test_the_feed_stops_for_a_person_taken_out_of_the_plan(client, lanaudiere):
    person = make_person("depart", lanaudiere, PlanRole.Role.PARTNER, Organisation.objects.get(acronym="ALL"))
    key = CalendarKey.objects.for_person(person, lanaudiere).key
    assert client.get(reverse("meetings:feed", args=[lanaudiere.slug, key])).status_code == 200
    PlanRole.objects.filter(user=person, plan=lanaudiere).delete()
    assert client.get(reverse("meetings:feed", args=[lanaudiere.slug, key])).status_code == 404


def test_a_key_of_one_plan_opens_no_other_plans_feed(client, lanaudiere, other_plan, partner):
    key = CalendarKey.objects.for_person(partner, lanaudiere).key
    assert client.get(reverse("meetings:feed", args=[other_plan.slug, key])).status_code == 404


# Attendance, minutes, decisions


def test_attendance_notes_organisations_present_and_excused_never_both(client, lanaudiere, coordinator, partner):
    all_org, tpdsl = Organisation.objects.get(acronym="ALL"), Organisation.objects.get(acronym="TPDSL")
    meeting = a_meeting(lanaudiere)
    client.force_login(coordinator)

    both = client.post(meeting_url("attendance", meeting),
                       {"present_organisations": [all_org.pk], "excused_organisations": [all_org.pk]})
    assert both.status_code == 422 and "pas les deux" in " ".join(both.context["form"].errors["excused_organisations"])
    assert Attendance.objects.count() == 0

    saved = client.post(meeting_url("attendance", meeting), {
        "present_organisations": [all_org.pk], "excused_organisations": [tpdsl.pk], "present_people": [partner.pk],
    })
    assert saved.status_code == 302
    assert {(row.organisation_id, row.person_id, row.presence) for row in meeting.attendance.all()} == {
        (all_org.pk, None, "present"), (tpdsl.pk, None, "excused"), (None, partner.pk, "present")
    }
    page = client.get(meeting.get_absolute_url()).content.decode()
    # Organisations first, then people, separated by commas in the text itself.
    assert f"<dd>ALL, {name_of_person(partner)}</dd>" in page and "<dd>TPDSL</dd>" in page


def test_minutes_are_sanitised_and_their_files_bounded_like_a_steps(client, lanaudiere, coordinator):
    meeting = a_meeting(lanaudiere)
    client.force_login(coordinator)

    refused = client.post(meeting_url("minutes", meeting), {
        "minutes": "x", "files": [SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 100)]
    })
    assert refused.status_code == 422 and "n’est pas un type de fichier accepté" in refused.content.decode()
    saved = client.post(meeting_url("minutes", meeting), {
        "minutes": "Ouverture à **13 h 30**\n\n<script>alert(1)</script>",
        "files": [SimpleUploadedFile("compte-rendu.pdf", PDF)],
    })
    assert saved.status_code == 302
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "<strong>13 h 30</strong>" in page and "<script>alert(1)" not in page and "&lt;script&gt;" in page
    stored = meeting.files.get()
    download = client.get(reverse("meetings:file", args=[lanaudiere.slug, stored.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_plans_storage_counts_its_meetings_files_and_its_steps_files_together(
    client, lanaudiere, coordinator, settings, tmp_path
):
    settings.MEDIA_ROOT, settings.PLAN_FILES_MAX_BYTES = tmp_path, len(PDF) * 2 - 1  # room for one file
    action = lanaudiere.actions.get(code="3.1.1")
    step = Step.objects.create(action=action, organisation=Organisation.objects.get(acronym="ALL"), description="Rencontre")
    proof = StepFile(step=step, name="preuve.pdf", content_type="application/pdf", size=len(PDF))
    proof.file.save("preuve.pdf", ContentFile(PDF))
    meeting = a_meeting(lanaudiere)
    client.force_login(coordinator)

    refused = client.post(meeting_url("minutes", meeting), {"minutes": "x", "files": [SimpleUploadedFile("a.pdf", PDF)]})
    assert refused.status_code == 422
    assert "Les fichiers de ce plan (étapes et réunions) occupent déjà" in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "" and not meeting.files.exists()

    # The other way round: the meeting's file fills the plan, and a step's file finds no room.
    proof.delete()
    assert client.post(meeting_url("minutes", meeting), {"minutes": "x", "files": [SimpleUploadedFile("a.pdf", PDF)]}).status_code == 302
    steps_before = Step.objects.count()
    data = {"done_on": timezone.localdate().isoformat(), "description": "Compte rendu", "organisation": step.organisation_id,
            "files": [SimpleUploadedFile("b.pdf", PDF)]}
    response = client.post(reverse("suivi:add_step", args=[lanaudiere.slug, "3.1.1"]), data)
    assert response.status_code == 422
    assert "Les fichiers de ce plan (étapes et réunions) occupent déjà" in response.content.decode()
    assert Step.objects.count() == steps_before and not StepFile.objects.exists()


def test_a_meeting_that_amends_the_plan_shows_on_the_actions_in_their_history_and_in_the_bilan(
    client, lanaudiere, coordinator, partner
):
    """The whole story of issue 14: a coordination committee in October 2024, with its attendance, an
    agenda point about 1.1.1, and a decision rewording 3.1.1."""
    all_org, tpdsl = Organisation.objects.get(acronym="ALL"), Organisation.objects.get(acronym="TPDSL")
    reworded, discussed = lanaudiere.actions.get(code="3.1.1"), lanaudiere.actions.get(code="1.1.1")
    old_text = reworded.text
    meeting = a_meeting(lanaudiere, at(2024, 10, 15))
    client.force_login(coordinator)
    client.post(meeting_url("attendance", meeting),
                {"present_organisations": [all_org.pk], "excused_organisations": [tpdsl.pk]})
    client.post(meeting_url("agenda", meeting), {"title": "Le portrait des besoins", "actions": "1.1.1"})

    response = client.post(meeting_url("decisions", meeting), {
        "text": "Le comité précise l’action 3.1.1.", "actions": "1.1.1", "amendment": "reworded",
        "amended_action": "3.1.1", "new_text": "Documenter les besoins en habitation de chaque MRC",
    })

    assert response.status_code == 302
    reworded.refresh_from_db()
    assert reworded.text == "Documenter les besoins en habitation de chaque MRC"
    amendment = Amendment.objects.get()
    assert (amendment.kind, amendment.action, amendment.text_before) == ("reworded", reworded, old_text)
    assert set(amendment.decision.actions.values_list("code", flat=True)) == {"1.1.1", "3.1.1"}

    # On the actions' pages, read by a partner.
    client.force_login(partner)
    for action in (reworded, discussed):
        page = client.get(action.get_absolute_url()).content.decode()
        assert "Réunions et décisions" in page and "Comité de coordination du 15 octobre 2024" in page
    assert "Le portrait des besoins" in client.get(discussed.get_absolute_url()).content.decode()

    # In the action's history, the change names the meeting.
    history = client.get(reverse("plans:item_history", args=[lanaudiere.slug, "actions", reworded.pk])).content.decode()
    assert "Décision\u00a0: Comité de coordination du 15 octobre 2024" in history
    assert "Documenter les besoins en habitation de chaque MRC" in history

    # In the bilan of that reporting year: the meeting, who came, the decision and the change.
    data = gather(lanaudiere, datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    [held] = data["meetings"]
    assert held["body"] == "Comité de coordination" and held["held_on"] == "2024-10-15"
    assert held["present"] == [str(all_org)] and held["excused"] == [str(tpdsl)]
    [decision] = held["decisions"]
    assert decision["amendments"][0]["kind_label"] == "Action reformulée"
    text = render_html(data, for_print=False)
    assert "Réunions et décisions de l’année" in text and "15 octobre 2024" in text
    assert "Le comité précise l’action 3.1.1." in text and "Action reformulée" in text
    # Not in the year before.
    assert gather(lanaudiere, datetime.date(2023, 4, 1), datetime.date(2024, 3, 31))["meetings"] == []


def test_a_decision_adds_an_action_under_an_objective(client, lanaudiere, coordinator):
    objective = lanaudiere.objectives.get(code="1.1")
    before = objective.actions.active().count()
    meeting = a_meeting(lanaudiere)
    client.force_login(coordinator)

    client.post(meeting_url("decisions", meeting), {
        "text": "Ajout d’une action", "amendment": "added", "objective": "1.1", "new_text": "Tenir un forum régional",
    })

    added = objective.actions.active().get(number=before + 1)
    assert added.text == "Tenir un forum régional" and added.code == f"1.1.{before + 1}"
    assert added.history.earliest().history_change_reason.startswith("Décision\u00a0: Comité de coordination")
    assert Amendment.objects.get().action == added


def test_a_decision_abandons_or_merges_an_action(client, lanaudiere, coordinator):
    abandoned, merged, kept = (lanaudiere.actions.get(code=code) for code in ("1.1.1", "3.1.1", "3.1.2"))
    version = abandoned.version
    meeting = a_meeting(lanaudiere)
    client.force_login(coordinator)

    client.post(meeting_url("decisions", meeting), {
        "text": "Abandon", "amendment": "abandoned", "amended_action": "1.1.1", "new_text": "Plus de financement",
    })
    client.post(meeting_url("decisions", meeting), {
        "text": "Fusion", "amendment": "merged", "amended_action": "3.1.1", "merged_into": "3.1.2",
    })

    abandoned.refresh_from_db()
    merged.refresh_from_db()
    assert abandoned.version == version + 1  # a form opened on the action before is refused as stale
    assert (abandoned.status, abandoned.status_reason) == (ActionStatus.ABANDONED, "Plus de financement")
    assert merged.archived_at is not None and "3.1.2" in merged.status_reason
    assert Amendment.objects.get(kind="merged").merged_into == kept


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amendment": "reworded", "amended_action": "3.1.1"}, "new_text", "Écrivez le nouveau texte"),
        ({"amendment": "reworded", "amended_action": "9.9.9", "new_text": "x"}, "amended_action", "Aucune action"),
        ({"amendment": "added", "objective": "9.9", "new_text": "x"}, "objective", "Aucun objectif"),
        ({"amendment": "merged", "amended_action": "3.1.1", "merged_into": "3.1.1"}, "merged_into", "elle-même"),
        ({"amendment": "abandoned"}, "amended_action", "Indiquez l’action"),
    ],
)
def test_an_incomplete_amendment_is_refused_at_the_field_and_changes_nothing(
    client, lanaudiere, coordinator, data, field, message
):
    meeting = a_meeting(lanaudiere)
    client.force_login(coordinator)
    texts = dict(lanaudiere.actions.values_list("pk", "text"))
    before = counts()

    response = client.post(meeting_url("decisions", meeting), {"text": "Une décision", **data})

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert counts() == before and dict(lanaudiere.actions.values_list("pk", "text")) == texts


# The bilan's adoption names the meeting


# Deleting agenda points and decisions


def test_coordinator_takes_a_point_off_the_agenda_after_confirming_and_the_history_says_so(client, lanaudiere, coordinator):
    meeting = a_meeting(lanaudiere)
    client.force_login(coordinator)
    client.post(meeting_url("agenda", meeting), {"title": "Le portrait des besoins", "actions": "1.1.1"})
    client.post(meeting_url("agenda", meeting), {"title": "Varia"})
    point = meeting.agenda.get(title="Le portrait des besoins")
    delete_url = reverse("meetings:delete_agenda_point", args=[lanaudiere.slug, point.pk])
    agenda_page = client.get(meeting_url("agenda", meeting)).content.decode()
    assert f'href="{delete_url}?next=' in agenda_page and "hx-confirm=" in agenda_page

    confirm = client.get(delete_url)  # without JavaScript: a page asks first, and deletes nothing
    assert confirm.status_code == 200 and "Retirer ce point de l’ordre du jour\u202f?" in confirm.content.decode()
    assert meeting.agenda.count() == 2

    response = client.post(delete_url, {"next": meeting_url("agenda", meeting)})
    assert response.status_code == 302 and response.url == meeting_url("agenda", meeting)
    assert list(meeting.agenda.values_list("title", flat=True)) == ["Varia"]
    assert "Point «\u00a0Le portrait des besoins\u00a0» retiré de l’ordre du jour." in client.get(response.url).content.decode()
    assert "Le portrait des besoins" not in client.get(lanaudiere.actions.get(code="1.1.1").get_absolute_url()).content.decode()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Point retiré de l’ordre du jour\u00a0: Le portrait des besoins" in page
    assert "Point ajouté à l’ordre du jour\u00a0: Varia" in page


def test_with_javascript_the_button_asks_and_the_list_is_redrawn(client, lanaudiere, coordinator):
    meeting = a_meeting(lanaudiere)
    client.force_login(coordinator)
    client.post(meeting_url("decisions", meeting), {"text": "Le comité adopte le calendrier."})
    decision = meeting.decisions.get()
    delete_url = reverse("meetings:delete_decision", args=[lanaudiere.slug, decision.pk])
    next_page = meeting_url("decisions", meeting)
    response = client.post(f"{delete_url}?next={next_page}", headers={"HX-Request": "true"}, follow=True)
    assert response.redirect_chain == [(next_page, 302)]
    assert "Décision supprimée." in response.content.decode() and '<ol class="decisions">' in response.content.decode()
    assert not Decision.objects.exists()
    assert "Décision supprimée\u00a0: Le comité adopte le calendrier." in client.get(meeting.get_absolute_url()).content.decode()


def test_a_decision_that_amended_the_plan_cannot_be_deleted_and_says_why(client, lanaudiere, coordinator):
    meeting = a_meeting(lanaudiere)
    client.force_login(coordinator)
    client.post(meeting_url("decisions", meeting), {
        "text": "Le comité précise l’action 3.1.1.", "amendment": "reworded", "amended_action": "3.1.1",
        "new_text": "Documenter les besoins en habitation de chaque MRC",
    })
    decision = meeting.decisions.get()
    delete_url = reverse("meetings:delete_decision", args=[lanaudiere.slug, decision.pk])
    page = client.get(meeting_url("decisions", meeting)).content.decode()
    assert delete_url not in page and "Elle a modifié le plan\u00a0: elle ne peut pas être supprimée." in page
    before, text = counts(), lanaudiere.actions.get(code="3.1.1").text

    confirm = client.get(delete_url)
    assert confirm.status_code == 409 and "action reformulée 3.1.1" in confirm.content.decode()
    refused = client.post(delete_url, follow=True)
    assert "Cette décision a modifié le plan (action reformulée 3.1.1)\u202f: elle reste" in refused.content.decode()
    assert counts() == before and lanaudiere.actions.get(code="3.1.1").text == text


@pytest.mark.parametrize("who", ["partner", "committee_member", "other_coordinator", "outsider"])
def test_only_whoever_prepares_the_meeting_deletes_its_points_and_decisions(client, lanaudiere, request, who):
    meeting = a_meeting(lanaudiere)
    point = AgendaPoint.objects.create(meeting=meeting, title="Varia")
    decision = Decision.objects.create(meeting=meeting, text="Le comité adopte le calendrier.")
    client.force_login(request.getfixturevalue(who))
    status = 404 if who in ("other_coordinator", "outsider") else 403
    before = counts()
    for name, pk in (("delete_agenda_point", point.pk), ("delete_decision", decision.pk)):
        url = reverse(f"meetings:{name}", args=[lanaudiere.slug, pk])
        assert client.get(url).status_code == status and client.post(url).status_code == status
    assert counts() == before
    if who == "partner":
        assert "Retirer" not in client.get(meeting.get_absolute_url()).content.decode()


def test_an_archived_plans_points_and_decisions_stay(client, lanaudiere, coordinator):
    meeting = a_meeting(lanaudiere)
    point = AgendaPoint.objects.create(meeting=meeting, title="Varia")
    lanaudiere.archive()
    client.force_login(coordinator)
    before = counts()
    assert client.post(reverse("meetings:delete_agenda_point", args=[lanaudiere.slug, point.pk])).status_code == 403
    assert counts() == before


def ready_bilan(plan, user):
    bilan = Bilan.create_draft(plan, datetime.date(2024, 4, 1), datetime.date(2025, 3, 31), year=2024, user=user)
    bilan.data = gather(plan, bilan.starts_on, bilan.ends_on)
    bilan.rendering, bilan.generated_at = Bilan.Rendering.READY, timezone.now() - datetime.timedelta(days=400)
    bilan.save()
    return bilan


def test_the_bilan_is_adopted_at_a_meeting_of_the_coordination_committee(client, lanaudiere, coordinator, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    bilan = ready_bilan(lanaudiere, coordinator)
    committee_meeting = a_meeting(lanaudiere, timezone.now() - datetime.timedelta(days=2))
    chantier_meeting = a_meeting(lanaudiere, timezone.now() - datetime.timedelta(days=3), body=Meeting.Body.CHANTIER)
    client.force_login(coordinator)

    form = client.get(bilan.get_absolute_url()).context["adoption_form"]
    assert list(form.fields["adopted_meeting"].queryset) == [committee_meeting]  # not the chantier's
    response = client.post(reverse("bilans:adopt", args=[lanaudiere.slug, bilan.pk]), {
        "adopted_meeting": committee_meeting.pk, "adopting_body": "le comité de coordination",
        "adopted_on": timezone.localdate().isoformat(), "confirm": "1",
    })

    assert response.status_code == 302
    bilan.refresh_from_db()
    assert bilan.adopted_meeting == committee_meeting and bilan.adopted_at_meeting == str(committee_meeting)
    assert chantier_meeting.adopted_bilans.count() == 0
    assert meeting_url("detail", committee_meeting) in client.get(bilan.get_absolute_url()).content.decode()


def test_an_adoption_names_a_meeting_or_a_rencontre(client, lanaudiere, coordinator):
    bilan = ready_bilan(lanaudiere, coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("bilans:adopt", args=[lanaudiere.slug, bilan.pk]), {
        "adopting_body": "le comité de coordination", "adopted_on": timezone.localdate().isoformat(), "confirm": "1",
    })
    assert response.status_code == 400
    assert "Choisissez la réunion" in " ".join(response.context["adoption_form"].errors["adopted_meeting"])
    bilan.refresh_from_db()
    assert not bilan.is_adopted


# Who may do what


def test_every_person_of_the_plan_reads_its_meetings_and_others_find_none(
    client, lanaudiere, partner, committee_member, other_coordinator, outsider
):
    meeting = a_meeting(lanaudiere)
    for person, status in ((partner, 200), (committee_member, 200), (other_coordinator, 404), (outsider, 404)):
        client.force_login(person)
        assert client.get(meeting.get_absolute_url()).status_code == status
        assert client.get(meeting_url("ics", meeting)).status_code == status
        assert client.get(reverse("meetings:list", args=[lanaudiere.slug])).status_code == status


@pytest.mark.parametrize("who", ["partner", "committee_member", "other_coordinator", "outsider"])
def test_only_the_plans_coordinator_prepares_its_meetings(client, lanaudiere, request, who):
    meeting = a_meeting(lanaudiere)
    action = lanaudiere.actions.get(code="3.1.1")
    client.force_login(request.getfixturevalue(who))
    status = 404 if who in ("other_coordinator", "outsider") else 403
    before, text = counts(), action.text

    answers = [
        client.post(reverse("meetings:create", args=[lanaudiere.slug]), {"body": "chantier", "starts_at": "2026-12-10T13:30"}),
        client.post(meeting_url("agenda", meeting), {"title": "Un point"}),
        client.post(meeting_url("attendance", meeting), {}),
        client.post(meeting_url("decisions", meeting), {
            "text": "x", "amendment": "reworded", "amended_action": "3.1.1", "new_text": "Changé"
        }),
        client.post(meeting_url("invite", meeting)),
        client.post(meeting_url("edit", meeting), {"body": "chantier", "starts_at": "2026-12-10T13:30"}),
    ]

    assert [answer.status_code for answer in answers] == [status] * len(answers)
    action.refresh_from_db()
    assert counts() == before and action.text == text and mail.outbox == []


def test_an_archived_plan_keeps_its_meetings_to_read_and_refuses_changes(client, lanaudiere, coordinator, partner):
    meeting = a_meeting(lanaudiere)
    lanaudiere.archive()
    client.force_login(coordinator)
    before = counts()

    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.post(meeting_url("agenda", meeting), {"title": "Un point"}).status_code == 403
    assert client.post(meeting_url("decisions", meeting), {"text": "x"}).status_code == 403
    assert counts() == before


def test_a_committee_page_lists_its_members_and_meetings(client, lanaudiere, partner):
    committee = Committee.objects.get(plan=lanaudiere, name="Menus travaux")  # the plan names it
    member = committee.member_links.select_related("organisation").first().organisation
    a_meeting(lanaudiere, at(2025, 2, 3), body=Meeting.Body.WORKING_COMMITTEE, committee=committee)
    client.force_login(partner)

    page = client.get(reverse("meetings:committee", args=[lanaudiere.slug, committee.pk])).content.decode()

    assert "Menus travaux" in page and str(member) in page
    assert "3 février 2025" in page
