from django.contrib import admin

from .models import Bilan


@admin.register(Bilan)
class BilanAdmin(admin.ModelAdmin):
    list_display = ["plan", "version", "period_label", "state", "rendering", "created_at", "adopted_on"]
    list_filter = ["state", "rendering", "plan"]
    readonly_fields = ["data", "pdf", "task_id", "progress", "error", "generated_at"]

    def has_change_permission(self, request, obj=None):
        # An adopted bilan is frozen, here too.
        if obj is not None and obj.is_adopted:
            return False
        return super().has_change_permission(request, obj)
