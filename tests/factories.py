"""Plans of any size, built quickly with bulk inserts (codes set here since bulk_create skips save())."""

from partners.models import Organisation
from plans.models import Action, ActionPartner, Axis, ExpectedResult, Objective, ObjectivePartner, Plan


def make_plan(slug, actions, axes=4, objectives_per_axis=5, results_per_action=2, organisations=25):
    plan = Plan.objects.create(title=f"Plan {slug}", slug=slug, region="Test", first_year=2024, last_year=2026)
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {slug} {n}", acronym=f"O-{slug}-{n}", sort_key=f"organisation {slug} {n}")
        for n in range(organisations)
    )
    axis_rows = Axis.objects.bulk_create(
        Axis(plan=plan, number=a, code=str(a), title=f"Axe {a}") for a in range(1, axes + 1)
    )
    objective_rows = Objective.objects.bulk_create(
        Objective(plan=plan, axis=axis, number=o, code=f"{axis.code}.{o}", title=f"Objectif {axis.code}.{o}")
        for axis in axis_rows
        for o in range(1, objectives_per_axis + 1)
    )
    ObjectivePartner.objects.bulk_create(
        ObjectivePartner(objective=objective, organisation=orgs[i % organisations], position=0)
        for i, objective in enumerate(objective_rows)
    )
    per_objective = -(-actions // len(objective_rows))
    action_rows = []
    for objective in objective_rows:
        for n in range(1, per_objective + 1):
            if len(action_rows) == actions:
                break
            action_rows.append(
                Action(
                    plan=plan,
                    objective=objective,
                    number=n,
                    code=f"{objective.code}.{n}",
                    text=f"Action {objective.code}.{n} : réaliser quelque chose d’utile",
                    period_start=2024,
                    period_end=2026,
                )
            )
    action_rows = Action.objects.bulk_create(action_rows)
    # One action in ten names partners of its own, as in the real plan.
    ActionPartner.objects.bulk_create(
        ActionPartner(action=action, organisation=orgs[(i + 1) % organisations], position=0)
        for i, action in enumerate(action_rows)
        if i % 10 == 0
    )
    ExpectedResult.objects.bulk_create(
        ExpectedResult(plan=plan, action=action, number=r, code=f"{action.code}.{r}", text=f"Résultat {r}")
        for action in action_rows
        for r in range(1, results_per_action + 1)
    )
    return plan
