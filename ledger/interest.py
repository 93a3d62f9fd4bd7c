"""Interest on fund accounts by the 积数 method (DOMAIN.md §5): computed, and settled each 30 June.

Day convention, used by every function here and by the settlement's SQL:

- The interest period is ``(period_start, period_end]``: ``period_start`` (the last settlement
  day, a 30 June) is excluded, ``period_end`` (this 30 June, or the closing day) is included.
- Money is *held* on every day from the business date it arrives on up to and including
  ``period_end``: a movement on day ``d`` inside the period counts for ``period_end − d + 1``
  days. A deposit on 1 July therefore earns the whole period, like the opening balance; a
  deposit on the closing 30 June earns one day; a deposit on the previous 30 June belongs to the
  opening balance. A withdrawal is a negative movement and stops earning from its own day.
- The opening balance is every movement dated on or before ``period_start`` and earns
  ``period_end − period_start`` days.

So the interest base (积数) is ``opening × D + Σ amount_i × (period_end − d_i + 1)`` with
``D = period_end − period_start``, which equals Σ(balance × days held) walked day by day, and the
interest is ``base × annual_rate / basis`` rounded HALF_UP to the fen. Everything is integers and
Decimals: a float never touches an amount.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from django.db import connection, transaction

from core.money import round_fen
from core.policy import policy_snapshot
from ledger.centre import INTEREST_EXPENSE
from ledger.models import AccountKind, BusinessType, JournalEntry, JournalLine, LedgerAccount
from ledger.services import Line, Posting, centre_account, post_entries

__all__ = [
    "SettlementReport",
    "interest_base",
    "interest_for",
    "interest_from_base",
    "interest_to_date",
    "last_settlement_day",
    "settle_interest",
    "settlement_bases",
]

RATE_KEY = "interest.annual_rate"
BASIS_KEY = "interest.day_count_basis"
SETTLEMENT_MONTH, SETTLEMENT_DAY = 6, 30
_BATCH_SIZE = 1000


def last_settlement_day(on: date) -> date:
    """The last 30 June strictly before ``on``: the excluded start of the period ending on ``on``."""
    this_year = date(on.year, SETTLEMENT_MONTH, SETTLEMENT_DAY)
    return this_year if on > this_year else date(on.year - 1, SETTLEMENT_MONTH, SETTLEMENT_DAY)


def interest_base(
    *, opening_balance: int, movements: Iterable[tuple[date, int]], period_start: date, period_end: date
) -> int:
    """Σ(balance × days held) in fen-days, walking the movements in date order (module docstring).

    ``movements`` are ``(business_date, signed_amount)`` pairs inside ``(period_start,
    period_end]``; any outside raises ``ValueError`` (fold earlier ones into the opening balance).
    """
    if period_end <= period_start:
        raise ValueError(f"the period ({period_start}, {period_end}] is empty")
    ordered = sorted(movements, key=lambda movement: movement[0])
    for business_on, amount in ordered:
        if not period_start < business_on <= period_end:
            raise ValueError(f"movement on {business_on} is outside ({period_start}, {period_end}]")
        if type(amount) is not int:
            raise TypeError("movement amounts are whole fen (int)")
    base = 0
    balance = opening_balance
    # The balance held from the day after period_start until the day before the next movement.
    held_from = period_start.toordinal() + 1
    for business_on, amount in ordered:
        base += balance * (business_on.toordinal() - held_from)
        balance += amount
        held_from = business_on.toordinal()
    return base + balance * (period_end.toordinal() + 1 - held_from)


def interest_from_base(base: int, *, annual_rate: Decimal, basis: int) -> int:
    """``base × annual_rate / basis`` rounded HALF_UP to the fen."""
    if not isinstance(annual_rate, Decimal):
        raise TypeError("annual_rate must be a Decimal")
    # Enough digits that the product is exact and the quotient cannot round across a half fen.
    with localcontext(prec=80):
        return round_fen(Decimal(base) * annual_rate / Decimal(basis))


def interest_for(
    *,
    opening_balance: int,
    movements: Iterable[tuple[date, int]],
    period_start: date,
    period_end: date,
    annual_rate: Decimal,
    basis: int,
) -> int:
    """Interest in fen for ``(period_start, period_end]`` by the 积数 method (module docstring)."""
    base = interest_base(
        opening_balance=opening_balance,
        movements=movements,
        period_start=period_start,
        period_end=period_end,
    )
    return interest_from_base(base, annual_rate=annual_rate, basis=basis)


def interest_to_date(
    *,
    opening_balance: int,
    movements: Iterable[tuple[date, int]],
    on: date,
    annual_rate: Decimal,
    basis: int,
    period_start: date | None = None,
) -> int:
    """Interest from the last settlement up to and including ``on``, paid on closing or transfer out."""
    return interest_for(
        opening_balance=opening_balance,
        movements=movements,
        period_start=period_start or last_settlement_day(on),
        period_end=on,
        annual_rate=annual_rate,
        basis=basis,
    )


# --- settlement -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementReport:
    on: date
    period_start: date
    annual_rate: Decimal
    rate_version_pk: int
    basis: int
    basis_version_pk: int
    accounts_settled: int  # entries posted by this run
    accounts_already_settled: int  # entries found from an earlier run (idempotency keys)
    accounts_zero: int  # fund accounts whose interest rounds to 0 fen: nothing posted
    interest_fen: int  # total of this run's and earlier runs' entries for the year
    compute_seconds: float
    post_seconds: float


def settlement_key(code: str, year: int) -> str:
    return f"interest:{code}:{year}"


def settlement_bases(*, period_start: date, period_end: date) -> list[tuple[int, str, int]]:
    """``(account id, code, 积数)`` of every fund account with lines up to ``period_end``, in one query.

    Grouped form of :func:`interest_base`: opening × D + Σ amount × (period_end − d + 1). The
    settlement's own entries (type 09 dated ``period_end``) are left out so a re-run sees the
    same base.
    """
    days = (period_end - period_start).days
    end = period_end.isoformat()
    if connection.vendor == "postgresql":
        held = "(%s::date - e.business_on + 1)"
    else:
        # julianday of two midnights differs by an exact whole number.
        held = "(CAST(julianday(%s) - julianday(e.business_on) AS INTEGER) + 1)"
    sql = (
        f"SELECT a.id, a.code, SUM((l.credit - l.debit) * "
        f"CASE WHEN e.business_on <= %s THEN %s ELSE {held} END) "
        f"FROM {JournalLine._meta.db_table} l "
        f"JOIN {JournalEntry._meta.db_table} e ON e.id = l.entry_id "
        f"JOIN {LedgerAccount._meta.db_table} a ON a.id = l.account_id "
        "WHERE a.kind = %s AND e.business_on <= %s AND NOT (e.business_type = %s AND e.business_on = %s) "
        "GROUP BY a.id, a.code ORDER BY a.id"
    )
    params = [period_start.isoformat(), days, end, AccountKind.FUND, end, BusinessType.ANNUAL_INTEREST, end]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # PostgreSQL sums bigint into numeric (a Decimal); the value is still a whole number.
        return [(pk, code, int(base)) for pk, code, base in cursor.fetchall()]


def settle_interest(*, on: date, actor=None) -> SettlementReport:
    """Post the year's interest on every fund account for the period ending on ``on`` (a 30 June).

    One query computes every account's base; one entry per account (debit INTEREST_EXPENSE,
    credit the fund account, type 09, key ``interest:<code>:<year>``) is posted through
    :func:`post_entries` in batches of 1,000, each batch its own transaction, so a run stopped
    half-way resumes where it left off. Re-running posts nothing new.
    """
    if (on.month, on.day) != (SETTLEMENT_MONTH, SETTLEMENT_DAY):
        raise ValueError(f"interest is settled on 30 June, not on {on}")
    period_start = last_settlement_day(on)
    versions = policy_snapshot([RATE_KEY, BASIS_KEY], on=on)
    rate, basis = versions[RATE_KEY].value, versions[BASIS_KEY].value

    started = time.perf_counter()
    owed = []
    for pk, code, base in settlement_bases(period_start=period_start, period_end=on):
        interest = interest_from_base(base, annual_rate=rate, basis=basis)
        if interest > 0:
            owed.append((pk, code, interest))
    fund_accounts = LedgerAccount.objects.filter(kind=AccountKind.FUND).count()
    computed = time.perf_counter()

    expense = centre_account(INTEREST_EXPENSE)
    memo = f"年终结息 {period_start.isoformat()}~{on.isoformat()}"
    posted = already = 0
    for start in range(0, len(owed), _BATCH_SIZE):
        batch = owed[start : start + _BATCH_SIZE]
        keys = [settlement_key(code, on.year) for _pk, code, _interest in batch]
        with transaction.atomic(durable=True):
            # Skipping known keys up front saves locking their accounts; post_entries checks again.
            done = set(
                JournalEntry.objects.filter(idempotency_key__in=keys).values_list(
                    "idempotency_key", flat=True
                )
            )
            postings = [
                Posting(
                    lines=[
                        Line(expense, debit=interest),
                        Line(LedgerAccount(pk=pk, code=code, kind=AccountKind.FUND), credit=interest),
                    ],
                    business_type=BusinessType.ANNUAL_INTEREST,
                    business_on=on,
                    idempotency_key=key,
                    memo=memo,
                    actor=actor,
                )
                for (pk, code, interest), key in zip(batch, keys, strict=True)
                if key not in done
            ]
            post_entries(postings)
        posted += len(postings)
        already += len(done)
    finished = time.perf_counter()

    return SettlementReport(
        on=on,
        period_start=period_start,
        annual_rate=rate,
        rate_version_pk=versions[RATE_KEY].pk,
        basis=basis,
        basis_version_pk=versions[BASIS_KEY].pk,
        accounts_settled=posted,
        accounts_already_settled=already,
        accounts_zero=fund_accounts - len(owed),
        interest_fen=sum(interest for _pk, _code, interest in owed),
        compute_seconds=computed - started,
        post_seconds=finished - computed,
    )
