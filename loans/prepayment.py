"""Prepaying part of a loan (提前部分还款) and settling all of it (一次性结清), on the borrower's request.

Both are allowed while the loan is repaying, nothing due is unpaid and no bank debit is in flight
(an overdue instalment is paid first, with its penalty, from the loan page).

- A **prepayment** pays ``prepaid`` of principal plus the interest that part has run up since the
  last due date (actual/360, :func:`loans.repayment_math.settlement_amount` on the prepaid part).
  The instalments not yet due are then replaced (SUPERSEDED) by a new schedule of what is left:
  ``SHORTEN_TERM`` keeps the payment and ends sooner, ``LOWER_PAYMENT`` keeps the end and pays
  less each month (:func:`loans.repayment_math.prepayment`). The next instalment keeps its date.
- A **settlement** pays the whole principal owed (the balance of ``LOAN-<no>``) plus its interest
  since the last due date; the rest of the schedule is superseded, the account becomes SETTLED
  and a loan-settled certificate is sealed (:func:`loans.loan_book.close_account`).

Either is paid from the fund account at once (the balance must cover it) or by a bank debit of
the borrower's verified card, applied when the bank settles it (:func:`apply_received`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from core.money import format_yuan
from ledger.selectors import balance_of
from loans import loan_book
from loans.collection import (
    Attempt,
    LoanNotRepaying,
    NotBorrower,
    attempt_ref,
    is_borrower,
    pay_from_fund,
    start_bank_debit,
)
from loans.models import (
    CollectionMode,
    LoanAccount,
    LoanAccountStatus,
    LoanInstalment,
    LoanRepayment,
    PrepaymentOption,
    RepaymentKind,
    ScheduleChangeKind,
)
from loans.repayment_math import Prepayment, prepayment, settlement_amount
from notifications.text import yuan


class InstalmentsUnpaid(DomainError):
    code = "INSTALMENTS_UNPAID"
    http_status = 409


class RepaymentInProgress(DomainError):
    code = "REPAYMENT_IN_PROGRESS"
    http_status = 409


class FundBalanceShort(DomainError):
    code = "FUND_BALANCE_SHORT"
    http_status = 409


class UnknownPrepaymentOption(DomainError):
    code = "UNKNOWN_PREPAYMENT_OPTION"


class UnknownChannel(DomainError):
    code = "UNKNOWN_CHANNEL"


@dataclass(frozen=True)
class PrepaymentQuote:
    on: date
    prepaid: int
    #: Interest the prepaid principal ran up from ``since`` to ``on`` (actual/360).
    interest: int
    since: date
    plan: Prepayment
    next_due_on: date

    @property
    def total(self) -> int:
        return self.prepaid + self.interest


@dataclass(frozen=True)
class SettlementQuote:
    on: date
    principal: int
    interest: int
    since: date
    days: int

    @property
    def total(self) -> int:
        return self.principal + self.interest


def _still_to_come(account: LoanAccount, on: date) -> list[LoanInstalment]:
    return list(loan_book.unpaid_instalments(account).filter(due_on__gt=on))


def _check_can_change(account: LoanAccount, on: date) -> None:
    if account.status != LoanAccountStatus.ACTIVE:
        raise LoanNotRepaying(_("This loan is not being repaid."))
    if loan_book.in_flight(account) is not None:
        raise RepaymentInProgress(
            _("A payment of this loan is being collected from your bank card; try again when it has settled.")
        )
    if loan_book.unpaid_instalments(account).filter(due_on__lte=on).exists():
        raise InstalmentsUnpaid(_("Pay the instalment that is due first; then you can prepay or settle."))


def quote_prepayment(*, account: LoanAccount, prepaid: int, on: date) -> PrepaymentQuote:
    """What prepaying ``prepaid`` fen of principal on ``on`` costs, and both schedules it leads to."""
    _check_can_change(account, on)
    future = _still_to_come(account, on)
    since = loan_book.last_due_on(account, on)
    plan = prepayment(
        outstanding=loan_book.principal_before(future),
        annual_rate=account.annual_rate,
        months_remaining=len(future),
        method=account.repayment_method,
        current_payment=future[0].payment,
        prepaid=prepaid,
    )
    interest = settlement_amount(
        outstanding=prepaid, annual_rate=account.annual_rate, last_due_on=since, on=on
    )
    return PrepaymentQuote(
        on=on,
        prepaid=prepaid,
        interest=interest.interest,
        since=since,
        plan=plan,
        next_due_on=future[0].due_on,
    )


def quote_settlement(*, account: LoanAccount, on: date) -> SettlementQuote:
    """What settles the whole loan on ``on``: the principal owed and its interest since the last due date."""
    _check_can_change(account, on)
    since = loan_book.last_due_on(account, on)
    quote = settlement_amount(
        outstanding=balance_of(account.ledger_account),
        annual_rate=account.annual_rate,
        last_due_on=since,
        on=on,
    )
    return SettlementQuote(
        on=on, principal=quote.principal, interest=quote.interest, since=since, days=quote.days
    )


def _borrowers_account(account_id: int, actor) -> LoanAccount:
    account = loan_book.lock_account(account_id)
    if account is None or not is_borrower(account=account, user=actor):
        raise NotBorrower(_("Only the borrower can prepay or settle the loan."))
    return account


def _check_channel(channel: str) -> None:
    if channel not in CollectionMode.values:
        raise UnknownChannel(_("Choose BANK_DEBIT or FUND_OFFSET."), field="channel")


def prepay(
    *, account_id: int, prepaid: int, option: str, channel: str, actor, today: date | None = None
) -> LoanRepayment:
    """The borrower prepays ``prepaid`` fen of principal, then carries on as ``option`` says.

    From the fund account the new schedule is in force on return; by bank debit, once the bank
    has settled the debit. Raises :class:`NotBorrower`, :class:`LoanNotRepaying`,
    :class:`InstalmentsUnpaid`, :class:`RepaymentInProgress`, :class:`FundBalanceShort` and the
    calculators' errors for an amount that is not below the principal owed.
    """
    if option not in PrepaymentOption.values:
        raise UnknownPrepaymentOption(_("Choose SHORTEN_TERM or LOWER_PAYMENT."), field="option")
    _check_channel(channel)
    today = today or loan_book.today()
    with transaction.atomic(durable=True):
        account = _borrowers_account(account_id, actor)
        quote = quote_prepayment(account=account, prepaid=prepaid, on=today)
        parts = loan_book.Parts(principal=quote.prepaid, interest=quote.interest)
        return _start(
            account,
            kind=RepaymentKind.PREPAYMENT,
            parts=parts,
            channel=channel,
            today=today,
            actor=actor,
            option=option,
        )


def settle(*, account_id: int, channel: str, actor, today: date | None = None) -> LoanRepayment:
    """The borrower repays everything owed today; the account is SETTLED when the money is in.

    Raises as :func:`prepay` does.
    """
    _check_channel(channel)
    today = today or loan_book.today()
    with transaction.atomic(durable=True):
        account = _borrowers_account(account_id, actor)
        quote = quote_settlement(account=account, on=today)
        parts = loan_book.Parts(principal=quote.principal, interest=quote.interest)
        return _start(
            account, kind=RepaymentKind.SETTLEMENT, parts=parts, channel=channel, today=today, actor=actor
        )


def _start(account, *, kind, parts, channel, today, actor, option="") -> LoanRepayment:
    ref, _tried = attempt_ref(account, "prepay" if kind == RepaymentKind.PREPAYMENT else "settle", today)
    attempt = Attempt(
        account=account, kind=kind, parts=parts, ref=ref, today=today, actor=actor, option=option
    )
    if channel == CollectionMode.FUND_OFFSET:
        repayment = pay_from_fund(attempt)
        if repayment is None:
            raise FundBalanceShort(
                _("Your fund account cannot pay %(amount)s yuan: choose the bank card instead.")
                % {"amount": format_yuan(parts.total)},
                field="channel",
            )
        apply_received(repayment, today)
        return repayment
    return start_bank_debit(attempt)


def apply_received(repayment: LoanRepayment, on: date) -> None:
    """A prepayment or settlement whose money is in: replace the schedule, or settle the account.

    Needs the caller's transaction with the loan account locked and the repayment posted.
    """
    account = repayment.account
    if repayment.kind == RepaymentKind.SETTLEMENT:
        unpaid = list(loan_book.unpaid_instalments(account))
        if unpaid:
            loan_book.replace_schedule(
                account=account,
                replaced=unpaid,
                schedule=None,
                kind=ScheduleChangeKind.SETTLEMENT,
                effective_on=on,
                new_rate=account.annual_rate,
                repayment=repayment,
            )
        loan_book.close_account(account=account, on=on)
        return
    future = _still_to_come(account, on)
    plan = prepayment(
        outstanding=loan_book.principal_before(future),
        annual_rate=account.annual_rate,
        months_remaining=len(future),
        method=account.repayment_method,
        current_payment=future[0].payment,
        prepaid=repayment.principal,
    )
    chosen = plan.option(repayment.option)
    change = loan_book.replace_schedule(
        account=account,
        replaced=future,
        schedule=chosen.schedule,
        kind=ScheduleChangeKind.PREPAYMENT,
        effective_on=on,
        new_rate=account.annual_rate,
        repayment=repayment,
    )
    loan_book.notify_borrowers(
        account,
        kind="loan_prepaid",
        title=_("Loan prepayment received"),
        body=_(
            "Your housing fund loan prepayment of %(amount)s yuan has been received. The new repayment "
            "plan: %(new_payment)s yuan a month for the remaining %(new_months)s instalments (was "
            "%(old_payment)s yuan a month for %(old_months)s), saving %(saved)s yuan of interest in all."
        ),
        amount=yuan(repayment.amount),
        new_payment=yuan(change.new_payment),
        new_months=change.new_months,
        old_payment=yuan(change.old_payment),
        old_months=change.old_months,
        saved=yuan(change.interest_change),
    )
