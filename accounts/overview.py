"""Read models for the portal's front pages: an employee's statement, a unit's and the centre's figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import BigIntegerField, Count, F, Sum
from django.db.models.expressions import CombinedExpression

from accounts.models import AccountStatus, Employer, FundAccount, Person
from accounts.selectors import deposit_rounding
from core.money import ROUNDING_MODES, YUAN_HALF_UP
from ledger.models import AccountKind, LedgerAccount
from ledger.selectors import Movement, movements_of


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class EmployerOverview:
    name: str
    credit_code: str
    unit_account_no: str
    status: str
    status_label: str
    paid_up_to: date | None
    employer_rate: str
    employee_rate: str
    monthly_total: int
    accounts_by_status: list[StatusCount]


@dataclass(frozen=True)
class CentreOverview:
    persons: int
    employers: int
    accounts: int
    fund_balance_total: int
    accounts_by_status: list[StatusCount]


def statement_of(
    person: Person, *, date_from: date | None, date_to: date | None, latest: int | None = None
) -> list[Movement]:
    """The person's movements in the period, oldest first.

    ``latest`` keeps only the newest N, newest first (the hall's "recent movements").
    """
    account = FundAccount.objects.filter(person=person).select_related("ledger_account").first()
    if account is None:
        return []
    movements = list(movements_of(account.ledger_account, date_from=date_from, date_to=date_to))
    if latest is not None:
        return movements[-latest:][::-1]
    return movements


def _by_status(rows: Iterable[dict]) -> list[StatusCount]:
    labels = dict(AccountStatus.choices)
    counts = {row["status"]: row["n"] for row in rows}
    return [StatusCount(status=code, label=labels[code], count=counts[code]) for code in sorted(counts)]


def _percent(basis_points: int) -> str:
    return f"{basis_points / 100:g}%" if basis_points % 100 else f"{basis_points // 100}%"


def _monthly_part(rate_bp: int, rounding: str) -> CombinedExpression:
    """One part of an account's monthly deposit in SQL: ``base × rate_bp / 10000``, rounded half up.

    The same fen as :func:`accounts.selectors.monthly_parts` for every account: a base is never
    negative (a CheckConstraint), so adding half the rounding unit and dividing integers, which
    truncates on PostgreSQL and on SQLite alike, rounds half up, to the fen or to the yuan.
    """
    if rounding not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding mode {rounding!r}; expected one of {ROUNDING_MODES}")
    unit = 1_000_000 if rounding == YUAN_HALF_UP else 10_000
    part = (F("base") * rate_bp + unit // 2) / unit
    return part * 100 if rounding == YUAN_HALF_UP else part


def employer_overview(employer: Employer) -> EmployerOverview:
    """The unit's front page figures: one grouped query whatever the unit's size, after the rounding rule.

    The monthly total is that of the unit's normal accounts, each employee's two parts rounded
    separately under the ``deposit.rounding`` rule in force (DOMAIN.md §4), as its lists are.
    """
    rounding = deposit_rounding()
    monthly = _monthly_part(employer.employer_rate_bp, rounding) + _monthly_part(
        employer.employee_rate_bp, rounding
    )
    by_status = list(
        FundAccount.objects.filter(employer=employer)
        .values("status")
        .annotate(n=Count("pk"), monthly=Sum(monthly, output_field=BigIntegerField()))
        .order_by()
    )
    # Only a normal account is paid into; the other statuses' sums are not money due.
    monthly_total = next((row["monthly"] for row in by_status if row["status"] == AccountStatus.NORMAL), 0)
    return EmployerOverview(
        name=employer.name,
        credit_code=employer.credit_code,
        unit_account_no=employer.unit_account_no,
        status=employer.status,
        status_label=employer.get_status_display(),
        paid_up_to=employer.paid_up_to,
        employer_rate=_percent(employer.employer_rate_bp),
        employee_rate=_percent(employer.employee_rate_bp),
        monthly_total=monthly_total,
        accounts_by_status=_by_status(by_status),
    )


def centre_overview() -> CentreOverview:
    fund_total = LedgerAccount.objects.filter(kind=AccountKind.FUND).aggregate(total=Sum("balance"))["total"]
    return CentreOverview(
        persons=Person.objects.count(),
        employers=Employer.objects.count(),
        accounts=FundAccount.objects.count(),
        fund_balance_total=fund_total or 0,
        accounts_by_status=_by_status(
            FundAccount.objects.values("status").annotate(n=Count("pk")).order_by()
        ),
    )
