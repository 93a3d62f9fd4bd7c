"""Read-only admin pages for cross-city transfers: every change goes through the services."""

from django.contrib import admin

from .models import IncomingTransfer, OutgoingTransfer


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IncomingTransfer)
class IncomingTransferAdmin(_ReadOnly):
    list_display = (
        "letter_ref",
        "sending_city_name",
        "status",
        "platform_status",
        "principal",
        "interest",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("letter_ref", "platform_ref")


@admin.register(OutgoingTransfer)
class OutgoingTransferAdmin(_ReadOnly):
    list_display = ("platform_ref", "receiving_city_name", "status", "refusal_code", "principal", "interest")
    list_filter = ("status", "refusal_code")
    search_fields = ("platform_ref",)
