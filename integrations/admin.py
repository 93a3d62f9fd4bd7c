"""Admin for the query log (read-only) and the sandbox: knobs and government records staff can edit.

ID numbers show masked. Searching by a full ID number matches the blind index, and the page is
redirected to search ``idx:<index>`` so the number is not echoed (as in accounts.admin). Staff
type the plaintext ID number into the form; the form computes its index and it is stored
encrypted.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.admin_search import IdNumberSearchMixin
from core.crypto import blind_index, mask_bank_card, mask_id_number
from core.exceptions import DomainError
from core.identity import parse_resident_id

from .gov.sandbox import clear_knob_cache
from .models import (
    GovQuery,
    MaritalStatus,
    SandboxBankKnobs,
    SandboxCitizen,
    SandboxCollection,
    SandboxKnobs,
    SandboxLoan,
    SandboxPayment,
    SandboxProperty,
    SandboxPropertyOwner,
    SandboxSms,
    SandboxUnit,
)


def _clean_id_number(value: str) -> str:
    try:
        return parse_resident_id(value).number
    except DomainError as error:
        raise forms.ValidationError(error.message) from error


class _IdNumberForm(forms.ModelForm):
    """Plaintext ID number in, index computed. An existing row's numbers are shown masked, never
    put back in the form: left empty, the number on file stays."""

    id_number = forms.CharField(label=_("ID number"), max_length=18)
    masked_fields = ("id_number",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name in self.masked_fields:
            on_file = getattr(self.instance, name)
            self.initial[name] = ""
            self.fields[name].required = False
            if on_file:
                self.fields[name].help_text = _("On file: %(masked)s. Leave empty to keep it.") % {
                    "masked": mask_id_number(on_file)
                }

    def _typed_or_on_file(self, name: str):
        value = (self.cleaned_data.get(name) or "").strip()
        if not value and self.instance.pk is not None:
            return getattr(self.instance, name)
        return _clean_id_number(value) if value else None

    def clean_id_number(self):
        value = self._typed_or_on_file("id_number")
        if not value:
            raise forms.ValidationError(_("Enter the ID number."))
        return value

    def save(self, commit=True):
        self.instance.id_number_index = blind_index(self.cleaned_data["id_number"])
        return super().save(commit)


class SandboxCitizenForm(_IdNumberForm):
    spouse_id_number = forms.CharField(label=_("spouse's ID number"), max_length=18, required=False)

    class Meta:
        model = SandboxCitizen
        fields = [
            "id_number",
            "name",
            "alive",
            "died_on",
            "hukou_region",
            "hukou_since",
            "settled_abroad",
            "settled_abroad_on",
            "marital_status",
            "spouse_id_number",
            "married_on",
            "employer_credit_code",
            "employer_name",
            "employed_since",
            "employment_ended_on",
            "retired",
            "retired_on",
            "lixiu",
            "total_incapacity",
            "incapacity_assessed_on",
            "unemployment_registered_on",
            "overdue_months_last_24",
            "other_monthly_debt",
        ]

    masked_fields = ("id_number", "spouse_id_number")

    def clean_spouse_id_number(self):
        # Not married (any more): no spouse, whatever is on file.
        if self.data.get(self.add_prefix("marital_status")) != MaritalStatus.MARRIED:
            value = (self.cleaned_data.get("spouse_id_number") or "").strip()
            return _clean_id_number(value) if value else None
        return self._typed_or_on_file("spouse_id_number")

    def save(self, commit=True):
        spouse = self.cleaned_data.get("spouse_id_number")
        self.instance.spouse_id_number_index = blind_index(spouse) if spouse else ""
        return super().save(commit)


class SandboxLoanForm(_IdNumberForm):
    class Meta:
        model = SandboxLoan
        fields = [
            "id_number",
            "kind",
            "lender",
            "principal",
            "monthly_payment",
            "status",
            "opened_on",
            "centre",
        ]


class SandboxPropertyOwnerForm(_IdNumberForm):
    class Meta:
        model = SandboxPropertyOwner
        fields = ["property", "id_number"]


@admin.register(GovQuery)
class GovQueryAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "started_at",
        "source",
        "operation",
        "outcome",
        "latency_ms",
        "purpose",
        "requested_by",
    ]
    list_filter = ["source", "outcome"]
    search_fields = ["=purpose", "=requested_by", "=answer_digest"]
    date_hierarchy = "started_at"


@admin.register(SandboxKnobs)
class SandboxKnobsAdmin(admin.ModelAdmin):
    list_display = ["source", "latency_ms", "failure_per_mille"]
    list_editable = ["latency_ms", "failure_per_mille"]
    list_display_links = ["source"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        clear_knob_cache()  # this process at once; others within the cache's few seconds


@admin.register(SandboxBankKnobs)
class SandboxBankKnobsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "delay_ms", "failure_per_mille", "timeout_per_mille"]
    list_editable = ["delay_ms", "failure_per_mille", "timeout_per_mille"]
    list_display_links = ["__str__"]

    def has_add_permission(self, request):
        # One row (pk 1): the sandbox plays one bank.
        return super().has_add_permission(request) and not SandboxBankKnobs.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)


@admin.register(SandboxCitizen)
class SandboxCitizenAdmin(IdNumberSearchMixin, admin.ModelAdmin):
    form = SandboxCitizenForm
    list_display = ["pk", "masked_id", "name", "hukou_region", "marital_status", "retired", "alive"]
    list_filter = ["marital_status", "retired", "alive", "settled_abroad"]
    search_fields = ["name", "=employer_credit_code"]

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.masked_id_number


@admin.register(SandboxUnit)
class SandboxUnitAdmin(admin.ModelAdmin):
    list_display = ["credit_code", "name", "status", "registered_on"]
    list_filter = ["status"]
    search_fields = ["=credit_code", "name"]


class SandboxPropertyOwnerInline(admin.TabularInline):
    model = SandboxPropertyOwner
    form = SandboxPropertyOwnerForm
    extra = 1


@admin.register(SandboxProperty)
class SandboxPropertyAdmin(IdNumberSearchMixin, admin.ModelAdmin):
    id_number_index_path = "owners__id_number_index"
    inlines = [SandboxPropertyOwnerInline]
    list_display = ["property_id", "region_code", "kind", "contract_on", "title_on", "price", "loan_amount"]
    list_filter = ["kind", "full_payment"]
    search_fields = ["=property_id", "address"]


@admin.register(SandboxLoan)
class SandboxLoanAdmin(IdNumberSearchMixin, admin.ModelAdmin):
    form = SandboxLoanForm
    list_display = [
        "pk",
        "masked_id",
        "kind",
        "lender",
        "principal",
        "monthly_payment",
        "status",
        "opened_on",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["lender"]

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)


@admin.register(SandboxCollection)
class SandboxCollectionAdmin(ReadOnlyAdmin):
    """Read-only: the sandbox bank's orders, pending and settled; only the bank settles them."""

    list_display = [
        "pk",
        "order_ref",
        "bank_ref",
        "payer_name",
        "amount",
        "same_bank",
        "submitted_at",
        "due_at",
        "status",
        "failure_code",
        "settled_on",
    ]
    list_filter = ["status", "failure_code", "same_bank"]
    # The payer's account number shows masked only.
    exclude = ["payer_account_no"]
    readonly_fields = ["masked_payer_account_no"]

    search_fields = ["=order_ref", "=bank_ref", "payer_name"]
    date_hierarchy = "submitted_at"

    @admin.display(description=_("payer account number"))
    def masked_payer_account_no(self, obj):
        return mask_bank_card(obj.payer_account_no)


@admin.register(SandboxSms)
class SandboxSmsAdmin(ReadOnlyAdmin):
    """Read-only: the texts the sandbox gateway "sent", so staff can see what a phone would show."""

    list_display = ["pk", "accepted_at", "masked", "text", "reference"]
    search_fields = ["=reference", "=gateway_ref", "=mobile"]
    date_hierarchy = "accepted_at"
    exclude = ["mobile"]
    readonly_fields = ["reference", "gateway_ref", "masked", "text", "accepted_at"]

    @admin.display(description=_("mobile"))
    def masked(self, obj):
        return obj.masked_mobile


@admin.register(SandboxPayment)
class SandboxPaymentAdmin(ReadOnlyAdmin):
    """Read-only: the sandbox bank's payments to cards, one per reference; only the bank settles them."""

    list_display = [
        "pk",
        "reference",
        "bank_ref",
        "holder_name",
        "masked_card",
        "amount",
        "submitted_at",
        "due_at",
        "status",
        "failure_code",
        "settled_on",
    ]
    list_filter = ["status", "failure_code"]
    search_fields = ["=reference", "=bank_ref", "holder_name", "=card_last4"]
    date_hierarchy = "submitted_at"
    exclude = ["card_no"]

    @admin.display(description=_("bank card"))
    def masked_card(self, obj):
        return f"**** {obj.card_last4}"
