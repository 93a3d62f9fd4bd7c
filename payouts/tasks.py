"""Background work on payouts: the outbox relay, asking for results, and reconciliation."""

from __future__ import annotations

import logging
import random
from datetime import date

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError
from django.conf import settings
from django.db import InterfaceError, OperationalError

from payouts import relay

logger = logging.getLogger(__name__)

# A lost connection, a deadlock victim or a lock timeout are worth another try: every step is
# idempotent (claims skip what is taken, results apply once). Anything else is a bug to see.
_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 5,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
}


# Queued by each commit that creates a payout, and by beat every few seconds in case a queued
# run was lost; runs that find nothing PENDING cost one indexed query.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True, **_RETRY)
def relay_payouts() -> dict:
    report = relay.relay_payouts()
    if report.payout_ids:
        poll_payout_results.apply_async(kwargs={"payout_ids": report.payout_ids}, countdown=1)
    return {
        "sent": report.sent,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "unavailable": report.unavailable,
    }


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, **_RETRY)
def poll_payout_results(self, *, payout_ids: list[int]) -> None:
    report = relay.poll_payment_results(payout_ids=payout_ids)
    if not report.waiting_ids or self.request.is_eager:
        # Run in-process (eager set-ups) nobody should sleep on the bank: reconciliation asks later.
        return
    # Ask again about those still waiting, with a growing, jittered pause (many batches polled at
    # once should not hit the bank together); after the last try reconciliation takes over.
    countdown = min(2**self.request.retries, 60) + random.uniform(0, 1)
    try:
        self.retry(
            kwargs={"payout_ids": report.waiting_ids},
            countdown=countdown,
            max_retries=settings.PAYOUT_RESULT_POLLS,
        )
    except MaxRetriesExceededError:
        return


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True, **_RETRY)
def reconcile_stuck_payouts(*, on: str | None = None) -> dict:
    report = relay.reconcile_payouts(on=date.fromisoformat(on) if on else None)
    if report.checked or (report.relay and report.relay.sent):
        logger.info(
            "payouts reconciled: %s checked, %s paid, %s failed, %s pending, %s sent again",
            report.checked,
            report.paid,
            report.failed,
            report.pending,
            report.requeued,
        )
    return {
        "checked": report.checked,
        "paid": report.paid,
        "failed": report.failed,
        "pending": report.pending,
        "requeued": report.requeued,
        "unavailable": report.unavailable,
    }
