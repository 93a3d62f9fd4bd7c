"""The movement statement of a fund account, its month-end balances and its yearly summary (reads only).

A statement covers business dates ``[date_from, date_to]``: the opening balance is the balance at
the end of the day before ``date_from``, then every journal entry that touched the account in date
order (then posting order) with its credit or debit and the balance after it, then the closing
balance, which is the ledger's balance as of ``date_to``. It reconciles by construction and the
tests check it against the ledger: opening + credits − debits = closing.

Two queries whatever the history's length: one sum for the opening balance, one grouped read of
the lines in the range; the running balance is added up in Python from the opening balance.

The yearly summary sorts each movement into what a member asks about (DOMAIN.md §2):

- deposits 01 汇缴 and 02 补缴, interest 09 (year-end, and the interest paid on closing or moving);
- transfers 07 外部转出 and 08 外部转入; an 06 内部转移 goes in or out by its direction;
- loan-related: a withdrawal (11) that repays a housing loan — offset from the fund into a loan
  account of the centre (the same entry credits ``LOAN-…``), an entrusted monthly repayment
  (委托按月还贷) or an annual loan-repayment withdrawal (its memo names the reason);
- other withdrawals 11 and 12; anything else (a type that normally moves no money) is "other".

A reversing entry carries its original's business type and mirrored sides, so it nets against the
figure its original went into (a failed transfer out, credited back, lowers "transfers out").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from accounts.models import FundAccount, Person
from core.crypto import mask_id_number
from core.exceptions import DomainError
from ledger.models import BusinessType, JournalLine, LedgerAccount
from ledger.services import LOAN_CODE_PREFIX

#: The longest statement one request may ask for.
MAX_SPAN_YEARS = 20

DEPOSITS = "deposits"
INTEREST = "interest"
WITHDRAWALS = "withdrawals"
TRANSFERS_IN = "transfers_in"
TRANSFERS_OUT = "transfers_out"
LOAN = "loan"
OTHER = "other"
#: The yearly summary's figures; the money-in ones count credits up, the others count debits up.
CATEGORIES_IN = (DEPOSITS, INTEREST, TRANSFERS_IN, OTHER)
CATEGORIES_OUT = (WITHDRAWALS, TRANSFERS_OUT, LOAN)

_DEPOSIT_TYPES = frozenset({BusinessType.MONTHLY_DEPOSIT, BusinessType.BACK_PAYMENT})
_WITHDRAWAL_TYPES = frozenset({BusinessType.PARTIAL_WITHDRAWAL, BusinessType.CLOSING_WITHDRAWAL})
#: How a withdrawal for a loan names itself in its memo (withdrawals.services writes these).
_LOAN_MEMO_MARKERS = ("委托按月还贷", "LOAN_REPAYMENT_")


class InvalidStatementRange(DomainError):
    """The dates asked for make no statement; ``field`` says which date to change."""

    code = "INVALID_STATEMENT_RANGE"
    http_status = 400


class NoFundAccount(DomainError):
    code = "NO_FUND_ACCOUNT"
    http_status = 404


@dataclass(frozen=True)
class StatementLine:
    """One journal entry's effect on the account, in fen: exactly one of credit and debit is non-zero."""

    entry_id: int
    posted_on: date
    business_type: str
    credit: int
    debit: int
    balance_after: int
    memo: str
    #: The entry mirrors an earlier one (冲正).
    reversal: bool
    #: A withdrawal that repays a housing loan (module docstring).
    pays_loan: bool

    @property
    def business_type_label(self) -> str:
        return BusinessType(self.business_type).label

    @property
    def amount(self) -> int:
        """Signed: money in is positive."""
        return self.credit - self.debit

    @property
    def category(self) -> str:
        return category_of(self)


@dataclass(frozen=True)
class TypeTotal:
    business_type: str
    credit: int
    debit: int

    @property
    def business_type_label(self) -> str:
        return BusinessType(self.business_type).label


@dataclass(frozen=True)
class Statement:
    account_no: str
    holder_name: str
    #: Only the first and last four characters: the statement leaves the portal as a file.
    holder_id_masked: str
    date_from: date
    date_to: date
    opening_balance: int
    closing_balance: int
    lines: list[StatementLine]
    totals: list[TypeTotal] = field(default_factory=list)

    @property
    def total_credit(self) -> int:
        return sum(total.credit for total in self.totals)

    @property
    def total_debit(self) -> int:
        return sum(total.debit for total in self.totals)


@dataclass(frozen=True)
class MonthBalance:
    """The balance at the end of ``month`` (its first day), or on ``as_of`` for a month not yet over."""

    month: date
    as_of: date
    balance: int


@dataclass(frozen=True)
class YearSummary:
    year: int
    date_from: date
    date_to: date
    opening_balance: int
    deposits: int
    interest: int
    withdrawals: int
    transfers_in: int
    transfers_out: int
    loan: int
    other: int
    closing_balance: int


# The range ---------------------------------------------------------------------------------------------


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def statement_range(*, date_from: date | None, date_to: date | None, today: date) -> tuple[date, date]:
    """The range a statement request means: by default from 1 January of the end date's year to today.

    Raises :class:`InvalidStatementRange` naming the date to change: a date after today, a start
    after the end, or more than :data:`MAX_SPAN_YEARS` years.
    """
    if date_to is not None and date_to > today:
        raise InvalidStatementRange(
            _("The end date cannot be after today (%(today)s).") % {"today": today.isoformat()},
            code="DATE_IN_FUTURE",
            field="to",
        )
    if date_from is not None and date_from > today:
        raise InvalidStatementRange(
            _("The start date cannot be after today (%(today)s).") % {"today": today.isoformat()},
            code="DATE_IN_FUTURE",
            field="from",
        )
    end = date_to or today
    start = date_from or end.replace(month=1, day=1)
    if start > end:
        raise InvalidStatementRange(
            _("The start date is after the end date."), code="START_AFTER_END", field="from"
        )
    if end >= _years_later(start, MAX_SPAN_YEARS):
        raise InvalidStatementRange(
            _("A statement covers at most %(years)s years: choose a later start date.")
            % {"years": MAX_SPAN_YEARS},
            code="RANGE_TOO_LONG",
            field="from",
        )
    return start, end


# The statement -----------------------------------------------------------------------------------------


def fund_account_of(person: Person) -> FundAccount:
    """The person's own fund account, with what a statement prints; :class:`NoFundAccount` if none."""
    account = FundAccount.objects.select_related("person", "ledger_account").filter(person=person).first()
    if account is None:
        raise NoFundAccount(_("You have no fund account yet."))
    return account


def balance_before(ledger_account: LedgerAccount, day: date) -> int:
    """The account's balance at the end of the day before ``day`` (fen)."""
    sums = JournalLine.objects.filter(account=ledger_account, entry__business_on__lt=day).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    return ledger_account.signed(debit=sums["debit"] or 0, credit=sums["credit"] or 0)


def _lines(
    ledger_account: LedgerAccount, *, date_from: date, date_to: date, opening: int
) -> list[StatementLine]:
    pays_loan = JournalLine.objects.filter(
        entry_id=OuterRef("entry_id"), account__code__startswith=LOAN_CODE_PREFIX
    )
    rows = (
        JournalLine.objects.filter(
            account=ledger_account, entry__business_on__gte=date_from, entry__business_on__lte=date_to
        )
        .values("entry_id", "entry__business_on", "entry__business_type", "entry__memo", "entry__reverses_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"), pays_loan=Exists(pays_loan))
        .order_by("entry__business_on", "entry_id")
    )
    balance = opening
    lines = []
    for row in rows.iterator(chunk_size=2000):
        amount = ledger_account.signed(debit=row["debit"], credit=row["credit"])
        balance += amount
        memo = row["entry__memo"]
        business_type = row["entry__business_type"]
        lines.append(
            StatementLine(
                entry_id=row["entry_id"],
                posted_on=row["entry__business_on"],
                business_type=business_type,
                credit=max(amount, 0),
                debit=max(-amount, 0),
                balance_after=balance,
                memo=memo,
                reversal=row["entry__reverses_id"] is not None,
                pays_loan=business_type in _WITHDRAWAL_TYPES
                and (row["pays_loan"] or any(marker in memo for marker in _LOAN_MEMO_MARKERS)),
            )
        )
    return lines


def _totals(lines: list[StatementLine]) -> list[TypeTotal]:
    credit: dict[str, int] = defaultdict(int)
    debit: dict[str, int] = defaultdict(int)
    for line in lines:
        credit[line.business_type] += line.credit
        debit[line.business_type] += line.debit
    return [TypeTotal(code, credit[code], debit[code]) for code in sorted(credit)]


def fund_statement(account: FundAccount, *, date_from: date, date_to: date) -> Statement:
    """The statement of ``account`` for ``[date_from, date_to]``; the caller has checked the range."""
    ledger_account = account.ledger_account
    opening = balance_before(ledger_account, date_from)
    lines = _lines(ledger_account, date_from=date_from, date_to=date_to, opening=opening)
    return Statement(
        account_no=account.account_no,
        holder_name=account.person.name,
        holder_id_masked=mask_id_number(account.person.id_number),
        date_from=date_from,
        date_to=date_to,
        opening_balance=opening,
        closing_balance=lines[-1].balance_after if lines else opening,
        lines=lines,
        totals=_totals(lines),
    )


# Month-end balances ------------------------------------------------------------------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_back(*, count: int, today: date) -> tuple[date, date]:
    """The first days of the first and the last of the ``count`` months that end with today's."""
    last = _month_start(today)
    number = last.year * 12 + last.month - 1 - (count - 1)
    return date(number // 12, number % 12 + 1, 1), last


def month_end_balances(
    account: FundAccount, *, first_month: date, last_month: date, today: date
) -> list[MonthBalance]:
    """One balance per month from ``first_month`` to ``last_month``: two queries whatever the span."""
    ledger_account = account.ledger_account
    first_month, last_month = _month_start(first_month), _month_start(last_month)
    balance = balance_before(ledger_account, first_month)
    sums = {
        _month_start(row["month"]): ledger_account.signed(debit=row["debit"], credit=row["credit"])
        for row in JournalLine.objects.filter(
            account=ledger_account,
            entry__business_on__gte=first_month,
            entry__business_on__lt=_next_month(last_month),
        )
        .annotate(month=TruncMonth("entry__business_on"))
        .values("month")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("month")
    }
    months = []
    month = first_month
    while month <= last_month:
        balance += sums.get(month, 0)
        month_end = _next_month(month) - timedelta(days=1)
        months.append(MonthBalance(month=month, as_of=min(month_end, today), balance=balance))
        month = _next_month(month)
    return months


# The yearly summary ------------------------------------------------------------------------------------


def category_of(line: StatementLine) -> str:
    """Which yearly figure ``line`` counts in (module docstring)."""
    kind = line.business_type
    if kind in _DEPOSIT_TYPES:
        return DEPOSITS
    if kind == BusinessType.ANNUAL_INTEREST:
        return INTEREST
    if kind in _WITHDRAWAL_TYPES:
        return LOAN if line.pays_loan else WITHDRAWALS
    if kind == BusinessType.TRANSFER_IN:
        return TRANSFERS_IN
    if kind == BusinessType.TRANSFER_OUT:
        return TRANSFERS_OUT
    if kind == BusinessType.INTERNAL_TRANSFER:
        # The direction of the original movement: a reversal's sides are mirrored.
        came_in = (line.credit > 0) != line.reversal
        return TRANSFERS_IN if came_in else TRANSFERS_OUT
    return OTHER


def summarise(lines: list[StatementLine]) -> dict[str, int]:
    """Each yearly figure of ``lines``: money-in figures net of debits, money-out ones net of credits."""
    figures = dict.fromkeys(CATEGORIES_IN + CATEGORIES_OUT, 0)
    for line in lines:
        category = line.category
        figures[category] += line.amount if category in CATEGORIES_IN else -line.amount
    return figures


def years_of(statement: Statement) -> list[YearSummary]:
    """The statement split by calendar year, each year's part of the range with its figures."""
    by_year: dict[int, list[StatementLine]] = defaultdict(list)
    for line in statement.lines:
        by_year[line.posted_on.year].append(line)
    summaries = []
    opening = statement.opening_balance
    for year in range(statement.date_from.year, statement.date_to.year + 1):
        lines = by_year.get(year, [])
        closing = lines[-1].balance_after if lines else opening
        summaries.append(
            YearSummary(
                year=year,
                date_from=max(date(year, 1, 1), statement.date_from),
                date_to=min(date(year, 12, 31), statement.date_to),
                opening_balance=opening,
                closing_balance=closing,
                **summarise(lines),
            )
        )
        opening = closing
    return summaries


def yearly_summary(account: FundAccount, *, today: date) -> list[YearSummary]:
    """One row per calendar year from the account's first year (opening or first movement) to today's.

    Three queries: the first business date, then the whole history once, as a statement from the
    first year, split by year.
    """
    first_posted = (
        JournalLine.objects.filter(account=account.ledger_account)
        .order_by("entry__business_on")
        .values_list("entry__business_on", flat=True)
        .first()
    )
    first_year = min(account.opened_on.year, first_posted.year if first_posted else today.year, today.year)
    return years_of(fund_statement(account, date_from=date(first_year, 1, 1), date_to=today))
