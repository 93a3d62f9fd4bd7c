"""Read-only admin for alerts, their history and the daily reports: alerts are worked on the
auditors' pages (``web.inspection``), which lock, check the state and write the audit event."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from inspection.models import Alert, AlertAction, AuditReport, InspectionCursor


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("pk", "raised_at", "rule", "severity", "status", "owner", "hits", "title")
    list_filter = ("status", "severity", "family", "rule")
    search_fields = ("rule", "subject", "title")
    readonly_fields = [field.name for field in Alert._meta.fields]


@admin.register(AlertAction)
class AlertActionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "at", "alert", "action", "actor", "assignee")
    list_filter = ("action",)
    readonly_fields = [field.name for field in AlertAction._meta.fields]


@admin.register(AuditReport)
class AuditReportAdmin(ReadOnlyAdmin):
    list_display = ("day", "created_at")
    readonly_fields = [field.name for field in AuditReport._meta.fields]


@admin.register(InspectionCursor)
class InspectionCursorAdmin(ReadOnlyAdmin):
    list_display = ("pk", "last_sequence", "updated_at")
    readonly_fields = [field.name for field in InspectionCursor._meta.fields]
