"""The Django admin for every model of a plan: the staff's fallback, not the coordinator's tool."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lib.admin import HistoryAdmin, KeepsRecordedWorkAdmin, ReadOnlyAdmin

from .models import (
    Action,
    ActionPartner,
    Axis,
    Committee,
    CommitteeMember,
    ExpectedResult,
    Membership,
    Objective,
    ObjectivePartner,
    Plan,
    PlanRole,
    PlanVisit,
    Term,
)


class AxisInline(admin.TabularInline):
    model = Axis
    extra = 0
    fields = ["number", "code", "title", "archived_at"]
    readonly_fields = ["code"]


class PlanRoleInline(admin.TabularInline):
    model = PlanRole
    extra = 0
    autocomplete_fields = ["user"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organisation"]


class TermInline(admin.TabularInline):
    model = Term
    extra = 0


@admin.register(Plan)
class PlanAdmin(KeepsRecordedWorkAdmin, admin.ModelAdmin):
    """A plan with recorded work is archived from its page, never deleted here."""

    list_display = ["title", "slug", "region", "first_year", "last_year", "archived_at", "spreadsheet"]
    list_filter = ["region", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "slug", "region"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["participants"]
    readonly_fields = ["spreadsheet", "archived_at"]
    inlines = [AxisInline, PlanRoleInline, MembershipInline, TermInline]

    def has_records(self, plan):
        return plan.has_records()

    # A whole plan is imported level by level with checks across levels (an action under its objective…),
    # which django-import-export's per-model admin import cannot do: staff use the coordinator's import
    # page, built on the same resources, with its preview and confirmation.
    @admin.display(description=_("tableur"))
    def spreadsheet(self, plan):
        if plan.pk is None:
            return format_html('<a href="{}">{}</a>', reverse("tableur:new_plan_import"), _("Nouveau plan à partir d’un tableur"))
        return format_html('<a href="{}">{}</a>', reverse("tableur:spreadsheet", args=[plan.slug]), _("Importer ou exporter"))


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ["number", "code", "title", "archived_at"]
    readonly_fields = ["code"]


@admin.register(Axis)
class AxisAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "plan", "archived_at"]
    list_filter = ["plan"]
    search_fields = ["code", "title"]
    readonly_fields = ["code"]
    inlines = [ObjectiveInline]


class ObjectivePartnerInline(admin.TabularInline):
    model = ObjectivePartner
    extra = 0
    autocomplete_fields = ["organisation"]


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["number", "code", "text", "period_start", "period_end", "status"]
    readonly_fields = ["code"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "axis", "plan", "archived_at"]
    list_filter = ["plan"]
    list_select_related = ["axis", "plan"]
    search_fields = ["code", "title", "description"]
    readonly_fields = ["code"]
    inlines = [ObjectivePartnerInline, ActionInline]


class ActionPartnerInline(admin.TabularInline):
    model = ActionPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class ExpectedResultInline(admin.TabularInline):
    model = ExpectedResult
    extra = 0
    fields = ["number", "code", "text", "period_start", "period_end", "achieved_on", "achieved_by"]
    readonly_fields = ["code"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "objective", "period_start", "period_end", "status", "plan"]
    list_filter = ["plan", "status", "period_start", "period_end"]
    list_select_related = ["objective", "plan"]
    search_fields = ["code", "text", "partners__name", "partners__acronym"]
    readonly_fields = ["code"]
    inlines = [ActionPartnerInline, ExpectedResultInline]


@admin.register(ExpectedResult)
class ExpectedResultAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "action", "period_start", "period_end", "achieved_on", "plan"]
    list_filter = ["plan", ("achieved_on", admin.EmptyFieldListFilter)]
    list_select_related = ["action", "plan"]
    search_fields = ["code", "text"]
    readonly_fields = ["code"]
    autocomplete_fields = ["achieved_by"]


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "plan"]
    list_filter = ["plan"]
    search_fields = ["name"]
    inlines = [CommitteeMemberInline]


@admin.register(PlanRole)
class PlanRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "plan", "role"]
    list_filter = ["plan", "role"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(PlanVisit)
class PlanVisitAdmin(ReadOnlyAdmin):
    """A visit is written by the plan's page itself (PlanVisit.record), and goes with the person when they
    leave the plan or are erased."""

    list_display = ["user", "plan", "seen_at", "since"]
    list_filter = ["plan"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    list_select_related = ["user", "plan"]
    date_hierarchy = "seen_at"


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["user", "organisation", "plan", "joined_on"]
    list_filter = ["plan", "organisation"]
    search_fields = ["user__username", "user__email", "organisation__name", "organisation__acronym"]
    autocomplete_fields = ["user", "organisation"]
