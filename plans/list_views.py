"""The plan's actions as a table: filtered, sortable, paginated, and exported to CSV or XLSX as filtered."""

from django.db.models import Prefetch
from django.utils.cache import patch_vary_headers
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from .filters import ActionFilter
from .models import Action, ActionPartner, ExpectedResult, ObjectivePartner
from .tables import ActionTable
from .views import get_plan_for


class TableListView(ExportMixin, SingleTableMixin, FilterView):
    """A list page: its filters (a GET form), its table, exports of what is filtered. With htmx, filtering,
    sorting and paging swap only the `results` partial of the page's template (a history restore gets the
    whole page); without JavaScript they reload the page."""

    export_formats = ("csv", "xlsx")

    def get_template_names(self):
        names = super().get_template_names()
        if self.request.htmx and not self.request.htmx.history_restore_request:
            return [f"{name}#results" for name in names]
        return names

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


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
            .prefetch_related(
                Prefetch("partner_links", queryset=ActionPartner.objects.select_related("organisation")),
                Prefetch("objective__partner_links", queryset=ObjectivePartner.objects.select_related("organisation")),
                Prefetch("results", queryset=ExpectedResult.objects.active()),
            )
        )

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "plan": self.plan}

    def get_export_filename(self, export_format):
        return f"actions-{self.plan.slug}.{export_format}"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "plan": self.plan}
