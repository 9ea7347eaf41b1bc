"""Who may read and prepare a plan's meetings: its coordinators prepare them (agenda, invitation,
attendance, minutes, decisions); every person of the plan reads them; nothing changes in an archived plan."""

import rules

from plans.rules import coordinates_plan, has_role_in_plan, is_superuser, on_plan_of, plan_is_open


def plan_of_meeting(meeting):
    return meeting.plan


prepares_meetings = plan_is_open & (is_superuser | coordinates_plan)

rules.add_perm("meetings.view_meetings", is_superuser | has_role_in_plan)
rules.add_perm("meetings.prepare_meetings", prepares_meetings)
rules.add_perm("meetings.view_meeting", on_plan_of(plan_of_meeting, is_superuser | has_role_in_plan))
rules.add_perm("meetings.change_meeting", on_plan_of(plan_of_meeting, prepares_meetings))
