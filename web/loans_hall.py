"""Housing fund loans in the hall: my applications (and those I co-borrow on), applying — one screen
of what is checked with whose records (consent) and the form, prefilled from the centre's own
records — and an application's page: status, quota limits, reasons, what remains to do, the
timeline, the co-borrower's confirmation and booking the contract signing.

Each page makes one service or selector call (loans.services, loans.applications) and shows a
refusal on the field it names. Plain forms, no script.
"""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from appointments.selectors import bookable_days, offers_of, open_slots, service_by_code
from core.exceptions import DomainError
from core.money import format_yuan
from loans.applications import (
    CO_BORROWER,
    apply_defaults,
    consent_texts,
    loan_application_detail,
    loan_application_visible_to,
    loan_applications_of,
)
from loans.models import PropertyKind, RepaymentMethod
from loans.services import (
    SIGNING_SERVICE,
    LoanTerms,
    apply_for_loan,
    book_signing,
    confirm_co_borrower,
    resubmit_loan_application,
    withdraw_loan_application,
)
from web.access import employee_only
from web.employer_unit import YuanField
from web.loans import MonthsField

DEFAULT_TERM_MONTHS = 240
YES, NO = "yes", "no"


class LoanApplyForm(forms.Form):
    property_kind = forms.ChoiceField(
        label=_("Kind of home"), choices=PropertyKind.choices, widget=forms.RadioSelect
    )
    property_ref = forms.CharField(
        label=_("Purchase contract or property certificate number"),
        max_length=64,
        help_text=_("As filed with the property register."),
    )
    property_address = forms.CharField(label=_("Address of the home"), max_length=200, required=False)
    house_price = YuanField(label=_("Price of the home (yuan)"))
    seller_name = forms.CharField(label=_("Seller (developer or owner)"), max_length=50)
    seller_account = forms.CharField(
        label=_("Seller's bank account"),
        max_length=30,
        help_text=_("The account on the purchase contract: the loan is paid into it."),
    )
    first_home = forms.ChoiceField(
        label=_("Which home"),
        choices=[(YES, _("First home")), (NO, _("Second home"))],
        widget=forms.RadioSelect,
    )
    term_months = MonthsField()
    repayment_method = forms.ChoiceField(
        label=_("Repayment method"), choices=RepaymentMethod.choices, widget=forms.RadioSelect
    )
    monthly_income = YuanField(
        label=_("Monthly income (yuan)"),
        help_text=_("Filled in with your deposit base; with a co-borrower, add their income."),
    )
    other_monthly_debt = YuanField(
        label=_("Other monthly repayments (yuan)"),
        required=False,
        help_text=_("Car loans, other mortgages, consumer credit; leave empty if none."),
    )
    amount = YuanField(
        label=_("Loan amount (yuan)"),
        required=False,
        help_text=_("Leave empty to apply for the whole pre-approved quota."),
    )
    co_borrower_id_number = forms.CharField(
        label=_("Co-borrower's ID number (your spouse, optional)"),
        max_length=18,
        required=False,
        help_text=_("Your spouse confirms from their own login; their balance counts towards the quota."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the centre asks these records for this application. "
            "Every query is logged with its purpose."
        ),
        error_messages={
            "required": _("Agree to the checks above: the application cannot be decided without them.")
        },
    )

    def terms(self) -> LoanTerms:
        data = self.cleaned_data
        return LoanTerms(
            property_kind=data["property_kind"],
            property_ref=data["property_ref"],
            property_address=data["property_address"],
            house_price=data["house_price"],
            seller_name=data["seller_name"],
            seller_account=data["seller_account"],
            first_home=data["first_home"] == YES,
            term_months=data["term_months"],
            repayment_method=data["repayment_method"],
            monthly_income=data["monthly_income"],
            other_monthly_debt=data["other_monthly_debt"] or 0,
            amount=data["amount"],
        )


class LoanResubmitForm(LoanApplyForm):
    """The details staff returned for correction; consent and the co-borrower stay as they were."""

    consent = None
    co_borrower_id_number = None


def _initial_of(loan) -> dict:
    return {
        "property_kind": loan.property_kind,
        "property_ref": loan.property_ref,
        "property_address": loan.property_address,
        "house_price": format_yuan(loan.house_price),
        "seller_name": loan.seller_name,
        "seller_account": loan.seller_account,
        "first_home": YES if loan.first_home else NO,
        "term_months": loan.term_months,
        "repayment_method": loan.repayment_method,
        "monthly_income": format_yuan(loan.monthly_income),
        "other_monthly_debt": format_yuan(loan.other_monthly_debt),
        "amount": format_yuan(loan.amount),
    }


def _refusal_on_form(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


@employee_only
def my_loans(request):
    person = request.user.person
    return render(request, "web/hall/loans.html", {"items": loan_applications_of(person)})


def _apply_context(request, form) -> dict:
    person = request.user.person
    return {
        "form": form,
        "consent_texts": consent_texts(get_language()),
        "defaults": apply_defaults(person),
    }


@employee_only
def apply(request):
    person = request.user.person
    if request.method != "POST":
        defaults = apply_defaults(person)
        initial = {
            "first_home": YES,
            "property_kind": PropertyKind.NEW,
            "repayment_method": RepaymentMethod.EQUAL_INSTALMENT,
            "term_months": DEFAULT_TERM_MONTHS,
            "monthly_income": format_yuan(defaults.monthly_income) if defaults.monthly_income else "",
        }
        return render(
            request, "web/hall/loan_apply.html", _apply_context(request, LoanApplyForm(initial=initial))
        )
    form = LoanApplyForm(request.POST)
    if not form.is_valid():
        return render(request, "web/hall/loan_apply.html", _apply_context(request, form), status=400)
    try:
        loan = apply_for_loan(
            applicant=person,
            terms=form.terms(),
            consent=form.cleaned_data["consent"],
            channel="WEB",
            actor=request.user,
            co_borrower_id_number=form.cleaned_data["co_borrower_id_number"],
        )
    except DomainError as error:
        _refusal_on_form(form, error)
        status = getattr(error, "http_status", 400)
        context = _apply_context(request, form)
        context["in_flight"] = error.code == "LOAN_APPLICATION_OPEN"
        return render(request, "web/hall/loan_apply.html", context, status=status)
    return redirect(reverse("web:hall-loan", args=[loan.pk]))


def _visible(request, pk: int):
    """The application and the viewer's role, for its applicant or co-borrower only (staff have theirs)."""
    found = loan_application_visible_to(loan_id=pk, user=request.user)
    if found is None or found[1] not in ("APPLICANT", CO_BORROWER):
        raise Http404(_("There is no such loan application of yours."))
    return found


@employee_only
def detail(request, pk: int):
    loan, role = _visible(request, pk)
    return render(
        request,
        "web/hall/loan_detail.html",
        {"detail": loan_application_detail(loan, role=role, language=get_language()), "error": ""},
    )


def _act(request, pk: int, action):
    """Run a POSTed change; on a refusal, the page again with the reason."""
    loan, role = _visible(request, pk)
    try:
        action(loan_id=loan.pk, actor=request.user)
    except DomainError as error:
        detail_ = loan_application_detail(loan, role=role, language=get_language())
        return render(
            request,
            "web/hall/loan_detail.html",
            {"detail": detail_, "error": error.message},
            status=getattr(error, "http_status", 400),
        )
    return redirect(reverse("web:hall-loan", args=[loan.pk]))


@employee_only
@require_POST
def confirm(request, pk: int):
    return _act(request, pk, confirm_co_borrower)


@employee_only
@require_POST
def withdraw(request, pk: int):
    return _act(request, pk, withdraw_loan_application)


def _signing_context(loan, counter_code: str, day_text: str) -> dict:
    service = service_by_code(SIGNING_SERVICE)
    counters = [offer.counter for offer in offers_of(service)] if service is not None else []
    chosen = next((counter for counter in counters if counter.code == counter_code), None)
    if chosen is None and counters:
        chosen = counters[0]
    first, last = bookable_days()
    slots = (
        open_slots(service=service, counter_code=chosen.code, first=first, last=last)
        if chosen is not None
        else []
    )
    days = sorted({timezone.localdate(slot.starts_at) for slot in slots})
    day = next((d for d in days if d.isoformat() == day_text), days[0] if days else None)
    return {
        "loan": loan,
        "service": service,
        "counters": counters,
        "counter": chosen,
        "days": days,
        "day": day,
        "slots": [slot for slot in slots if timezone.localdate(slot.starts_at) == day],
        "error": "",
    }


@employee_only
def signing(request, pk: int):
    loan, role = _visible(request, pk)
    if role != "APPLICANT":
        raise Http404(_("Only the applicant books the signing."))
    values = request.POST if request.method == "POST" else request.GET
    context = _signing_context(loan, values.get("counter") or "", values.get("day") or "")
    if request.method != "POST":
        return render(request, "web/hall/loan_signing.html", context)
    starts_at = parse_datetime((request.POST.get("starts_at") or "").strip())
    if starts_at is None or context["counter"] is None:
        context["error"] = _("Choose a time first.")
        return render(request, "web/hall/loan_signing.html", context, status=400)
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    try:
        book_signing(
            loan_id=loan.pk, starts_at=starts_at, counter_code=context["counter"].code, actor=request.user
        )
    except DomainError as error:
        context["error"] = error.message
        return render(
            request, "web/hall/loan_signing.html", context, status=getattr(error, "http_status", 400)
        )
    return redirect(reverse("web:hall-loan", args=[loan.pk]))


@employee_only
def resubmit(request, pk: int):
    loan, role = _visible(request, pk)
    if role != "APPLICANT":
        raise Http404(_("Only the applicant corrects the application."))
    if request.method != "POST":
        form = LoanResubmitForm(initial=_initial_of(loan))
        return render(request, "web/hall/loan_resubmit.html", {"loan": loan, "form": form})
    form = LoanResubmitForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            resubmit_loan_application(loan_id=loan.pk, terms=form.terms(), actor=request.user)
        except DomainError as error:
            _refusal_on_form(form, error)
            status = getattr(error, "http_status", 400)
        else:
            return redirect(reverse("web:hall-loan", args=[loan.pk]))
    return render(request, "web/hall/loan_resubmit.html", {"loan": loan, "form": form}, status=status)
