"""The loan calculators with the policy parameters in force on a date: what the pages and the API call.

Each selector reads the ``loan.*`` parameters in one query (core.policy.policy_snapshot) and
hands them to the pure arithmetic in :mod:`loans.calculators`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from core.money import Fen
from core.policy import ParameterVersion, policy_snapshot, policy_value
from loans.calculators import (
    LoanRate,
    QuotaEstimate,
    QuotaInputs,
    QuotaParameters,
    Schedule,
    estimate_quota,
    rate_key,
    repayment_schedule,
    term_band,
)

QUOTA_KEYS = (
    "loan.balance_multiple",
    "loan.income_ratio",
    "loan.price_ratio.first",
    "loan.price_ratio.second",
    "loan.cap.single",
    "loan.cap.with_co_borrower",
    "loan.quota_rounding_unit",
    "loan.max_term_months",
)


def _loan_rate(version: ParameterVersion, *, first_home: bool, term_months: int) -> LoanRate:
    return LoanRate(
        annual=version.value,
        first_home=first_home,
        band=term_band(term_months),
        effective_from=version.effective_from,
    )


def applicable_loan_rate(*, first_home: bool, term_months: int, on: date | None = None) -> LoanRate:
    """The annual rate for a first or second home and this term, as in force on ``on`` (today)."""
    key = rate_key(first_home=first_home, term_months=term_months)
    versions = policy_snapshot([key], on=on or timezone.localdate())
    return _loan_rate(versions[key], first_home=first_home, term_months=term_months)


def loan_quota_estimate(inputs: QuotaInputs, *, on: date | None = None) -> QuotaEstimate:
    """The quota estimate from stated inputs with the parameters and the rate in force on ``on`` (today)."""
    key = rate_key(first_home=inputs.first_home, term_months=inputs.term_months)
    versions = policy_snapshot([*QUOTA_KEYS, key], on=on or timezone.localdate())
    values = {name: version.value for name, version in versions.items()}
    parameters = QuotaParameters(
        balance_multiple=values["loan.balance_multiple"],
        income_ratio=values["loan.income_ratio"],
        price_ratio_first=values["loan.price_ratio.first"],
        price_ratio_second=values["loan.price_ratio.second"],
        cap_single=values["loan.cap.single"],
        cap_with_co_borrower=values["loan.cap.with_co_borrower"],
        quota_rounding_unit=values["loan.quota_rounding_unit"],
        max_term_months=values["loan.max_term_months"],
    )
    rate = _loan_rate(versions[key], first_home=inputs.first_home, term_months=inputs.term_months)
    return estimate_quota(inputs, parameters=parameters, rate=rate)


def longest_term_months(*, on: date | None = None) -> int:
    """``loan.max_term_months`` in force on ``on`` (today): forms check a term before the calculators do."""
    return policy_value("loan.max_term_months", on=on)


def loan_schedule(
    *, principal: Fen, annual_rate: Decimal, months: int, method: str, on: date | None = None
) -> Schedule:
    """The repayment schedule, its term limited by ``loan.max_term_months`` in force on ``on`` (today)."""
    return repayment_schedule(
        principal=principal,
        annual_rate=annual_rate,
        months=months,
        method=method,
        max_term_months=longest_term_months(on=on),
    )
