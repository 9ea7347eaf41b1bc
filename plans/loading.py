"""Load a whole plan from the JSON documents in fixtures/ (see fixtures/README.md for their shape)."""

import datetime
import json

from django.db import transaction

from partners.models import Organisation

from .models import (
    Action,
    ActionPartner,
    Axis,
    Committee,
    CommitteeMember,
    ExpectedResult,
    Objective,
    ObjectivePartner,
    Plan,
    Term,
    parse_period,
)


@transaction.atomic
def load_plan(path):
    """Create the plan described in the file, with its organisations; refuse if the slug is taken."""
    with open(path, encoding="utf-8") as file:
        data = json.load(file)

    organisations = {}
    for record in data["organisations"]:
        organisation, _ = Organisation.objects.get_or_create(
            name=record["name"],
            defaults={"acronym": record["acronym"], "kind": record["kind"]},
        )
        organisations[record["key"]] = organisation

    fields = dict(data["plan"])
    if fields.get("adopted_on"):
        fields["adopted_on"] = datetime.date.fromisoformat(fields["adopted_on"])
    plan = Plan.objects.create(**fields)
    plan.participants.set(organisations[key] for key in data["participants"])
    Term.objects.bulk_create(Term(plan=plan, **term) for term in data["terms"])

    for entry in data["committees"]:
        committee = Committee.objects.create(plan=plan, name=entry["name"], other_members=entry["other_members"])
        CommitteeMember.objects.bulk_create(
            CommitteeMember(committee=committee, organisation=organisations[m["key"]], note=m["note"], position=i)
            for i, m in enumerate(entry["members"])
        )

    for axis_data in data["axes"]:
        axis = Axis.objects.create(plan=plan, number=axis_data["number"], title=axis_data["title"])
        for objective_data in axis_data["objectives"]:
            objective = Objective.objects.create(
                axis=axis,
                number=objective_data["number"],
                title=objective_data["title"],
                description=objective_data.get("description", ""),
            )
            ObjectivePartner.objects.bulk_create(
                ObjectivePartner(objective=objective, organisation=organisations[key], position=i)
                for i, key in enumerate(objective_data["partners"])
            )
            for action_data in objective_data["actions"]:
                start, end = parse_period(action_data["period"])
                action = Action.objects.create(
                    objective=objective,
                    number=action_data["number"],
                    text=action_data["text"],
                    period_start=start,
                    period_end=end,
                )
                ActionPartner.objects.bulk_create(
                    ActionPartner(action=action, organisation=organisations[key], position=i)
                    for i, key in enumerate(action_data.get("partners", []))
                )
                for result_data in action_data["results"]:
                    start, end = parse_period(result_data["period"])
                    ExpectedResult.objects.create(
                        action=action,
                        number=result_data["number"],
                        text=result_data["text"],
                        period_start=start,
                        period_end=end,
                    )
    return plan
