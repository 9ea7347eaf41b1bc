"""The Django admin for steps."""

from django.contrib import admin

from .models import Step


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["done_on", "action", "organisation", "description", "author"]
    list_filter = ["action__plan", "organisation"]
    list_select_related = ["action", "organisation", "author"]
    search_fields = ["description", "action__code", "organisation__name", "organisation__acronym"]
    date_hierarchy = "done_on"
    autocomplete_fields = ["action", "organisation", "author", "results"]
