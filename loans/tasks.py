"""Background work on loans: the disbursement that follows a contract's signing, and its safety net."""

from __future__ import annotations

import logging

from celery import shared_task

from core.exceptions import DomainError
from core.tasks import MONEY_TASK_OPTIONS
from loans import disbursement

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
