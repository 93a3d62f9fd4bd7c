"""Read-only admin for payouts: staff look up a payment, its state and its ledger entries.

A payout changes only through payouts.services (the relay, the bank's result, reconciliation).
The card shows masked.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyAdmin
from payouts.models import Payout


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "reference",
        "person",
        "amount",
        "masked_card",
        "purpose",
        "status",
        "attempts",
        "failure_code",
        "created_at",
        "settled_at",
    )
    list_filter = ("status", "purpose", "failure_code")
    search_fields = ("=reference", "=source_ref", "=bank_ref", "=card_last4")
    list_select_related = ("person",)
    raw_id_fields = ("person", "application", "debit_entry", "settle_entry", "refund_entry", "created_by")
    exclude = ("card_no",)
    readonly_fields = ("masked_card",)
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("bank card"))
    def masked_card(self, obj):
        return obj.masked_card
