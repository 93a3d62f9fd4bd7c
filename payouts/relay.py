"""Talking to the payment bank about payouts: always between transactions, never under a lock.

- ``relay_payouts``: claim PENDING payouts a batch at a time (marked SENT and committed first),
  then hand the batch to the bank in one call. If the answer is lost the batch stays SENT: the
  bank may or may not have recorded it, and sending it again is harmless because the bank keeps
  one payment per reference.
- ``poll_payment_results``: ask for the results of payouts just sent.
- ``reconcile_payouts``: ask about payouts SENT for a while; record what the bank settled, send
  again what it never accepted.

Every result goes to :func:`payouts.services.record_payment_result`, which applies it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from integrations.bank import payments
from integrations.bank.registry import payment_bank
from payouts.models import Payout
from payouts.selectors import StuckPayout, sent_references, stuck_payouts
from payouts.services import (
    INSTRUCTION_REJECTED,
    claim_pending_payouts,
    record_acceptances,
    record_payment_result,
    requeue_payout,
)

logger = logging.getLogger(__name__)

# One lost answer says little (the next question may well be answered); this many in a row
# means the bank is down, and asking about the rest would only sleep through their timeouts.
BANK_DOWN_AFTER = 3


@dataclass
class RelayReport:
    batches: int = 0
    sent: int = 0
    accepted: int = 0
    rejected: int = 0
    conflicts: int = 0
    unavailable: bool = False
    #: Payouts now SENT whose results are worth asking for.
    payout_ids: list[int] = field(default_factory=list)


@dataclass
class ResultsReport:
    checked: int = 0
    paid: int = 0
    failed: int = 0
    pending: int = 0
    unknown: int = 0
    mismatched: int = 0
    requeued: int = 0
    unavailable: bool = False
    #: Payouts still waiting for a result (pending, unknown, or not asked because the bank was down).
    waiting_ids: list[int] = field(default_factory=list)
    relay: RelayReport | None = None


def instruction_for(payout: Payout) -> payments.PaymentInstruction:
    # Built only from the payout's stored fields, so every resubmission is identical to the first.
    return payments.PaymentInstruction(
        reference=payout.reference,
        card_no=payout.card_no,
        holder_name=payout.holder_name,
        amount=payout.amount,
        memo=f"住房公积金 {payout.reference}",
    )


def relay_payouts(*, batch_size: int | None = None, max_batches: int | None = None) -> RelayReport:
    """Send PENDING payouts to the bank until none are left (or ``max_batches``, or the bank is down)."""
    size = min(batch_size or settings.PAYOUT_BATCH_SIZE, payments.MAX_BATCH)
    bank = payment_bank()
    report = RelayReport()
    while max_batches is None or report.batches < max_batches:
        claimed = claim_pending_payouts(limit=size)
        if not claimed:
            break
        report.batches += 1
        report.sent += len(claimed)
        try:
            receipts = bank.submit_payments(
                instructions=[instruction_for(payout) for payout in claimed], timeout=settings.BANK_TIMEOUT_S
            )
        except payments.BankUnavailable:
            # Left SENT: the bank may have recorded the batch. Results or reconciliation will tell.
            report.unavailable = True
            report.payout_ids += [payout.pk for payout in claimed]
            break
        by_reference = {payout.reference: payout for payout in claimed}
        accepted = {receipt.reference: receipt.bank_ref for receipt in receipts if receipt.accepted}
        record_acceptances(bank_refs=accepted)
        report.accepted += len(accepted)
        report.payout_ids += [by_reference[ref].pk for ref in accepted]
        for receipt in receipts:
            if receipt.accepted:
                continue
            if receipt.rejection == payments.REFERENCE_CONFLICT:
                # The bank holds another payment under our reference: paying or refunding could
                # each be wrong, so the payout stays SENT for staff and reconciliation skips it.
                report.conflicts += 1
                logger.error("payout %s: the bank holds another payment under it", receipt.reference)
                continue
            # Refused outright: nothing was paid under this reference, so the money goes back.
            report.rejected += 1
            record_payment_result(
                reference=receipt.reference, paid=False, failure_code=INSTRUCTION_REJECTED, bank_ref=""
            )
    return report


def _ask(bank, payout: StuckPayout, report: ResultsReport) -> payments.PaymentResult | None:
    report.checked += 1
    result = bank.payment_result(reference=payout.reference, timeout=settings.BANK_TIMEOUT_S)
    if result is None:
        report.pending += 1
        report.waiting_ids.append(payout.pk)
        return None
    if result.amount != payout.amount:
        # Not this payout's payment (the bank mixed up references): a person must look.
        report.mismatched += 1
        logger.error("payout %s: bank reports %s fen, not %s", payout.reference, result.amount, payout.amount)
        return None
    record_payment_result(
        reference=payout.reference,
        paid=result.paid,
        failure_code=result.failure_code,
        bank_ref=result.bank_ref,
        settled_on=result.settled_on,
    )
    if result.paid:
        report.paid += 1
    else:
        report.failed += 1
    return result


def poll_payment_results(*, payout_ids: list[int]) -> ResultsReport:
    """Ask for the results of these payouts (those still SENT); record the settled ones."""
    bank = payment_bank()
    report = ResultsReport()
    waiting = sent_references(payout_ids)
    lost = 0
    for index, payout in enumerate(waiting):
        try:
            _ask(bank, payout, report)
            lost = 0
        except payments.UnknownPayment:
            # Just sent and unknown: the submission's answer was lost before the bank recorded it.
            # Reconciliation sends it again once it is old enough not to be still in flight.
            lost = 0
            report.unknown += 1
            report.waiting_ids.append(payout.pk)
        except payments.BankUnavailable:
            lost += 1
            report.waiting_ids.append(payout.pk)
            if lost >= BANK_DOWN_AFTER:
                report.unavailable = True
                report.waiting_ids += [p.pk for p in waiting[index + 1 :]]
                break
    return report


def reconcile_payouts(*, on: date | None = None, older_than: timedelta | None = None) -> ResultsReport:
    """Resolve payouts SENT longer than ``older_than`` (and, given ``on``, sent that day).

    The bank's settled results are recorded; payouts it never accepted go back to PENDING and are
    sent again under the same reference; finally the relay runs, so PENDING payouts whose relay
    was lost (a worker died after the commit) leave too.
    """
    if older_than is None:
        older_than = timedelta(seconds=settings.PAYOUT_RECONCILE_AFTER_S)
    bank = payment_bank()
    report = ResultsReport()
    lost = 0
    for payout in stuck_payouts(sent_before=timezone.now() - older_than, on=on):
        try:
            _ask(bank, payout, report)
            lost = 0
        except payments.UnknownPayment:
            lost = 0
            requeue_payout(reference=payout.reference)
            report.requeued += 1
        except payments.BankUnavailable:
            lost += 1
            if lost >= BANK_DOWN_AFTER:
                report.unavailable = True
                break
    if not report.unavailable:
        report.relay = relay_payouts()
    return report
