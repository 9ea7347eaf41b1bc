"""The newest features attacked by people with an account (and without): a partner of another
organisation (the TPDSL's against ALL's), a coordinator of another plan, the committee, a deactivated
person, someone signed out holding an old link. Each refusal leaves the database as it was.

Nine of these were holes when first written (session 18), each fixed with its test: the actions under an
archived objective or axis (`plans.models.live_action`), the one-click unsubscribe of mail programs, the
notices of a person taken out of a plan, invitations without a role, a NUL in an address."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings.models import Attendance, CalendarKey, Meeting, MeetingFile
from notifications.links import CHECK_IN, STEP, action_link, preferences_link
from notifications.models import Notification, Preference, Reminder, UsedLink
from notifications.reminders import send_reminders
from partners.models import Organisation
from plans.models import Action, Committee, Membership, PlanRole
from suivi.models import CheckIn, PlannedStep, Step
from tests.conftest import make_person
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

SLUG = "lanaudiere-2024-2026"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def a_meeting(plan, days=10):
    starts = timezone.now() + datetime.timedelta(days=days)
    return Meeting.objects.create(
        plan=plan, body=Meeting.Body.COORDINATION, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
        place="Salle du conseil, Joliette", video_link="https://visio.example.org/secret",
    )


def a_minutes_file(meeting):
    return MeetingFile.objects.create(
        meeting=meeting, file=SimpleUploadedFile("compte-rendu.pdf", PDF), name="compte-rendu.pdf",
        content_type="application/pdf", size=len(PDF),
    )


def today():
    return timezone.localdate().isoformat()


@pytest.fixture
def own_action(lanaudiere):
    """3.1.1: ALL's (the partner's), not the TPDSL's."""
    return lanaudiere.actions.get(code="3.1.1")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def small_plan(db):
    """A third coalition's plan, with one action and its own coordinator: the other side of an id swap."""
    plan = make_plan("troisieme-chantier", actions=1, axes=1, objectives_per_axis=1, results_per_action=0, organisations=1)
    make_person("coordo-troisieme", plan, PlanRole.Role.COORDINATOR)
    return plan


# Id swapping: an object of one plan addressed under another plan's address -------------------------------


def test_a_meeting_of_another_plan_is_found_under_no_other_plans_address(
    client, media, lanaudiere, coordinator, small_plan
):
    theirs = a_meeting(small_plan)
    stored = a_minutes_file(theirs)
    client.force_login(coordinator)  # Lanaudière's coordinator, who has every power in Lanaudière
    for name in ("detail", "ics", "edit", "agenda", "attendance", "minutes", "decisions"):
        assert client.get(reverse(f"meetings:{name}", args=[SLUG, theirs.pk])).status_code == 404, name
    assert client.post(reverse("meetings:invite", args=[SLUG, theirs.pk])).status_code == 404
    assert client.get(reverse("meetings:file", args=[SLUG, stored.pk])).status_code == 404
    assert client.post(reverse("meetings:attendance", args=[SLUG, theirs.pk]), {}).status_code == 404
    their_committee = Committee.objects.create(plan=small_plan, name="Comité du logement social")
    assert client.get(reverse("meetings:committee", args=[SLUG, their_committee.pk])).status_code == 404
    assert client.get(reverse("meetings:my_calendar", args=[small_plan.slug])).status_code == 404
    assert not CalendarKey.objects.filter(user=coordinator, plan=small_plan).exists()
    # Under its own plan's address, Lanaudière's coordinator has no part in it either.
    assert client.get(reverse("meetings:file", args=[small_plan.slug, stored.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.invitation_sent_at is None and not theirs.attendance.exists()


def test_a_minutes_file_is_for_the_people_of_its_plan_only(client, media, lanaudiere, partner, other_coordinator, outsider):
    stored = a_minutes_file(a_meeting(lanaudiere))
    address = reverse("meetings:file", args=[SLUG, stored.pk])
    assert client.get(address).status_code == 302  # signed out: to the sign-in page, no file
    for person in (other_coordinator, outsider):
        client.force_login(person)
        assert client.get(address).status_code == 404
        # The file under the address of the plan the person is in does not open it either.
        assert client.get(reverse("meetings:file", args=["autre-chantier", stored.pk])).status_code == 404
    client.force_login(partner)
    download = client.get(address)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_a_planned_step_of_another_plan_cannot_be_ticked_moved_or_read_under_lanaudiere(
    client, lanaudiere, coordinator, small_plan
):
    action = small_plan.actions.get()
    theirs = PlannedStep.objects.create(
        action=action, organisation=Organisation.objects.get(acronym="O-troisieme-chantier-0"),
        description="Rencontrer les élus", due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    client.force_login(coordinator)
    for name in ("tick_planned_step", "untick_planned_step", "change_planned_step"):
        assert client.post(reverse(f"suivi:{name}", args=[SLUG, theirs.pk]), {"abandon-reason": "x"}).status_code == 404
    assert client.get(reverse("suivi:planned_step_history", args=[SLUG, theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.step_id is None and theirs.dropped_at is None and not Step.objects.filter(action=action).exists()


# Meetings: what the coordination's forms accept ----------------------------------------------------------


def test_attendance_and_invitations_name_only_people_and_organisations_of_the_plan(
    client, lanaudiere, coordinator, other_coordinator
):
    meeting = a_meeting(lanaudiere)
    elsewhere = Organisation.objects.create(name="Organisme d’ailleurs", acronym="OAIL", sort_key="organisme d'ailleurs")
    client.force_login(coordinator)
    attendance = client.post(reverse("meetings:attendance", args=[SLUG, meeting.pk]), {
        "present_people": [other_coordinator.pk], "present_organisations": [elsewhere.pk],
    })
    start = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    invited = client.post(reverse("meetings:edit", args=[SLUG, meeting.pk]), {
        "body": Meeting.Body.COORDINATION, "starts_at": start, "invited": [elsewhere.pk],
    })
    assert attendance.status_code == 422 and invited.status_code == 422
    assert not Attendance.objects.filter(meeting=meeting).exists() and not meeting.invited.exists()


def test_an_invitation_goes_to_no_deactivated_person(client, lanaudiere, coordinator, all_org):
    meeting = a_meeting(lanaudiere)
    meeting.invited.add(all_org)
    gone = make_person("parti-all", lanaudiere, PlanRole.Role.PARTNER, all_org)
    gone.email, gone.is_active = "parti@example.org", False
    gone.save()
    assert gone not in meeting.invited_people()


def test_a_person_without_a_role_in_the_plan_receives_no_invitation(lanaudiere, all_org):
    meeting = a_meeting(lanaudiere)
    meeting.invited.add(all_org)
    left = make_person("sans-role", lanaudiere, PlanRole.Role.PARTNER, all_org)
    left.email = "sans-role@example.org"
    left.save()
    PlanRole.objects.filter(user=left).delete()  # a queryset's delete, as the admin's bulk action does
    assert Membership.objects.filter(user=left, plan=lanaudiere).exists()
    assert left not in meeting.invited_people()


# The calendar feed -------------------------------------------------------------------------------------


def test_the_calendar_feed_stops_for_a_deactivated_person(client, lanaudiere, partner):
    a_meeting(lanaudiere)
    key = CalendarKey.objects.for_person(partner, lanaudiere).key
    assert len(key) >= 40  # 32 random bytes: not guessable
    feed = reverse("meetings:feed", args=[SLUG, key])
    assert client.get(feed).status_code == 200
    partner.is_active = False
    partner.save()
    assert client.get(feed).status_code == 404


def test_an_archived_plans_feed_still_reads_and_a_new_address_stops_the_old(client, lanaudiere, committee_member):
    key = CalendarKey.objects.for_person(committee_member, lanaudiere).key
    lanaudiere.archive()
    client.force_login(committee_member)
    client.post(reverse("meetings:my_calendar", args=[SLUG]))
    client.logout()
    assert client.get(reverse("meetings:feed", args=[SLUG, key])).status_code == 404
    new = CalendarKey.objects.get(user=committee_member, plan=lanaudiere).key
    assert new != key and client.get(reverse("meetings:feed", args=[SLUG, new])).status_code == 200


# Notices and email choices -----------------------------------------------------------------------------


def test_nobody_reads_or_marks_another_persons_notice(client, lanaudiere, partner, other_partner):
    theirs = Notification.objects.create(
        person=other_partner, plan=lanaudiere, kind=Notification.Kind.STEP_RETURNED,
        text="Votre étape sur l’action 1.1.1 est renvoyée : pièce manquante", url="/plans/",
    )
    client.force_login(partner)
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:mark_all_read"))
    assert "pièce manquante" not in client.get(reverse("notifications:list")).content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_unsubscribe_link_of_a_deactivated_person_changes_nothing(client, partner):
    link = preferences_link(partner, Preference.Frequency.NEVER)
    partner.is_active = False
    partner.save()
    assert client.post(link).status_code == 404
    assert not Preference.objects.filter(person=partner).exists()


def test_a_mail_programs_one_click_unsubscribe_is_not_refused(partner):
    link = preferences_link(partner, Preference.Frequency.NEVER)
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Preference.objects.get(person=partner).reminder_frequency == Preference.Frequency.NEVER


# The one-click links of reminders (django-sesame) ------------------------------------------------------


def test_a_reminder_link_opens_no_session_and_signs_in_nowhere_else(client, lanaudiere, partner, own_action):
    link = action_link(partner, own_action, STEP)
    token = link.split("?t=", 1)[1]
    assert client.get(link).status_code == 200
    plan_page = reverse("plans:detail", args=[SLUG])
    assert client.get(plan_page).status_code == 302  # still signed out
    for address in (plan_page, reverse("suivi:add_step", args=[SLUG, own_action.code])):
        for name in ("t", "sesame"):
            assert client.get(address, {name: token}).status_code == 302, (address, name)
    assert "_auth_user_id" not in client.session


def test_a_reminder_link_of_a_deactivated_person_records_nothing(client, lanaudiere, partner, own_action):
    step_link, check_in_link = action_link(partner, own_action, STEP), action_link(partner, own_action, CHECK_IN)
    partner.is_active = False
    partner.save()
    posted = client.post(step_link, {"description": "Tournée des MRC", "done_on": today(), "version": 1})
    assert posted.status_code == 403
    assert client.post(check_in_link, {"t": check_in_link.split("?t=", 1)[1]}).status_code == 403
    assert not Step.objects.filter(action=own_action).filter(description="Tournée des MRC").exists()
    assert not CheckIn.objects.filter(person=partner).exists() and not UsedLink.objects.exists()


def test_a_reminder_link_of_an_archived_plan_records_nothing(client, lanaudiere, partner, own_action):
    link = action_link(partner, own_action, CHECK_IN)
    lanaudiere.archive()
    assert client.post(link, {"t": link.split("?t=", 1)[1]}).status_code == 404
    assert not CheckIn.objects.filter(person=partner).exists()


def test_a_persons_digest_of_one_plan_names_only_the_organisations_they_act_for_in_it(
    lanaudiere, other_plan, partner, tpdsl
):
    """The partner acts for ALL in Lanaudière and for the TPDSL in another plan: Lanaudière's digest
    speaks of ALL's actions, never of the TPDSL's."""
    partner.email = "all@example.org"
    partner.save()
    PlanRole.objects.create(plan=other_plan, user=partner, role=PlanRole.Role.PARTNER)
    Membership.objects.create(plan=other_plan, user=partner, organisation=tpdsl)
    send_reminders(plans=[lanaudiere])
    (digest,) = [email for email in mail.outbox if email.to == ["all@example.org"]]
    listed = {line.split()[1] for line in digest.body.splitlines() if line.startswith("- ")}
    alls = set(Action.objects.filter(plan=lanaudiere).for_organisation(Organisation.objects.get(acronym="ALL"))
               .values_list("code", flat=True))
    tpdsls = set(Action.objects.filter(plan=lanaudiere).for_organisation(tpdsl).values_list("code", flat=True))
    actions = {code for code in listed if code.count(".") == 2}
    assert actions and actions <= alls and not actions & (tpdsls - alls)


# Items taken out of the plan ---------------------------------------------------------------------------


def test_the_actions_of_an_archived_objective_take_no_more_steps(client, lanaudiere, coordinator, partner, own_action, all_org):
    client.force_login(coordinator)
    client.post(reverse("plans:archive_item", args=[SLUG, "objectifs", own_action.objective.pk]))
    own_action.refresh_from_db()
    link = action_link(partner, own_action, CHECK_IN)
    steps, check_ins = Step.objects.count(), CheckIn.objects.count()
    client.force_login(partner)
    page = client.get(reverse("suivi:action", args=[SLUG, own_action.code]))
    client.post(reverse("suivi:add_step", args=[SLUG, own_action.code]), {
        "description": "Forum régional", "done_on": today(), "organisation": all_org.pk, "version": 1,
    })
    client.logout()
    client.post(link, {"t": link.split("?t=", 1)[1]})
    assert (page.status_code, Step.objects.count(), CheckIn.objects.count()) == (404, steps, check_ins)


def test_a_digest_mentions_no_action_of_an_archived_objective(client, lanaudiere, coordinator, partner, own_action):
    partner.email = "all@example.org"
    partner.save()
    client.force_login(coordinator)
    client.post(reverse("plans:archive_item", args=[SLUG, "objectifs", own_action.objective.pk]))
    send_reminders(plans=[lanaudiere])
    (digest,) = [email for email in mail.outbox if email.to == ["all@example.org"]]
    assert ".10000." not in digest.body
    assert Reminder.objects.filter(person=partner).count() == 1


def test_a_planned_step_of_an_archived_action_is_no_longer_ticked(client, lanaudiere, coordinator, partner, own_action, all_org):
    planned = PlannedStep.objects.create(
        action=own_action, organisation=all_org, description="Tenir la table",
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    client.force_login(coordinator)
    client.post(reverse("plans:archive_item", args=[SLUG, "actions", own_action.pk]))
    steps = Step.objects.count()
    client.force_login(partner)
    ticked = client.post(reverse("suivi:tick_planned_step", args=[SLUG, planned.pk]))
    planned.refresh_from_db()
    assert (ticked.status_code, planned.step_id, Step.objects.count()) == (404, None, steps)


# Odd addresses -----------------------------------------------------------------------------------------


def test_a_nul_in_an_address_is_not_found_rather_than_an_error(client, lanaudiere, partner):
    client.raise_request_exception = False
    signed_out = [
        f"/plans/{SLUG}/actions/3.1.1%00/par-courriel/etape/?t=x",
        f"/plans/{SLUG}/actions/3.1.1%00/par-courriel/rien-de-nouveau/?t=x",
        f"/plans/{SLUG}/reunions/calendrier/cle%00.ics",
    ]
    statuses = [client.get(address).status_code for address in signed_out]
    client.force_login(partner)
    statuses += [client.get(f"/plans/{SLUG}/actions/3.1.1%00/").status_code]
    assert statuses == [404, 404, 404, 404]


# Planned steps and search in an archived plan or under an archived objective ----------------------------


def test_a_ticked_planned_step_is_not_unticked_in_an_archived_plan(client, lanaudiere, partner, coordinator, own_action, all_org):
    planned = PlannedStep.objects.create(
        action=own_action, organisation=all_org, description="Tenir la table",
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    client.force_login(partner)
    client.post(reverse("suivi:tick_planned_step", args=[SLUG, planned.pk]))
    planned.refresh_from_db()
    assert planned.step_id is not None
    lanaudiere.archive()
    for person in (partner, coordinator):
        client.force_login(person)
        assert client.post(reverse("suivi:untick_planned_step", args=[SLUG, planned.pk])).status_code == 403
    planned.refresh_from_db()
    assert planned.step_id is not None and Step.objects.filter(pk=planned.step_id).exists()


def test_search_finds_no_step_of_an_archived_objective(client, lanaudiere, coordinator, partner, own_action, all_org):
    Step.objects.create(action=own_action, organisation=all_org, description="Inventaire des rapports régionaux")
    client.force_login(coordinator)
    client.post(reverse("plans:archive_item", args=[SLUG, "objectifs", own_action.objective.pk]))
    client.force_login(partner)
    page = client.get(reverse("recherche:search"), {"q": "inventaire rapports"}).content.decode()
    assert "Inventaire des rapports régionaux" not in page


# Notices to someone who left ---------------------------------------------------------------------------


def test_a_person_taken_out_of_the_plan_is_no_longer_told_of_its_reviews(
    client, lanaudiere, coordinator, own_action, all_org, django_capture_on_commit_callbacks
):
    author = make_person("partie", lanaudiere, PlanRole.Role.PARTNER, all_org)
    author.email = "partie@example.org"
    author.save()
    step = Step.objects.create(action=own_action, organisation=all_org, description="Forum régional", author=author)
    PlanRole.objects.get(plan=lanaudiere, user=author).delete()  # as « Retirer du plan » does
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("suivi:return_step", args=[SLUG, step.pk]), {"comment": "Le budget du forum est confidentiel."})
    step.refresh_from_db()
    assert step.review == Step.Review.RETURNED
    assert not author.notifications.exists() and not mail.outbox


def test_a_step_of_an_archived_action_is_not_deleted(client, lanaudiere, coordinator, partner, own_action, all_org):
    step = Step.objects.create(action=own_action, organisation=all_org, description="Forum régional", author=partner)
    client.force_login(coordinator)
    client.post(reverse("plans:archive_item", args=[SLUG, "actions", own_action.pk]))
    client.force_login(partner)
    deleted = client.post(reverse("suivi:delete_step", args=[SLUG, step.pk]))
    assert deleted.status_code == 404 and Step.objects.filter(pk=step.pk).exists()


def test_a_code_typed_in_the_search_finds_nothing_of_another_plan(client, partner, lanaudiere, small_plan):
    """Both plans have an action 1.1.1: the code is matched inside the person's plans only."""
    client.force_login(partner)
    page = client.get(reverse("recherche:search"), {"q": "1.1.1"}).content.decode()
    assert lanaudiere.actions.get(code="1.1.1").get_absolute_url() in page
    theirs = small_plan.actions.get(code="1.1.1")
    assert theirs.get_absolute_url() not in page and small_plan.title not in page
