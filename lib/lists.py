"""The base of every list page: a filtered, sortable, paginated table, exported to CSV or XLSX as filtered."""

from django.utils.cache import patch_vary_headers
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin


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
