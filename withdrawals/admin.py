"""Read-only admin for withdrawals: staff see held ones with their reason, and the standing
instructions with each month's payment. Everything changes only through withdrawals.services."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from withdrawals.models import InstalmentPayment, StandingInstruction, WithdrawalPayment


@admin.register(WithdrawalPayment)
class WithdrawalPaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "application",
        "status",
        "held_code",
        "closing",
        "amount",
        "interest",
        "posted_on",
        "payout_outcome",
        "reopened_on",
    )
    list_filter = ("status", "held_code", "closing", "payout_outcome")
    search_fields = ("=source_ref", "=application__id")
    raw_id_fields = ("application", "account", "entry")
    show_full_result_count = False


@admin.register(StandingInstruction)
class StandingInstructionAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "application",
        "person",
        "status",
        "monthly_amount",
        "repayment_day",
        "first_period",
    )
    list_filter = ("status",)
    search_fields = ("=application__id",)
    raw_id_fields = ("application", "person")
    list_select_related = ("person",)


@admin.register(InstalmentPayment)
class InstalmentPaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "instruction", "period", "status", "skipped_code", "amount", "payout_outcome")
    list_filter = ("status", "skipped_code", "payout_outcome")
    search_fields = ("=source_ref",)
    raw_id_fields = ("instruction", "entry")
