from django.contrib import admin

from .models import Notification, Preference, Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["person", "plan", "kind", "period", "sent_at", "attempts", "claimed_at"]
    list_filter = ["kind", "plan"]
    readonly_fields = ["person", "plan", "kind", "period", "organisations", "created_at", "sent_at", "attempts", "error", "claimed_by", "claimed_at", "sent_by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "text", "created_at", "read_at"]
    list_filter = ["kind"]


admin.site.register(Preference)
