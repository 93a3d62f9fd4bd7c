"""Admin console for users, people, employers and fund accounts: look-up, never raw personal data.

People, employers and fund accounts are read-only here for everyone: their changes go through
``accounts.services``, which lock the row, check the state and write the audit event; an admin
form would do none of that. ID numbers, bank cards and mobiles appear masked in lists, detail
pages and ``__str__``. Searching by a full ID number matches its blind index exactly, so the
number finds its person without ever being compared in clear, and is not echoed back.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import Employer, FundAccount, Person
from accounts.services import confirm_employer_credit_code
from core.admin import ReadOnlyAdmin
from core.admin_search import IdNumberSearchMixin
from core.crypto import mask_bank_card, mask_mobile
from core.exceptions import DomainError
from core.money import format_yuan


class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "role_names", "employer", "is_staff", "is_active", "last_login"]
    list_filter = ["groups", "is_staff", "is_active"]
    list_select_related = ["employer"]
    autocomplete_fields = ["employer"]
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Employer operator"), {"fields": ["employer"]}))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_names(self, obj):
        return ", ".join(sorted(roles.roles_of(obj)))


@admin.register(Person)
class PersonAdmin(IdNumberSearchMixin, ReadOnlyAdmin):
    list_display = [
        "pk",
        "masked_id",
        "name",
        "sex",
        "birth_date",
        "masked_mobile",
        "hukou_region",
        "masked_card",
    ]
    list_filter = ["sex"]
    search_fields = ["name"]
    fields = [
        "masked_id",
        "name",
        "sex",
        "birth_date",
        "masked_mobile",
        "hukou_region",
        "masked_card",
        "bank_card_verified_at",
        "user",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("mobile"))
    def masked_mobile(self, obj):
        return mask_mobile(obj.mobile)

    @admin.display(description=_("bank card"))
    def masked_card(self, obj):
        return obj.masked_bank_card


@admin.register(Employer)
class EmployerAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "credit_code",
        "name",
        "unit_account_no",
        "status",
        "employer_rate",
        "employee_rate",
        "paid_up_to",
        "credit_code_checksum_ok",
        "credit_code_confirmed_at",
    ]
    list_filter = ["status", "credit_code_checksum_ok"]
    search_fields = ["=credit_code", "=unit_account_no", "name"]
    fields = [
        "credit_code",
        "credit_code_checksum_ok",
        "credit_code_confirmed_at",
        "credit_code_confirmed_by",
        "name",
        "unit_account_no",
        "masked_bank_account",
        "bank_name",
        "employer_rate",
        "employee_rate",
        "status",
        "paid_up_to",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["confirm_credit_code"]

    @admin.display(description=_("employer rate"))
    def employer_rate(self, obj):
        return f"{obj.employer_rate_bp / 100:.2f}%"

    @admin.display(description=_("employee rate"))
    def employee_rate(self, obj):
        return f"{obj.employee_rate_bp / 100:.2f}%"

    @admin.display(description=_("collection bank account"))
    def masked_bank_account(self, obj):
        return mask_bank_card(obj.bank_account_no)

    def has_confirm_credit_code_permission(self, request):
        return request.user.has_perm("accounts.confirm_credit_code")

    @admin.action(description=_("Confirm the legacy credit code"), permissions=["confirm_credit_code"])
    def confirm_credit_code(self, request, queryset):
        for employer in queryset:
            try:
                confirm_employer_credit_code(employer=employer, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{employer.credit_code}: {error.message}", messages.WARNING)
            else:
                self.message_user(request, _("Confirmed %(code)s.") % {"code": employer.credit_code})


@admin.register(FundAccount)
class FundAccountAdmin(IdNumberSearchMixin, ReadOnlyAdmin):
    id_number_index_path = "person__id_number_index"
    list_display = [
        "account_no",
        "person",
        "employer",
        "status",
        "base_yuan",
        "balance_yuan",
        "opened_on",
        "sealed_on",
        "closed_on",
    ]
    list_filter = ["status"]
    list_select_related = ["person", "employer", "ledger_account"]
    search_fields = ["=account_no", "person__name", "=employer__credit_code"]
    fields = [
        "account_no",
        "person",
        "employer",
        "status",
        "base_yuan",
        "balance_yuan",
        "opened_on",
        "sealed_on",
        "closed_on",
        "ledger_account",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("deposit base (yuan)"))
    def base_yuan(self, obj):
        return format_yuan(obj.base)

    @admin.display(description=_("balance (yuan)"))
    def balance_yuan(self, obj):
        # The ledger's cached balance, joined in by list_select_related: one query per page.
        return format_yuan(obj.ledger_account.balance)
