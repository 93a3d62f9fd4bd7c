"""Versioned policy parameters: the value of a rule's number on a date, and which version a decision used.

Every number in DOMAIN.md is data (:class:`~core.models.PolicyParameter`): a key, a value and the
date from which it applies. The value on date D is the version with the latest
``effective_from`` ≤ D. A change is a new version, never an edit of one already in force, so a
decision that recorded a version's pk (:func:`policy_snapshot`) can always be explained.

Stored values are JSON without floats. :func:`policy_value` returns them typed by the key's kind:

========  ===========================================  ==================  ================
kind      stored as                                    returned as         example
========  ===========================================  ==================  ================
rate      decimal string, 0 ≤ x ≤ 1                    ``Decimal``         ``"0.12"``
decimal   decimal string, x ≥ 0                        ``Decimal``         ``"1.5"``
fen       int, an amount of fen ≥ 0                    ``int``             ``203000``
integer   int ≥ 0 (months, days, years, a multiple)    ``int``             ``6``
choice    one of the listed strings                    ``str``             ``"FEN_HALF_UP"``
digits    a string of digits                           ``str``             ``"3502"``
========  ===========================================  ==================  ================

Rates are decimal strings rather than basis points because several official rates have a
third decimal place in percent (2.525 %, 2.775 %): ``"0.02525"`` is exact and reads like the
announcement.

The keys and their seeded defaults (migration ``0003_seed_policy``; *demo* marks plausible
values where no official figure was confirmed):

- ``deposit.rounding`` (choice): ``FEN_HALF_UP`` or ``YUAN_HALF_UP``; FEN_HALF_UP.
- ``deposit.rate.min`` / ``deposit.rate.max`` (rate): 0.05 / 0.12.
- ``deposit.rate.default_employer`` / ``deposit.rate.default_employee`` (rate): 0.12 / 0.12.
- ``deposit.base.floor`` (fen): 203000, demo. ``deposit.base.cap`` (fen): 3100000, demo.
- ``deposit.payment_days_after_payday`` (integer): 5.
- ``account.open_within_days`` / ``account.seal_within_days`` (integer): 30 / 30.
- ``interest.annual_rate`` (rate): 0.015 from 2016-02-21.
- ``interest.day_count_basis`` (integer): 360.
- ``withdrawal.decision_deadline_working_days`` (integer): 3.
- ``withdrawal.leaving.sealed_months`` (integer): 6.
- ``withdrawal.rent.min_deposit_months`` (integer): 3.
- ``withdrawal.rent.monthly_cap`` (fen): 180000.
- ``withdrawal.purchase.resale_min_months_after_title`` (integer): 6.
- ``withdrawal.loan_repayment.interval_months`` (integer): 12.
- ``loan.min_deposit_months`` (integer): 6. ``loan.overdue_lookback_months`` (integer): 24.
- ``loan.max_age_at_end`` (integer): 65. ``loan.max_term_months`` (integer): 360.
- ``loan.balance_multiple`` (integer): 15. ``loan.income_ratio`` (rate): 0.50.
- ``loan.price_ratio.first`` / ``loan.price_ratio.second`` (rate): 0.80 / 0.70.
- ``loan.cap.single`` / ``loan.cap.with_co_borrower`` (fen): 60000000 / 80000000, demo.
- ``loan.quota_rounding_unit`` (fen): 100000 (the quota is rounded down to 1,000 yuan).
- ``loan.rate.first.upto_5y`` / ``loan.rate.first.over_5y`` (rate): 0.0235 / 0.0285 from
  2024-05-18; 0.021 / 0.026 from 2025-05-08.
- ``loan.rate.second.upto_5y`` / ``loan.rate.second.over_5y`` (rate): 0.02775 / 0.03325 from
  2024-05-18; 0.02525 / 0.03075 from 2025-05-08.
- ``loan.overdue_penalty_multiplier`` (decimal): 1.5.
- ``loan.service_level_working_days`` (integer): 8.
- ``loan.service_level_at_risk_working_days`` (integer): 2, demo (migration ``0004``): a case
  with this many working days left or fewer is shown as at risk.
- ``loan.approval.second_review_above`` (fen): 40000000, demo (migration ``0004``): loans of
  400,000 yuan or less skip the second review (复审); larger ones pass through it.
- ``city.local_region_prefix`` (digits): 3502 (Xiamen).

Keys without a date are effective from 2000-01-01, meaning "since before the portal existed".
Dated keys carry the date the figure took effect (the 1.5 % deposit rate since 2016-02-21; the
loan rates of the 2024-05-18 and 2025-05-08 cuts). Asking for a date before a key's first version raises
:class:`UnknownPolicyParameter`: the portal does not know the rate of 2023, and guessing would be
worse than saying so.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from core.models import PolicyParameter

RATE = "rate"
DECIMAL = "decimal"
FEN = "fen"
INTEGER = "integer"
CHOICE = "choice"
DIGITS = "digits"

_DECIMAL_TEXT = re.compile(r"[0-9]+(\.[0-9]{1,8})?", re.ASCII)
_DIGITS_TEXT = re.compile(r"[0-9]{1,12}", re.ASCII)


@dataclass(frozen=True)
class ParameterSpec:
    key: str
    kind: str
    description: str
    choices: tuple[str, ...] = ()


PARAMETERS: dict[str, ParameterSpec] = {
    spec.key: spec
    for spec in (
        ParameterSpec(
            "deposit.rounding",
            CHOICE,
            "How the employer and employee parts are each rounded.",
            ("FEN_HALF_UP", "YUAN_HALF_UP"),
        ),
        ParameterSpec("deposit.rate.min", RATE, "Lowest contribution rate of each part."),
        ParameterSpec("deposit.rate.max", RATE, "Highest contribution rate of each part."),
        ParameterSpec("deposit.rate.default_employer", RATE, "Employer rate unless the unit chooses."),
        ParameterSpec("deposit.rate.default_employee", RATE, "Employee rate unless the unit chooses."),
        ParameterSpec("deposit.base.floor", FEN, "Lowest contribution base (local minimum wage)."),
        ParameterSpec("deposit.base.cap", FEN, "Highest contribution base (3 × city average wage)."),
        ParameterSpec("deposit.payment_days_after_payday", INTEGER, "Days after payday to pay in."),
        ParameterSpec("account.open_within_days", INTEGER, "Days after hiring to open or transfer in."),
        ParameterSpec("account.seal_within_days", INTEGER, "Days after leaving to seal or transfer."),
        ParameterSpec("interest.annual_rate", RATE, "Annual interest rate on deposits."),
        ParameterSpec("interest.day_count_basis", INTEGER, "Days in the interest year."),
        ParameterSpec(
            "withdrawal.decision_deadline_working_days", INTEGER, "Working days to decide a withdrawal."
        ),
        ParameterSpec(
            "withdrawal.leaving.sealed_months", INTEGER, "Months sealed before leaving-city withdrawal."
        ),
        ParameterSpec(
            "withdrawal.rent.min_deposit_months", INTEGER, "Consecutive months deposited for rent."
        ),
        ParameterSpec("withdrawal.rent.monthly_cap", FEN, "Rent withdrawal per person and month."),
        ParameterSpec(
            "withdrawal.purchase.resale_min_months_after_title",
            INTEGER,
            "Months after title before a full-payment second-hand purchase withdrawal.",
        ),
        ParameterSpec(
            "withdrawal.loan_repayment.interval_months",
            INTEGER,
            "Months between annual loan-repayment withdrawals.",
        ),
        ParameterSpec("loan.min_deposit_months", INTEGER, "Consecutive months deposited before a loan."),
        ParameterSpec("loan.overdue_lookback_months", INTEGER, "Months of credit history without overdue."),
        ParameterSpec("loan.max_age_at_end", INTEGER, "Oldest age of the borrower at the end of the term."),
        ParameterSpec("loan.max_term_months", INTEGER, "Longest loan term in months."),
        ParameterSpec("loan.balance_multiple", INTEGER, "Quota limit: fund balances × this multiple."),
        ParameterSpec("loan.income_ratio", RATE, "Share of monthly income available for repayments."),
        ParameterSpec("loan.price_ratio.first", RATE, "Quota limit: share of the price, first home."),
        ParameterSpec("loan.price_ratio.second", RATE, "Quota limit: share of the price, second home."),
        ParameterSpec("loan.cap.single", FEN, "Quota cap for a single borrower."),
        ParameterSpec("loan.cap.with_co_borrower", FEN, "Quota cap with a co-borrower."),
        ParameterSpec("loan.quota_rounding_unit", FEN, "The quota is rounded down to a multiple of this."),
        ParameterSpec("loan.rate.first.upto_5y", RATE, "Annual loan rate, first home, term ≤ 5 years."),
        ParameterSpec("loan.rate.first.over_5y", RATE, "Annual loan rate, first home, term > 5 years."),
        ParameterSpec("loan.rate.second.upto_5y", RATE, "Annual loan rate, second home, term ≤ 5 years."),
        ParameterSpec("loan.rate.second.over_5y", RATE, "Annual loan rate, second home, term > 5 years."),
        ParameterSpec(
            "loan.overdue_penalty_multiplier", DECIMAL, "Daily penalty = overdue × rate / 360 × this."
        ),
        ParameterSpec(
            "loan.service_level_working_days", INTEGER, "Working days from application to disbursement."
        ),
        ParameterSpec(
            "loan.service_level_at_risk_working_days",
            INTEGER,
            "A loan case with this many working days left or fewer is at risk.",
        ),
        ParameterSpec(
            "loan.approval.second_review_above", FEN, "Loans above this amount pass the second review (复审)."
        ),
        ParameterSpec("city.local_region_prefix", DIGITS, "Region-code prefix of the city (3502 = Xiamen)."),
    )
}


class UnknownPolicyParameter(DomainError):
    code = "UNKNOWN_POLICY_PARAMETER"


class InvalidPolicyValue(DomainError):
    code = "INVALID_POLICY_VALUE"


@dataclass(frozen=True)
class ParameterVersion:
    """The version of a parameter a decision used; ``as_record()`` is what the decision stores."""

    key: str
    value: object
    effective_from: date
    pk: int

    def as_record(self) -> dict:
        value = str(self.value) if isinstance(self.value, Decimal) else self.value
        return {
            "key": self.key,
            "value": value,
            "effective_from": self.effective_from.isoformat(),
            "pk": self.pk,
        }


def _invalid(message) -> InvalidPolicyValue:
    return InvalidPolicyValue(message, field="value")


def clean_policy_value(key: str, value) -> object:
    """Validate a new value for ``key`` and return it as stored (JSON without floats).

    Text from a form is accepted for every kind ("0.12", "6"); ints are accepted for ``fen`` and
    ``integer``. Raises :class:`InvalidPolicyValue` (or :class:`UnknownPolicyParameter` for a key
    not in :data:`PARAMETERS`).
    """
    spec = PARAMETERS.get(key)
    if spec is None:
        raise UnknownPolicyParameter(_("There is no policy parameter called %(key)s.") % {"key": key})
    if isinstance(value, float | bool):
        raise _invalid(_("Give the value as text or a whole number, never a floating-point number."))
    if spec.kind in (RATE, DECIMAL):
        text = value.strip() if isinstance(value, str) else ""
        if not _DECIMAL_TEXT.fullmatch(text):
            raise _invalid(_("Enter a decimal number such as 0.12 (a rate of 12%)."))
        if spec.kind == RATE and Decimal(text) > 1:
            raise _invalid(_("A rate is a fraction between 0 and 1, such as 0.12 for 12%."))
        return text
    if spec.kind in (FEN, INTEGER):
        if isinstance(value, str) and _DIGITS_TEXT.fullmatch(value.strip()):
            value = int(value.strip())
        if not isinstance(value, int) or value < 0:
            raise _invalid(_("Enter a whole number of zero or more."))
        return value
    if spec.kind == CHOICE:
        text = value.strip() if isinstance(value, str) else ""
        if text not in spec.choices:
            raise _invalid(_("Choose one of: %(choices)s.") % {"choices": ", ".join(spec.choices)})
        return text
    text = value.strip() if isinstance(value, str) else ""
    if not _DIGITS_TEXT.fullmatch(text):
        raise _invalid(_("Enter digits only."))
    return text


def _typed(key: str, stored):
    spec = PARAMETERS.get(key)
    if isinstance(stored, float):
        # A float can only come from a hand edit of the database; refuse to compute with it.
        raise InvalidPolicyValue(
            _("Policy parameter %(key)s holds a floating-point number: store it as a decimal string.")
            % {"key": key}
        )
    if spec is not None and spec.kind in (RATE, DECIMAL):
        try:
            return Decimal(stored)
        except (InvalidOperation, TypeError) as error:
            raise InvalidPolicyValue(
                _("Policy parameter %(key)s holds %(value)s, not a decimal number.")
                % {"key": key, "value": repr(stored)}
            ) from error
    return stored


def _version(row: PolicyParameter) -> ParameterVersion:
    return ParameterVersion(
        key=row.key, value=_typed(row.key, row.value), effective_from=row.effective_from, pk=row.pk
    )


def _missing(keys, on: date) -> UnknownPolicyParameter:
    return UnknownPolicyParameter(
        _("No value of %(keys)s is in force on %(date)s.")
        % {"keys": ", ".join(sorted(keys)), "date": on.isoformat()}
    )


def policy_version(key: str, *, on: date | None = None) -> ParameterVersion:
    """The version of ``key`` in force on ``on`` (today, local time, by default)."""
    on = on or timezone.localdate()
    row = PolicyParameter.objects.filter(key=key, effective_from__lte=on).order_by("-effective_from").first()
    if row is None:
        raise _missing([key], on)
    return _version(row)


def policy_value(key: str, *, on: date | None = None):
    """The value of ``key`` in force on ``on`` (today by default), typed as the module docstring shows."""
    return policy_version(key, on=on).value


def policy_snapshot(keys, *, on: date) -> dict[str, ParameterVersion]:
    """The versions of several keys in force on ``on``, in one query; any key without one raises."""
    wanted = set(keys)
    rows = PolicyParameter.objects.filter(key__in=wanted, effective_from__lte=on).order_by(
        "key", "-effective_from"
    )
    snapshot: dict[str, ParameterVersion] = {}
    for row in rows:
        # Rows come newest first within each key: the first one seen is in force.
        if row.key not in snapshot:
            snapshot[row.key] = _version(row)
    missing = wanted - snapshot.keys()
    if missing:
        raise _missing(missing, on)
    return snapshot
