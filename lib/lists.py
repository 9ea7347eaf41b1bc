"""The base of every list page: a filtered, sortable, paginated table, exported to CSV or XLSX as filtered."""

from django.utils.cache import patch_vary_headers
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from .spreadsheets import spreadsheet_response


class TableListView(ExportMixin, SingleTableMixin, FilterView):
    """A list page: its filters (a GET form), its table, exports of what is filtered. With htmx, filtering,
    sorting and paging swap only the `results` partial of the page's template (a history restore gets the
    whole page); without JavaScript they reload the page. The exports are written by lib.spreadsheets, like
    every spreadsheet the app writes: cells neutralised against formulas, CSV as a French Excel opens it."""

    export_formats = ("csv", "xlsx")

    def get_template_names(self):
        names = super().get_template_names()
        if self.request.htmx and not self.request.htmx.history_restore_request:
            return [f"{name}#results" for name in names]
        return names

    def create_export(self, export_format):
        """django-tables2 turns the table into a tablib Dataset; lib.spreadsheets writes it."""
        exporter = self.export_class(
            export_format=export_format,
            table=self.get_table(**self.get_table_kwargs()),
            exclude_columns=self.exclude_columns,
            dataset_kwargs=self.get_dataset_kwargs(),
        )
        return spreadsheet_response(exporter.dataset, self.get_export_filename(export_format), export_format)

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get(self.export_trigger_param) in self.export_formats:
            return self.create_export(self.request.GET[self.export_trigger_param])
        # Another format django-tables2 knows (json, latex…) is not offered: the page itself is shown.
        response = super(ExportMixin, self).render_to_response(context, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response
