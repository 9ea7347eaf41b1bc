"""Who may fill a partner's spreadsheet and export the plan; importing onto the plan is plans.change_plan."""

import rules

from plans.rules import coordinates_plan, is_partner_in_plan, is_superuser, plan_is_open

# A partner's own spreadsheet of steps and results (issue 6); each row is then checked with suivi.add_step
# on its action and suivi.achieve_result on its result.
rules.add_perm("tableur.fill_partner_sheet", plan_is_open & is_partner_in_plan)
# The plan's export reads it: its coordinator takes it from an archived plan too.
rules.add_perm("tableur.export_plan", is_superuser | coordinates_plan)
