"""The Django admin for organisations and accounts. An organisation or a person with recorded work is
archived or deactivated (in the app), never deleted here."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from lib.admin import HistoryAdmin, KeepsRecordedWorkAdmin, ReadOnlyAdmin

from .models import Deactivation, Erasure, InstanceAdministrator, Organisation, has_records


@admin.register(Organisation)
class OrganisationAdmin(KeepsRecordedWorkAdmin, HistoryAdmin):
    list_display = ["name", "acronym", "kind", "archived_at"]
    list_filter = ["kind", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "acronym"]

    def has_records(self, organisation):
        return organisation.has_records()


@admin.register(InstanceAdministrator)
class InstanceAdministratorAdmin(HistoryAdmin):
    list_display = ["user", "since"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(Deactivation)
class DeactivationAdmin(HistoryAdmin):
    """Deactivating from here does not close the account: use the people of a plan (it sets is_active too)."""

    list_display = ["user", "deactivated_at", "deactivated_by"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    readonly_fields = ["user", "deactivated_at", "deactivated_by"]

    def has_add_permission(self, request):
        return False


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    """The record of erasures, to read only: erasing is done from the people of a plan or « Comptes », which
    removes the data (adding a row here would remove nothing), and the record must outlive any mistake."""

    list_display = ["account", "erased_at", "erased_by"]
    readonly_fields = ["account", "erased_at", "erased_by"]


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class PersonAdmin(KeepsRecordedWorkAdmin, UserAdmin):
    """Django's account admin; a person who recorded work is deactivated (« Comptes »), never deleted."""

    def has_records(self, person):
        return has_records(person)
