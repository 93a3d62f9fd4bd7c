"""The unit's own business online (单位足不出户办理缴存业务): registration, details and rates, staff.

A unit registers itself on a public page; its preparer and approver then see the unit's
details, change its rates, and keep its staff roster: add an employee (a new account, or a
sealed one moved in), seal one who left, change a base. Each view makes one service call and
shows a refusal (``DomainError``) as an error on the field it concerns. Every lookup of an
account goes through the unit (``accounts.roster.unit_account``): another unit's account is a 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services
from accounts.models import RATE_MAX_BP, RATE_MIN_BP, AccountStatus, Employer, User
from accounts.roster import is_full_id_number, roster_accounts, roster_rows, unit_account
from core.exceptions import DomainError
from core.identity import check_credit_code, normalise_mobile, parse_resident_id
from core.money import format_yuan, parse_yuan
from core.policy import UnknownPolicyParameter, policy_value
from web.access import employer_only

ROSTER_PAGE_SIZE = 20
# A public page that queries 市场监管 and creates logins: a few tries per address and hour is
# plenty for a unit's HR clerk, and stops a script from walking the register through us.
REGISTRATION_TRIES_PER_HOUR = 20
_REGISTERED_SESSION_KEY = "web.unit_registered"


def percent(basis_points: int) -> str:
    """1200 → "12%", 750 → "7.5%": a rate as people write it."""
    return f"{basis_points / 100:g}%"


def _rate_choices(*current: int) -> list[tuple[int, str]]:
    # Whole percents, plus a unit's current rate if it is not one (a rate set by staff).
    rates = set(range(RATE_MIN_BP, RATE_MAX_BP + 1, 100)) | {bp for bp in current if bp}
    return [(bp, percent(bp)) for bp in sorted(rates, reverse=True)]


def _rate_field(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, choices=_rate_choices(), initial=RATE_MAX_BP)


def _text(label, *, max_length: int, help_text="", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


def _domain_check(check, value):
    """Run a core validator inside a form's clean method: its refusal becomes the field's error."""
    try:
        return check(value)
    except DomainError as error:
        raise ValidationError(str(error.message)) from None


def _add_error(form: forms.Form, error: DomainError, *, fields: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the field it names (renamed through ``fields``), else above the form."""
    name = (fields or {}).get(error.field, error.field)
    form.add_error(name if name in form.fields else None, str(error.message))


def _base_bounds() -> tuple[int, int] | None:
    try:
        return policy_value("deposit.base.floor"), policy_value("deposit.base.cap")
    except UnknownPolicyParameter:
        return None


def _base_help() -> str:
    bounds = _base_bounds()
    if bounds is None:
        return ""
    return _("In yuan, between %(floor)s and %(cap)s.") % {
        "floor": format_yuan(bounds[0]),
        "cap": format_yuan(bounds[1]),
    }


class YuanField(forms.Field):
    """An amount typed in yuan ("8000", "8,000.50"), cleaned to integer fen."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": "24"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return _domain_check(parse_yuan, str(value))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# --- 单位开户: online unit registration (public) -----------------------------------------------


class UnitRegistrationForm(forms.Form):
    credit_code = _text(
        gettext_lazy("Unified social credit code"),
        max_length=24,
        help_text=gettext_lazy("18 characters, as on the business licence."),
        autocapitalize="characters",
        autocomplete="off",
        spellcheck="false",
    )
    name = _text(
        gettext_lazy("Registered name of the unit"),
        max_length=200,
        help_text=gettext_lazy("Exactly as on the business licence."),
        autocomplete="organization",
    )
    bank_account_no = _text(
        gettext_lazy("Bank account number of the unit"),
        max_length=40,
        help_text=gettext_lazy("The centre collects the monthly deposits from this account."),
        inputmode="numeric",
        autocomplete="off",
    )
    bank_name = _text(
        gettext_lazy("Bank and branch"),
        max_length=100,
        help_text=gettext_lazy("For example 中国建设银行厦门分行."),
    )
    employer_rate_bp = _rate_field(gettext_lazy("Employer rate"))
    employee_rate_bp = _rate_field(gettext_lazy("Employee rate"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The two operators' fields, alike but for their prefix: 经办人 prepares, 审核人 approves.
        for prefix in ("preparer", "approver"):
            self.fields[f"{prefix}_name"] = _text(
                gettext_lazy("Full name"), max_length=150, autocomplete="off"
            )
            self.fields[f"{prefix}_mobile"] = _text(
                gettext_lazy("Mobile"), max_length=20, inputmode="tel", autocomplete="off"
            )
            self.fields[f"{prefix}_username"] = _text(
                gettext_lazy("User name"),
                max_length=150,
                help_text=gettext_lazy("For logging in: letters, digits and . @ + - _"),
                autocapitalize="none",
                autocomplete="off",
                spellcheck="false",
            )
            self.fields[f"{prefix}_password"] = forms.CharField(
                label=gettext_lazy("Password"),
                strip=False,
                help_text=gettext_lazy("At least 8 characters, not only digits, not like the user name."),
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            )

    def unit_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("credit_code", "name", "bank_account_no", "bank_name")]

    def clean_credit_code(self):
        return _domain_check(check_credit_code, self.cleaned_data["credit_code"]).code

    def clean(self):
        cleaned = super().clean()
        # Every field's problem at once, before the register is asked; the service checks again.
        for prefix in ("preparer", "approver"):
            mobile = cleaned.get(f"{prefix}_mobile")
            if mobile:
                try:
                    cleaned[f"{prefix}_mobile"] = normalise_mobile(mobile)
                except DomainError as error:
                    self.add_error(f"{prefix}_mobile", str(error.message))
            password = cleaned.get(f"{prefix}_password")
            if password:
                user = User(
                    username=cleaned.get(f"{prefix}_username", ""),
                    first_name=cleaned.get(f"{prefix}_name", ""),
                )
                try:
                    validate_password(password, user)
                except ValidationError as error:
                    self.add_error(f"{prefix}_password", error)
        return cleaned

    def operator(self, prefix: str) -> services.NewOperator:
        data = self.cleaned_data
        return services.NewOperator(
            name=data[f"{prefix}_name"],
            mobile=data[f"{prefix}_mobile"],
            username=data[f"{prefix}_username"],
            password=data[f"{prefix}_password"],
        )


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _too_many_tries(request) -> bool:
    key = f"unit-registration-tries:{_client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > REGISTRATION_TRIES_PER_HOUR
    except ValueError:  # expired between add and incr: this is the first try of a new hour
        cache.set(key, 1, timeout=3600)
        return False


def register_unit(request):
    form = UnitRegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _too_many_tries(request):
            form.is_valid()
            form.add_error(
                None, _("Too many registration attempts from your network. Please try again in an hour.")
            )
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                employer = services.register_employer_online(
                    credit_code=data["credit_code"],
                    name=data["name"],
                    bank_account_no=data["bank_account_no"],
                    bank_name=data["bank_name"],
                    employer_rate_bp=data["employer_rate_bp"],
                    employee_rate_bp=data["employee_rate_bp"],
                    preparer=form.operator("preparer"),
                    approver=form.operator("approver"),
                )
            except DomainError as error:
                _add_error(form, error)
                status = getattr(error, "http_status", 400)
            else:
                # Shown once more after the redirect, so a reload cannot submit the form twice.
                request.session[_REGISTERED_SESSION_KEY] = {
                    "name": employer.name,
                    "unit_account_no": employer.unit_account_no,
                    "opened": employer.status != AccountStatus.NORMAL,
                    "preparer": data["preparer_username"],
                    "approver": data["approver_username"],
                }
                return redirect("web:unit-registered")
        else:
            status = 400
    return render(request, "web/public/register_unit.html", {"form": form}, status=status)


def unit_registered(request):
    registered = request.session.get(_REGISTERED_SESSION_KEY)
    if registered is None:
        return redirect("web:unit-register")
    return render(request, "web/public/unit_registered.html", {"registered": registered})


# --- the unit's details and rates ---------------------------------------------------------------


def _unit_of(request) -> Employer:
    """The operator's own unit, read afresh; a login linked to no unit has no unit pages."""
    if request.user.employer_id is None:
        raise PermissionDenied
    return Employer.objects.get(pk=request.user.employer_id)


class RatesForm(forms.Form):
    employer_rate_bp = _rate_field(gettext_lazy("Employer rate"))
    employee_rate_bp = _rate_field(gettext_lazy("Employee rate"))

    def __init__(self, *args, employer: Employer, **kwargs):
        kwargs.setdefault(
            "initial",
            {"employer_rate_bp": employer.employer_rate_bp, "employee_rate_bp": employer.employee_rate_bp},
        )
        super().__init__(*args, **kwargs)
        choices = _rate_choices(employer.employer_rate_bp, employer.employee_rate_bp)
        for name in ("employer_rate_bp", "employee_rate_bp"):
            self.fields[name].choices = choices


def _details(request, employer: Employer, form: RatesForm, *, status: int = 200):
    context = {
        "employer": employer,
        "employer_rate": percent(employer.employer_rate_bp),
        "employee_rate": percent(employer.employee_rate_bp),
        "form": form,
    }
    return render(request, "web/employer/unit/details.html", context, status=status)


@employer_only
def unit_details(request):
    employer = _unit_of(request)
    return _details(request, employer, RatesForm(employer=employer))


@employer_only
def change_rates(request):
    employer = _unit_of(request)
    if request.method != "POST":
        return redirect("web:employer-unit")
    form = RatesForm(request.POST, employer=employer)
    if form.is_valid():
        try:
            services.change_employer_rates(
                employer=employer,
                employer_rate_bp=form.cleaned_data["employer_rate_bp"],
                employee_rate_bp=form.cleaned_data["employee_rate_bp"],
                actor=request.user,
            )
        except DomainError as error:
            _add_error(form, error)
            return _details(request, employer, form, status=getattr(error, "http_status", 400))
        messages.success(request, _("The rates are saved. They apply from the next monthly list."))
        return redirect("web:employer-unit")
    return _details(request, employer, form, status=400)


# --- the staff roster ---------------------------------------------------------------------------


def _roster_page(request, employer: Employer, *, search: str, status: str, page_number=None):
    paginator = Paginator(roster_accounts(employer, search=search, status=status), ROSTER_PAGE_SIZE)
    page = paginator.get_page(page_number)
    query = urlencode({key: value for key, value in (("q", search), ("status", status)) if value})
    context = {
        "employer": employer,
        "rows": roster_rows(page.object_list, employer),
        "page": page,
        "search": search,
        "status": status,
        "status_choices": AccountStatus.choices,
        "query": query,
    }
    return render(request, "web/employer/unit/staff.html", context)


def _status_filter(value) -> str:
    return value if value in AccountStatus.values else ""


@employer_only
def staff(request):
    employer = _unit_of(request)
    if request.method == "POST":
        # The search form is posted so that a full ID number never lands in a URL (server logs,
        # browser history, the Referer); an exact match opens that employee's page.
        search = request.POST.get("q", "").strip()[:50]
        status = _status_filter(request.POST.get("status"))
        if is_full_id_number(search):
            found = roster_accounts(employer, search=search, status=status).first()
            if found is not None:
                return redirect("web:employer-staff-account", account_no=found.account_no)
            return _roster_page(request, employer, search=search, status=status)
        query = urlencode({key: value for key, value in (("q", search), ("status", status)) if value})
        return redirect(
            f"{reverse('web:employer-staff')}?{query}" if query else reverse("web:employer-staff")
        )
    return _roster_page(
        request,
        employer,
        search=request.GET.get("q", "").strip()[:50],
        status=_status_filter(request.GET.get("status")),
        page_number=request.GET.get("page"),
    )


def _account_or_404(employer: Employer, account_no: str):
    account = unit_account(employer, account_no)
    if account is None:
        # The same answer for an unknown number and another unit's account: nothing to learn.
        raise Http404(_("There is no such account at your unit."))
    return account


class BaseForm(forms.Form):
    base = YuanField(label=gettext_lazy("New deposit base (yuan)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].help_text = _base_help()


def _account_page(request, employer, account, base_form: BaseForm, *, status: int = 200):
    row = roster_rows([account], employer)[0]
    context = {"employer": employer, "account": account, "row": row, "base_form": base_form}
    return render(request, "web/employer/unit/account.html", context, status=status)


@employer_only
def staff_account(request, account_no: str):
    employer = _unit_of(request)
    account = _account_or_404(employer, account_no)
    return _account_page(request, employer, account, BaseForm(initial={"base": format_yuan(account.base)}))


@employer_only
def change_base(request, account_no: str):
    employer = _unit_of(request)
    account = _account_or_404(employer, account_no)
    if request.method != "POST":
        return redirect("web:employer-staff-account", account_no=account.account_no)
    form = BaseForm(request.POST)
    if form.is_valid():
        try:
            services.change_base(
                account=account, base=form.cleaned_data["base"], employer=employer, actor=request.user
            )
        except DomainError as error:
            _add_error(form, error)
            return _account_page(request, employer, account, form, status=getattr(error, "http_status", 400))
        messages.success(
            request,
            _("The deposit base of %(name)s is now %(base)s yuan.")
            % {"name": account.person.name, "base": format_yuan(form.cleaned_data["base"])},
        )
        return redirect("web:employer-staff-account", account_no=account.account_no)
    return _account_page(request, employer, account, form, status=400)


# --- taking on and letting go -------------------------------------------------------------------


class AddEmployeeForm(forms.Form):
    id_number = _text(
        gettext_lazy("Resident ID number"),
        max_length=24,
        autocapitalize="characters",
        autocomplete="off",
        spellcheck="false",
    )
    name = _text(gettext_lazy("Full name"), max_length=50, help_text=gettext_lazy("As on the ID card."))
    mobile = _text(gettext_lazy("Mobile"), max_length=20, inputmode="tel", autocomplete="off")
    hukou_region = _text(
        gettext_lazy("Hukou region code"),
        max_length=6,
        help_text=gettext_lazy("The 6-digit administrative code of the hukou, for example 350203."),
        inputmode="numeric",
        autocomplete="off",
    )
    base = YuanField(label=gettext_lazy("Deposit base (yuan)"))
    start_on = forms.DateField(
        label=gettext_lazy("Start date at the unit"), widget=DateInput(), input_formats=["%Y-%m-%d"]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].help_text = _base_help()

    def clean_id_number(self):
        return _domain_check(parse_resident_id, self.cleaned_data["id_number"]).number

    def clean_mobile(self):
        return _domain_check(normalise_mobile, self.cleaned_data["mobile"])


@employer_only
def add_employee(request):
    employer = _unit_of(request)
    form = AddEmployeeForm(request.POST or None, initial={"start_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                taken_on = services.take_on_employee(
                    employer=employer,
                    id_number=data["id_number"],
                    name=data["name"],
                    mobile=data["mobile"],
                    hukou_region=data["hukou_region"],
                    base=data["base"],
                    start_on=data["start_on"],
                    actor=request.user,
                )
            except DomainError as error:
                _add_error(form, error, fields={"unsealed_on": "start_on"})
                status = getattr(error, "http_status", 400)
            else:
                account = taken_on.account
                if taken_on.moved_in:
                    text = _("%(name)s's fund account %(no)s has moved to your unit.")
                else:
                    text = _("Fund account %(no)s is open for %(name)s.")
                messages.success(request, text % {"name": data["name"], "no": account.account_no})
                return redirect("web:employer-staff-account", account_no=account.account_no)
    return render(request, "web/employer/unit/add.html", {"employer": employer, "form": form}, status=status)


class SealForm(forms.Form):
    sealed_on = forms.DateField(
        label=gettext_lazy("Last day at the unit"), widget=DateInput(), input_formats=["%Y-%m-%d"]
    )


@employer_only
def seal(request, account_no: str):
    employer = _unit_of(request)
    account = _account_or_404(employer, account_no)
    form = SealForm(request.POST or None, initial={"sealed_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.seal_employee_account(
                    employer=employer,
                    account=account,
                    sealed_on=form.cleaned_data["sealed_on"],
                    actor=request.user,
                )
            except DomainError as error:
                _add_error(form, error)
                status = getattr(error, "http_status", 400)
            else:
                messages.success(
                    request, _("The account of %(name)s is sealed (封存).") % {"name": account.person.name}
                )
                return redirect(reverse("web:employer-staff"))
    context = {
        "employer": employer,
        "account": account,
        "row": roster_rows([account], employer)[0],
        "form": form,
    }
    return render(request, "web/employer/unit/seal.html", context, status=status)
