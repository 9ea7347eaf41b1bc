from django.shortcuts import get_object_or_404, render

from .models import Plan


def get_plan_for(user, slug):
    """The plan, if this person has a role in it; 404 otherwise, so that its existence is not revealed."""
    return get_object_or_404(Plan.objects.visible_to(user), slug=slug)


def home(request):
    """The plans this person takes part in."""
    plans = Plan.objects.visible_to(request.user)
    return render(request, "plans/home.html", {"plans": plans})


def plan_detail(request, slug):
    """The whole plan as a tree, as the plan's own table reads: axes, objectives, actions, results."""
    plan = get_plan_for(request.user, slug)
    return render(request, "plans/plan_detail.html", {"plan": plan, "axes": plan.tree()})


def plan_acronyms(request, slug):
    plan = get_plan_for(request.user, slug)
    return render(request, "plans/plan_acronyms.html", {"plan": plan, "acronyms": plan.acronyms()})
