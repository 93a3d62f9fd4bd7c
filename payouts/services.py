"""The payout state machine: every change locks the payout, checks its state, writes the audit row.

``create_payout`` is a helper in the caller's transaction (the outbox: the payout commits with
the posting that moved the money into PAYOUT_CLEARING, or not at all). The other changes are
use cases, each one durable transaction; none of them talks to the bank — ``payouts.relay``
does that, between transactions.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import PendingEvent, record_event, record_events, require_transaction
from core.exceptions import DomainError
from core.identity import check_bank_card
from core.money import format_yuan
from ledger.centre import BANK_SETTLEMENT, PAYOUT_CLEARING, part_codes
from ledger.models import JournalEntry, LedgerAccount
from ledger.services import Line, centre_account, post_entry, reverse_entry
from payouts.models import FINAL_STATUSES, Payout, PayoutStatus
from payouts.registry import hooks_for, is_valid_purpose

logger = logging.getLogger(__name__)

SYSTEM = "system:payouts"
BANK = "system:bank"

#: The failure recorded when the bank refused an instruction outright (nothing was paid).
INSTRUCTION_REJECTED = "INSTRUCTION_REJECTED"

# --- errors -----------------------------------------------------------------------------------


class PayoutsError(DomainError):
    code = "PAYOUTS_ERROR"
    http_status = 400


class InvalidPayout(PayoutsError):
    code = "INVALID_PAYOUT"


class PayoutConflict(PayoutsError):
    """The source reference already names a payout with other details."""

    code = "PAYOUT_CONFLICT"
    http_status = 409


# --- helpers ----------------------------------------------------------------------------------


def _new_reference() -> str:
    # Random rather than sequential: a reference says nothing about volumes or about the person.
    return f"PO{uuid.uuid4().hex[:24].upper()}"


def _summary(payout: Payout, what: str) -> str:
    # Stored in Chinese whatever the request language; masked card only.
    return f"代付 {payout.reference} {format_yuan(payout.amount)} 元 尾号{payout.card_last4} {what}"


def _clearing_credits(debit_entry: JournalEntry) -> dict[LedgerAccount, int]:
    """What ``debit_entry`` moved into each part of PAYOUT_CLEARING (ledger.centre.SPLIT_ACCOUNTS)."""
    credits: dict[LedgerAccount, int] = defaultdict(int)
    lines = debit_entry.lines.select_related("account").filter(account__code__in=part_codes(PAYOUT_CLEARING))
    for line in lines:
        credits[line.account] += line.credit - line.debit
    return credits


def _check_debit_entry(debit_entry: JournalEntry, amount_fen: int) -> None:
    """The posting must have moved exactly this amount into PAYOUT_CLEARING, so that reversing
    it on failure returns exactly what was taken."""
    if debit_entry.pk is None or debit_entry.reverses_id is not None:
        raise InvalidPayout(_("A payout needs the posting that moved the money into payout clearing."))
    clearing_credit = sum(_clearing_credits(debit_entry).values())
    if debit_entry.amount != amount_fen or clearing_credit != amount_fen:
        raise InvalidPayout(
            _("The posting moved %(posted)s yuan into payout clearing, not the %(amount)s yuan to pay.")
            % {"posted": format_yuan(clearing_credit), "amount": format_yuan(amount_fen)},
            field="amount",
        )


def _queue_relay() -> None:
    from payouts.tasks import relay_payouts

    transaction.on_commit(lambda: relay_payouts.delay())


# --- creating (a helper: the caller's transaction) ------------------------------------------


def create_payout(
    *,
    person,
    amount_fen: int,
    card_no: str,
    holder_name: str,
    purpose: str,
    source_ref: str,
    debit_entry: JournalEntry,
    application=None,
    actor=None,
) -> Payout:
    """Record a payment owed to ``person``'s card, in the caller's transaction, and relay it after commit.

    The caller has just posted ``debit_entry`` (fund account → PAYOUT_CLEARING, exactly
    ``amount_fen``) in the same transaction. Idempotent on ``source_ref``: a replay returns the
    payout already recorded (``PayoutConflict`` if its details differ).
    """
    require_transaction("create_payout")
    existing = Payout.objects.filter(source_ref=source_ref).first()
    if existing is not None:
        return _same_or_conflict(existing, person=person, amount_fen=amount_fen, debit_entry=debit_entry)
    if type(amount_fen) is not int or amount_fen <= 0:
        raise InvalidPayout(_("A payout is a positive whole number of fen."), field="amount")
    if not is_valid_purpose(purpose):
        raise InvalidPayout(_("Unknown payout purpose."), field="purpose")
    if not source_ref or len(source_ref) > 100:
        raise InvalidPayout(_("A payout needs a source reference of at most 100 characters."))
    holder_name = (holder_name or "").strip()
    if not holder_name:
        raise InvalidPayout(_("A payout needs the card holder's name."), field="holder_name")
    card = check_bank_card(card_no)
    _check_debit_entry(debit_entry, amount_fen)
    payout = Payout(
        reference=_new_reference(),
        person=person,
        amount=amount_fen,
        card_no=card.number,
        card_last4=card.number[-4:],
        holder_name=holder_name,
        purpose=purpose,
        source_ref=source_ref,
        application=application,
        debit_entry=debit_entry,
        created_by=actor,
    )
    try:
        # Savepoint: a concurrent create for the same source wins the unique key; return its payout.
        with transaction.atomic():
            payout.save(force_insert=True)
    except IntegrityError:
        winner = Payout.objects.filter(source_ref=source_ref).first()
        if winner is None:
            raise
        return _same_or_conflict(winner, person=person, amount_fen=amount_fen, debit_entry=debit_entry)
    record_event(
        actor=actor,
        actor_label=None if actor is not None else SYSTEM,
        action="payouts.created",
        target=payout,
        summary=_summary(payout, f"待发送 ({purpose})"),
        data={
            "reference": payout.reference,
            "source_ref": source_ref,
            "amount_fen": amount_fen,
            "debit_entry": debit_entry.pk,
            "purpose": purpose,
        },
    )
    _queue_relay()
    return payout


def _same_or_conflict(existing: Payout, *, person, amount_fen: int, debit_entry: JournalEntry) -> Payout:
    if (
        existing.person_id != person.pk
        or existing.amount != amount_fen
        or existing.debit_entry_id != debit_entry.pk
    ):
        raise PayoutConflict(_("This request already has a payout with other details."))
    return existing


# --- the relay's claims (one short transaction each, nothing held across the bank call) -------


def claim_pending_payouts(*, limit: int) -> list[Payout]:
    """Mark up to ``limit`` PENDING payouts SENT (one more attempt) and return them, committed.

    ``SKIP LOCKED``: two relays running at once claim different payouts instead of queueing on
    the same rows, and a payout being settled right now is simply left for the next round.
    """
    with transaction.atomic(durable=True):
        claimed = list(
            Payout.objects.select_for_update(skip_locked=True)
            .filter(status=PayoutStatus.PENDING)
            .order_by("pk")[:limit]
        )
        if not claimed:
            return []
        now = timezone.now()
        Payout.objects.filter(pk__in=[p.pk for p in claimed]).update(
            status=PayoutStatus.SENT, attempts=F("attempts") + 1, sent_at=now
        )
        for payout in claimed:
            payout.status, payout.attempts, payout.sent_at = PayoutStatus.SENT, payout.attempts + 1, now
        record_events(
            [
                PendingEvent(
                    actor=None,
                    actor_label=SYSTEM,
                    action="payouts.sent",
                    target=payout,
                    summary=_summary(payout, f"发送银行 第{payout.attempts}次"),
                    data={"reference": payout.reference, "attempt": payout.attempts},
                )
                for payout in claimed
            ]
        )
    return claimed


def record_acceptances(*, bank_refs: dict[str, str]) -> int:
    """Note the bank's own reference of each accepted payment still SENT (reference → bank_ref)."""
    if not bank_refs:
        return 0
    payouts = list(
        Payout.objects.filter(reference__in=list(bank_refs), status=PayoutStatus.SENT, bank_ref="")
    )
    for payout in payouts:
        payout.bank_ref = bank_refs[payout.reference]
    # Not a status change: the bank's reference arrives again with the result.
    return Payout.objects.bulk_update(payouts, ["bank_ref"], batch_size=1000)


def requeue_payout(*, reference: str) -> Payout | None:
    """SENT → PENDING when the bank says it never accepted the payment: the relay sends it again
    under the same reference. Anything else is left as it is."""
    with transaction.atomic(durable=True):
        payout = Payout.objects.select_for_update().filter(reference=reference).first()
        if payout is None or payout.status != PayoutStatus.SENT:
            return payout
        payout.status = PayoutStatus.PENDING
        payout.save(update_fields=["status"])
        record_event(
            actor=None,
            actor_label=BANK,
            action="payouts.requeued",
            target=payout,
            summary=_summary(payout, "银行未受理, 重新发送"),
            data={"reference": reference, "attempts": payout.attempts},
        )
        _queue_relay()
    return payout


# --- the bank's result ------------------------------------------------------------------------


def record_payment_result(
    *,
    reference: str,
    paid: bool,
    failure_code: str | None,
    bank_ref: str,
    settled_on: date | None = None,
) -> Payout | None:
    """Apply the bank's settled result of a payment, exactly once.

    Paid: one entry debits PAYOUT_CLEARING and credits BANK_SETTLEMENT (the money left the
    centre's bank account). Failed: the reversal of ``debit_entry`` returns the money to the
    employee's fund account. A repeated result (a second notice, a retried task, reconciliation)
    finds the payout settled and changes nothing. Returns the payout, None for an unknown
    reference. The purpose's hook runs after commit, only for the call that settled it.
    """
    business_on = settled_on or timezone.localdate()
    with transaction.atomic(durable=True):
        payout = (
            # of=self: the payout row only; the journal entry is insert-only and needs no lock.
            Payout.objects.select_for_update(of=("self",))
            .select_related("debit_entry")
            .filter(reference=reference)
            .first()
        )
        if payout is None:
            logger.warning("payment result for unknown reference %s", reference)
            return None
        if payout.status in FINAL_STATUSES:
            if (payout.status == PayoutStatus.PAID) != paid:
                # The bank contradicting itself is for a person to look at; the first result stands.
                logger.error("payout %s is %s; the bank now says paid=%s", reference, payout.status, paid)
            return payout
        if payout.attempts == 0:
            logger.warning("payment result for payout %s that was never sent", reference)
            return payout
        payout.bank_ref = bank_ref or payout.bank_ref
        payout.settled_at = timezone.now()
        if paid:
            _settle(payout, business_on)
        else:
            _refund(payout, business_on, failure_code or "UNKNOWN")
        transaction.on_commit(lambda: _call_hook(payout.pk))
    return payout


def _settle(payout: Payout, business_on: date) -> None:
    # Out of the clearing rows the money went into, and into the bank settlement part of this
    # payout: results recorded at once for different payouts do not queue on one row.
    lines = [
        Line(clearing, debit=amount)
        for clearing, amount in _clearing_credits(payout.debit_entry).items()
        if amount
    ]
    lines.append(Line(centre_account(BANK_SETTLEMENT, spread_by=payout.pk), credit=payout.amount))
    entry = post_entry(
        lines=lines,
        business_type=payout.debit_entry.business_type,
        business_on=business_on,
        idempotency_key=f"payout:{payout.pk}:paid",
        memo=f"代付到卡 {payout.reference}",
    )
    payout.status = PayoutStatus.PAID
    payout.settle_entry = entry
    payout.save(update_fields=["status", "settle_entry", "bank_ref", "settled_at"])
    record_event(
        actor=None,
        actor_label=BANK,
        action="payouts.paid",
        target=payout,
        summary=_summary(payout, "已到账"),
        data={"reference": payout.reference, "bank_ref": payout.bank_ref, "entry_id": entry.pk},
    )


def _refund(payout: Payout, business_on: date, failure_code: str) -> None:
    entry = reverse_entry(
        entry=payout.debit_entry,
        business_on=business_on,
        idempotency_key=f"payout:{payout.pk}:refund",
        memo=f"代付失败退回 {payout.reference} {failure_code}",
    )
    payout.status = PayoutStatus.FAILED
    payout.failure_code = failure_code[:32]
    payout.refund_entry = entry
    payout.save(update_fields=["status", "failure_code", "refund_entry", "bank_ref", "settled_at"])
    record_event(
        actor=None,
        actor_label=BANK,
        action="payouts.failed",
        target=payout,
        summary=_summary(payout, f"失败 {payout.failure_code}, 退回个人账户"),
        data={"reference": payout.reference, "failure_code": payout.failure_code, "entry_id": entry.pk},
    )


def _call_hook(payout_id: int) -> None:
    payout = Payout.objects.select_related("person", "application").get(pk=payout_id)
    purpose = hooks_for(payout.purpose)
    if purpose is None:
        return
    hook = purpose.on_paid if payout.status == PayoutStatus.PAID else purpose.on_failed
    if hook is None:
        return
    try:
        hook(payout=payout)
    except Exception:
        # The result is committed and stands; the hook's owner must make its work retryable.
        logger.exception("payout %s: the %s hook failed", payout.reference, payout.purpose)
