"""Read-only admin views of loan applications and their approval actions.

Applications change only through ``loans.services`` (pre-acceptance) and ``loans.approval`` (the
staff chain), which lock the row, check the state and write the audit event; here staff look
things up. People are shown by name only; the seller's account stays encrypted and hidden.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from loans.models import ApprovalAction, LoanApplication


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
