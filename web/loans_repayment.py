"""Repaying a disbursed loan in the hall, and the staff's overdue book (DOMAIN.md §7).

- the borrowers' loan-account page (``hall/loans/<id>/account/``, :func:`account_page`): where
  the loan stands today (principal owed, the next instalment, anything overdue with its penalty
  and a "pay now" button), how the instalments are collected (bank card or 委托按月还贷 from the
  fund account), the repayment statement and every change of the schedule; once settled, the
  loan-settled certificate and its verification code;
- prepaying part of the loan (``…/account/prepay/``): the amount, then both ways to carry on
  side by side, then the confirmation; settling all of it (``…/account/settle/``): the quote,
  then the confirmation;
- staff (``staff/loans/overdue/``): every repaying loan with an instalment late.

The co-borrower reads the account page; only the main borrower acts on it (the services refuse
anyone else, and the pages do not offer it). Each action is one service call; its refusal is
shown on the field it names.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.selectors import account_summary, payout_card
from core.crypto import mask_id_number
from core.exceptions import DomainError
from core.money import format_yuan
from integrations.bank import ports
from loans import disbursement
from loans.calculators import percent_text
from loans.collection import NO_VERIFIED_CARD, collect_instalment, is_borrower, set_collection_mode
from loans.contract_terms import contract_case, contract_no, has_contract
from loans.contract_terms import is_borrower as is_party
from loans.loan_book import monthly_dates
from loans.models import (
    CollectionMode,
    LoanAccountStatus,
    PrepaymentOption,
    RepaymentMethod,
    RepaymentStatus,
)
from loans.prepayment import prepay, quote_prepayment, quote_settlement, settle
from loans.repayment_selectors import loan_position, overdue_loans, repayments_of, schedule_changes_of
from web.access import staff_only
from web.employer_unit import YuanField

#: Why a bank debit was not collected, in the borrower's words (integrations.bank.ports.FAILURE_CODES).
FAILURE_TEXTS = {
    NO_VERIFIED_CARD: _("no verified bank card in your own name"),
    ports.INSUFFICIENT_FUNDS: _("not enough money on the card"),
    ports.ACCOUNT_FROZEN: _("the bank account is frozen"),
    ports.ACCOUNT_CLOSED: _("the bank account is closed"),
}

#: A one-off payment (prepayment, settlement) is taken from one of these, once.
CHANNEL_CHOICES = [
    (CollectionMode.FUND_OFFSET, _("From my fund account, at once")),
    (CollectionMode.BANK_DEBIT, _("Debit my bank card")),
]


class CollectionModeForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("How the monthly instalment is collected"),
        choices=CollectionMode.choices,
        widget=forms.RadioSelect,
    )


class AmountForm(forms.Form):
    amount = YuanField(
        label=_("Principal to prepay (yuan)"),
        help_text=_("Less than the principal owed; to repay all of it, settle the loan instead."),
    )


#: The confirmation shares its page with the amount form: its own element ids.
PREPAY_IDS = "prepay_%s"


class PrepayForm(AmountForm):
    option = forms.ChoiceField(
        label=_("After the prepayment"), choices=PrepaymentOption.choices, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("Pay it"), choices=CHANNEL_CHOICES, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Chosen on the previous step; the preview above shows what it costs.
        self.fields["amount"].widget = forms.HiddenInput()


class SettleForm(forms.Form):
    channel = forms.ChoiceField(label=_("Pay it"), choices=CHANNEL_CHOICES, widget=forms.RadioSelect)


def _refusal_on_form(form, error: DomainError, *, rename: dict | None = None) -> None:
    field = (rename or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, str(error.message))


def _today():
    return timezone.localdate()


# Whose loan ---------------------------------------------------------------------------------


def _parties_loan(request, pk: int):
    """The case and its loan account, for the applicant or the co-borrower only; 404 for anyone else."""
    loan = contract_case(pk)
    if loan is None or not is_party(loan=loan, user=request.user) or not has_contract(loan):
        raise Http404
    return loan, disbursement.loan_account_of(loan)


def _borrowers_account(request, pk: int):
    """The case and its repaying (or settled) loan account, for the main borrower only."""
    loan, account = _parties_loan(request, pk)
    if account is None or account.status not in (LoanAccountStatus.ACTIVE, LoanAccountStatus.SETTLED):
        raise Http404
    if not is_borrower(account=account, user=request.user):
        raise Http404
    return loan, account


# The loan-account page ----------------------------------------------------------------------


def _statement_rows(account) -> list[dict]:
    return [
        {
            "repayment": row,
            "failure": FAILURE_TEXTS.get(row.failure_code, row.failure_code)
            if row.status == RepaymentStatus.FAILED
            else "",
        }
        for row in repayments_of(account)
    ]


def _change_rows(account) -> list[dict]:
    return [
        {
            "change": change,
            "old_rate": percent_text(change.old_rate),
            "new_rate": percent_text(change.new_rate),
        }
        for change in schedule_changes_of(account)
    ]


def _fund_balance(person) -> int | None:
    summary = account_summary(person)
    return summary.balance if summary is not None else None


def account_page(request, loan, *, mode_form=None, status: int = 200):
    """The loan-account page of ``loan`` for one of its borrowers (access already checked)."""
    account = disbursement.loan_account_of(loan)
    lent = account is not None and account.status in (LoanAccountStatus.ACTIVE, LoanAccountStatus.SETTLED)
    context = {
        "loan": loan,
        "contract_no": contract_no(loan),
        "rate_percent": percent_text(loan.annual_rate),
        "account": account if lent else None,
        "outstanding": disbursement.outstanding_principal(account) if lent else None,
        "instalments": disbursement.instalments_of(account) if lent else [],
    }
    if lent:
        acts = is_borrower(account=account, user=request.user)
        person = loan.applicant
        context.update(
            {
                "position": loan_position(account, today=_today()),
                "statement": _statement_rows(account),
                "changes": _change_rows(account),
                "acts": acts,
                "mode_form": mode_form or CollectionModeForm(initial={"mode": account.collection_mode}),
                "fund_balance": _fund_balance(person) if acts else None,
                "card": payout_card(person) if acts else None,
                "settled": account.status == LoanAccountStatus.SETTLED,
            }
        )
    return render(request, "web/hall/loan_account.html", context, status=status)


def _back_to_account(loan):
    return redirect("web:hall-loan-account", pk=loan.pk)


def _say_started(request, repayment, *, paid: str, collecting: str) -> None:
    """Tell the borrower how a payment they started went: received, being collected, or refused."""
    amount = {"amount": format_yuan(repayment.amount)}
    if repayment.status == RepaymentStatus.SUCCEEDED:
        messages.success(request, paid % amount)
    elif repayment.status == RepaymentStatus.COLLECTING:
        messages.success(request, collecting % amount)
    else:
        why = FAILURE_TEXTS.get(repayment.failure_code, repayment.failure_code)
        messages.error(request, gettext("The payment could not be collected: %(why)s.") % {"why": why})


@login_required
@require_POST
def pay_now(request, pk: int):
    loan, account = _borrowers_account(request, pk)
    repayment = collect_instalment(account_id=account.pk, today=_today(), actor=request.user)
    if repayment is None:
        messages.info(
            request, gettext("There is nothing to pay now, or a payment is already being collected.")
        )
        return _back_to_account(loan)
    # A debit may have settled already (the bank answered at once): say what really happened.
    repayment.refresh_from_db(fields=["status", "failure_code"])
    _say_started(
        request,
        repayment,
        paid=gettext("Paid %(amount)s yuan. Thank you."),
        collecting=gettext(
            "%(amount)s yuan is being collected from your bank card; "
            "this page shows the result once the bank has answered."
        ),
    )
    return _back_to_account(loan)


@login_required
@require_POST
def collection_mode(request, pk: int):
    loan, account = _borrowers_account(request, pk)
    form = CollectionModeForm(request.POST)
    if not form.is_valid():
        return account_page(request, loan, mode_form=form, status=400)
    try:
        set_collection_mode(account_id=account.pk, mode=form.cleaned_data["mode"], actor=request.user)
    except DomainError as error:
        _refusal_on_form(form, error)
        return account_page(request, loan, mode_form=form, status=getattr(error, "http_status", 400))
    if form.cleaned_data["mode"] == CollectionMode.FUND_OFFSET:
        messages.success(
            request,
            gettext(
                "From the next instalment on, it is paid from your fund account; "
                "a month the balance is short, your bank card is debited instead."
            ),
        )
    else:
        messages.success(request, gettext("From the next instalment on, your bank card is debited."))
    return _back_to_account(loan)


# Prepaying and settling ---------------------------------------------------------------------


def _last_due_on(first, months: int):
    return monthly_dates(first, count=months)[-1]


def _preview(account, quote) -> dict:
    """Both ways to carry on after the prepayment, beside the schedule as it is."""
    plan = quote.plan
    now = {
        "payment": plan.old_schedule.instalments[0].payment,
        "months": plan.old_schedule.months,
        "last_due_on": _last_due_on(quote.next_due_on, plan.old_schedule.months),
        "interest": plan.old_schedule.total_interest,
    }
    options = [
        {
            "option": option,
            "label": PrepaymentOption(option.option).label,
            "payment": option.first_payment,
            "months": option.months,
            "last_due_on": _last_due_on(quote.next_due_on, option.months),
            "interest": option.schedule.total_interest,
            "saved": option.interest_saved,
        }
        for option in (plan.shorten_term, plan.lower_payment)
    ]
    return {
        "quote": quote,
        "now": now,
        "options": options,
        "falling": account.repayment_method == RepaymentMethod.EQUAL_PRINCIPAL,
    }


def _channel_context(account, total: int) -> dict:
    balance = _fund_balance(account.application.applicant)
    return {
        "fund_balance": balance,
        "fund_short": balance is None or balance < total,
        "card": payout_card(account.application.applicant),
    }


def _default_channel(channel_context: dict) -> str:
    return CollectionMode.BANK_DEBIT if channel_context["fund_short"] else CollectionMode.FUND_OFFSET


#: Where a calculator's or a service's refusal belongs on the prepayment form.
_PREPAY_FIELDS = {"prepaid": "amount"}


@login_required
def prepay_page(request, pk: int):
    loan, account = _borrowers_account(request, pk)
    today = _today()
    context = {"loan": loan, "account": account, "position": loan_position(account, today=today)}
    if request.method == "POST":
        return _confirm_prepayment(request, loan, account, context, today)
    if "amount" not in request.GET:
        context["amount_form"] = AmountForm()
        return render(request, "web/hall/loan_prepay.html", context)
    amount_form = AmountForm(request.GET)
    context["amount_form"] = amount_form
    if not amount_form.is_valid():
        return render(request, "web/hall/loan_prepay.html", context, status=400)
    prepaid = amount_form.cleaned_data["amount"]
    try:
        quote = quote_prepayment(account=account, prepaid=prepaid, on=today)
    except DomainError as error:
        _refusal_on_form(amount_form, error, rename=_PREPAY_FIELDS)
        return render(
            request, "web/hall/loan_prepay.html", context, status=getattr(error, "http_status", 400)
        )
    channels = _channel_context(account, quote.total)
    context.update(_preview(account, quote))
    context.update(channels)
    context["form"] = PrepayForm(
        auto_id=PREPAY_IDS,
        initial={
            "amount": format_yuan(prepaid),
            "option": PrepaymentOption.SHORTEN_TERM,
            "channel": _default_channel(channels),
        },
    )
    return render(request, "web/hall/loan_prepay.html", context)


def _confirm_prepayment(request, loan, account, context, today):
    form = PrepayForm(request.POST, auto_id=PREPAY_IDS)
    context["form"] = form
    status = 400
    if form.is_valid():
        try:
            repayment = prepay(
                account_id=account.pk,
                prepaid=form.cleaned_data["amount"],
                option=form.cleaned_data["option"],
                channel=form.cleaned_data["channel"],
                actor=request.user,
                today=today,
            )
        except DomainError as error:
            _refusal_on_form(form, error, rename=_PREPAY_FIELDS)
            status = getattr(error, "http_status", 400)
        else:
            _say_started(
                request,
                repayment,
                paid=gettext("Prepaid %(amount)s yuan from your fund account: the new schedule is in force."),
                collecting=gettext(
                    "%(amount)s yuan is being collected from your bank card; the new schedule comes "
                    "into force once the bank has paid."
                ),
            )
            return _back_to_account(loan)
    # The preview again for the amount sent, so the refusal sits beside the figures it is about.
    prepaid = form.cleaned_data.get("amount")
    context["amount_form"] = AmountForm(initial={"amount": format_yuan(prepaid) if prepaid else ""})
    if prepaid:
        try:
            quote = quote_prepayment(account=account, prepaid=prepaid, on=today)
        except DomainError as error:
            if not form.errors:
                _refusal_on_form(form, error, rename=_PREPAY_FIELDS)
        else:
            context.update(_preview(account, quote))
            context.update(_channel_context(account, quote.total))
    return render(request, "web/hall/loan_prepay.html", context, status=status)


@login_required
def settle_page(request, pk: int):
    loan, account = _borrowers_account(request, pk)
    today = _today()
    context = {"loan": loan, "account": account, "position": loan_position(account, today=today)}
    try:
        quote = quote_settlement(account=account, on=today)
    except DomainError as error:
        # Not now (something is due or being collected, or the loan is settled): the page says why.
        context["refusal"] = error.message
        status = getattr(error, "http_status", 400) if request.method == "POST" else 200
        return render(request, "web/hall/loan_settle.html", context, status=status)
    channels = _channel_context(account, quote.total)
    context.update(channels)
    context["quote"] = quote
    if request.method != "POST":
        context["form"] = SettleForm(initial={"channel": _default_channel(channels)})
        return render(request, "web/hall/loan_settle.html", context)
    form = SettleForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "web/hall/loan_settle.html", context, status=400)
    try:
        repayment = settle(
            account_id=account.pk, channel=form.cleaned_data["channel"], actor=request.user, today=today
        )
    except DomainError as error:
        _refusal_on_form(form, error)
        return render(
            request, "web/hall/loan_settle.html", context, status=getattr(error, "http_status", 400)
        )
    _say_started(
        request,
        repayment,
        paid=gettext("Paid %(amount)s yuan from your fund account: your loan is settled."),
        collecting=gettext(
            "%(amount)s yuan is being collected from your bank card; the loan is settled "
            "once the bank has paid."
        ),
    )
    return _back_to_account(loan)


# Staff --------------------------------------------------------------------------------------


@staff_only
def staff_overdue(request):
    today = _today()
    rows = [
        {
            "row": row,
            "borrower": row.account.application.applicant.name,
            "masked_id": mask_id_number(row.account.application.applicant.id_number),
        }
        for row in overdue_loans(today=today)
    ]
    return render(request, "web/staff/loan_overdue.html", {"rows": rows, "today": today})
