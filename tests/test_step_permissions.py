"""Every URL that writes a step, a result or a status, tried by every role on its own and others' objects:
allowed requests succeed, the others are refused and nothing in the database changes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation
from plans.models import Action, ExpectedResult
from suivi.models import Step

SLUG = "lanaudiere-2024-2026"
OWN, OTHER = "own", "other"  # the object belongs to the partner's organisation (ALL), or to TPDSL's


@pytest.fixture
def world(lanaudiere, partner, other_partner, committee_member, coordinator, other_coordinator):
    all_org = Organisation.objects.get(acronym="ALL")
    tpdsl = Organisation.objects.get(acronym="TPDSL")
    own_action = lanaudiere.actions.get(code="3.1.1")  # ALL is a partner, TPDSL is not
    other_action = lanaudiere.actions.get(code="1.1.1")  # TPDSL is a partner, ALL is not
    people = {
        "partner_own": partner,  # ALL's
        "partner_other": other_partner,  # TPDSL's
        "committee": committee_member,
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "anonymous": None,
    }
    steps = {
        OWN: Step.objects.create(action=own_action, description="Étape d’ALL", organisation=all_org),
        OTHER: Step.objects.create(action=other_action, description="Étape de la TPDSL", organisation=tpdsl),
    }
    return {
        "people": people,
        "actions": {OWN: own_action, OTHER: other_action},
        "orgs": {OWN: all_org, OTHER: tpdsl},
        "steps": steps,
        "results": {OWN: own_action.results.get(), OTHER: other_action.results.get()},
    }


def snapshot():
    """Everything these URLs could change."""
    return (
        sorted(Step.objects.values_list("pk", "description", "review", "review_comment", "organisation_id")),
        sorted(ExpectedResult.objects.values_list("pk", "achieved_on", "achieved_by_id")),
        sorted(Action.objects.values_list("pk", "status", "status_reason")),
    )


def request_for(case, whose, world):
    """(url, POST data) for one write on the partner's own object or another organisation's."""
    action, org, step, result = (world[key][whose] for key in ("actions", "orgs", "steps", "results"))
    today = timezone.localdate().isoformat()
    return {
        "add_step": (
            reverse("suivi:add_step", args=[SLUG, action.code]),
            {"description": "Nouvelle étape", "done_on": today, "organisation": org.pk},
        ),
        "edit_step": (
            reverse("suivi:edit_step", args=[SLUG, step.pk]),
            {"description": "Modifiée", "done_on": today, "organisation": org.pk, "version": step.version},
        ),
        "delete_step": (reverse("suivi:delete_step", args=[SLUG, step.pk]), {}),
        "validate_step": (reverse("suivi:validate_step", args=[SLUG, step.pk]), {}),
        "return_step": (reverse("suivi:return_step", args=[SLUG, step.pk]), {"comment": "À préciser"}),
        "toggle_result": (reverse("suivi:toggle_result", args=[SLUG, result.pk]), {"achieved": "1"}),
        "action_status": (
            reverse("suivi:action_status", args=[SLUG, action.code]),
            {"status": "abandoned", "reason": "Plus de financement", "version": action.version},
        ),
    }[case]


PARTNER_WRITES = {"add_step", "edit_step", "delete_step", "toggle_result"}
COORDINATION_ONLY = {"validate_step", "return_step", "action_status"}

ALLOWED = {
    "coordinator": {(case, whose) for case in PARTNER_WRITES | COORDINATION_ONLY for whose in (OWN, OTHER)},
    "partner_own": {(case, OWN) for case in PARTNER_WRITES},
    # The TPDSL's partner on ALL's objects ("own" here) is refused; on TPDSL's own objects, allowed.
    "partner_other": {(case, OTHER) for case in PARTNER_WRITES},
    "committee": set(),
    "other_coordinator": set(),
    "anonymous": set(),
}


@pytest.mark.parametrize("whose", [OWN, OTHER])
@pytest.mark.parametrize("case", sorted(PARTNER_WRITES | COORDINATION_ONLY))
@pytest.mark.parametrize("role", list(ALLOWED))
def test_permission_matrix(client, world, role, case, whose):
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    url, data = request_for(case, whose, world)
    before = snapshot()

    response = client.post(url, data)

    if (case, whose) in ALLOWED[role]:
        assert response.status_code == 302, response.content.decode()[:500]
        assert snapshot() != before
    else:
        if role == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
        elif role == "other_coordinator":
            assert response.status_code == 404  # the plan is not theirs: its existence is not revealed
        else:
            assert response.status_code == 403
        assert snapshot() == before


def test_crafted_post_with_another_organisation_is_refused(client, world):
    """A partner posts a step on their own action, naming another organisation: refused at the field."""
    client.force_login(world["people"]["partner_own"])
    url, data = request_for("add_step", OWN, world)
    data["organisation"] = world["orgs"][OTHER].pk
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 422
    assert snapshot() == before


def test_partner_sees_no_edit_control_on_another_organisation_step(client, world):
    client.force_login(world["people"]["partner_own"])
    own_step, other_step = world["steps"][OWN], world["steps"][OTHER]
    html = client.get(reverse("suivi:my_actions", args=[SLUG])).content.decode()
    html += client.get(reverse("suivi:steps", args=[SLUG])).content.decode()
    assert reverse("suivi:edit_step", args=[SLUG, own_step.pk]) in html
    assert reverse("suivi:edit_step", args=[SLUG, other_step.pk]) not in html
    assert reverse("suivi:validate_step", args=[SLUG, own_step.pk]) not in html
