from django.contrib import admin

from .models import Bilan, PlanDocument


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


@admin.register(PlanDocument)
class PlanDocumentAdmin(admin.ModelAdmin):
    """Made by the app on request, kept a week: read here, or deleted with their files to free storage."""

    list_display = ["plan", "kind", "starts_on", "ends_on", "rendering", "requested_by", "requested_at"]
    list_filter = ["kind", "rendering", "plan"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        PlanDocument.objects.filter(pk=obj.pk).discard()

    def delete_queryset(self, request, queryset):
        queryset.discard()
