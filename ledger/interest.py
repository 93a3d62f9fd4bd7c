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

from audit.models import AuditEvent
from audit.services import record_event
from core.money import format_yuan, round_fen
from core.policy import policy_snapshot
from ledger.bulk import AmountsQuery, post_account_entries
from ledger.centre import INTEREST_EXPENSE
from ledger.models import AccountKind, BusinessType, JournalEntry, JournalLine, LedgerAccount
from ledger.services import centre_account

__all__ = [
    "SettlementReport",
    "half_up_interest_sql",
    "interest_amounts_query",
    "interest_base",
    "interest_for",
    "interest_from_base",
    "interest_settled",
    "interest_to_date",
    "last_settlement_day",
    "settle_interest",
    "settlement_bases",
    "settlement_key",
]

RATE_KEY = "interest.annual_rate"
BASIS_KEY = "interest.day_count_basis"
SETTLEMENT_MONTH, SETTLEMENT_DAY = 6, 30
# Fund accounts per transaction: each chunk holds its accounts' locks for a few seconds at most.
_CHUNK_SIZE = 20_000
_MAX_ID = 2**63 - 1  # bigint


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


SETTLEMENT_KEY_PREFIX = "interest:"
#: The audit action of a completed settlement run; its ``data["on"]`` is the settlement day.
SETTLED_ACTION = "ledger.settle_interest"


def settlement_key(code: str, year: int) -> str:
    """The idempotency key of an account's interest entry for the year: one per account and year."""
    return f"{SETTLEMENT_KEY_PREFIX}{code}:{year}"


def _bases_sql(
    *, period_start: date, period_end: date, first_account_id: int | None, last_account_id: int | None
) -> tuple[str, list]:
    """The grouped 积数 query of :func:`settlement_bases` (no ORDER BY) and its parameters."""
    days = (period_end - period_start).days
    end = period_end.isoformat()
    if connection.vendor == "postgresql":
        held = "(%s::date - e.business_on + 1)"
    else:
        # julianday of two midnights differs by an exact whole number.
        held = "(CAST(julianday(%s) - julianday(e.business_on) AS INTEGER) + 1)"
    where, params = "", []
    if first_account_id is not None and last_account_id is not None:
        # On the lines too: the planner then reads just this range through the (account, entry) index.
        where = "AND l.account_id BETWEEN %s AND %s AND a.id BETWEEN %s AND %s "
        params = [first_account_id, last_account_id] * 2
    sql = (
        f"SELECT a.id, a.code, SUM((l.credit - l.debit) * "
        f"CASE WHEN e.business_on <= %s THEN %s ELSE {held} END) "
        f"FROM {JournalLine._meta.db_table} l "
        f"JOIN {JournalEntry._meta.db_table} e ON e.id = l.entry_id "
        f"JOIN {LedgerAccount._meta.db_table} a ON a.id = l.account_id "
        "WHERE a.kind = %s AND e.business_on <= %s AND NOT (e.business_type = %s AND e.business_on = %s) "
        f"{where}GROUP BY a.id, a.code"
    )
    return sql, [
        period_start.isoformat(),
        days,
        end,
        AccountKind.FUND,
        end,
        BusinessType.ANNUAL_INTEREST,
        end,
        *params,
    ]


def settlement_bases(
    *,
    period_start: date,
    period_end: date,
    first_account_id: int | None = None,
    last_account_id: int | None = None,
) -> list[tuple[int, str, int]]:
    """``(account id, code, 积数)`` of every fund account with lines up to ``period_end``, in one query.

    Grouped form of :func:`interest_base`: opening × D + Σ amount × (period_end − d + 1). The
    settlement's own entries (type 09 dated ``period_end``) are left out so a re-run sees the
    same base. With ``first_account_id`` and ``last_account_id``, only the accounts in that
    range of ids.
    """
    sql, params = _bases_sql(
        period_start=period_start,
        period_end=period_end,
        first_account_id=first_account_id,
        last_account_id=last_account_id,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY a.id", params)
        # PostgreSQL sums bigint into numeric (a Decimal); the value is still a whole number.
        return [(pk, code, int(base)) for pk, code, base in cursor.fetchall()]


def interest_amounts_query(
    *,
    period_start: date,
    period_end: date,
    annual_rate: Decimal,
    basis: int,
    first_account_id: int,
    last_account_id: int,
) -> AmountsQuery:
    """The settlement's ``(account id, interest fen)`` rows for a range of accounts, computed in SQL.

    The 积数 of :func:`settlement_bases`, grouped by the lines' account before the accounts are
    joined (no sort, no account columns carried through the grouping), and rounded as
    :func:`interest_from_base` does, in exact integer arithmetic: with ``annual_rate = n / d``,
    HALF_UP of ``x = base × n / (d × basis)`` is ``⌊x + ½⌋ = ⌊(2·base·n + d·basis) /
    (2·d·basis)⌋`` for ``x ≥ 0`` (PostgreSQL's ``div`` on numeric truncates, which is the floor
    for a non-negative quotient). Rows whose interest is below one fen are left out. PostgreSQL
    only: SQLite's integers would silently turn into floats on overflow.
    """
    end = period_end.isoformat()
    rounded, rounding_params = half_up_interest_sql("b.base", annual_rate=annual_rate, basis=basis)
    sql = (
        "SELECT account_id, amount FROM ("
        f"SELECT b.account_id, {rounded} AS amount FROM ("
        "SELECT l.account_id, SUM((l.credit - l.debit) * "
        "CASE WHEN e.business_on <= %s THEN %s ELSE %s::date - e.business_on + 1 END) AS base "
        f"FROM {JournalLine._meta.db_table} l "
        f"JOIN {JournalEntry._meta.db_table} e ON e.id = l.entry_id "
        "WHERE l.account_id BETWEEN %s AND %s AND e.business_on <= %s "
        "AND NOT (e.business_type = %s AND e.business_on = %s) "
        "GROUP BY l.account_id"
        f") b JOIN {LedgerAccount._meta.db_table} a ON a.id = b.account_id AND a.kind = %s "
        "AND a.id BETWEEN %s AND %s"
        ") owed WHERE amount > 0"
    )
    params = [
        *rounding_params,
        period_start.isoformat(),
        (period_end - period_start).days,
        end,
        first_account_id,
        last_account_id,
        end,
        BusinessType.ANNUAL_INTEREST,
        end,
        AccountKind.FUND,
        first_account_id,
        last_account_id,
    ]
    return AmountsQuery(sql, params)


def half_up_interest_sql(base: str, *, annual_rate: Decimal, basis: int) -> tuple[str, list[int]]:
    """PostgreSQL for ``interest_from_base(<base>)`` over a non-negative numeric column, and its
    parameters (the derivation is in :func:`interest_amounts_query`). A negative base gives ≤ 0."""
    numerator, denominator = annual_rate.as_integer_ratio()
    return (
        f"div(2 * {base} * %s + %s, %s)::bigint",
        [numerator, denominator * basis, 2 * denominator * basis],
    )


def settle_interest(*, on: date, actor=None, chunk_size: int = _CHUNK_SIZE) -> SettlementReport:
    """Post the year's interest on every fund account for the period ending on ``on`` (a 30 June).

    One entry per account (debit INTEREST_EXPENSE, credit the fund account, type 09, key
    ``interest:<code>:<year>``) through :func:`ledger.bulk.post_account_entries`, ``chunk_size``
    fund accounts (in id order) at a time, each chunk its own transaction: the chunk's accounts
    are locked, their interest computed from the balances the locks hold (in SQL on PostgreSQL,
    by :func:`interest_from_base` on SQLite) and posted, with one audit event summarising the
    chunk. A run stopped half-way resumes where it left off; re-running posts nothing new. The
    first run to go through every account records a ``ledger.settle_interest`` audit event (see
    :func:`interest_settled`). Call it outside any transaction.
    """
    if (on.month, on.day) != (SETTLEMENT_MONTH, SETTLEMENT_DAY):
        raise ValueError(f"interest is settled on 30 June, not on {on}")
    period_start = last_settlement_day(on)
    versions = policy_snapshot([RATE_KEY, BASIS_KEY], on=on)
    rate, basis = versions[RATE_KEY].value, versions[BASIS_KEY].value
    expense = centre_account(INTEREST_EXPENSE)
    memo = f"年终结息 {period_start.isoformat()}~{on.isoformat()}"
    fund_accounts = LedgerAccount.objects.filter(kind=AccountKind.FUND).count()

    settled = already = interest_fen = 0
    compute_seconds = post_seconds = 0.0
    for first, last in _chunks_of_fund_accounts(size=chunk_size):
        started = time.perf_counter()
        with transaction.atomic(durable=True):
            if connection.vendor == "postgresql":
                # Run by post_account_entries once the chunk is locked, straight into its staging.
                amounts = interest_amounts_query(
                    period_start=period_start,
                    period_end=on,
                    annual_rate=rate,
                    basis=basis,
                    first_account_id=first,
                    last_account_id=last,
                )
            else:
                # SQLite: this transaction began IMMEDIATE; no other writer comes in before it commits.
                bases = settlement_bases(
                    period_start=period_start, period_end=on, first_account_id=first, last_account_id=last
                )
                owed = [
                    (pk, interest_from_base(base, annual_rate=rate, basis=basis)) for pk, _c, base in bases
                ]
                amounts = [(pk, interest) for pk, interest in owed if interest > 0]
            computed = time.perf_counter()
            batch = post_account_entries(
                business_type=BusinessType.ANNUAL_INTEREST,
                business_on=on,
                memo=memo,
                actor=actor,
                counter_account=expense,
                # settlement_key(code, on.year), built in SQL from each account's code.
                key_prefix=SETTLEMENT_KEY_PREFIX,
                key_suffix=f":{on.year}",
                first_account_id=first,
                last_account_id=last,
                amounts=amounts,
            )
        finished = time.perf_counter()
        compute = (computed - started) + batch.staging_seconds
        compute_seconds += compute
        post_seconds += (finished - started) - compute
        settled += batch.entries
        already += batch.already_posted
        interest_fen += batch.total_fen + batch.already_posted_fen

    report = SettlementReport(
        on=on,
        period_start=period_start,
        annual_rate=rate,
        rate_version_pk=versions[RATE_KEY].pk,
        basis=basis,
        basis_version_pk=versions[BASIS_KEY].pk,
        accounts_settled=settled,
        accounts_already_settled=already,
        accounts_zero=max(fund_accounts - settled - already, 0),
        interest_fen=interest_fen,
        compute_seconds=compute_seconds,
        post_seconds=post_seconds,
    )
    _record_completion(report, actor=actor)
    return report


def interest_settled(*, on: date) -> bool:
    """Whether a settlement run for the period ending on ``on`` has gone through every account."""
    return AuditEvent.objects.filter(action=SETTLED_ACTION, data__on=on.isoformat()).exists()


def _record_completion(report: SettlementReport, *, actor) -> None:
    with transaction.atomic(durable=True):
        # Only the first complete run is recorded: a re-run that finds everything settled changes
        # nothing, and the chunks' own events already record whatever a later run posts.
        if interest_settled(on=report.on):
            return
        record_event(
            actor=actor,
            actor_label=None if actor is not None else "system:settle_interest",
            action=SETTLED_ACTION,
            summary=(
                f"年终结息 {report.period_start.isoformat()}~{report.on.isoformat()} 完成: "
                f"本次结息 {report.accounts_settled} 户, 此前已结 {report.accounts_already_settled} 户, "
                f"利息合计 {format_yuan(report.interest_fen)} 元"
            ),
            data={
                "on": report.on,
                "period_start": report.period_start,
                "annual_rate": str(report.annual_rate),
                "rate_version": report.rate_version_pk,
                "basis": report.basis,
                "basis_version": report.basis_version_pk,
                "accounts_settled": report.accounts_settled,
                "accounts_already_settled": report.accounts_already_settled,
                "accounts_zero": report.accounts_zero,
                "interest_fen": report.interest_fen,
            },
        )


def _chunks_of_fund_accounts(*, size: int) -> list[tuple[int, int]]:
    """``(first id, last id)`` ranges of ``size`` fund accounts each, from one scan of the ids.

    The last range is open-ended, so an account opened during the run is settled too.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n "
            f"FROM {LedgerAccount._meta.db_table} WHERE kind = %s) numbered WHERE n %% %s = 0 ORDER BY id",
            [AccountKind.FUND, size],
        )
        lasts = [last for (last,) in cursor.fetchall()]
    firsts = [1] + [last + 1 for last in lasts]
    return list(zip(firsts, [*lasts, _MAX_ID], strict=True))
