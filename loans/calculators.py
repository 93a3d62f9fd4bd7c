"""The loan calculators as pure arithmetic: the quota estimate and the repayment schedules (DOMAIN.md §7).

Amounts are integer fen, rates :class:`~decimal.Decimal` fractions (``Decimal("0.026")`` is 2.6 %),
and nothing here reads the database: :mod:`loans.selectors` fetches the policy parameters in
force and passes them in, so every figure can be recomputed from the values a page shows.

Rounding, in one place:

- each quota limit is the exact figure rounded **down** to the fen (a limit is an "at most");
  the quota, the least of them, is rounded down to ``loan.quota_rounding_unit`` (1,000 yuan);
- the affordable monthly payment is ``monthly income × loan.income_ratio`` rounded down to the
  fen, less the other monthly debt;
- in a schedule every payment and every interest part is rounded to the nearest fen, halves up;
  the principal part is the payment less the interest, and the last instalment takes whatever
  principal is left, so the principal parts sum exactly to the loan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal, localcontext

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from core.money import Fen, round_fen

EQUAL_INSTALMENT = "EQUAL_INSTALMENT"  # 等额本息
EQUAL_PRINCIPAL = "EQUAL_PRINCIPAL"  # 等额本金
METHODS = (EQUAL_INSTALMENT, EQUAL_PRINCIPAL)

#: A term up to this many months takes the "up to 5 years" rate; a longer one the "over 5 years" rate.
FIVE_YEARS_MONTHS = 60
UPTO_5Y = "upto_5y"
OVER_5Y = "over_5y"

# The four quota limits, in the order DOMAIN.md lists them; on a tie the first one listed binds.
BALANCE_MULTIPLE = "balance_multiple"
REPAYMENT_ABILITY = "repayment_ability"
PRICE_RATIO = "price_ratio"
CITY_CAP = "city_cap"
LIMITS = (BALANCE_MULTIPLE, REPAYMENT_ABILITY, PRICE_RATIO, CITY_CAP)

# (1 + r)^360 needs about 25 significant digits to stay exact to the fen on a 16-digit principal.
_PRECISION = 50


class LoanCalculatorError(DomainError):
    code = "LOAN_CALCULATOR_ERROR"


class InvalidTerm(LoanCalculatorError):
    code = "INVALID_TERM"


class InvalidLoanAmount(LoanCalculatorError):
    code = "INVALID_AMOUNT"


class InvalidLoanRate(LoanCalculatorError):
    code = "INVALID_RATE"


class UnknownRepaymentMethod(LoanCalculatorError):
    code = "INVALID_METHOD"


class CoBorrowerBalanceWithoutCoBorrower(LoanCalculatorError):
    code = "CO_BORROWER_BALANCE_WITHOUT_CO_BORROWER"


# --- the applicable rate --------------------------------------------------------------------


def percent_text(fraction: Decimal) -> str:
    """A fraction as a percent without trailing zeros: 0.026 → "2.6", 0.50 → "50", 0.02525 → "2.525"."""
    return format((fraction * 100).normalize(), "f")


def term_band(term_months: int) -> str:
    """``upto_5y`` for a term of at most 60 months, ``over_5y`` beyond: the two rate columns."""
    return UPTO_5Y if term_months <= FIVE_YEARS_MONTHS else OVER_5Y


def rate_key(*, first_home: bool, term_months: int) -> str:
    """The policy key of the rate for this home and term, e.g. ``loan.rate.second.over_5y``."""
    home = "first" if first_home else "second"
    return f"loan.rate.{home}.{term_band(term_months)}"


@dataclass(frozen=True)
class LoanRate:
    """An annual rate and its basis: which home, which term band, in force since when."""

    annual: Decimal
    first_home: bool
    band: str
    effective_from: date

    @property
    def key(self) -> str:
        return f"loan.rate.{'first' if self.first_home else 'second'}.{self.band}"

    @property
    def percent(self) -> str:
        """The rate as people write it: ``Decimal("0.02525")`` → ``"2.525"``."""
        return percent_text(self.annual)


# --- the quota estimate ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaInputs:
    """What the applicant states; amounts in fen."""

    balance: Fen
    co_borrower_balance: Fen
    monthly_income: Fen
    other_monthly_debt: Fen
    house_price: Fen
    first_home: bool
    term_months: int
    has_co_borrower: bool


@dataclass(frozen=True)
class QuotaParameters:
    """The ``loan.*`` policy values the estimate uses (see core.policy)."""

    balance_multiple: int
    income_ratio: Decimal
    price_ratio_first: Decimal
    price_ratio_second: Decimal
    cap_single: Fen
    cap_with_co_borrower: Fen
    quota_rounding_unit: Fen
    max_term_months: int


@dataclass(frozen=True)
class QuotaEstimate:
    quota: Fen
    limits: dict[str, Fen]
    binding: str
    rate: LoanRate
    affordable_payment: Fen
    #: policy key → the value used, only the keys that applied (first or second home, cap).
    parameters: dict[str, object]


def check_term(term_months, *, max_term_months: int, field: str | None) -> None:
    """A term is a whole number of months from 1 to ``loan.max_term_months``."""
    if (
        isinstance(term_months, bool)
        or not isinstance(term_months, int)
        or not 1 <= term_months <= max_term_months
    ):
        raise InvalidTerm(_("Choose a term of 1 to %(max)s months.") % {"max": max_term_months}, field=field)


def _check_amount(fen, *, field: str, positive: bool = False) -> None:
    if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
        raise InvalidLoanAmount(_("Enter an amount of zero or more."), field=field)
    if positive and fen == 0:
        raise InvalidLoanAmount(_("Enter an amount above zero."), field=field)


def _floor_fen(amount: Decimal) -> Fen:
    return int(amount.to_integral_value(rounding=ROUND_FLOOR))


def affordable_payment(*, monthly_income: Fen, other_monthly_debt: Fen, income_ratio: Decimal) -> Fen:
    """The monthly payment the income allows: income × ratio (down to the fen) less other debt.

    Negative when the other debt already takes more than the ratio allows.
    """
    with localcontext(prec=_PRECISION):
        return _floor_fen(monthly_income * income_ratio) - other_monthly_debt


def repayment_ability(*, payment: Fen, annual_rate: Decimal, months: int) -> Fen:
    """The largest principal whose equal instalment at ``annual_rate`` over ``months`` is ≤ ``payment``.

    ``payment × ((1 + r)^n − 1) / (r × (1 + r)^n)``, ``payment × n`` when ``r`` is 0, rounded down
    to the fen; 0 when the payment is not above zero.
    """
    if payment <= 0:
        return 0
    with localcontext(prec=_PRECISION):
        monthly = annual_rate / 12
        if monthly == 0:
            return payment * months
        growth = (1 + monthly) ** months
        return _floor_fen(payment * (growth - 1) / (monthly * growth))


def estimate_quota(inputs: QuotaInputs, *, parameters: QuotaParameters, rate: LoanRate) -> QuotaEstimate:
    """The least of the four limits, rounded down to the quota unit; every limit and the one that binds."""
    check_term(inputs.term_months, max_term_months=parameters.max_term_months, field="term_months")
    for field in ("balance", "co_borrower_balance", "monthly_income", "other_monthly_debt"):
        _check_amount(getattr(inputs, field), field=field)
    _check_amount(inputs.house_price, field="house_price", positive=True)
    if inputs.co_borrower_balance and not inputs.has_co_borrower:
        raise CoBorrowerBalanceWithoutCoBorrower(
            _("A co-borrower's balance counts only with a co-borrower: add one, or enter 0."),
            field="co_borrower_balance",
        )
    price_key, price_ratio = (
        ("loan.price_ratio.first", parameters.price_ratio_first)
        if inputs.first_home
        else ("loan.price_ratio.second", parameters.price_ratio_second)
    )
    cap_key, cap = (
        ("loan.cap.with_co_borrower", parameters.cap_with_co_borrower)
        if inputs.has_co_borrower
        else ("loan.cap.single", parameters.cap_single)
    )
    payment = affordable_payment(
        monthly_income=inputs.monthly_income,
        other_monthly_debt=inputs.other_monthly_debt,
        income_ratio=parameters.income_ratio,
    )
    with localcontext(prec=_PRECISION):
        limits = {
            BALANCE_MULTIPLE: (inputs.balance + inputs.co_borrower_balance) * parameters.balance_multiple,
            REPAYMENT_ABILITY: repayment_ability(
                payment=payment, annual_rate=rate.annual, months=inputs.term_months
            ),
            PRICE_RATIO: _floor_fen(inputs.house_price * price_ratio),
            CITY_CAP: cap,
        }
    binding = min(LIMITS, key=lambda name: limits[name])  # min() keeps the first of equals
    unit = parameters.quota_rounding_unit
    quota = limits[binding] // unit * unit if unit > 0 else limits[binding]
    return QuotaEstimate(
        quota=quota,
        limits=limits,
        binding=binding,
        rate=rate,
        affordable_payment=payment,
        parameters={
            "loan.balance_multiple": parameters.balance_multiple,
            "loan.income_ratio": parameters.income_ratio,
            price_key: price_ratio,
            cap_key: cap,
            "loan.quota_rounding_unit": unit,
            "loan.max_term_months": parameters.max_term_months,
            rate.key: rate.annual,
        },
    )


# --- repayment schedules ----------------------------------------------------------------------


@dataclass(frozen=True)
class Instalment:
    period: int
    payment: Fen
    principal: Fen
    interest: Fen
    remaining: Fen


@dataclass(frozen=True)
class Schedule:
    method: str
    principal: Fen
    annual_rate: Decimal
    months: int
    instalments: tuple[Instalment, ...]

    @property
    def total_payment(self) -> Fen:
        return sum(row.payment for row in self.instalments)

    @property
    def total_interest(self) -> Fen:
        return sum(row.interest for row in self.instalments)


def check_annual_rate(annual_rate, *, field: str = "annual_rate") -> None:
    """A rate is a Decimal fraction from 0 up to (not including) 1: 0.026 is 2.6 % a year."""
    if not isinstance(annual_rate, Decimal) or not annual_rate.is_finite() or not 0 <= annual_rate < 1:
        raise InvalidLoanRate(
            _("Enter the annual rate as a fraction from 0 to below 1, e.g. 0.026 for 2.6%."), field=field
        )


def _equal_instalment_payment(principal: Fen, monthly: Decimal, months: int) -> Decimal:
    if monthly == 0:
        return Decimal(principal) / months
    growth = (1 + monthly) ** months
    return principal * monthly * growth / (growth - 1)


def repayment_schedule(
    *, principal: Fen, annual_rate: Decimal, months: int, method: str, max_term_months: int
) -> Schedule:
    """Every month's payment, principal part, interest part and what remains after it.

    等额本息 (``EQUAL_INSTALMENT``): the payment ``M = P·r·(1+r)^n / ((1+r)^n − 1)`` rounded to the
    fen; interest is the remaining principal × r, rounded to the fen; the principal part is the rest.

    等额本金 (``EQUAL_PRINCIPAL``): month k pays ``P/n + (P − (k−1)·P/n)·r`` rounded to the fen;
    interest is ``(P − (k−1)·P/n)·r`` rounded to the fen; the principal part is the rest.

    In both, the last month pays all the principal still owed plus its interest, so the
    principal parts add up to ``P`` exactly whatever the rounding did before.
    """
    if method not in METHODS:
        raise UnknownRepaymentMethod(
            _("Choose EQUAL_INSTALMENT (等额本息) or EQUAL_PRINCIPAL (等额本金)."), field="method"
        )
    _check_amount(principal, field="principal", positive=True)
    check_annual_rate(annual_rate)
    check_term(months, max_term_months=max_term_months, field="months")
    rows: list[Instalment] = []
    remaining = principal
    with localcontext(prec=_PRECISION):
        monthly = annual_rate / 12
        level = round_fen(_equal_instalment_payment(principal, monthly, months))
        share = Decimal(principal) / months
        for period in range(1, months + 1):
            if method == EQUAL_INSTALMENT:
                interest = round_fen(remaining * monthly)
                payment = level
            else:
                owed = principal - (period - 1) * share  # the formula's balance, not the rounded one
                interest = round_fen(owed * monthly)
                payment = round_fen(share + owed * monthly)
            # Never more principal than is owed; the last month pays all that is.
            paid = remaining if period == months else min(payment - interest, remaining)
            remaining -= paid
            rows.append(
                Instalment(
                    period=period,
                    payment=paid + interest,
                    principal=paid,
                    interest=interest,
                    remaining=remaining,
                )
            )
    return Schedule(
        method=method, principal=principal, annual_rate=annual_rate, months=months, instalments=tuple(rows)
    )
