"""Posting to the journal: the only code that changes a ledger balance.

Every function here is a *helper*: it requires the caller's open transaction (the use-case
service owns ``transaction.atomic(durable=True)``) and never opens one, so a posting commits
or rolls back together with the business change that caused it and its audit event.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import PendingEvent, record_event, record_events, require_transaction
from core.money import format_yuan
from ledger.centre import CENTRE_ACCOUNTS, FUND_CODE_PREFIX, SPLIT_ACCOUNTS, SPLIT_WAYS, part_code
from ledger.exceptions import (
    AlreadyReversed,
    InsufficientBalance,
    InvalidLine,
    UnbalancedEntry,
    UnknownBusinessType,
    UnknownLedgerAccount,
)
from ledger.journal import write_entries
from ledger.models import (
    BUSINESS_TYPE_RECORD_NAMES,
    DEBIT_NORMAL_KINDS,
    AccountKind,
    BusinessType,
    JournalEntry,
    LedgerAccount,
)

__all__ = [
    "AlreadyReversed",
    "InsufficientBalance",
    "Line",
    "Posting",
    "centre_account",
    "open_fund_ledger_account",
    "open_fund_ledger_accounts",
    "open_loan_ledger_account",
    "post_entries",
    "post_entry",
    "reverse_entry",
]


@dataclass(frozen=True)
class Line:
    """One side of a posting in fen: exactly one of ``debit`` and ``credit`` is positive."""

    account: LedgerAccount
    debit: int = 0
    credit: int = 0


def centre_account(code: str, *, spread_by: int | None = None) -> LedgerAccount:
    """The centre account named ``code`` (``"BANK_SETTLEMENT"``…).

    With ``spread_by`` (any integer the caller has at hand, such as an application's id), an
    account held as several rows (``ledger.centre.SPLIT_ACCOUNTS``) answers with the part that
    key falls on, so concurrent postings over different keys lock different rows.
    """
    if spread_by is not None and code in SPLIT_ACCOUNTS:
        name, kind = CENTRE_ACCOUNTS[code]
        part = spread_by % SPLIT_WAYS
        code, name = part_code(code, part), (name if part == 0 else f"{name} 分户{part:02d}")
    elif code in CENTRE_ACCOUNTS:
        name, kind = CENTRE_ACCOUNTS[code]
    else:
        raise UnknownLedgerAccount(
            _("There is no centre ledger account %(code)s.") % {"code": code}, code="UNKNOWN_LEDGER_ACCOUNT"
        )
    try:
        return LedgerAccount.objects.get(code=code)
    except LedgerAccount.DoesNotExist:
        # Normally seeded by migrations; recreated on demand after a database flush (transactional tests).
        return LedgerAccount.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[0]


def open_fund_ledger_account(*, account_no: str) -> LedgerAccount:
    """The ledger account of personal fund account ``account_no``, created at zero if new.

    Idempotent, so a retried account opening does not fail on its own first attempt.
    """
    require_transaction("open_fund_ledger_account")
    account, _created = LedgerAccount.objects.get_or_create(
        code=f"{FUND_CODE_PREFIX}{account_no}",
        defaults={"name": f"个人账户 {account_no}", "kind": AccountKind.FUND},
    )
    return account


#: A loan account's ledger account is ``LOAN-<loan account number>`` (an ASSET of the centre).
LOAN_CODE_PREFIX = "LOAN-"


def open_loan_ledger_account(*, account_no: str) -> LedgerAccount:
    """The ledger account of loan account ``account_no`` (the principal owed), created at zero if new.

    Idempotent like :func:`open_fund_ledger_account`: a retried disbursement finds the account
    its first attempt opened. Refuses a code already held by an account of another kind.
    """
    require_transaction("open_loan_ledger_account")
    if not account_no:
        raise InvalidLine(_("A loan ledger account needs the loan account number."), code="INVALID_LINE")
    account, _created = LedgerAccount.objects.get_or_create(
        code=f"{LOAN_CODE_PREFIX}{account_no}",
        defaults={"name": f"个人贷款 {account_no}", "kind": AccountKind.ASSET},
    )
    if account.kind != AccountKind.ASSET:
        raise InvalidLine(
            _("Ledger account %(code)s is not a loan account.") % {"code": account.code}, code="INVALID_LINE"
        )
    return account


def post_entry(
    *,
    lines: Sequence[Line],
    business_type: str,
    business_on: date,
    idempotency_key: str,
    memo: str = "",
    actor=None,
) -> JournalEntry:
    """Post one balanced entry and apply it to the cached balances; see the module docstring.

    A replay with an ``idempotency_key`` already used returns the first entry and changes
    nothing. Raises ``UnbalancedEntry``, ``InvalidLine``, ``UnknownBusinessType`` and
    ``InsufficientBalance`` (a FUND account would go below zero).
    """
    return _post(
        lines=lines,
        business_type=business_type,
        business_on=business_on,
        idempotency_key=idempotency_key,
        memo=memo,
        actor=actor,
        reverses=None,
    )


def reverse_entry(
    *, entry: JournalEntry, business_on: date, idempotency_key: str, memo: str, actor=None
) -> JournalEntry:
    """Post the mirror of ``entry`` (debits become credits); an entry is reversed at most once."""
    require_transaction("reverse_entry")
    replay = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
    if replay is not None:
        return replay
    if entry.reverses_id is not None:
        raise AlreadyReversed(
            _("A reversing entry cannot itself be reversed; post a new entry instead."),
            code="ALREADY_REVERSED",
        )
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise AlreadyReversed(
            _("Entry %(entry)s has already been reversed.") % {"entry": entry.pk}, code="ALREADY_REVERSED"
        )
    mirror = [
        Line(account=line.account, debit=line.credit, credit=line.debit)
        for line in entry.lines.select_related("account").order_by("pk")
    ]
    return _post(
        lines=mirror,
        business_type=entry.business_type,
        business_on=business_on,
        idempotency_key=idempotency_key,
        memo=memo,
        actor=actor,
        reverses=entry,
    )


def _post(*, lines, business_type, business_on, idempotency_key, memo, actor, reverses) -> JournalEntry:
    require_transaction("post_entry")
    amount = _validate(lines, business_type, idempotency_key)

    replay = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
    if replay is not None:
        return replay
    # Savepoint: a refusal below leaves no half-written entry in the caller's transaction,
    # even if the caller catches the error and carries on.
    with transaction.atomic():
        locked, raw = _lock_accounts(lines)
        # Checked again under the locks: a concurrent post with this key that held them first
        # has committed by now, and this one must return it rather than post twice.
        replay = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
        if replay is not None:
            return replay
        deltas = _deltas(locked, raw)
        entry = JournalEntry(
            business_type=business_type,
            business_on=business_on,
            idempotency_key=idempotency_key,
            memo=memo,
            amount=amount,
            posted_at=timezone.now(),
            actor=actor,
            reverses=reverses,
        )
        try:
            # Inner savepoint: the unique key (or the one-reversal rule) can still lose a race
            # against a post over other accounts; the transaction must survive to read the winner.
            with transaction.atomic():
                write_entries([entry], [[(line.account.pk, line.debit, line.credit) for line in lines]])
        except IntegrityError:
            winner = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
            if winner is not None:
                return winner
            if reverses is not None and JournalEntry.objects.filter(reverses=reverses).exists():
                raise AlreadyReversed(
                    _("Entry %(entry)s has already been reversed.") % {"entry": reverses.pk},
                    code="ALREADY_REVERSED",
                ) from None
            raise

        _add_to_balances(deltas)
        record_event(
            actor=actor,
            action="ledger.reverse_entry" if reverses is not None else "ledger.post_entry",
            target=entry,
            # Stored data, in Chinese whatever the request's language (BUSINESS_TYPE_RECORD_NAMES).
            summary=(
                f"{BUSINESS_TYPE_RECORD_NAMES[business_type]} {format_yuan(amount)} 元, {len(lines)} 行"
                + (f", 冲正分录 #{reverses.pk}" if reverses is not None else "")
            ),
            data={
                "entry_id": entry.pk,
                "business_type": business_type,
                "business_on": business_on,
                "amount_fen": amount,
                "line_count": len(lines),
                "reverses": reverses.pk if reverses is not None else None,
            },
        )
    return entry


def _validate(lines: Sequence[Line], business_type: str, idempotency_key: str) -> int:
    if business_type not in BusinessType.values:
        raise UnknownBusinessType(
            _("Unknown business type %(type)s.") % {"type": business_type}, code="UNKNOWN_BUSINESS_TYPE"
        )
    if not idempotency_key:
        raise InvalidLine(_("Every posting needs an idempotency key."), code="INVALID_LINE")
    if not lines:
        raise UnbalancedEntry(_("An entry needs lines."), code="UNBALANCED_ENTRY")
    debits = credits = 0
    for line in lines:
        # bool is an int subclass and a float may carry fractions of a fen: refuse both.
        if type(line.debit) is not int or type(line.credit) is not int:
            raise InvalidLine(_("Line amounts are whole fen (int)."), code="INVALID_LINE")
        if line.debit < 0 or line.credit < 0 or (line.debit > 0) == (line.credit > 0):
            raise InvalidLine(_("Each line has exactly one positive side."), code="INVALID_LINE")
        if line.account.pk is None:
            raise InvalidLine(_("A line's account must be saved."), code="INVALID_LINE")
        debits += line.debit
        credits += line.credit
    if debits != credits:
        raise UnbalancedEntry(
            _("Debits of %(debits)s yuan and credits of %(credits)s yuan differ.")
            % {"debits": format_yuan(debits), "credits": format_yuan(credits)},
            code="UNBALANCED_ENTRY",
        )
    return debits


def _lock_accounts(lines: Sequence[Line]) -> tuple[list[LedgerAccount], dict[int, tuple[int, int]]]:
    raw: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for line in lines:
        debit, credit = raw[line.account.pk]
        raw[line.account.pk] = (debit + line.debit, credit + line.credit)
    # One query, rows locked in primary-key order: two postings over the same accounts always
    # queue in the same order, so they wait for each other instead of deadlocking.
    locked = list(LedgerAccount.objects.select_for_update().filter(pk__in=list(raw)).order_by("pk"))
    if len(locked) != len(raw):
        raise UnknownLedgerAccount(
            _("A line refers to an account that does not exist."), code="UNKNOWN_LEDGER_ACCOUNT"
        )
    return locked, raw


def _deltas(locked: list[LedgerAccount], raw: dict[int, tuple[int, int]]) -> dict[int, int]:
    """Each account's net change in its normal direction; refuses to overdraw a fund account."""
    deltas: dict[int, int] = {}
    for account in locked:
        debit, credit = raw[account.pk]
        delta = account.signed(debit=debit, credit=credit)
        if account.kind == AccountKind.FUND and account.balance + delta < 0:
            raise InsufficientBalance(
                _("Account %(account)s holds %(balance)s yuan, less than the %(amount)s yuan asked.")
                % {
                    "account": account.code,
                    "balance": format_yuan(account.balance),
                    "amount": format_yuan(-delta),
                },
                code="INSUFFICIENT_BALANCE",
                field="amount",
            )
        if delta:
            deltas[account.pk] = delta
    return deltas


def _add_to_balances(deltas: dict[int, int]) -> None:
    if not deltas:
        return
    table = connection.ops.quote_name(LedgerAccount._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for any number of accounts (a monthly list credits thousands).
            cursor.execute(
                f"UPDATE {table} AS a SET balance = a.balance + d.delta "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS d(id, delta) WHERE a.id = d.id",
                [list(deltas), list(deltas.values())],
            )
        else:
            # SQLite runs in-process: one prepared statement executed per account is cheap.
            cursor.executemany(
                f"UPDATE {table} SET balance = balance + %s WHERE id = %s",
                [(delta, pk) for pk, delta in deltas.items()],
            )


# --- bulk -------------------------------------------------------------------------------------

_BULK_BATCH_SIZE = 1000


@dataclass(frozen=True)
class Posting:
    """One entry for :func:`post_entries`: the arguments of :func:`post_entry`."""

    lines: Sequence[Line]
    business_type: str
    business_on: date
    idempotency_key: str
    memo: str = ""
    actor: Any = None


def open_fund_ledger_accounts(*, account_nos: Sequence[str]) -> dict[str, LedgerAccount]:
    """:func:`open_fund_ledger_account` for many account numbers with one bulk insert.

    Returns each number's ledger account; one that already exists is returned as it is.
    """
    require_transaction("open_fund_ledger_accounts")
    codes = {no: f"{FUND_CODE_PREFIX}{no}" for no in account_nos}
    by_code = _accounts_by_code(list(codes.values()))
    missing = [
        LedgerAccount(code=code, name=f"个人账户 {no}", kind=AccountKind.FUND)
        for no, code in codes.items()
        if code not in by_code
    ]
    created = LedgerAccount.objects.bulk_create(missing, batch_size=_BULK_BATCH_SIZE)
    if created and created[0].pk is None:
        # Without RETURNING the new primary keys are unknown: read them back by code.
        by_code = _accounts_by_code(list(codes.values()))
    else:
        by_code.update((account.code, account) for account in created)
    return {no: by_code[code] for no, code in codes.items()}


def post_entries(postings: Sequence[Posting]) -> list[JournalEntry]:
    """Post many entries in the given order with the checks of :func:`post_entry`, in bulk.

    For bulk work (seeding, a migration, a year's interest): the accounts are locked once, in
    primary-key order like :func:`post_entry`, each entry's lines are bulk-inserted, each
    balance is updated once and the audit events (one per entry, as post_entry writes) are
    appended together. Fund balances are checked after every posting in turn, so a withdrawal can spend
    only what earlier postings of the batch brought in. All or nothing. A posting whose key is
    already in the journal is a replay: its first entry is returned and nothing is posted; a
    key given twice in one batch is refused. Returns the entries in the order of ``postings``.
    """
    require_transaction("post_entries")
    amounts = [_validate(p.lines, p.business_type, p.idempotency_key) for p in postings]
    keys = [posting.idempotency_key for posting in postings]
    if len(set(keys)) != len(keys):
        raise InvalidLine(_("An idempotency key appears twice in one batch."), code="INVALID_LINE")
    if not postings:
        return []
    with transaction.atomic():  # savepoint: a refused batch leaves nothing behind
        locked = _lock_many(sorted({line.account.pk for p in postings for line in p.lines}))
        # Read under the locks: a concurrent post of one of these keys has committed by now.
        replayed = _entries_by_key(keys)
        fresh = [
            (p, amount)
            for p, amount in zip(postings, amounts, strict=True)
            if p.idempotency_key not in replayed
        ]
        totals = _bulk_deltas(locked, [posting for posting, _amount in fresh])
        posted_at = timezone.now()
        entries = [
            JournalEntry(
                business_type=posting.business_type,
                business_on=posting.business_on,
                idempotency_key=posting.idempotency_key,
                memo=posting.memo,
                amount=amount,
                posted_at=posted_at,
                actor=posting.actor,
            )
            for posting, amount in fresh
        ]
        write_entries(
            entries,
            [
                [(line.account.pk, line.debit, line.credit) for line in posting.lines]
                for posting, _amount in fresh
            ],
        )
        _add_to_balances(totals)
        record_events(
            [
                PendingEvent(
                    actor=entry.actor,
                    action="ledger.post_entry",
                    target=entry,
                    summary=(
                        f"{BUSINESS_TYPE_RECORD_NAMES[entry.business_type]} {format_yuan(entry.amount)} 元, "
                        f"{len(posting.lines)} 行"
                    ),
                    data={
                        "entry_id": entry.pk,
                        "business_type": entry.business_type,
                        "business_on": entry.business_on,
                        "amount_fen": entry.amount,
                        "line_count": len(posting.lines),
                        "reverses": None,
                    },
                )
                for entry, (posting, _amount) in zip(entries, fresh, strict=True)
            ]
        )
    new = {entry.idempotency_key: entry for entry in entries}
    return [replayed.get(key) or new[key] for key in keys]


def _chunks(items: list, size: int = _BULK_BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _accounts_by_code(codes: list[str]) -> dict[str, LedgerAccount]:
    found: dict[str, LedgerAccount] = {}
    for chunk in _chunks(codes):
        found.update((account.code, account) for account in LedgerAccount.objects.filter(code__in=chunk))
    return found


def _entries_by_key(keys: list[str]) -> dict[str, JournalEntry]:
    found: dict[str, JournalEntry] = {}
    for chunk in _chunks(keys):
        found.update(
            (entry.idempotency_key, entry) for entry in JournalEntry.objects.filter(idempotency_key__in=chunk)
        )
    return found


def _lock_many(account_ids: list[int]) -> dict[int, tuple[str, str, int]]:
    """Lock the accounts; return each one's ``(code, kind, balance)`` (tuples: no model per row)."""
    locked: dict[int, tuple[str, str, int]] = {}
    for chunk in _chunks(account_ids):
        # Chunks in ascending order keep the whole lock order ascending, as _lock_accounts does.
        rows = (
            LedgerAccount.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", "code", "kind", "balance")
        )
        locked.update((pk, (code, kind, balance)) for pk, code, kind, balance in rows)
    if len(locked) != len(account_ids):
        raise UnknownLedgerAccount(
            _("A line refers to an account that does not exist."), code="UNKNOWN_LEDGER_ACCOUNT"
        )
    return locked


def _bulk_deltas(locked: dict[int, tuple[str, str, int]], postings: list[Posting]) -> dict[int, int]:
    """Each account's net change over the batch; refuses a posting that would overdraw a fund account."""
    running = {pk: balance for pk, (_code, _kind, balance) in locked.items()}
    totals: dict[int, int] = defaultdict(int)
    for posting in postings:
        raw: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for line in posting.lines:
            debit, credit = raw[line.account.pk]
            raw[line.account.pk] = (debit + line.debit, credit + line.credit)
        for pk, (debit, credit) in raw.items():
            code, kind, _balance = locked[pk]
            # The normal direction, as LedgerAccount.signed computes it.
            delta = debit - credit if kind in DEBIT_NORMAL_KINDS else credit - debit
            if kind == AccountKind.FUND and running[pk] + delta < 0:
                raise InsufficientBalance(
                    _("Account %(account)s holds %(balance)s yuan, less than the %(amount)s yuan asked.")
                    % {
                        "account": code,
                        "balance": format_yuan(running[pk]),
                        "amount": format_yuan(-delta),
                    },
                    code="INSUFFICIENT_BALANCE",
                    field="amount",
                )
            running[pk] += delta
            totals[pk] += delta
    return {pk: delta for pk, delta in totals.items() if delta}
