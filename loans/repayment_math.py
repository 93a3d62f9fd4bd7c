"""Repaying a running loan: prepayment, full settlement, overdue penalty, re-pricing (DOMAIN.md §7).

Like :mod:`loans.calculators`, this is pure arithmetic: amounts are integer fen, rates
:class:`~decimal.Decimal` fractions, and nothing reads the database. Every new schedule is built
by :func:`loans.calculators.repayment_schedule`, so the rounding rules are the calculators' own
(each payment and interest part to the nearest fen, halves up; the last instalment takes the
principal left, so the principal parts sum exactly to the principal).

"The old remaining schedule" is the schedule :func:`repayment_schedule` gives for the
outstanding principal over the months remaining at the same rate and method: what the borrower
would still pay without the change. Interest saved and payment changes are measured against it.

Day count. DOMAIN.md §7 states the overdue penalty per day as "overdue amount × annual rate /
360 × 1.5"; the same actual/360 convention (actual calendar days, a 360-day year) is used for the
interest accrued on a full settlement, as for daily interest on deposits (core.money). Each such
amount is computed exactly and rounded once to the fen, halves up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from django.utils.translation import gettext_lazy as _

from core.money import Fen, round_fen
from loans.calculators import (
    _PRECISION,
    EQUAL_INSTALMENT,
    METHODS,
    InvalidTerm,
    LoanCalculatorError,
    Schedule,
    UnknownRepaymentMethod,
    _check_amount,
    _equal_instalment_payment,
    check_annual_rate,
    repayment_schedule,
)

SHORTEN_TERM = "SHORTEN_TERM"  # 缩短期限，月供基本不变
LOWER_PAYMENT = "LOWER_PAYMENT"  # 期限不变，减少月供
PREPAYMENT_OPTIONS = (SHORTEN_TERM, LOWER_PAYMENT)

#: The overdue penalty is the daily interest on the overdue amount times this (DOMAIN.md §7).
PENALTY_MULTIPLIER = Decimal("1.5")
DAYS_IN_YEAR = 360


class InvalidPrepayment(LoanCalculatorError):
    code = "INVALID_PREPAYMENT"


class InvalidDays(LoanCalculatorError):
    code = "INVALID_DAYS"


class InvalidDates(LoanCalculatorError):
    code = "INVALID_DATES"


class InvalidMultiplier(LoanCalculatorError):
    code = "INVALID_MULTIPLIER"


# --- checks -----------------------------------------------------------------------------------


def _check_months_remaining(months, *, field: str = "months_remaining") -> None:
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise InvalidTerm(_("The remaining term must be a whole number of months, at least 1."), field=field)


def _check_method(method) -> None:
    if method not in METHODS:
        raise UnknownRepaymentMethod(
            _("Choose EQUAL_INSTALMENT (等额本息) or EQUAL_PRINCIPAL (等额本金)."), field="method"
        )


def _check_days(days, *, field: str = "days") -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidDays(_("Enter a whole number of days, zero or more."), field=field)


def _remaining_schedule(*, principal: Fen, annual_rate: Decimal, months: int, method: str) -> Schedule:
    """The schedule of ``principal`` over ``months``, already checked, so they are also the bound."""
    return repayment_schedule(
        principal=principal, annual_rate=annual_rate, months=months, method=method, max_term_months=months
    )


def _daily_interest(amount: Fen, annual_rate: Decimal, days: int, multiplier: Decimal = Decimal(1)) -> Fen:
    """``amount × annual_rate / 360 × multiplier × days`` rounded once to the fen, halves up."""
    with localcontext(prec=_PRECISION):
        return round_fen(amount * annual_rate * multiplier * days / DAYS_IN_YEAR)


# --- prepayment (提前部分还款) ------------------------------------------------------------------


@dataclass(frozen=True)
class PrepaymentOption:
    """One way to carry on after a prepayment: the new schedule and what it saves."""

    option: str
    schedule: Schedule
    #: The old remaining schedule's interest less the new schedule's. Each month's interest is
    #: rounded to the fen, so on a prepayment of a few fen this can come out a fen below zero.
    interest_saved: Fen

    @property
    def months(self) -> int:
        return self.schedule.months

    @property
    def first_payment(self) -> Fen:
        return self.schedule.instalments[0].payment


@dataclass(frozen=True)
class Prepayment:
    prepaid: Fen
    #: The outstanding principal less the prepayment: what both new schedules repay.
    new_principal: Fen
    old_schedule: Schedule
    shorten_term: PrepaymentOption
    lower_payment: PrepaymentOption

    def option(self, name: str) -> PrepaymentOption:
        return {SHORTEN_TERM: self.shorten_term, LOWER_PAYMENT: self.lower_payment}[name]


def _shortest_equal_instalment_term(principal: Fen, annual_rate: Decimal, payment: Fen, longest: int) -> int:
    """The smallest n ≤ ``longest`` whose level payment (to the fen) is ≤ ``payment``; ``longest`` if none is.

    The level payment falls as n grows, so a bisection finds it.
    """
    low, high = 1, longest
    with localcontext(prec=_PRECISION):
        monthly = annual_rate / 12
        while low < high:
            middle = (low + high) // 2
            if round_fen(_equal_instalment_payment(principal, monthly, middle)) <= payment:
                high = middle
            else:
                low = middle + 1
    return low


def prepayment(
    *,
    outstanding: Fen,
    annual_rate: Decimal,
    months_remaining: int,
    method: str,
    current_payment: Fen,
    prepaid: Fen,
) -> Prepayment:
    """Both ways to carry on after prepaying part of the principal.

    ``outstanding`` is the principal owed after the last instalment paid, ``months_remaining``
    the instalments still to pay, ``current_payment`` the instalment the borrower pays now.
    ``prepaid`` must be above zero and below ``outstanding``: repaying all of it is a full
    settlement (:func:`settlement_amount`).

    ``SHORTEN_TERM`` keeps the monthly payment as close as it can:

    - 等额本息: the smallest number of months whose level payment on the new principal is at most
      ``current_payment`` (never more than the months remaining);
    - 等额本金: the same monthly principal part as before, ``outstanding / months_remaining``, so
      the new term is ``new principal / that part`` rounded up to a whole month.

    ``LOWER_PAYMENT`` keeps the months remaining and spreads the new principal over them.
    """
    _check_method(method)
    _check_amount(outstanding, field="outstanding", positive=True)
    check_annual_rate(annual_rate)
    _check_months_remaining(months_remaining)
    _check_amount(current_payment, field="current_payment", positive=True)
    _check_amount(prepaid, field="prepaid", positive=True)
    if prepaid >= outstanding:
        raise InvalidPrepayment(
            _(
                "A prepayment must be less than the outstanding principal; "
                "repaying all of it is a full settlement."
            ),
            field="prepaid",
        )
    new_principal = outstanding - prepaid
    old = _remaining_schedule(
        principal=outstanding, annual_rate=annual_rate, months=months_remaining, method=method
    )
    if method == EQUAL_INSTALMENT:
        shorter = _shortest_equal_instalment_term(
            new_principal, annual_rate, current_payment, months_remaining
        )
    else:
        # new principal / (outstanding / months) rounded up, in integers.
        shorter = -(-new_principal * months_remaining // outstanding)

    def option(name: str, months: int) -> PrepaymentOption:
        schedule = _remaining_schedule(
            principal=new_principal, annual_rate=annual_rate, months=months, method=method
        )
        return PrepaymentOption(
            option=name, schedule=schedule, interest_saved=old.total_interest - schedule.total_interest
        )

    return Prepayment(
        prepaid=prepaid,
        new_principal=new_principal,
        old_schedule=old,
        shorten_term=option(SHORTEN_TERM, shorter),
        lower_payment=option(LOWER_PAYMENT, months_remaining),
    )


# --- full settlement (一次性结清) ---------------------------------------------------------------


@dataclass(frozen=True)
class Settlement:
    principal: Fen
    #: Interest accrued from the last due date to the settlement date, actual/360.
    interest: Fen
    days: int

    @property
    def total(self) -> Fen:
        return self.principal + self.interest


def settlement_amount(*, outstanding: Fen, annual_rate: Decimal, last_due_on: date, on: date) -> Settlement:
    """What settles the loan on ``on``: the outstanding principal plus interest since the last due date.

    The interest is ``outstanding × annual_rate / 360 × days``, ``days`` being the calendar days
    from ``last_due_on`` to ``on`` (0 when settling on the due date itself), rounded once to the
    fen, halves up; the 360-day year follows DOMAIN.md §7's daily penalty formula. It assumes the
    instalment due on ``last_due_on`` is paid and ``on`` is before the next due date: an unpaid
    instalment is overdue and takes a penalty (:func:`overdue_penalty`), not settlement interest.
    """
    _check_amount(outstanding, field="outstanding")
    check_annual_rate(annual_rate)
    if on < last_due_on:
        raise InvalidDates(_("The settlement date cannot be before the last due date."), field="on")
    days = (on - last_due_on).days
    return Settlement(
        principal=outstanding, interest=_daily_interest(outstanding, annual_rate, days), days=days
    )


# --- overdue penalty (逾期罚息) ----------------------------------------------------------------


def days_overdue(due_on: date, on: date) -> int:
    """Whole days from the due date to ``on``: 0 on or before the due date, 1 the day after."""
    return max(0, (on - due_on).days)


def overdue_penalty(
    *, overdue_amount: Fen, annual_rate: Decimal, days: int, multiplier: Decimal = PENALTY_MULTIPLIER
) -> Fen:
    """``overdue_amount × annual_rate / 360 × multiplier × days`` to the fen, halves up (DOMAIN.md §7)."""
    _check_amount(overdue_amount, field="overdue_amount")
    check_annual_rate(annual_rate)
    _check_days(days)
    if not isinstance(multiplier, Decimal) or not multiplier.is_finite() or multiplier <= 0:
        raise InvalidMultiplier(
            _("The penalty multiplier must be a Decimal above zero, e.g. 1.5."), field="multiplier"
        )
    return _daily_interest(overdue_amount, annual_rate, days, multiplier)


# --- re-pricing on 1 January (每年1月1日调整利率) -------------------------------------------------


@dataclass(frozen=True)
class Repricing:
    old_schedule: Schedule
    new_schedule: Schedule

    @property
    def payment_change(self) -> Fen:
        """The new first payment less the old one: negative when the rate fell."""
        return self.new_schedule.instalments[0].payment - self.old_schedule.instalments[0].payment


def repricing_due(previous_rate: Decimal, current_rate: Decimal) -> bool:
    """Whether a loan re-prices on 1 January: the policy rate for its band is not what it pays."""
    return previous_rate != current_rate


def reprice(
    *, outstanding: Fen, previous_rate: Decimal, current_rate: Decimal, months_remaining: int, method: str
) -> Repricing:
    """The outstanding principal over the months remaining at ``current_rate``, by the same method.

    With the rate unchanged the new schedule is the old one and the payment change is 0.
    """
    _check_method(method)
    _check_amount(outstanding, field="outstanding", positive=True)
    check_annual_rate(previous_rate, field="previous_rate")
    check_annual_rate(current_rate, field="current_rate")
    _check_months_remaining(months_remaining)
    old = _remaining_schedule(
        principal=outstanding, annual_rate=previous_rate, months=months_remaining, method=method
    )
    if not repricing_due(previous_rate, current_rate):
        return Repricing(old_schedule=old, new_schedule=old)
    new = _remaining_schedule(
        principal=outstanding, annual_rate=current_rate, months=months_remaining, method=method
    )
    return Repricing(old_schedule=old, new_schedule=new)
