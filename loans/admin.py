"""Read-only admin views of loan applications, their approval actions, and the loan accounts they open.

Applications change only through ``loans.services`` (pre-acceptance) and ``loans.approval`` (the
staff chain), which lock the row, check the state and write the audit event; here staff look
things up. People are shown by name only; the seller's account stays encrypted and hidden.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from loans.models import ApprovalAction, LoanAccount, LoanApplication, LoanRepayment, LoanScheduleChange


class ApprovalActionInline(ReadOnlyInline):
    model = ApprovalAction
    fields = ["level", "action", "actor", "delegation", "reason", "acted_at"]
    readonly_fields = fields


@admin.register(LoanApplication)
class LoanApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "status",
        "stage",
        "applicant_name",
        "co_borrower_name",
        "amount",
        "quota",
        "submitted_at",
    ]
    list_filter = ["status", "stage", "first_home", "property_kind"]
    list_select_related = ["applicant", "co_borrower"]
    date_hierarchy = "submitted_at"
    search_fields = ["=property_ref"]
    fields = [
        "status",
        "stage",
        "applicant_name",
        "co_borrower_name",
        "co_borrower_confirmed_at",
        "eligibility",
        "property_kind",
        "property_ref",
        "property_address",
        "house_price",
        "first_home",
        "seller_name",
        "amount",
        "quota",
        "quota_limits",
        "annual_rate",
        "term_months",
        "repayment_method",
        "monthly_income",
        "other_monthly_debt",
        "signing_booking",
        "submitted_at",
        "accepted_at",
        "approved_at",
        "signed_at",
        "disbursed_at",
        "closed_at",
        "note",
    ]
    readonly_fields = fields
    inlines = [ApprovalActionInline]

    @admin.display(description=_("applicant"))
    def applicant_name(self, obj):
        return obj.applicant.name

    @admin.display(description=_("co-borrower"))
    def co_borrower_name(self, obj):
        return obj.co_borrower.name if obj.co_borrower else ""


class LoanRepaymentInline(ReadOnlyInline):
    model = LoanRepayment
    fields = [
        "created_at",
        "kind",
        "channel",
        "movement",
        "amount",
        "principal",
        "interest",
        "penalty",
        "status",
        "failure_code",
        "settled_on",
        "entry",
    ]
    readonly_fields = fields


class LoanScheduleChangeInline(ReadOnlyInline):
    model = LoanScheduleChange
    fields = [
        "effective_on",
        "kind",
        "old_rate",
        "new_rate",
        "old_months",
        "new_months",
        "old_payment",
        "new_payment",
        "interest_change",
    ]
    readonly_fields = fields


@admin.register(LoanAccount)
class LoanAccountAdmin(ReadOnlyAdmin):
    """Loan accounts change only through loans.disbursement, loans.collection, loans.prepayment and
    loans.repricing (each locks the account row and writes the ledger and the audit event)."""

    list_display = [
        "account_no",
        "borrower_name",
        "principal",
        "annual_rate",
        "status",
        "collection_mode",
        "opened_on",
    ]
    list_filter = ["status", "collection_mode", "repayment_method"]
    search_fields = ["account_no"]
    fields = [
        "account_no",
        "application",
        "principal",
        "annual_rate",
        "term_months",
        "repayment_method",
        "repayment_day",
        "opened_on",
        "first_due_on",
        "status",
        "collection_mode",
        "settled_on",
        "settlement_seal",
    ]
    readonly_fields = fields
    inlines = [LoanScheduleChangeInline, LoanRepaymentInline]

    @admin.display(description=_("borrower"))
    def borrower_name(self, obj):
        return obj.application.applicant.name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application__applicant")
