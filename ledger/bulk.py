"""Set-based posting for large batches: the only ledger writes that touch thousands of rows at once.

Two shapes, both crediting personal fund accounts against one centre (counter) account:

- :func:`post_batch_entry` — ONE balanced entry: one debit of the total on the counter account
  and one credit line per fund account (a monthly deposit list of up to 50,000 rows).
- :func:`post_account_entries` — one entry PER fund account over a range of accounts, each with
  its own idempotency key ``<prefix><account code><suffix>`` (the year's interest); accounts
  whose key is already in the journal are skipped, so a re-run posts only what is missing.

The rules are those of ``ledger.services``: balanced insert-only entries, a unique idempotency
key per entry, account rows locked in primary-key order before any balance changes, balances
changed in the same transaction as the lines, the caller's transaction required. These helpers
only ever credit fund accounts, so no fund balance can go below zero here.

On PostgreSQL the rows travel as sets, never as one ORM object per row: they are staged in a
temporary table (``COPY`` from Python, or the caller's SELECT straight into it) and posted with
``INSERT … SELECT`` and ``UPDATE … FROM``. SQLite (the embedded default) gets a plain loop over
the same checks: correct, not fast.

Audit: ``post_batch_entry`` writes one event for its entry, as ``post_entry`` does. A per-account
batch writes ONE event that summarises it (count, total, first and last entry id, and a SHA-256
digest over its ``entry_id:account_id:amount`` rows, see :func:`account_entries_digest`); a
hash-chained event per entry would cost more than the posting itself for a million accounts
(docs/decisions.md, "Bulk ledger postings").
"""

import hashlib
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import record_event, require_transaction
from core.money import format_yuan
from ledger.exceptions import InvalidLine, UnbalancedEntry, UnknownBusinessType, UnknownLedgerAccount
from ledger.models import (
    BUSINESS_TYPE_RECORD_NAMES,
    DEBIT_NORMAL_KINDS,
    AccountKind,
    BusinessType,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)

__all__ = [
    "AccountEntriesBatch",
    "AmountsQuery",
    "account_entries_digest",
    "journal_digest_of_batch",
    "post_account_entries",
    "post_batch_entry",
]

ACCOUNT_ENTRIES_ACTION = "ledger.post_account_entries"

_ENTRY = JournalEntry._meta.db_table
_LINE = JournalLine._meta.db_table
_ACCOUNT = LedgerAccount._meta.db_table
# Temporary tables (PostgreSQL), created and dropped inside one call's savepoint.
_STAGE = "ledger_bulk_amount"
_POSTING = "ledger_bulk_posting"
# SQLite refuses statements with more than a few thousand parameters.
_SQLITE_CHUNK = 500


@dataclass(frozen=True)
class AmountsQuery:
    """A SELECT of ``(account_id, amount_fen)`` rows, one per account, run inside the database.

    On PostgreSQL its rows go straight into the staging table and never reach Python.
    """

    sql: str
    params: Sequence[Any] | Mapping[str, Any] = ()


@dataclass(frozen=True)
class AccountEntriesBatch:
    """What one :func:`post_account_entries` call did."""

    entries: int  # entries posted by this call
    total_fen: int  # their total
    first_entry_id: int | None
    last_entry_id: int | None
    digest: str  # account_entries_digest of the posted rows
    already_posted: int  # rows skipped because their key was already in the journal
    already_posted_fen: int  # the amounts those rows asked for (not posted again)
    staging_seconds: float  # time spent producing the amounts (the caller's query or rows)


# --- one entry, many credits ------------------------------------------------------------------


def post_batch_entry(
    *,
    business_type: str,
    business_on: date,
    idempotency_key: str,
    memo: str,
    actor,
    counter_account: LedgerAccount,
    credits: Sequence[tuple[int, int]] | AmountsQuery,
) -> JournalEntry:
    """Post ONE balanced entry: debit ``counter_account`` the total, credit each fund account.

    ``credits`` are ``(ledger_account_id, amount_fen)`` pairs, or an :class:`AmountsQuery` that
    selects them (on PostgreSQL its rows never reach Python): each amount a positive ``int``,
    each account a FUND account given once; the counter account is a centre account (e.g.
    ``BANK_SETTLEMENT``). A replay with an ``idempotency_key`` already used returns the first
    entry and posts nothing, also when two transactions race on the key. Writes one audit event.
    Raises ``UnknownBusinessType``, ``InvalidLine``, ``UnbalancedEntry`` (no credits) and
    ``UnknownLedgerAccount``; a refusal leaves nothing behind in the caller's transaction.
    """
    require_transaction("post_batch_entry")
    if isinstance(credits, AmountsQuery) and connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(credits.sql, credits.params)
            credits = cursor.fetchall()
    if isinstance(credits, AmountsQuery):
        _check_header(business_type, idempotency_key, counter_account)
        pairs, total = credits, None  # checked in the database once staged
    else:
        pairs, total = _validate_batch(
            business_type=business_type,
            idempotency_key=idempotency_key,
            counter_account=counter_account,
            credits=credits,
        )
    replay = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
    if replay is not None:
        return replay
    post = _post_batch_postgresql if connection.vendor == "postgresql" else _post_batch_sqlite
    # Savepoint: a refusal half-way (an unknown account found under the locks) leaves nothing.
    with transaction.atomic():
        posted = post(
            pairs=pairs,
            total=total,
            counter=counter_account,
            business_type=business_type,
            business_on=business_on,
            idempotency_key=idempotency_key,
            memo=memo,
            actor=actor,
        )
        if posted is None:
            # A concurrent transaction posted this key first and has committed: return its entry.
            return JournalEntry.objects.get(idempotency_key=idempotency_key)
        entry_id, credit_count = posted
        entry = JournalEntry.objects.get(pk=entry_id)
        total = entry.amount
        record_event(
            actor=actor,
            action="ledger.post_entry",
            target=entry,
            # Stored data, in Chinese whatever the request's language (BUSINESS_TYPE_RECORD_NAMES).
            summary=(
                f"{BUSINESS_TYPE_RECORD_NAMES[business_type]} {format_yuan(total)} 元, {credit_count + 1} 行"
            ),
            data={
                "entry_id": entry.pk,
                "business_type": business_type,
                "business_on": business_on,
                "amount_fen": total,
                "line_count": credit_count + 1,
                "reverses": None,
            },
        )
    return entry


def _check_header(business_type, idempotency_key, counter_account) -> None:
    _check_business_type(business_type)
    if not idempotency_key:
        raise InvalidLine(_("Every posting needs an idempotency key."), code="INVALID_LINE")
    if counter_account.pk is None:
        raise InvalidLine(_("A line's account must be saved."), code="INVALID_LINE")


def _validate_batch(*, business_type, idempotency_key, counter_account, credits) -> tuple[list, int]:
    _check_header(business_type, idempotency_key, counter_account)
    pairs = _checked_pairs(credits)
    _refuse_bad_credits(
        count=len(pairs),
        not_positive=sum(1 for _account_id, amount in pairs if amount == 0),
        counter_among=any(account_id == counter_account.pk for account_id, _amount in pairs),
    )
    return pairs, sum(amount for _account_id, amount in pairs)


def _refuse_bad_credits(*, count: int, not_positive: int, counter_among: bool) -> None:
    if not count:
        raise UnbalancedEntry(_("An entry needs lines."), code="UNBALANCED_ENTRY")
    if not_positive:
        raise InvalidLine(_("Each line has exactly one positive side."), code="INVALID_LINE")
    if counter_among:
        raise InvalidLine(_("An account appears twice in one batch."), code="INVALID_LINE")


def _checked_pairs(rows: Iterable) -> list[tuple[int, int]]:
    """``rows`` as a list of ``(account_id, amount)`` int pairs; amounts ≥ 0, each account once."""
    pairs: list[tuple[int, int]] = []
    seen: set[int] = set()
    for row in rows:
        try:
            account_id, amount = row
        except (TypeError, ValueError):
            raise InvalidLine(
                _("Each row is a ledger account id and an amount in whole fen."), code="INVALID_LINE"
            ) from None
        # bool is an int subclass and a float may carry fractions of a fen: refuse both.
        if type(account_id) is not int or type(amount) is not int:
            raise InvalidLine(
                _("Each row is a ledger account id and an amount in whole fen."), code="INVALID_LINE"
            )
        if amount < 0:
            raise InvalidLine(_("Each line has exactly one positive side."), code="INVALID_LINE")
        if account_id in seen:
            raise InvalidLine(_("An account appears twice in one batch."), code="INVALID_LINE")
        seen.add(account_id)
        pairs.append((account_id, amount))
    return pairs


def _check_business_type(business_type: str) -> None:
    if business_type not in BusinessType.values:
        raise UnknownBusinessType(
            _("Unknown business type %(type)s.") % {"type": business_type}, code="UNKNOWN_BUSINESS_TYPE"
        )


def _counter_delta(kind: str, total: int) -> int:
    """The change a debit of ``total`` makes to a balance kept in the account's normal direction."""
    return total if kind in DEBIT_NORMAL_KINDS else -total


def _refuse_counter(kind: str | None) -> None:
    if kind is None:
        raise UnknownLedgerAccount(
            _("A line refers to an account that does not exist."), code="UNKNOWN_LEDGER_ACCOUNT"
        )
    if kind == AccountKind.FUND:
        # Debiting a fund account here would skip the overdraft check of post_entry.
        raise InvalidLine(_("The counter account of a batch must be a centre account."), code="INVALID_LINE")


def _refuse_non_fund() -> None:
    raise InvalidLine(
        _("A batch credits personal fund accounts only, each within the batch's range."),
        code="INVALID_LINE",
    )


def _post_batch_postgresql(
    *, pairs, total, counter, business_type, business_on, idempotency_key, memo, actor
) -> tuple[int, int] | None:
    """Returns ``(entry id, number of credits)``, or None if a concurrent post of the key won."""
    with connection.cursor() as cursor:
        if isinstance(pairs, AmountsQuery):
            total, count = _stage_query(cursor, pairs, counter=counter.pk)
        else:
            _stage(cursor, pairs)
            count = len(pairs)
        # Every account of the entry, the counter with them, locked in primary-key order (the
        # order post_entry uses), so this and any other posting queue instead of deadlocking.
        cursor.execute(
            f"""WITH locked AS MATERIALIZED (
                    SELECT a.id, a.kind FROM {_ACCOUNT} a
                    JOIN (SELECT account_id FROM {_STAGE} UNION ALL SELECT %(counter)s) s
                      ON s.account_id = a.id
                    ORDER BY a.id FOR UPDATE OF a
                )
                SELECT count(*), count(*) FILTER (WHERE id <> %(counter)s AND kind <> 'FUND'),
                       max(kind) FILTER (WHERE id = %(counter)s)
                FROM locked""",
            {"counter": counter.pk},
        )
        locked, not_fund, counter_kind = cursor.fetchone()
        _refuse_counter(counter_kind)
        if locked != count + 1:
            raise UnknownLedgerAccount(
                _("A line refers to an account that does not exist."), code="UNKNOWN_LEDGER_ACCOUNT"
            )
        if not_fund:
            _refuse_non_fund()
        # One statement writes the entry and its lines (the balance rule of migration 0005). The
        # unique key decides a race: a transaction that loses waits here for the winner's commit
        # and inserts nothing, lines included; it then returns the winner's entry.
        cursor.execute(
            f"""WITH entry AS (
                    INSERT INTO {_ENTRY}
                        (business_type, business_on, idempotency_key, memo, amount, posted_at, actor_id)
                    VALUES (%(type)s, %(on)s, %(key)s, %(memo)s, %(total)s, %(at)s, %(actor)s)
                    ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
                ), line AS (
                    INSERT INTO {_LINE} (entry_id, account_id, debit, credit)
                    SELECT entry.id, l.account_id, l.debit, l.credit
                    FROM entry CROSS JOIN (
                        SELECT %(counter)s::bigint AS account_id, %(total)s::bigint AS debit,
                               0::bigint AS credit
                        UNION ALL
                        SELECT account_id, 0, amount FROM {_STAGE}
                    ) l
                    ORDER BY l.account_id
                )
                SELECT id FROM entry""",
            {
                "type": business_type,
                "on": business_on,
                "key": idempotency_key,
                "memo": memo,
                "total": total,
                "at": timezone.now(),
                "actor": _pk(actor),
                "counter": counter.pk,
            },
        )
        inserted = cursor.fetchone()
        if inserted is None:
            cursor.execute(f"DROP TABLE {_STAGE}")
            return None
        entry_id = inserted[0]
        cursor.execute(
            f"UPDATE {_ACCOUNT} a SET balance = a.balance + s.amount "
            f"FROM {_STAGE} s WHERE a.id = s.account_id"
        )
        cursor.execute(
            f"UPDATE {_ACCOUNT} SET balance = balance + %s WHERE id = %s",
            [_counter_delta(counter_kind, total), counter.pk],
        )
        cursor.execute(f"DROP TABLE {_STAGE}")
    return entry_id, count


def _post_batch_sqlite(
    *, pairs, total, counter, business_type, business_on, idempotency_key, memo, actor
) -> tuple[int, int]:
    # SQLite: every atomic block begins IMMEDIATE (settings), so this transaction is the only
    # writer until it commits; no row locks are needed and no race on the key is possible.
    kinds = _kinds_of([counter.pk] + [account_id for account_id, _amount in pairs])
    _refuse_counter(kinds.get(counter.pk))
    if len(kinds) != len(pairs) + 1:
        raise UnknownLedgerAccount(
            _("A line refers to an account that does not exist."), code="UNKNOWN_LEDGER_ACCOUNT"
        )
    if any(kinds[account_id] != AccountKind.FUND for account_id, _amount in pairs):
        _refuse_non_fund()
    entry = JournalEntry(
        business_type=business_type,
        business_on=business_on,
        idempotency_key=idempotency_key,
        memo=memo,
        amount=total,
        posted_at=timezone.now(),
        actor=actor,
    )
    entry.save(force_insert=True)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_LINE} (entry_id, account_id, debit, credit) VALUES (%s, %s, %s, %s)",
            [(entry.pk, counter.pk, total, 0)]
            + [(entry.pk, account_id, 0, amount) for account_id, amount in sorted(pairs)],
        )
        cursor.executemany(
            f"UPDATE {_ACCOUNT} SET balance = balance + %s WHERE id = %s",
            [(amount, account_id) for account_id, amount in pairs]
            + [(_counter_delta(kinds[counter.pk], total), counter.pk)],
        )
    return entry.pk, len(pairs)


# --- one entry per account ----------------------------------------------------------------------


def post_account_entries(
    *,
    business_type: str,
    business_on: date,
    memo: str,
    actor,
    counter_account: LedgerAccount,
    key_prefix: str,
    key_suffix: str,
    first_account_id: int,
    last_account_id: int,
    amounts: AmountsQuery | Iterable[tuple[int, int]],
) -> AccountEntriesBatch:
    """Post one entry per ``(account_id, amount_fen)`` row: debit the counter, credit the account.

    Every row's account must be a FUND account with ``first_account_id ≤ id ≤
    last_account_id``: the counter account and every fund account of that range are locked
    first, in primary-key order, and only then are the amounts produced, so an ``AmountsQuery``
    reads balances no other posting can change before this one commits. Each entry's key is
    ``key_prefix + account code + key_suffix``; a row whose key is already in the journal, or
    whose amount is 0, posts nothing. Writes ONE audit event for the batch (none if nothing was
    posted). Raises ``UnknownBusinessType``, ``InvalidLine`` and ``UnknownLedgerAccount``; a
    refusal leaves nothing behind in the caller's transaction.
    """
    require_transaction("post_account_entries")
    _check_business_type(business_type)
    if not key_prefix:
        # The prefix names what the entries are for; a bare account code is no key.
        raise InvalidLine(_("Every posting needs an idempotency key."), code="INVALID_LINE")
    if counter_account.pk is None:
        raise InvalidLine(_("A line's account must be saved."), code="INVALID_LINE")
    post = _post_accounts_postgresql if connection.vendor == "postgresql" else _post_accounts_sqlite
    with transaction.atomic():  # savepoint: a refused batch leaves nothing behind
        batch = post(
            business_type=business_type,
            business_on=business_on,
            memo=memo,
            actor=actor,
            counter=counter_account,
            key_prefix=key_prefix,
            key_suffix=key_suffix,
            first_id=first_account_id,
            last_id=last_account_id,
            amounts=amounts,
        )
        if batch.entries:
            record_event(
                actor=actor,
                action=ACCOUNT_ENTRIES_ACTION,
                summary=(
                    f"{BUSINESS_TYPE_RECORD_NAMES[business_type]} {batch.entries} 笔, "
                    f"{format_yuan(batch.total_fen)} 元, 分录 #{batch.first_entry_id}–#{batch.last_entry_id}"
                ),
                data={
                    "business_type": business_type,
                    "business_on": business_on,
                    "counter_account": counter_account.code,
                    "key_prefix": key_prefix,
                    "key_suffix": key_suffix,
                    "entries": batch.entries,
                    "total_fen": batch.total_fen,
                    "first_entry_id": batch.first_entry_id,
                    "last_entry_id": batch.last_entry_id,
                    "digest": batch.digest,
                },
            )
    return batch


def account_entries_digest(rows: Iterable[tuple[int, int, int]]) -> str:
    """SHA-256 (hex) over ``entry_id:account_id:amount`` lines joined by newlines, in entry order.

    The audit event of a per-account batch carries this digest of the rows it posted;
    :func:`journal_digest_of_batch` recomputes it from the journal.
    """
    text = "\n".join(f"{entry_id}:{account_id}:{amount}" for entry_id, account_id, amount in sorted(rows))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def journal_digest_of_batch(data: Mapping[str, Any]) -> str:
    """The digest of the entries an ``ledger.post_account_entries`` audit event describes, as the
    journal holds them now: equal to ``data["digest"]`` unless the journal disagrees with the event.
    """
    rows = (
        JournalLine.objects.filter(
            entry_id__gte=data["first_entry_id"],
            entry_id__lte=data["last_entry_id"],
            entry__business_type=data["business_type"],
            entry__business_on=data["business_on"],
            entry__idempotency_key__startswith=data["key_prefix"],
            entry__idempotency_key__endswith=data["key_suffix"],
            credit__gt=0,
        )
        .order_by("entry_id")
        .values_list("entry_id", "account_id", "credit")
    )
    return account_entries_digest(rows.iterator(chunk_size=5000))


def _post_accounts_postgresql(
    *, business_type, business_on, memo, actor, counter, key_prefix, key_suffix, first_id, last_id, amounts
) -> AccountEntriesBatch:
    bounds = {"counter": counter.pk, "first": first_id, "last": last_id}
    with connection.cursor() as cursor:
        # Primary-key order, the counter among them, as post_entry locks: no deadlock with it.
        cursor.execute(
            f"""SELECT max(kind) FILTER (WHERE id = %(counter)s) FROM (
                    SELECT id, kind FROM {_ACCOUNT}
                    WHERE id = %(counter)s OR (kind = 'FUND' AND id BETWEEN %(first)s AND %(last)s)
                    ORDER BY id FOR UPDATE
                ) locked""",
            bounds,
        )
        counter_kind = cursor.fetchone()[0]
        _refuse_counter(counter_kind)

        started = time.perf_counter()
        if isinstance(amounts, AmountsQuery):
            _create_stage(cursor)
            cursor.execute(f"INSERT INTO {_STAGE} (account_id, amount) {amounts.sql}", amounts.params)
        else:
            _stage(cursor, _checked_pairs(amounts))
        staging_seconds = time.perf_counter() - started

        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [_ENTRY])
        sequence = cursor.fetchone()[0]
        # Every staged row with what posting it needs: whether its account is a fund account of
        # the range, its key, whether it is due (positive, key not yet in the journal) and, if
        # due, an entry id drawn here in account order, so that the lines can name their entry.
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {_POSTING} (
                    account_id bigint PRIMARY KEY, amount bigint NOT NULL, fund boolean NOT NULL,
                    due boolean NOT NULL, entry_id bigint, idempotency_key varchar(200)
                ) ON COMMIT DROP"""
        )
        cursor.execute(
            f"""INSERT INTO {_POSTING} (account_id, amount, fund, due, entry_id, idempotency_key)
                SELECT account_id, amount, fund, due,
                       CASE WHEN due THEN nextval(%(sequence)s::regclass) END, idempotency_key
                FROM (
                    SELECT s.account_id, s.amount, a.id IS NOT NULL AS fund,
                           a.id IS NOT NULL AND s.amount > 0 AND NOT EXISTS (
                               SELECT 1 FROM {_ENTRY} e
                               WHERE e.idempotency_key = %(prefix)s || a.code || %(suffix)s
                           ) AS due,
                           %(prefix)s || a.code || %(suffix)s AS idempotency_key
                    FROM {_STAGE} s LEFT JOIN {_ACCOUNT} a
                      ON a.id = s.account_id AND a.kind = 'FUND' AND a.id BETWEEN %(first)s AND %(last)s
                    ORDER BY s.account_id
                ) staged""",
            {"sequence": sequence, "prefix": key_prefix, "suffix": key_suffix, **bounds},
        )
        cursor.execute(
            f"""SELECT count(*) FILTER (WHERE amount < 0), count(*) FILTER (WHERE NOT fund),
                       count(*) FILTER (WHERE amount > 0), coalesce(sum(amount) FILTER (WHERE amount > 0), 0)
                FROM {_POSTING}"""
        )
        negative, outside, asked, asked_fen = cursor.fetchone()
        if negative:
            raise InvalidLine(_("Each line has exactly one positive side."), code="INVALID_LINE")
        if outside:
            _refuse_non_fund()
        cursor.execute(f"CREATE UNIQUE INDEX ON {_POSTING} (entry_id)")

        # One statement inserts every entry and its two lines (the balance rule of migration 0005).
        cursor.execute(
            f"""WITH entry AS (
                    INSERT INTO {_ENTRY}
                        (id, business_type, business_on, idempotency_key, memo, amount, posted_at, actor_id)
                    SELECT entry_id, %(type)s, %(on)s, idempotency_key, %(memo)s, amount, %(at)s, %(actor)s
                    FROM {_POSTING} WHERE due ORDER BY entry_id
                    RETURNING id, amount
                )
                INSERT INTO {_LINE} (entry_id, account_id, debit, credit)
                SELECT entry.id, line.account_id, line.debit, line.credit
                FROM entry CROSS JOIN LATERAL (VALUES
                    (%(counter)s::bigint, entry.amount, 0::bigint),
                    ((SELECT p.account_id FROM {_POSTING} p WHERE p.entry_id = entry.id),
                     0::bigint, entry.amount)
                ) AS line (account_id, debit, credit)""",
            {
                "type": business_type,
                "on": business_on,
                "memo": memo,
                "at": timezone.now(),
                "actor": _pk(actor),
                "counter": counter.pk,
            },
        )
        cursor.execute(
            f"UPDATE {_ACCOUNT} a SET balance = a.balance + p.amount FROM {_POSTING} p "
            "WHERE p.due AND a.id = p.account_id AND a.id BETWEEN %(first)s AND %(last)s",
            bounds,
        )
        cursor.execute(
            f"""SELECT count(*), coalesce(sum(amount), 0), min(entry_id), max(entry_id),
                       encode(sha256(convert_to(coalesce(string_agg(
                           entry_id || ':' || account_id || ':' || amount, E'\\n' ORDER BY entry_id
                       ), ''), 'UTF8')), 'hex')
                FROM {_POSTING} WHERE due"""
        )
        entries, total, first_entry, last_entry, digest = cursor.fetchone()
        if total:
            cursor.execute(
                f"UPDATE {_ACCOUNT} SET balance = balance + %s WHERE id = %s",
                [_counter_delta(counter_kind, int(total)), counter.pk],
            )
        cursor.execute(f"DROP TABLE {_STAGE}, {_POSTING}")
    # PostgreSQL sums bigint into numeric (a Decimal); the values are still whole fen.
    total, asked_fen = int(total), int(asked_fen)
    return AccountEntriesBatch(
        entries=entries,
        total_fen=total,
        first_entry_id=first_entry,
        last_entry_id=last_entry,
        digest=digest,
        already_posted=asked - entries,
        already_posted_fen=asked_fen - total,
        staging_seconds=staging_seconds,
    )


def _post_accounts_sqlite(
    *, business_type, business_on, memo, actor, counter, key_prefix, key_suffix, first_id, last_id, amounts
) -> AccountEntriesBatch:
    # SQLite serialises writers (IMMEDIATE transactions): no row locks to take.
    counter_row = LedgerAccount.objects.filter(pk=counter.pk).values_list("kind", flat=True).first()
    _refuse_counter(counter_row)
    started = time.perf_counter()
    if isinstance(amounts, AmountsQuery):
        with connection.cursor() as cursor:
            cursor.execute(amounts.sql, amounts.params)
            rows = cursor.fetchall()
    else:
        rows = amounts
    pairs = sorted(_checked_pairs(rows))
    staging_seconds = time.perf_counter() - started

    codes: dict[int, str] = {}
    for chunk in _chunks([account_id for account_id, _amount in pairs]):
        codes.update(
            LedgerAccount.objects.filter(
                pk__in=chunk, kind=AccountKind.FUND, pk__gte=first_id, pk__lte=last_id
            ).values_list("pk", "code")
        )
    if len(codes) != len(pairs):
        _refuse_non_fund()
    due = [(account_id, amount) for account_id, amount in pairs if amount > 0]
    keys = {account_id: f"{key_prefix}{codes[account_id]}{key_suffix}" for account_id, _amount in due}
    done: set[str] = set()
    for chunk in _chunks(list(keys.values())):
        done.update(
            JournalEntry.objects.filter(idempotency_key__in=chunk).values_list("idempotency_key", flat=True)
        )

    posted_at = timezone.now()
    posted: list[tuple[int, int, int]] = []
    with connection.cursor() as cursor:
        for account_id, amount in due:
            if keys[account_id] in done:
                continue
            entry = JournalEntry(
                business_type=business_type,
                business_on=business_on,
                idempotency_key=keys[account_id],
                memo=memo,
                amount=amount,
                posted_at=posted_at,
                actor=actor,
            )
            # SQLite's trigger takes lines only for the newest entry: each entry, then its lines.
            entry.save(force_insert=True)
            cursor.executemany(
                f"INSERT INTO {_LINE} (entry_id, account_id, debit, credit) VALUES (%s, %s, %s, %s)",
                [(entry.pk, counter.pk, amount, 0), (entry.pk, account_id, 0, amount)],
            )
            posted.append((entry.pk, account_id, amount))
        total = sum(amount for _entry_id, _account_id, amount in posted)
        cursor.executemany(
            f"UPDATE {_ACCOUNT} SET balance = balance + %s WHERE id = %s",
            [(amount, account_id) for _entry_id, account_id, amount in posted]
            + ([(_counter_delta(counter_row, total), counter.pk)] if total else []),
        )
    asked_fen = sum(amount for _account_id, amount in due)
    return AccountEntriesBatch(
        entries=len(posted),
        total_fen=total,
        first_entry_id=posted[0][0] if posted else None,
        last_entry_id=posted[-1][0] if posted else None,
        digest=account_entries_digest(posted),
        already_posted=len(due) - len(posted),
        already_posted_fen=asked_fen - total,
        staging_seconds=staging_seconds,
    )


# --- helpers ------------------------------------------------------------------------------------


def _create_stage(cursor) -> None:
    # The primary key refuses an account given twice and lets the joins below use an index.
    cursor.execute(
        f"""CREATE TEMPORARY TABLE {_STAGE} (account_id bigint PRIMARY KEY, amount bigint NOT NULL)
            ON COMMIT DROP"""
    )


def _stage_query(cursor, query: AmountsQuery, *, counter: int) -> tuple[int, int]:
    """Stage the rows of ``query`` (PostgreSQL) with the checks of ``_checked_pairs``; returns
    ``(total, count)``."""
    _create_stage(cursor)
    try:
        with transaction.atomic():  # a duplicate account must not abort the caller's transaction
            cursor.execute(f"INSERT INTO {_STAGE} (account_id, amount) {query.sql}", query.params)
    except IntegrityError:
        raise InvalidLine(_("An account appears twice in one batch."), code="INVALID_LINE") from None
    cursor.execute(
        f"""SELECT count(*), coalesce(sum(amount), 0), count(*) FILTER (WHERE amount <= 0),
                   count(*) FILTER (WHERE account_id = %s)
            FROM {_STAGE}""",
        [counter],
    )
    count, total, not_positive, counter_among = cursor.fetchone()
    _refuse_bad_credits(count=count, not_positive=not_positive, counter_among=bool(counter_among))
    return int(total), count


def _stage(cursor, pairs: Sequence[tuple[int, int]]) -> None:
    """Copy checked ``(account_id, amount)`` pairs into the staging table (PostgreSQL)."""
    _create_stage(cursor)
    # COPY: one round trip streams any number of rows, far cheaper than INSERT … VALUES.
    with cursor.copy(f"COPY {_STAGE} (account_id, amount) FROM STDIN") as copy:
        for pair in pairs:
            copy.write_row(pair)


def _kinds_of(account_ids: list[int]) -> dict[int, str]:
    kinds: dict[int, str] = {}
    for chunk in _chunks(account_ids):
        kinds.update(LedgerAccount.objects.filter(pk__in=chunk).values_list("pk", "kind"))
    return kinds


def _chunks(items: list, size: int = _SQLITE_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _pk(actor) -> int | None:
    return actor.pk if actor is not None else None
