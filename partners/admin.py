from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind", "archived_at"]
    list_filter = ["kind", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "acronym"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "joined_on"]
    list_filter = ["organisation"]
    search_fields = ["user__username", "user__email", "organisation__name", "organisation__acronym"]
    autocomplete_fields = ["user", "organisation"]
