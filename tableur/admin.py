"""Exports from the Django admin in the plan spreadsheet's columns: the plans admin's action and result
pages, with django-import-export's export added. Whole plans are imported from the coordinator's page,
which checks every row across the four levels first."""

from django.contrib import admin
from import_export.admin import ExportMixin

from plans.admin import ActionAdmin, ExpectedResultAdmin
from plans.models import Action, ExpectedResult

from .spreadsheets import ActionResource, ExpectedResultResource

admin.site.unregister(Action)
admin.site.unregister(ExpectedResult)


@admin.register(Action)
class ActionExportAdmin(ExportMixin, ActionAdmin):
    resource_classes = [ActionResource]


@admin.register(ExpectedResult)
class ExpectedResultExportAdmin(ExportMixin, ExpectedResultAdmin):
    resource_classes = [ExpectedResultResource]
