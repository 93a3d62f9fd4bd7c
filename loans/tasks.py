"""Background work on loans: disbursement after signing, the monthly collections and 1 January re-pricing."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError
from django.utils import timezone

from core.exceptions import DomainError
from core.tasks import MONEY_TASK_OPTIONS
from integrations.bank.ports import BankUnavailable
from loans import collection, disbursement, repricing

logger = logging.getLogger(__name__)

# A lost connection, a deadlock victim or a lock timeout is worth another try; a refusal (the case
# is not signed, its seal or the seller's account does not check) is for staff to see on the page.
_RETRY = MONEY_TASK_OPTIONS


@shared_task(**_RETRY)
def disburse_loan(*, loan_id: int) -> None:
    try:
        disbursement.disburse_loan(loan_id=loan_id)
    except DomainError as refusal:
        logger.warning("loan %s not disbursed: %s", loan_id, refusal)


@shared_task(**_RETRY)
def record_disbursement_result(*, payout_id: int) -> None:
    disbursement.record_disbursement_result(payout_id=payout_id)


@shared_task(acks_late=True, ignore_result=True)
def record_settled_disbursements() -> None:
    """A sweep for beat: settled disbursement payouts whose hook was lost (the process died after
    the bank's result committed) reach their loan; recording a result twice changes nothing."""
    for payout_id in disbursement.unrecorded_disbursement_payout_ids():
        record_disbursement_result.delay(payout_id=payout_id)


# Repayment -------------------------------------------------------------------------------------

#: How often one bank debit is asked about with a growing pause before the minute sweep takes over.
REPAYMENT_POLLS = 6


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def advance_repayment(self, repayment_id: int) -> None:
    try:
        outcome = collection.advance_repayment(repayment_id=repayment_id)
    except BankUnavailable:
        outcome = collection.PENDING
    if outcome != collection.PENDING or self.request.is_eager:
        return  # run in-process nobody sleeps on the bank: the sweep asks again
    try:
        self.retry(countdown=min(2**self.request.retries, 60), max_retries=REPAYMENT_POLLS)
    except MaxRetriesExceededError:
        return


@shared_task(acks_late=True, ignore_result=True)
def sweep_repayments() -> None:
    """For beat, every minute: ask the bank again about every debit still being collected."""
    for repayment_id in collection.open_bank_debits():
        try:
            collection.advance_repayment(repayment_id=repayment_id)
        except BankUnavailable:
            logger.warning("bank did not answer about loan repayment %s", repayment_id)


@shared_task(acks_late=True, ignore_result=True)
def run_daily_repayments() -> None:
    """For beat, each morning: mark overdue instalments, then collect everything due by today.

    Safe to run again the same day: each instalment is tried once a day.
    """
    today = timezone.localdate()
    collection.mark_overdue(today=today)
    for account_id in collection.accounts_owing(today=today):
        try:
            collection.collect_due(account_id=account_id, today=today)
        except DomainError as refusal:
            logger.warning("loan account %s not collected: %s", account_id, refusal)


@shared_task(acks_late=True, ignore_result=True)
def reprice_loans() -> None:
    """For beat, every night: re-price loans for this year's 1 January (a no-op once done)."""
    repricing.reprice_loans(today=timezone.localdate())
