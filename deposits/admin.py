"""Read-only admin for deposit lists: staff look up a unit's lists, lines and problems.

A list changes only through deposits.services (upload, maker-checker, the bank's answer).
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from deposits.models import DepositCertificate, DepositLine, DepositList, DepositListError


class DepositListErrorInline(admin.TabularInline):
    model = DepositListError
    fields = ("row", "field", "code", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DepositList)
class DepositListAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "employer",
        "kind",
        "period",
        "status",
        "rows_total",
        "rows_valid",
        "error_count",
        "uploaded_at",
        "posted_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("employer__name", "employer__credit_code", "employer__unit_account_no", "order_ref")
    list_select_related = ("employer",)
    raw_id_fields = ("employer", "uploaded_by", "submitted_by", "decided_by", "journal_entry")
    date_hierarchy = "uploaded_at"
    show_full_result_count = False
    inlines = [DepositListErrorInline]


@admin.register(DepositLine)
class DepositLineAdmin(ReadOnlyAdmin):
    list_display = ("id", "deposit_list", "row_no", "account", "base", "employer_part", "employee_part")
    raw_id_fields = ("deposit_list", "account")
    search_fields = ("account__account_no",)
    list_select_related = ("deposit_list", "account")
    show_full_result_count = False


@admin.register(DepositCertificate)
class DepositCertificateAdmin(ReadOnlyAdmin):
    """Staff look a deposit certificate up by its code or account; revoking is on the staff desk."""

    list_display = ("id", "issued_on", "account", "purpose", "seal")
    list_filter = ("purpose",)
    list_select_related = ("account", "seal")
    search_fields = ("seal__code", "account__account_no")
    readonly_fields = [field.name for field in DepositCertificate._meta.fields]
