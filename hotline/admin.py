"""Read-only admin of the 12329 channels: texts received and how they were answered, texts sent,
hotline calls and where they ended.

Mobiles are shown masked and the texts sent not at all (they quote balances and codes): staff
see that an answer went and why one did not, not what it said.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.crypto import mask_mobile
from hotline.models import HotlineCall, InboundSms, OutgoingText


@admin.register(InboundSms)
class InboundSmsAdmin(ReadOnlyAdmin):
    list_display = ["pk", "message_id", "query", "outcome", "received_at", "reply_status"]
    list_filter = ["query", "outcome"]
    search_fields = ["=message_id"]
    date_hierarchy = "created_at"
    fields = ["message_id", "query", "outcome", "person", "received_at", "created_at", "reply_status"]
    readonly_fields = fields

    @admin.display(description=_("reply"))
    def reply_status(self, obj):
        return obj.reply.get_status_display() if obj.reply_id else "-"


@admin.register(OutgoingText)
class OutgoingTextAdmin(ReadOnlyAdmin):
    list_display = ["pk", "reference", "purpose", "masked", "status", "attempts", "last_error", "created_at"]
    list_filter = ["purpose", "status"]
    search_fields = ["=reference", "=gateway_ref"]
    date_hierarchy = "created_at"
    fields = [
        "reference",
        "purpose",
        "masked",
        "status",
        "attempts",
        "last_error",
        "gateway_ref",
        "created_at",
        "send_before",
        "sent_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("mobile"))
    def masked(self, obj):
        return mask_mobile(obj.mobile)


@admin.register(HotlineCall)
class HotlineCallAdmin(ReadOnlyAdmin):
    list_display = ["pk", "masked_caller", "language", "state", "failures", "last_choice", "started_at"]
    list_filter = ["state", "language"]
    date_hierarchy = "started_at"
    fields = [
        "masked_caller",
        "language",
        "state",
        "person",
        "failures",
        "last_choice",
        "started_at",
        "expires_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("caller number"))
    def masked_caller(self, obj):
        return mask_mobile(obj.caller)
