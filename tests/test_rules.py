"""The permission rules, asked directly: each role can do what its job needs, and nothing else."""

from partners.models import Organisation
from suivi.models import Step


def test_partner_records_steps_only_on_actions_of_their_organisation(lanaudiere, partner):
    own = lanaudiere.actions.get(code="3.1.1")  # Action-Logement Lanaudière, through objective 3.1
    other = lanaudiere.actions.get(code="1.1.1")
    assert partner.has_perm("suivi.add_step", own)
    assert not partner.has_perm("suivi.add_step", other)
    assert partner.has_perm("plans.view_plan", lanaudiere)
    assert not partner.has_perm("plans.change_plan", lanaudiere)


def test_partner_changes_only_their_organisation_steps(lanaudiere, partner):
    action = lanaudiere.actions.get(code="3.3.3")
    all_org = Organisation.objects.get(acronym="ALL")
    other_org = Organisation.objects.exclude(pk=all_org.pk).first()
    own = Step.objects.create(action=action, description="Rencontre", organisation=all_org)
    theirs = Step.objects.create(action=action, description="Autre", organisation=other_org)
    assert partner.has_perm("suivi.change_step", own)
    assert not partner.has_perm("suivi.change_step", theirs)
    assert not partner.has_perm("suivi.review_step", own)


def test_committee_reads_and_reports_but_validates_only_when_the_plan_allows(lanaudiere, committee_member):
    action = lanaudiere.actions.get(code="1.1.1")
    step = Step.objects.create(action=action, description="Rencontre", organisation=Organisation.objects.first())
    assert committee_member.has_perm("bilans.view_bilan", lanaudiere)
    assert not committee_member.has_perm("suivi.add_step", action)
    assert not committee_member.has_perm("suivi.review_step", step)
    lanaudiere.committee_may_validate = True
    lanaudiere.save()
    step.action.plan.refresh_from_db()
    assert committee_member.has_perm("suivi.review_step", step)


def test_coordinator_of_another_plan_has_no_power_here(lanaudiere, coordinator, other_coordinator):
    action = lanaudiere.actions.get(code="1.1.1")
    assert coordinator.has_perm("suivi.add_step", action)
    assert not other_coordinator.has_perm("suivi.add_step", action)
    assert not other_coordinator.has_perm("plans.view_plan", lanaudiere)
