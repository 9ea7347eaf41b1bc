from django.shortcuts import get_object_or_404, render

from .filters import StepFilter
from .models import Plan, Step, mean_progress

LATEST_STEPS = 10


def get_plan_for(user, slug):
    """The plan, if this person has a role in it; 404 otherwise, so that its existence is not revealed."""
    return get_object_or_404(Plan.objects.visible_to(user), slug=slug)


def home(request):
    """The plans this person takes part in, with a partner's way in: "Mes actions"."""
    plans = list(Plan.objects.visible_to(request.user))
    roles = dict(request.user.plan_roles.values_list("plan_id", "role"))
    for plan in plans:
        plan.my_role = roles.get(plan.pk)
    return render(request, "plans/home.html", {"plans": plans})


def plan_detail(request, slug):
    """The whole plan as a tree, as the plan's own table reads: axes, objectives, actions, results."""
    plan = get_plan_for(request.user, slug)
    axes = list(plan.tree())
    latest_steps = Step.objects.filter(action__plan=plan).for_display()[:LATEST_STEPS]
    context = {
        "plan": plan,
        "axes": axes,
        "progress": mean_progress(action for axis in axes for o in axis.objectives.all() for action in o.actions.all()),
        "latest_steps": latest_steps,
        "step_filter": StepFilter(plan=plan),
    }
    return render(request, "plans/plan_detail.html", context)


def plan_acronyms(request, slug):
    plan = get_plan_for(request.user, slug)
    return render(request, "plans/plan_acronyms.html", {"plan": plan, "acronyms": plan.acronyms()})
