"""Who may record, change and review steps, tick results and set an action's status. A partner acts in a
plan for the organisations they act for in that plan only."""

import rules

from plans.rules import (
    coordinates_plan,
    committee_validates_in_plan,
    is_partner_in_plan,
    is_superuser,
    on_plan_of,
    organisation_ids,
    partner_organisation_ids,
    plan_is_open,
)


def plan_of_action(action):
    return action.plan


def plan_of_step(step):
    return step.action.plan


def plan_of_result(result):
    return result.plan


def plan_of_planned_step(planned):
    return planned.action.plan


@rules.predicate
def partner_on_action(user, action):
    return is_partner_in_plan.test(user, action.plan) and bool(
        organisation_ids(user, action.plan_id) & partner_organisation_ids(action)
    )


@rules.predicate
def partner_on_result(user, result):
    return partner_on_action.test(user, result.action)


@rules.predicate
def step_of_own_organisation(user, step):
    plan = step.action.plan
    return is_partner_in_plan.test(user, plan) and step.organisation_id in organisation_ids(user, plan.pk)


@rules.predicate
def is_validated(user, step):
    return step.review == step.Review.VALIDATED


@rules.predicate
def planned_step_of_own_organisation(user, planned):
    plan = planned.action.plan
    return is_partner_in_plan.test(user, plan) and planned.organisation_id in organisation_ids(user, plan.pk)


@rules.predicate
def planned_step_is_open(user, planned):
    return planned.is_open


@rules.predicate
def planned_step_is_done(user, planned):
    return planned.step_id is not None


coordinates_plan_of_action = on_plan_of(plan_of_action, coordinates_plan)
coordinates_plan_of_step = on_plan_of(plan_of_step, coordinates_plan)
coordinates_plan_of_result = on_plan_of(plan_of_result, coordinates_plan)
# Nothing is recorded, changed or reviewed in an archived plan.
open_plan_of_action = on_plan_of(plan_of_action, plan_is_open)
open_plan_of_step = on_plan_of(plan_of_step, plan_is_open)
open_plan_of_result = on_plan_of(plan_of_result, plan_is_open)
coordinates_plan_of_planned_step = on_plan_of(plan_of_planned_step, coordinates_plan)
open_plan_of_planned_step = on_plan_of(plan_of_planned_step, plan_is_open)


rules.add_perm("suivi.add_step", open_plan_of_action & (is_superuser | coordinates_plan_of_action | partner_on_action))
# Once validated, a step is the proof the yearly report counts: only the coordination changes it then.
changes_step_but_for_validation = open_plan_of_step & (is_superuser | coordinates_plan_of_step | step_of_own_organisation)
rules.add_perm("suivi.change_step", changes_step_but_for_validation & (is_superuser | coordinates_plan_of_step | ~is_validated))
# Who would change the step had it not been validated: told so, rather than refused, when it was validated
# while their form was open (suivi/views.py, edit_step).
rules.add_perm("suivi.change_step_but_for_validation", changes_step_but_for_validation)
rules.add_perm(
    "suivi.delete_step",
    open_plan_of_step & (is_superuser | coordinates_plan_of_step | (step_of_own_organisation & ~is_validated)),
)
# Who reviews is decided on the plan: the same people review every step of a plan (so a list of steps asks
# once, `suivi.review_steps` on its plan, rather than once a step).
reviews_in_plan = plan_is_open & (is_superuser | coordinates_plan | committee_validates_in_plan)
rules.add_perm("suivi.review_steps", reviews_in_plan)
rules.add_perm("suivi.review_step", on_plan_of(plan_of_step, reviews_in_plan))
rules.add_perm("suivi.view_my_actions", is_partner_in_plan)
rules.add_perm("suivi.achieve_result", open_plan_of_result & (is_superuser | coordinates_plan_of_result | partner_on_result))
# The date of an achievement already recorded is the coordination's to correct.
rules.add_perm("suivi.change_achievement_date", open_plan_of_result & (is_superuser | coordinates_plan_of_result))
rules.add_perm("suivi.set_action_status", open_plan_of_action & (is_superuser | coordinates_plan_of_action))



# Planned steps: the coordination plans them for any partner organisation of the action, a partner for the
# organisations they act for (the form offers only those: suivi.forms.recording_organisation_ids). They are
# read by everyone of the plan, as steps are; only their organisation and the coordination act on them.
rules.add_perm(
    "suivi.add_planned_step", open_plan_of_action & (is_superuser | coordinates_plan_of_action | partner_on_action)
)
acts_on_planned_step = open_plan_of_planned_step & (
    is_superuser | coordinates_plan_of_planned_step | planned_step_of_own_organisation
)
rules.add_perm("suivi.change_planned_step", acts_on_planned_step & planned_step_is_open)  # move or drop
rules.add_perm("suivi.tick_planned_step", acts_on_planned_step & planned_step_is_open)
# Unticking a validated step is refused by the view, with its reason (the button says why it is not there).
rules.add_perm("suivi.untick_planned_step", acts_on_planned_step & planned_step_is_done)
# « Rien de nouveau, toujours en cours »: said by the organisation doing the action, for itself.
rules.add_perm("suivi.add_check_in", open_plan_of_action & partner_on_action)
# The plan's activity log: what every person changed or recorded, read before a meeting by the coordination.
rules.add_perm("suivi.view_activity", is_superuser | coordinates_plan)
