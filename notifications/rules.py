"""Who may send reminders by hand: the coordination of an open plan."""

import rules

from plans.rules import coordinates_plan, is_superuser, plan_is_open

rules.add_perm("notifications.remind_now", plan_is_open & (is_superuser | coordinates_plan))
