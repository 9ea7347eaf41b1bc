from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Deactivation, Erasure, InstanceAdministrator, Organisation


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind", "archived_at"]
    list_filter = ["kind", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "acronym"]


@admin.register(InstanceAdministrator)
class InstanceAdministratorAdmin(SimpleHistoryAdmin):
    list_display = ["user", "since"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(Deactivation)
class DeactivationAdmin(SimpleHistoryAdmin):
    """Deactivating from here does not close the account: use the people of a plan (it sets is_active too)."""

    list_display = ["user", "deactivated_at", "deactivated_by"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    readonly_fields = ["user", "deactivated_at", "deactivated_by"]

    def has_add_permission(self, request):
        return False


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    """The record of erasures, to read only: erasing is done from the people of a plan or « Comptes », which
    removes the data (adding a row here would remove nothing), and the record must outlive any mistake."""

    list_display = ["account", "erased_at", "erased_by"]
    readonly_fields = ["account", "erased_at", "erased_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
