"""The Django admin for meetings, their decisions and the changes to the plan they made."""

from django.contrib import admin

from .models import Amendment, Decision, Meeting


class DecisionInline(admin.StackedInline):
    model = Decision
    extra = 0
    autocomplete_fields = ["actions"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "body", "committee", "plan", "place"]
    list_filter = ["plan", "body"]
    list_select_related = ["plan", "committee"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["invited"]
    inlines = [DecisionInline]


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ["kind", "action", "merged_into", "decision"]
    list_select_related = ["action", "merged_into", "decision__meeting"]
    # A change already written on the plan: its record is read, never rewritten.
    readonly_fields = ["decision", "kind", "action", "merged_into", "text_before", "text_after", "recorded_by"]
