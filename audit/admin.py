"""Read-only admin for the audit log and the electronic seals: staff browse them, nobody edits them
(a seal is revoked through ``audit.seals.revoke_seal``, which records why)."""

from django.contrib import admin

from audit.models import AuditAnchor, AuditEvent, ElectronicSeal
from core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "occurred_at", "actor_label", "action", "target_repr", "summary", "channel")
    list_filter = ("channel",)
    search_fields = ("action", "actor_label", "actor__username", "request_id")
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    show_full_result_count = False  # counting a table of millions on every page is slow


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "hash", "created_at", "key_id")
    readonly_fields = [field.name for field in AuditAnchor._meta.fields]
    show_full_result_count = False


@admin.register(ElectronicSeal)
class ElectronicSealAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "subject", "signer_label", "signed_at", "key_id", "revoked_at")
    list_filter = ("kind", "key_id")
    search_fields = ("code", "subject", "signer_label")
    readonly_fields = [field.name for field in ElectronicSeal._meta.fields]
