"""Who may prepare, read and adopt a plan's yearly reports."""

import rules

from plans.rules import coordinates_plan, is_partner_in_plan, is_superuser, plan_is_open, sits_on_committee_of_plan


@rules.predicate
def partner_allowed_bilans(user, plan):
    return plan is not None and plan.partners_may_download_bilans and is_partner_in_plan.test(user, plan)


rules.add_perm("bilans.prepare_bilan", plan_is_open & (is_superuser | coordinates_plan | sits_on_committee_of_plan))
rules.add_perm("bilans.view_bilan", is_superuser | coordinates_plan | sits_on_committee_of_plan | partner_allowed_bilans)
rules.add_perm("bilans.adopt_bilan", plan_is_open & (is_superuser | coordinates_plan | sits_on_committee_of_plan))
