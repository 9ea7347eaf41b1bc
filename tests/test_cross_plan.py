"""One instance, two plans that share organisations: what one plan's coordinator and partners may do to
the other plan, tried as it was when the app held one plan. Lanaudière has its coordinator and a partner
acting for ALL; « Autre chantier » has its own coordinator and a partner acting for one of its
organisations, and names ALL and TPDSL as partners too. Every refusal leaves the database as it was."""

import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from partners.models import Deactivation, InstanceAdministrator, Organisation
from plans.models import ActionPartner, Membership, ObjectivePartner, PlanRole, Role
from suivi.models import Step
from tests.conftest import make_person
from tests.factories import make_plan

User = get_user_model()


@pytest.fixture
def second_plan(lanaudiere, all_org, tpdsl):
    """A second chantier, with organisations of its own; ALL and TPDSL are partners on its first action."""
    plan = make_plan("deuxieme-chantier", actions=3, organisations=3)
    shared = plan.actions.order_by("pk").first()
    ActionPartner.objects.create(action=shared, organisation=all_org, position=1)
    ActionPartner.objects.create(action=shared, organisation=tpdsl, position=2)
    return plan


@pytest.fixture
def own_org(second_plan):
    """The other plan's own organisation, a partner on its first action beside ALL."""
    organisation = Organisation.objects.get(acronym="O-deuxieme-chantier-0")
    ActionPartner.objects.get_or_create(action=second_plan.actions.order_by("pk").first(), organisation=organisation)
    return organisation


@pytest.fixture
def second_coordinator(second_plan):
    return make_person("coordo-autre", second_plan, Role.COORDINATOR)


@pytest.fixture
def second_partner(second_plan, own_org):
    return make_person("partenaire-autre", second_plan, Role.PARTNER, own_org)


@pytest.fixture
def administrator(db):
    person = make_person("admin-instance")
    call_command("make_admin", "admin-instance", stdout=open("/dev/null", "w"))
    return person


def snapshot():
    """What these pages could change: organisations and everything that points at one, people and roles."""
    return (
        sorted(Organisation.objects.values_list("pk", "name", "acronym", "archived_at", "version")),
        sorted(ActionPartner.objects.values_list("pk", "action_id", "organisation_id")),
        sorted(ObjectivePartner.objects.values_list("pk", "objective_id", "organisation_id")),
        sorted(Membership.objects.values_list("pk", "plan_id", "user_id", "organisation_id")),
        sorted(Step.objects.values_list("pk", "organisation_id", "description", "review")),
        sorted(PlanRole.objects.values_list("pk", "plan_id", "user_id", "role")),
        sorted(User.objects.values_list("pk", "is_active", "password", "email")),
        sorted(Deactivation.objects.values_list("user_id", flat=True)),
    )


def invitation(email, organisation, role=Role.PARTNER):
    return {"first_name": "Julie", "last_name": "Tremblay", "email": email, "organisation": organisation.pk, "role": role}


def step_data(organisation):
    return {"description": "Rencontre", "done_on": timezone.localdate().isoformat(), "organisation": organisation.pk}


# Who acts for which organisation is decided plan by plan


def test_another_plan_naming_another_organisation_gives_no_power_in_lanaudiere(
    client, lanaudiere, partner, all_org, tpdsl, second_plan, second_coordinator, mailoutbox
):
    """Invited into the other plan for TPDSL, Lanaudière's partner still acts for ALL only in Lanaudière."""
    partner.email = "partenaire@example.org"
    partner.save()
    both = lanaudiere.actions.get(code="3.1.1")  # ALL's (through its objective); TPDSL's too from here on
    ActionPartner.objects.create(action=both, organisation=all_org)
    ActionPartner.objects.create(action=both, organisation=tpdsl)
    tpdsl_only = lanaudiere.actions.get(code="1.1.1")
    client.force_login(second_coordinator)
    response = client.post(reverse("plans:person_invite", args=[second_plan.slug]), invitation(partner.email, tpdsl))
    assert response.status_code == 302
    assert Membership.objects.filter(plan=second_plan, user=partner, organisation=tpdsl).exists()

    client.force_login(partner)
    before = snapshot()
    refused = [
        client.post(reverse("suivi:add_step", args=[lanaudiere.slug, tpdsl_only.code]), step_data(tpdsl)),
        client.post(
            reverse("suivi:toggle_result", args=[lanaudiere.slug, tpdsl_only.results.get().pk]), {"achieved": "1"}
        ),
    ]
    assert [response.status_code for response in refused] == [403, 403]
    # On an action of both organisations, the form offers ALL only, and refuses TPDSL.
    page = client.get(reverse("suivi:action", args=[lanaudiere.slug, both.code])).content.decode()
    assert re.search(r'<option value="%d"[^>]*>' % all_org.pk, page)
    assert not re.search(r'<option value="%d"[^>]*>' % tpdsl.pk, page)
    response = client.post(reverse("suivi:add_step", args=[lanaudiere.slug, both.code]), step_data(tpdsl))
    assert response.status_code == 422
    assert snapshot() == before
    # « Mes actions » in Lanaudière is ALL's, not TPDSL's.
    my_actions = client.get(reverse("suivi:my_actions", args=[lanaudiere.slug]))
    assert list(my_actions.context["organisations"]) == [all_org]
    assert tpdsl_only not in my_actions.context["actions"]


def test_lanaudiere_coordinator_still_takes_the_person_out_of_lanaudiere(
    client, lanaudiere, coordinator, partner, all_org, tpdsl, second_plan
):
    """Deactivating them is no longer theirs to do alone (the person is in another plan too); taking them
    out of Lanaudière is, and leaves the other plan as it was."""
    PlanRole.objects.create(plan=second_plan, user=partner, role=Role.PARTNER)
    Membership.objects.create(plan=second_plan, user=partner, organisation=tpdsl)
    client.force_login(coordinator)
    before = snapshot()
    response = client.post(reverse("plans:person_deactivate", args=[lanaudiere.slug, partner.pk]))
    assert response.status_code == 403
    assert snapshot() == before

    response = client.post(reverse("plans:person_remove", args=[lanaudiere.slug, partner.pk]))
    assert response.status_code == 302
    assert not PlanRole.objects.filter(plan=lanaudiere, user=partner).exists()
    assert not Membership.objects.filter(plan=lanaudiere, user=partner).exists()
    assert list(Membership.objects.filter(user=partner).values_list("plan_id", "organisation_id")) == [
        (second_plan.pk, tpdsl.pk)
    ]
    partner.refresh_from_db()
    assert partner.is_active
    assert not partner.has_perm("suivi.add_step", lanaudiere.actions.get(code="3.1.1"))


def test_lanaudiere_coordinator_deactivates_their_own_partner(client, lanaudiere, coordinator, partner):
    client.force_login(coordinator)
    response = client.post(reverse("plans:person_deactivate", args=[lanaudiere.slug, partner.pk]))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert not partner.is_active
    deactivation = Deactivation.objects.get(user=partner)
    assert deactivation.deactivated_by == coordinator


def test_one_person_acts_for_a_different_organisation_in_each_plan(
    client, lanaudiere, all_org, second_plan, own_org
):
    """ALL in Lanaudière, the other plan's own organisation there: each plan's steps for its organisation
    only, though ALL is a partner in both plans."""
    person = make_person("deux-plans", lanaudiere, Role.PARTNER, all_org)
    PlanRole.objects.create(plan=second_plan, user=person, role=Role.PARTNER)
    Membership.objects.create(plan=second_plan, user=person, organisation=own_org)
    in_lanaudiere = lanaudiere.actions.get(code="3.1.1")
    in_other = second_plan.actions.order_by("pk").first()  # ALL and the plan's own organisation are partners
    client.force_login(person)

    before = snapshot()
    refusals = [
        client.post(reverse("suivi:add_step", args=[second_plan.slug, in_other.code]), step_data(all_org)),
        client.post(reverse("suivi:add_step", args=[lanaudiere.slug, in_lanaudiere.code]), step_data(own_org)),
    ]
    assert [response.status_code for response in refusals] == [422, 422]
    assert snapshot() == before

    for plan, action, organisation in [(lanaudiere, in_lanaudiere, all_org), (second_plan, in_other, own_org)]:
        response = client.post(reverse("suivi:add_step", args=[plan.slug, action.code]), step_data(organisation))
        assert response.status_code == 302
    assert sorted(Step.objects.filter(author=person).values_list("action__plan_id", "organisation_id")) == sorted(
        [(lanaudiere.pk, all_org.pk), (second_plan.pk, own_org.pk)]
    )
    # Their sheet in Lanaudière is ALL's, even when asked for the other plan's organisation.
    sheet = client.get(reverse("tableur:partner_sheet", args=[lanaudiere.slug]), {"organisation": own_org.pk})
    assert sheet.context["organisation"] == all_org
    assert list(sheet.context["organisations"]) == [all_org]
    # A step of ALL in the other plan is not theirs to change there.
    others = Step.objects.create(action=in_other, description="Étape d’ALL ailleurs", organisation=all_org)
    assert not person.has_perm("suivi.change_step", others)


# What a coordinator may change is scoped to the plans they coordinate


def test_other_coordinator_cannot_rename_archive_or_merge_lanaudiere_organisations(
    client, lanaudiere, all_org, tpdsl, second_coordinator, own_org
):
    client.force_login(second_coordinator)
    before = snapshot()
    edit = {"name": "Renommée", "acronym": all_org.acronym, "kind": all_org.kind, "website": "", "version": 1}
    responses = [
        client.post(reverse("partners:organisation_edit", args=[all_org.pk]), edit),
        client.post(reverse("partners:organisation_archive", args=[all_org.pk])),
        client.post(reverse("partners:organisation_merge", args=[all_org.pk]), {"duplicate": own_org.pk, "confirm": "1"}),
        client.get(reverse("partners:organisation_edit", args=[all_org.pk])),
    ]
    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    # Folding a Lanaudière organisation into one of their own would move Lanaudière's links: refused at
    # the field.
    response = client.post(
        reverse("partners:organisation_merge", args=[own_org.pk]), {"duplicate": tpdsl.pk, "confirm": "1"}
    )
    assert response.status_code == 200
    assert "elle sert à un plan que vous ne coordonnez pas" in response.content.decode()
    assert snapshot() == before
    page = client.get(reverse("partners:organisation", args=[all_org.pk])).content.decode()
    assert "Fusionner un doublon" not in page and "Archiver" not in page


def test_an_organisation_of_two_plans_needs_someone_responsible_for_both(
    client, lanaudiere, coordinator, all_org, second_plan, own_org
):
    client.force_login(coordinator)
    before = snapshot()
    edit = {"name": "Renommée", "acronym": all_org.acronym, "kind": all_org.kind, "website": "", "version": 1}
    assert client.post(reverse("partners:organisation_edit", args=[all_org.pk]), edit).status_code == 403
    assert client.post(reverse("partners:organisation_archive", args=[all_org.pk])).status_code == 403
    assert snapshot() == before
    # Coordinating both plans is enough.
    PlanRole.objects.create(plan=second_plan, user=coordinator, role=Role.COORDINATOR)
    client.force_login(coordinator)
    assert client.post(reverse("partners:organisation_edit", args=[all_org.pk]), edit).status_code == 302
    all_org.refresh_from_db()
    assert all_org.name == "Renommée"


def test_a_coordinator_still_creates_organisations(client, second_coordinator):
    client.force_login(second_coordinator)
    response = client.post(reverse("partners:organisation_create"), {"name": "Habitat Montcalm", "kind": "coop"})
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Habitat Montcalm").exists()


def test_instance_administrator_merges_an_organisation_both_plans_use(
    client, lanaudiere, all_org, second_plan, administrator
):
    duplicate = Organisation.objects.create(name="Action Logement Lanaudière (doublon)", acronym="ALL-D")
    in_other = second_plan.actions.order_by("pk").last()
    ActionPartner.objects.create(action=in_other, organisation=duplicate)
    ActionPartner.objects.create(action=lanaudiere.actions.get(code="1.1.1"), organisation=duplicate)
    mover = make_person("membre-doublon", second_plan, Role.PARTNER, duplicate)
    client.force_login(administrator)
    page = client.get(reverse("partners:organisation", args=[all_org.pk])).content.decode()
    assert "Fusionner un doublon" in page
    response = client.post(
        reverse("partners:organisation_merge", args=[all_org.pk]), {"duplicate": duplicate.pk, "confirm": "1"}
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    assert ActionPartner.objects.filter(action=in_other, organisation=all_org).exists()
    assert ActionPartner.objects.filter(action__code="1.1.1", action__plan=lanaudiere, organisation=all_org).exists()
    assert Membership.objects.filter(plan=second_plan, user=mover, organisation=all_org).exists()
    # The administrator answers for organisations, not for the plans' content: the plans stay closed.
    assert client.get(reverse("plans:detail", args=[lanaudiere.slug])).status_code == 404


def test_merging_keeps_one_membership_per_plan(lanaudiere, all_org, second_plan):
    """A person acting for both organisations in a plan keeps one membership there; in another plan, the
    one they have stays."""
    duplicate = Organisation.objects.create(name="Doublon", acronym="DBL")
    person = make_person("double", lanaudiere, Role.PARTNER, all_org)
    Membership.objects.create(plan=lanaudiere, user=person, organisation=duplicate)
    PlanRole.objects.create(plan=second_plan, user=person, role=Role.PARTNER)
    Membership.objects.create(plan=second_plan, user=person, organisation=duplicate)
    duplicate.merge_into(all_org)
    assert sorted(Membership.objects.filter(user=person).values_list("plan_id", "organisation_id")) == sorted(
        [(lanaudiere.pk, all_org.pk), (second_plan.pk, all_org.pk)]
    )


# Deactivating an account is not removing someone from a plan


def test_a_deactivated_person_is_not_reopened_by_another_plan_invitation(
    client, lanaudiere, coordinator, all_org, second_plan, second_coordinator, own_org, mailoutbox
):
    client.force_login(coordinator)
    client.post(reverse("plans:person_invite", args=[lanaudiere.slug]), invitation("julie@example.org", all_org))
    julie = User.objects.get(email="julie@example.org")
    client.post(reverse("plans:person_deactivate", args=[lanaudiere.slug, julie.pk]))
    first_link = re.search(r"http://testserver(/comptes/invitation/\S+/)", mailoutbox[0].body).group(1)
    mailoutbox.clear()

    client.force_login(second_coordinator)
    before = snapshot()
    response = client.post(reverse("plans:person_invite", args=[second_plan.slug]), invitation("Julie@example.org", own_org))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Le compte de cette personne est désactivé\u00a0: une invitation ne le rouvre pas." in page
    assert snapshot() == before
    assert mailoutbox == []
    client.logout()
    assert "ne fonctionne plus" in client.get(first_link, follow=True).content.decode()
    # In the list, she is deactivated, not invited.
    client.force_login(coordinator)
    listing = client.get(reverse("plans:people", args=[lanaudiere.slug])).content.decode()
    assert '<span class="badge inactive">Désactivée</span>' in listing
    assert 'class="badge invited"' not in listing


def test_a_deactivated_partner_who_had_arrived_is_refused_too(
    client, lanaudiere, coordinator, partner, second_plan, second_coordinator, own_org, mailoutbox
):
    partner.email = "paul@example.org"
    partner.save()
    client.force_login(coordinator)
    client.post(reverse("plans:person_deactivate", args=[lanaudiere.slug, partner.pk]))
    client.force_login(second_coordinator)
    before = snapshot()
    response = client.post(reverse("plans:person_invite", args=[second_plan.slug]), invitation(partner.email, own_org))
    assert "Le compte de cette personne est désactivé" in response.content.decode()
    assert snapshot() == before
    assert mailoutbox == []


def test_other_coordinator_cannot_deactivate_or_reactivate_lanaudiere_people(
    client, lanaudiere, partner, second_plan, second_coordinator
):
    client.force_login(second_coordinator)
    before = snapshot()
    for name in ["person_deactivate", "person_reactivate", "person_resend_invitation", "person_remove"]:
        assert client.post(reverse(f"plans:{name}", args=[lanaudiere.slug, partner.pk])).status_code == 404
        # Through their own plan's address, the person is not theirs either.
        assert client.post(reverse(f"plans:{name}", args=[second_plan.slug, partner.pk])).status_code == 404
    assert snapshot() == before


def test_inviting_someone_from_another_plan_gives_no_power_over_their_account(
    client, lanaudiere, partner, second_plan, second_coordinator, own_org
):
    partner.email = "paul@example.org"
    partner.save()
    client.force_login(second_coordinator)
    client.post(reverse("plans:person_invite", args=[second_plan.slug]), invitation(partner.email, own_org))
    before = snapshot()
    response = client.post(reverse("plans:person_deactivate", args=[second_plan.slug, partner.pk]))
    assert response.status_code == 403
    assert snapshot() == before
    # Taking them out of their own plan is theirs to do.
    assert client.post(reverse("plans:person_remove", args=[second_plan.slug, partner.pk])).status_code == 302
    assert PlanRole.objects.filter(plan=lanaudiere, user=partner).exists()


def test_instance_administrator_deactivates_someone_of_two_plans(lanaudiere, partner, second_plan, administrator):
    PlanRole.objects.create(plan=second_plan, user=partner, role=Role.PARTNER)
    assert administrator.has_perm("partners.change_person", partner)
    coordinator_of_one = make_person("coordo-un", lanaudiere, Role.COORDINATOR)
    assert not coordinator_of_one.has_perm("partners.change_person", partner)
    # Nobody's plan role reaches an administrator's account.
    PlanRole.objects.create(plan=lanaudiere, user=administrator, role=Role.PARTNER)
    assert not coordinator_of_one.has_perm("partners.change_person", administrator)


def test_instance_administrator_closes_and_reopens_an_account_from_the_accounts_page(
    client, lanaudiere, partner, second_plan, administrator
):
    PlanRole.objects.create(plan=second_plan, user=partner, role=Role.PARTNER)
    client.force_login(administrator)
    page = client.get(reverse("partners:accounts"), {"q": "partner"}).content.decode()
    assert lanaudiere.title in page and second_plan.title in page
    response = client.post(reverse("partners:account_deactivate", args=[partner.pk]))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert not partner.is_active and Deactivation.objects.filter(user=partner).exists()
    client.post(reverse("partners:account_reactivate", args=[partner.pk]))
    partner.refresh_from_db()
    assert partner.is_active and not Deactivation.objects.filter(user=partner).exists()


@pytest.mark.parametrize("person", ["coordinator", "second_coordinator", "partner"])
def test_only_an_administrator_reaches_the_accounts(client, request, lanaudiere, partner, person):
    client.force_login(request.getfixturevalue(person))
    before = snapshot()
    assert client.get(reverse("partners:accounts")).status_code == 403
    assert client.post(reverse("partners:account_deactivate", args=[partner.pk])).status_code == 403
    assert client.post(reverse("partners:account_reactivate", args=[partner.pk])).status_code == 403
    assert snapshot() == before


# Pages show only the plans the reader takes part in


def test_other_plan_partner_sees_nothing_of_lanaudiere_on_an_organisation_page(
    client, lanaudiere, coordinator, all_org, second_partner, mailoutbox
):
    client.force_login(coordinator)
    # (followed, so that its message is read here, not on the next person's page in this test's browser)
    client.post(
        reverse("plans:person_invite", args=[lanaudiere.slug]), invitation("julie@example.org", all_org), follow=True
    )
    objective = lanaudiere.objectives.get(code="3.1")
    client.force_login(second_partner)
    page = client.get(reverse("partners:organisation", args=[all_org.pk])).content.decode()
    assert objective.title not in page
    assert lanaudiere.title not in page
    assert "Julie" not in page and "julie@example.org" not in page
    assert "Action 1.1.1 (Plan deuxieme-chantier)" in page  # their own plan's part is there

    # The list and its exports count only their plan: ALL is on one of its actions, and has nobody there.
    export = client.get(reverse("partners:organisations"), {"_export": "csv", "q": "ALL"})
    rows = export.content.decode("utf-8-sig").splitlines()  # CSV for a French Excel: BOM and ;
    row = next(row for row in rows if row.startswith("Action-Logement Lanaudière;"))
    assert row.split(";")[4:7] == ["1", "0", "0"]
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("partners:organisations"), {"_export": "xlsx", "q": "ALL"}).content)
    ).active
    cells = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Action-Logement Lanaudière")
    assert [str(value) for value in cells[4:7]] == ["1", "0", "0"]


def test_lanaudiere_people_see_names_and_only_the_coordinator_sees_emails(
    client, lanaudiere, coordinator, partner, all_org, mailoutbox
):
    client.force_login(coordinator)
    client.post(
        reverse("plans:person_invite", args=[lanaudiere.slug]), invitation("julie@example.org", all_org), follow=True
    )
    url = reverse("partners:organisation", args=[all_org.pk])
    as_coordinator = client.get(url).content.decode()
    assert "Julie Tremblay" in as_coordinator and "julie@example.org" in as_coordinator
    assert lanaudiere.objectives.get(code="3.1").title in as_coordinator
    client.force_login(partner)
    as_partner = client.get(url).content.decode()
    assert "Julie Tremblay" in as_partner
    assert "julie@example.org" not in as_partner


def test_a_coordinator_sees_emails_only_of_the_plan_they_coordinate(
    client, lanaudiere, coordinator, all_org, second_plan
):
    """Partner in the other plan, Lanaudière's coordinator reads the names of its people there, not their
    emails."""
    PlanRole.objects.create(plan=second_plan, user=coordinator, role=Role.PARTNER)
    there = make_person("gagnon", second_plan, Role.PARTNER, all_org)
    there.first_name, there.last_name, there.email = "Marc", "Gagnon", "marc@example.org"
    there.save()
    here = make_person("roy", lanaudiere, Role.PARTNER, all_org)
    here.first_name, here.last_name, here.email = "Anne", "Roy", "anne@example.org"
    here.save()
    client.force_login(coordinator)
    page = client.get(reverse("partners:organisation", args=[all_org.pk])).content.decode()
    assert "Marc Gagnon" in page and "marc@example.org" not in page
    assert "Anne Roy" in page and "anne@example.org" in page


def test_organisation_page_runs_a_fixed_number_of_queries(
    client, lanaudiere, coordinator, all_org, django_assert_max_num_queries
):
    for n in range(3):
        make_person(f"p{n}", lanaudiere, Role.PARTNER, all_org)
    client.force_login(coordinator)
    url = reverse("partners:organisation", args=[all_org.pk])
    with django_assert_max_num_queries(17) as few:  # 17 with the header's unread notices
        assert client.get(url).status_code == 200
    for n in range(3, 40):
        make_person(f"p{n}", lanaudiere, Role.PARTNER, all_org)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_people_of_a_plan_show_only_what_they_do_in_it(
    client, lanaudiere, partner, all_org, tpdsl, second_plan, second_coordinator
):
    partner.first_name, partner.last_name, partner.email = "Paul", "Gagnon", "paul@example.org"
    partner.save()
    client.force_login(second_coordinator)
    client.post(reverse("plans:person_invite", args=[second_plan.slug]), invitation(partner.email, tpdsl))
    export = client.get(reverse("plans:people", args=[second_plan.slug]), {"_export": "csv"})
    rows = export.content.decode().splitlines()
    paul = next(row for row in rows if row.startswith("Paul Gagnon"))
    assert tpdsl.display_name in paul and "Action-Logement" not in paul
    assert len(rows) == 3  # header, their coordinator, Paul: nobody of Lanaudière
    page = client.get(reverse("plans:people", args=[second_plan.slug])).content.decode()
    assert "Action-Logement Lanaudière" not in page  # nor in the organisation filter's choices


# The instance administrator's command


def test_make_admin_gives_and_removes_the_role(db):
    make_person("marie")
    out = open("/dev/null", "w")
    call_command("make_admin", "marie", stdout=out)
    call_command("make_admin", "marie", stdout=out)  # again: nothing changes
    assert InstanceAdministrator.objects.filter(user__username="marie").count() == 1
    call_command("make_admin", "marie", "--remove", stdout=out)
    assert not InstanceAdministrator.objects.exists()
    call_command("make_admin", "marie", "--dry-run", stdout=out)
    assert not InstanceAdministrator.objects.exists()


def test_make_admin_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="Aucun compte"):
        call_command("make_admin", "personne")
