"""What every app's Django admin shares: history that is only read, and no deletion of a row that holds
recorded work (it is archived instead, in the app)."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin with its history to read only. Its « revert » (a POST on a past version's
    page) saves the row back as it was, around the app's own rules (codes carried down, locking,
    statuses); hiding the button (SIMPLE_HISTORY_REVERT_DISABLED) would still let the POST through, so
    the POST is refused here. Past versions are never changed either way: a revert writes a new one."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows the app alone writes (a record of erasures, the plans' visits): to read, never to add,
    change or delete from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def protected_message(error):
    return _("Suppression impossible : d’autres données en dépendent (%(objects)s). Archivez-le plutôt.") % {
        "objects": ", ".join(str(obj) for obj in list(error.protected_objects)[:5])
    }


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def delete_selected_unless_protected(modeladmin, request, queryset):
    """Django's bulk deletion, with a French message rather than a 500 if the database refuses."""
    try:
        return delete_selected(modeladmin, request, queryset)
    except ProtectedError as error:
        modeladmin.message_user(request, protected_message(error), messages.ERROR)
        return None


class KeepsRecordedWorkAdmin:
    """For a model whose rows are archived, never deleted, once work is recorded on them (steps, results
    achieved, history…): `has_records(obj)` says which. Such a row has no delete button, its delete
    page answers 403, and the bulk deletion lists it among the protected objects and deletes nothing.
    What the database protects (on_delete=PROTECT) is refused with a French message too."""

    def has_records(self, obj):
        raise NotImplementedError

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.has_records(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        recorded = [
            _("%(object)s : du travail y est inscrit, archivez-le plutôt") % {"object": obj}
            for obj in objs
            if self.has_records(obj)
        ]
        if recorded:  # said here rather than as a permission missing on the model (has_delete_permission)
            perms_needed = {name for name in perms_needed if str(name) != str(self.opts.verbose_name)}
        return deleted, counts, perms_needed, list(protected) + recorded

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _function, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_unless_protected, name, description)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError as error:
            self.message_user(request, protected_message(error), messages.ERROR)
            return HttpResponseRedirect(request.path)
