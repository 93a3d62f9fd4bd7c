"""Read-only admin of the SMS outbox: which texts went, which wait, and why one failed.

The text itself and the full mobile stay out of the list (personal data); the in-portal messages
are the person's own and are not shown here at all.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.crypto import mask_mobile
from notifications.models import SmsOutbox


@admin.register(SmsOutbox)
class SmsOutboxAdmin(ReadOnlyAdmin):
    list_display = ["pk", "reference", "masked", "status", "attempts", "last_error", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["=reference", "=gateway_ref"]
    date_hierarchy = "created_at"
    fields = [
        "reference",
        "masked",
        "status",
        "attempts",
        "last_error",
        "gateway_ref",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("mobile"))
    def masked(self, obj):
        return mask_mobile(obj.mobile)
