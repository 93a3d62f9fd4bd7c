"""Read-only admin for the audit log: staff and auditors browse it, nobody edits it."""

from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("sequence", "occurred_at", "actor_label", "action", "target_repr", "summary")
    list_filter = ("action",)
    search_fields = ("action", "actor_label", "actor__username")
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    show_full_result_count = False  # counting a table of millions on every page is slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
