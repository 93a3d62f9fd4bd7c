"""A unit's staff roster (职工名册): its fund accounts, one page at a time, searched and filtered.

A unit may have 30,000 staff, so nothing here loads them all: :func:`roster_accounts` returns a
lazy, ordered queryset for the caller to paginate, and :func:`roster_rows` turns one page into
display rows. Every lookup is scoped to the unit: an account of another unit is simply not found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from accounts.models import AccountStatus, Employer, FundAccount
from accounts.selectors import deposit_rounding, monthly_parts
from core.crypto import blind_index

_ID_NUMBER = re.compile(r"[0-9]{17}[0-9Xx]", re.ASCII)
_ACCOUNT_NO = re.compile(r"[0-9]{12}", re.ASCII)


@dataclass(frozen=True)
class RosterRow:
    """One employee as the unit's clerk sees them: the ID number masked, amounts in fen."""

    account_no: str
    status: str
    status_label: str
    masked_id_number: str
    name: str
    base: int
    employer_part: int
    employee_part: int
    opened_on: date
    sealed_on: date | None

    @property
    def monthly_amount(self) -> int:
        return self.employer_part + self.employee_part

    @property
    def is_normal(self) -> bool:
        return self.status == AccountStatus.NORMAL


def is_full_id_number(term: str) -> bool:
    """Whether a search term is a whole resident ID number (spaces ignored, any case of x)."""
    return bool(_ID_NUMBER.fullmatch("".join((term or "").split())))


def roster_accounts(employer: Employer, *, search: str = "", status: str = "") -> QuerySet[FundAccount]:
    """The unit's accounts (current staff, and former staff whose last unit it was), by account number.

    ``search`` is a full ID number (matched through the blind index: the number is never
    stored in clear), a 12-digit account number, or part of a name. ``status`` is a two-digit
    account status code; anything else is ignored.
    """
    accounts = FundAccount.objects.filter(employer=employer).select_related("person")
    term = "".join((search or "").split())
    if _ID_NUMBER.fullmatch(term):
        accounts = accounts.filter(person__id_number_index=blind_index(term))
    elif _ACCOUNT_NO.fullmatch(term):
        accounts = accounts.filter(account_no=term)
    elif term:
        accounts = accounts.filter(person__name__icontains=" ".join(search.split()))
    if status in AccountStatus.values:
        accounts = accounts.filter(status=status)
    return accounts.order_by("account_no")


def roster_rows(accounts: Iterable[FundAccount], employer: Employer) -> list[RosterRow]:
    """Display rows for one page of :func:`roster_accounts`; only a normal account is paid into."""
    rounding = deposit_rounding()
    rows = []
    for account in accounts:
        if account.status == AccountStatus.NORMAL:
            employer_part, employee_part = monthly_parts(
                base=account.base,
                employer_rate_bp=employer.employer_rate_bp,
                employee_rate_bp=employer.employee_rate_bp,
                rounding=rounding,
            )
        else:
            employer_part = employee_part = 0
        rows.append(
            RosterRow(
                account_no=account.account_no,
                status=account.status,
                status_label=account.get_status_display(),
                masked_id_number=account.person.masked_id_number,
                name=account.person.name,
                base=account.base,
                employer_part=employer_part,
                employee_part=employee_part,
                opened_on=account.opened_on,
                sealed_on=account.sealed_on,
            )
        )
    return rows


def unit_account(employer: Employer, account_no: str) -> FundAccount | None:
    """The account with this number if it is at this unit; None for any other account."""
    return (
        FundAccount.objects.filter(employer=employer, account_no=(account_no or "").strip())
        .select_related("person", "employer")
        .first()
    )
