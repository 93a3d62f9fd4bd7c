"""Posting to the journal: the only code that changes a ledger balance.

Every function here is a *helper*: it requires the caller's open transaction (the use-case
service owns ``transaction.atomic(durable=True)``) and never opens one, so a posting commits
or rolls back together with the business change that caused it and its audit event.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import record_event, require_transaction
from core.money import format_yuan
from ledger.centre import CENTRE_ACCOUNTS, FUND_CODE_PREFIX
from ledger.exceptions import (
    AlreadyReversed,
    InsufficientBalance,
    InvalidLine,
    UnbalancedEntry,
    UnknownBusinessType,
    UnknownLedgerAccount,
)
from ledger.models import (
    BUSINESS_TYPE_RECORD_NAMES,
    AccountKind,
    BusinessType,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)

__all__ = [
    "AlreadyReversed",
    "InsufficientBalance",
    "Line",
    "centre_account",
    "open_fund_ledger_account",
    "post_entry",
    "reverse_entry",
]


@dataclass(frozen=True)
class Line:
    """One side of a posting in fen: exactly one of ``debit`` and ``credit`` is positive."""

    account: LedgerAccount
    debit: int = 0
    credit: int = 0


def centre_account(code: str) -> LedgerAccount:
    """The centre account named ``code`` (``"BANK_SETTLEMENT"``…)."""
    try:
        return LedgerAccount.objects.get(code=code)
    except LedgerAccount.DoesNotExist:
        if code not in CENTRE_ACCOUNTS:
            raise UnknownLedgerAccount(
                _("There is no centre ledger account %(code)s.") % {"code": code},
                code="UNKNOWN_LEDGER_ACCOUNT",
            ) from None
    # Normally seeded by migration; recreated on demand after a database flush (transactional tests).
    name, kind = CENTRE_ACCOUNTS[code]
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
                entry.save(force_insert=True)
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
        JournalLine.objects.bulk_create(
            [
                JournalLine(entry=entry, account_id=line.account.pk, debit=line.debit, credit=line.credit)
                for line in lines
            ],
            batch_size=5000,
        )
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
