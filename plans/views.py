"""The plan's pages: the plans a person takes part in, the plan as a tree, an objective, the actions as a
table, the acronyms."""

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.vary import vary_on_headers

from lib.lists import TableListView

from .filters import ActionFilter
from .models import Action, ExpectedResult, Objective, Plan, PlanVisit
from .rules import plan_roles
from .tables import ActionTable


def get_plan_for(user, slug):
    """The plan, if this person has a role in it; 404 otherwise, so that its existence is not revealed."""
    return get_object_or_404(Plan.objects.visible_to(user), slug=slug)


def home(request):
    """The plans this person takes part in, with a partner's way in: "Mes actions"; archived plans apart,
    below, still open to read."""
    plans = list(Plan.objects.visible_to(request.user))
    roles = plan_roles(request.user)
    for plan in plans:
        plan.my_role = roles.get(plan.pk)
    context = {
        "plans": [plan for plan in plans if not plan.is_archived],
        "archived_plans": [plan for plan in plans if plan.is_archived],
    }
    return render(request, "plans/home.html", context)


def plan_detail(request, slug):
    """The plan at a glance, then the whole plan as a tree, as the plan's own table reads: axes, objectives,
    actions, results. The overview (progress by axis, this reporting year's steps and results, what changed
    since the person's previous visit) is a few aggregate queries, whatever the plan's size.

    A large plan shows its axes and objectives at once and each objective's actions as it scrolls into view
    (or on the objective's own page without JavaScript): nobody reads thousands of actions on one page, and
    the page stays quick to open."""
    plan = get_object_or_404(Plan.objects.visible_to(request.user).with_last_visit(request.user), slug=slug)
    since = PlanVisit.record(request.user, plan)
    inline = plan.actions.active().count() <= settings.PLAN_PAGE_INLINE_ACTIONS
    axes = plan.tree(with_actions=inline)
    context = {
        "plan": plan,
        "axes": axes,
        "actions_inline": inline,
        "progress": plan.measured_progress["plan"],
        "since": since,
        "results": plan.results_summary(since),
        "year_start": plan.reporting_year()[0],
        "year_end": plan.reporting_year()[1],
    }
    return render(request, "plans/plan_detail.html", context)


@vary_on_headers("HX-Request")
def objective_detail(request, slug, code):
    """An objective and its actions: a page of its own, or (htmx) the list that fills the plan page."""
    plan = get_plan_for(request.user, slug)
    objective = get_object_or_404(
        Objective.objects.active().select_related("axis").prefetch_related(
            Prefetch("actions", queryset=Action.objects.for_display())
        ),
        plan=plan,
        code=code,
    )
    objective.plan = plan
    for action in objective.actions.all():
        action.plan = plan
    template = "plans/objective_detail.html#actions" if request.htmx else "plans/objective_detail.html"
    return render(request, template, {"plan": plan, "objective": objective})


def plan_acronyms(request, slug):
    plan = get_plan_for(request.user, slug)
    return render(request, "plans/plan_acronyms.html", {"plan": plan, "acronyms": plan.acronyms()})


class ActionListView(TableListView):
    """Everyone in the plan may read it; the same fixed number of queries whatever the plan's size."""

    table_class = ActionTable
    filterset_class = ActionFilter
    template_name = "plans/lists/actions.html"

    def dispatch(self, request, *args, **kwargs):
        self.plan = get_plan_for(request.user, kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Action.objects.active()
            .filter(plan=self.plan)
            .select_related("plan", "objective")
            .with_partners_in_effect()
            .prefetch_related(Prefetch("results", queryset=ExpectedResult.objects.active()))
        )

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "plan": self.plan}

    def get_export_filename(self, export_format):
        return f"actions-{self.plan.slug}.{export_format}"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "plan": self.plan}
