"""The Django admin for steps and planned steps."""

from django.contrib import admin

from lib.admin import HistoryAdmin

from .models import PlannedStep, Step


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["done_on", "action", "organisation", "description", "author"]
    list_filter = ["action__plan", "organisation"]
    list_select_related = ["action", "organisation", "author"]
    search_fields = ["description", "action__code", "organisation__name", "organisation__acronym"]
    date_hierarchy = "done_on"
    autocomplete_fields = ["action", "organisation", "author", "results"]


@admin.register(PlannedStep)
class PlannedStepAdmin(HistoryAdmin):
    list_display = ["due_on", "action", "organisation", "description", "step", "dropped_at"]
    list_filter = ["action__plan", "organisation"]
    list_select_related = ["action", "organisation", "step"]
    search_fields = ["description", "action__code", "organisation__name", "organisation__acronym"]
    date_hierarchy = "due_on"
    autocomplete_fields = ["action", "organisation", "planned_by", "results", "step"]
