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

Interest paid before the 30 June (a closing withdrawal or a transfer out pays it to date, see
:func:`pay_interest_to_date`) is an interest entry (type 09) dated on that day ``r``: the account's
period then restarts there, so the settlement counts ``(r, period_end]`` only. Every movement
dated on or before ``r`` belongs to the restarted period's opening balance, and no day is paid
twice. An interest to date that rounds to 0 fen leaves no entry, so a restart at most misses what
rounds below one fen.
"""

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext

from django.db import connection, transaction
from django.db.models import Max

from audit.models import AuditEvent
from audit.services import record_event, require_transaction
from core.money import format_yuan, round_fen
from core.policy import policy_snapshot
from ledger.bulk import AmountsQuery, post_account_entries
from ledger.centre import INTEREST_EXPENSE
from ledger.models import AccountKind, BusinessType, JournalEntry, JournalLine, LedgerAccount
from ledger.services import Line, centre_account, post_entry

__all__ = [
    "SettlementReport",
    "half_up_interest_sql",
    "interest_amounts_query",
    "interest_base",
    "interest_for",
    "interest_from_base",
    "interest_settled",
    "interest_start",
    "interest_to_date",
    "interim_restarts",
    "last_settlement_day",
    "pay_interest_to_date",
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


def interest_start(*, account: LedgerAccount, on: date) -> date:
    """The excluded start of ``account``'s interest period ending on ``on``.

    The last 30 June before ``on``, or a later day up to which interest was already paid (an
    interest entry crediting the account dated after that 30 June and at most ``on``).
    """
    start = last_settlement_day(on)
    paid_to = JournalEntry.objects.filter(
        business_type=BusinessType.ANNUAL_INTEREST,
        lines__account=account,
        lines__credit__gt=0,
        business_on__gt=start,
        business_on__lte=on,
    ).aggregate(day=Max("business_on"))["day"]
    return max(start, paid_to) if paid_to else start


def _account_interest(*, account: LedgerAccount, period_start: date, period_end: date, on: date) -> int:
    """Interest in fen on ``account`` for ``(period_start, period_end]`` from its posted lines.

    Lines dated on or before ``period_start`` make the opening balance; the settlement's own
    entry (type 09 dated ``period_end``) is left out, as the settlement's query leaves it out.
    """
    if period_end <= period_start:
        return 0
    versions = policy_snapshot([RATE_KEY, BASIS_KEY], on=on)
    opening = 0
    movements: dict[int, list] = {}
    rows = JournalLine.objects.filter(account=account, entry__business_on__lte=period_end).values_list(
        "entry_id", "entry__business_on", "entry__business_type", "debit", "credit"
    )
    for entry_id, business_on, business_type, debit, credit in rows:
        amount = account.signed(debit=debit, credit=credit)
        if business_on <= period_start:
            opening += amount
        elif not (business_type == BusinessType.ANNUAL_INTEREST and business_on == period_end):
            movement = movements.setdefault(entry_id, [business_on, 0])
            movement[1] += amount
    return interest_to_date(
        opening_balance=opening,
        movements=[(business_on, amount) for business_on, amount in movements.values() if amount],
        on=period_end,
        annual_rate=versions[RATE_KEY].value,
        basis=versions[BASIS_KEY].value,
        period_start=period_start,
    )


def pay_interest_to_date(
    *, account: LedgerAccount, on: date, idempotency_key: str, memo: str, actor=None
) -> list[JournalEntry]:
    """Credit ``account`` with its unpaid interest up to and including ``on`` (DOMAIN.md §5); a helper.

    What a closing withdrawal or a transfer out pays with the principal, posted as interest
    entries (type 09, debit INTEREST_EXPENSE):

    - the last 30 June's settlement when no run has yet posted it for this account (a closing
      between 30 June and the night's settlement run), under the settlement's own key so the run
      later finds it posted;
    - the interest from the account's :func:`interest_start` to ``on``, under ``idempotency_key``
      (or the settlement's key when ``on`` is itself a 30 June), dated ``on``: the year's
      settlement then restarts the account's period there (module docstring).

    Locks the fund account and its part of INTEREST_EXPENSE (spread by the account, so closings
    of different accounts do not queue on one row) in primary-key order before reading a line, so
    no deposit lands between the computation and the posting. Returns the entries posted now or
    earlier under these keys; nothing for interest that rounds to 0 fen.
    """
    require_transaction("pay_interest_to_date")
    expense = centre_account(INTEREST_EXPENSE, spread_by=account.pk)
    list(
        LedgerAccount.objects.select_for_update()
        .filter(pk__in=[account.pk, expense.pk])
        .order_by("pk")
        .values_list("pk")
    )
    entries = []
    settled_on = last_settlement_day(on)
    settled_key = settlement_key(account.code, settled_on.year)
    if not JournalEntry.objects.filter(idempotency_key=settled_key).exists() and not interest_settled(
        on=settled_on
    ):
        start = interest_start(account=account, on=settled_on - timedelta(days=1))
        owed = _account_interest(account=account, period_start=start, period_end=settled_on, on=settled_on)
        if owed > 0:
            entries.append(
                _post_interest(
                    account=account,
                    expense=expense,
                    amount=owed,
                    business_on=settled_on,
                    key=settled_key,
                    memo=f"年终结息 {start.isoformat()}~{settled_on.isoformat()}",
                    actor=actor,
                )
            )
    start = interest_start(account=account, on=on)
    owed = _account_interest(account=account, period_start=start, period_end=on, on=on)
    if owed > 0:
        on_settlement_day = (on.month, on.day) == (SETTLEMENT_MONTH, SETTLEMENT_DAY)
        entries.append(
            _post_interest(
                account=account,
                expense=expense,
                amount=owed,
                business_on=on,
                key=settlement_key(account.code, on.year) if on_settlement_day else idempotency_key,
                memo=memo,
                actor=actor,
            )
        )
    return entries


def _post_interest(*, account, expense, amount: int, business_on: date, key: str, memo: str, actor):
    return post_entry(
        lines=[Line(expense, debit=amount), Line(account, credit=amount)],
        business_type=BusinessType.ANNUAL_INTEREST,
        business_on=business_on,
        idempotency_key=key,
        memo=memo,
        actor=actor,
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


def _restart_sql(restarts: dict[int, date] | None) -> tuple[str, list]:
    """A join giving each restarted account's restart day as ``r.restart`` (module docstring).

    Empty when no account in range restarted, so the usual settlement query is left as it is.
    """
    if not restarts:
        return "", []
    if connection.vendor == "postgresql":
        return (
            "LEFT JOIN unnest(%s::bigint[], %s::date[]) AS r(account_id, restart) "
            "ON r.account_id = l.account_id ",
            [list(restarts), list(restarts.values())],
        )
    # SQLite has no arrays: the pairs travel as one JSON object, keyed by account id.
    return (
        "LEFT JOIN (SELECT CAST(key AS INTEGER) AS account_id, value AS restart FROM json_each(%s)) r "
        "ON r.account_id = l.account_id ",
        [json.dumps({str(pk): day.isoformat() for pk, day in restarts.items()})],
    )


def _weight_sql(
    *, period_start: date, period_end: date, restarts: dict[int, date] | None
) -> tuple[str, list]:
    """Days each line's amount is held, ``CASE … END``, and its parameters (module docstring)."""
    end = period_end.isoformat()
    postgres = connection.vendor == "postgresql"
    if postgres:
        held = "(%s::date - e.business_on + 1)"
    else:
        # julianday of two midnights differs by an exact whole number.
        held = "(CAST(julianday(%s) - julianday(e.business_on) AS INTEGER) + 1)"
    if not restarts:
        return (
            f"CASE WHEN e.business_on <= %s THEN %s ELSE {held} END",
            [period_start.isoformat(), (period_end - period_start).days, end],
        )
    # The account's own start: its restart day if it has one, else the last settlement day.
    if postgres:
        start = "COALESCE(r.restart, %s::date)"
        opening_days = f"(%s::date - {start})"
    else:
        start = "COALESCE(r.restart, %s)"
        opening_days = f"CAST(julianday(%s) - julianday({start}) AS INTEGER)"
    first = period_start.isoformat()
    return (
        f"CASE WHEN e.business_on <= {start} THEN {opening_days} ELSE {held} END",
        [first, end, first, end],
    )


def _bases_sql(
    *,
    period_start: date,
    period_end: date,
    first_account_id: int | None,
    last_account_id: int | None,
    restarts: dict[int, date] | None = None,
) -> tuple[str, list]:
    """The grouped 积数 query of :func:`settlement_bases` (no ORDER BY) and its parameters."""
    end = period_end.isoformat()
    weight, weight_params = _weight_sql(period_start=period_start, period_end=period_end, restarts=restarts)
    join, join_params = _restart_sql(restarts)
    where, params = "", []
    if first_account_id is not None and last_account_id is not None:
        # On the lines too: the planner then reads just this range through the (account, entry) index.
        where = "AND l.account_id BETWEEN %s AND %s AND a.id BETWEEN %s AND %s "
        params = [first_account_id, last_account_id] * 2
    sql = (
        f"SELECT a.id, a.code, SUM((l.credit - l.debit) * {weight}) "
        f"FROM {JournalLine._meta.db_table} l "
        f"JOIN {JournalEntry._meta.db_table} e ON e.id = l.entry_id "
        f"JOIN {LedgerAccount._meta.db_table} a ON a.id = l.account_id "
        f"{join}"
        "WHERE a.kind = %s AND e.business_on <= %s AND NOT (e.business_type = %s AND e.business_on = %s) "
        f"{where}GROUP BY a.id, a.code"
    )
    return sql, [
        *weight_params,
        *join_params,
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
    restarts: dict[int, date] | None = None,
) -> list[tuple[int, str, int]]:
    """``(account id, code, 积数)`` of every fund account with lines up to ``period_end``, in one query.

    Grouped form of :func:`interest_base`: opening × D + Σ amount × (period_end − d + 1). The
    settlement's own entries (type 09 dated ``period_end``) are left out so a re-run sees the
    same base. With ``first_account_id`` and ``last_account_id``, only the accounts in that
    range of ids. ``restarts`` maps an account id to the day its interest was already paid up to
    (:func:`interim_restarts`): that account's base counts from the day after.
    """
    sql, params = _bases_sql(
        period_start=period_start,
        period_end=period_end,
        first_account_id=first_account_id,
        last_account_id=last_account_id,
        restarts=restarts,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY a.id", params)
        # PostgreSQL sums bigint into numeric (a Decimal); the value is still a whole number.
        return [(pk, code, int(base)) for pk, code, base in cursor.fetchall()]


def interim_restarts(*, period_start: date, period_end: date) -> dict[int, date]:
    """Fund accounts whose interest was paid to a day inside ``(period_start, period_end)``, and that day.

    The latest interest entry (type 09) crediting the account inside the period: a closing or a
    transfer out that paid interest to date. Read once per settlement run (one scan of the
    journal's entries), not per chunk.
    """
    rows = (
        JournalLine.objects.filter(
            entry__business_type=BusinessType.ANNUAL_INTEREST,
            entry__business_on__gt=period_start,
            entry__business_on__lt=period_end,
            account__kind=AccountKind.FUND,
            credit__gt=0,
        )
        .values("account_id")
        .annotate(restart=Max("entry__business_on"))
        .values_list("account_id", "restart")
    )
    return dict(rows)


def interest_amounts_query(
    *,
    period_start: date,
    period_end: date,
    annual_rate: Decimal,
    basis: int,
    first_account_id: int,
    last_account_id: int,
    restarts: dict[int, date] | None = None,
) -> AmountsQuery:
    """The settlement's ``(account id, interest fen)`` rows for a range of accounts, computed in SQL.

    The 积数 of :func:`settlement_bases`, grouped by the lines' account before the accounts are
    joined (no sort, no account columns carried through the grouping), and rounded as
    :func:`interest_from_base` does, in exact integer arithmetic: with ``annual_rate = n / d``,
    HALF_UP of ``x = base × n / (d × basis)`` is ``⌊x + ½⌋ = ⌊(2·base·n + d·basis) /
    (2·d·basis)⌋`` for ``x ≥ 0`` (PostgreSQL's ``div`` on numeric truncates, which is the floor
    for a non-negative quotient). Rows whose interest is below one fen are left out. PostgreSQL
    only: SQLite's integers would silently turn into floats on overflow. ``restarts`` as for
    :func:`settlement_bases`.
    """
    end = period_end.isoformat()
    rounded, rounding_params = half_up_interest_sql("b.base", annual_rate=annual_rate, basis=basis)
    weight, weight_params = _weight_sql(period_start=period_start, period_end=period_end, restarts=restarts)
    join, join_params = _restart_sql(restarts)
    sql = (
        "SELECT account_id, amount FROM ("
        f"SELECT b.account_id, {rounded} AS amount FROM ("
        f"SELECT l.account_id, SUM((l.credit - l.debit) * {weight}) AS base "
        f"FROM {JournalLine._meta.db_table} l "
        f"JOIN {JournalEntry._meta.db_table} e ON e.id = l.entry_id "
        f"{join}"
        "WHERE l.account_id BETWEEN %s AND %s AND e.business_on <= %s "
        "AND NOT (e.business_type = %s AND e.business_on = %s) "
        "GROUP BY l.account_id"
        f") b JOIN {LedgerAccount._meta.db_table} a ON a.id = b.account_id AND a.kind = %s "
        "AND a.id BETWEEN %s AND %s"
        ") owed WHERE amount > 0"
    )
    params = [
        *rounding_params,
        *weight_params,
        *join_params,
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
    # Read once for the run: the few accounts a closing or transfer out paid interest to date.
    restarts = interim_restarts(period_start=period_start, period_end=on)

    settled = already = interest_fen = 0
    compute_seconds = post_seconds = 0.0
    for first, last in _chunks_of_fund_accounts(size=chunk_size):
        started = time.perf_counter()
        chunk_restarts = {pk: day for pk, day in restarts.items() if first <= pk <= last}
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
                    restarts=chunk_restarts,
                )
            else:
                # SQLite: this transaction began IMMEDIATE; no other writer comes in before it commits.
                bases = settlement_bases(
                    period_start=period_start,
                    period_end=on,
                    first_account_id=first,
                    last_account_id=last,
                    restarts=chunk_restarts,
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
