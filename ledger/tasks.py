"""Scheduled ledger work: the year-end interest settlement (DOMAIN.md §5)."""

import logging
from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from core.money import format_yuan
from ledger.interest import interest_settled, last_settlement_day, settle_interest

logger = logging.getLogger(__name__)


# Beat runs this every night (settings: CELERY_BEAT_SCHEDULE) rather than once on 1 July: the
# check below is one indexed query, so the other 364 nights cost nothing, and a 1 July missed
# (workers down, a deploy, a failed run whose retries ran out) is caught up the next night
# without anyone remembering to. settle_interest resumes where a stopped run left off.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # A lost connection, a deadlock victim or a lock timeout are worth another try; the run
    # resumes from the accounts not yet settled. Anything else is a bug for a person to see.
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=5,
    retry_backoff=60,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
)
def settle_interest_when_due(*, on: str | None = None) -> dict:
    """Settle the period ending on ``on`` (ISO date; default: the last 30 June before today)
    unless a run has already gone through every account for it."""
    settlement_day = date.fromisoformat(on) if on else last_settlement_day(timezone.localdate())
    if interest_settled(on=settlement_day):
        return {"on": settlement_day.isoformat(), "status": "already settled"}
    report = settle_interest(on=settlement_day)
    logger.info(
        "interest settled for (%s, %s]: %s accounts settled, %s already settled, %s yuan",
        report.period_start,
        report.on,
        report.accounts_settled,
        report.accounts_already_settled,
        format_yuan(report.interest_fen),
    )
    return {
        "on": settlement_day.isoformat(),
        "status": "settled",
        "accounts_settled": report.accounts_settled,
        "accounts_already_settled": report.accounts_already_settled,
        "interest_fen": report.interest_fen,
    }
