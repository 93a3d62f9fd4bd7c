"""Background work on withdrawals: the safety net for approved ones and the monthly instalments."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from core.tasks import MONEY_TASK_OPTIONS
from withdrawals import selectors, services

logger = logging.getLogger(__name__)

# How far back the sweep looks for approved applications nobody paid: the hook pays at once and
# the sweep runs every minute, so a week covers any outage; held ones are found by their record.
SWEEP_WINDOW = timedelta(days=7)
# A standing instruction the bureau could not set up within a day needs a person to look at it.
INSTRUCTION_WINDOW = timedelta(days=1)

# A lost connection, a deadlock victim or a lock timeout is worth another try; anything else is a
# bug for a person to see (the sweep will also come back to it within a minute).
_RETRY = MONEY_TASK_OPTIONS


@shared_task(**_RETRY)
def pay_withdrawal(*, application_id: int) -> None:
    services.pay_withdrawal(application_id=application_id)


@shared_task(**_RETRY)
def set_up_standing_instruction(*, application_id: int) -> None:
    services.set_up_standing_instruction(application_id=application_id)


@shared_task(**_RETRY)
def settle_failed_payout(*, source_ref: str) -> None:
    services.record_payout_failed(source_ref=source_ref)


@shared_task(**_RETRY)
def record_paid_payout(*, source_ref: str) -> None:
    services.record_payout_paid(source_ref=source_ref)


@shared_task(**_RETRY)
def pay_monthly_instalment(*, instruction_id: int, period: str) -> None:
    services.pay_monthly_instalment(instruction_id=instruction_id, period=date.fromisoformat(period))


@shared_task(acks_late=True, ignore_result=True)
def pay_approved_withdrawals() -> None:
    """Every minute: approved applications the hook did not get to (the process died between the
    decision's commit and the hook), held ones, and settled payouts whose hook was lost."""
    since = timezone.now() - SWEEP_WINDOW
    for application_id in selectors.unpaid_withdrawal_ids(decided_since=since):
        pay_withdrawal.delay(application_id=application_id)
    for application_id in selectors.unset_instruction_ids(decided_since=timezone.now() - INSTRUCTION_WINDOW):
        set_up_standing_instruction.delay(application_id=application_id)
    # Paid or failed, a payout whose hook was lost left the employee untold (and a failed closing's
    # account closed); the services record an outcome once, so a hook running meanwhile is harmless.
    for source_ref, status in selectors.unrecorded_payout_refs():
        (record_paid_payout if status == "PAID" else settle_failed_payout).delay(source_ref=source_ref)


@shared_task(acks_late=True, ignore_result=True)
def pay_due_instalments() -> None:
    """Each morning: the month's instalment of every standing instruction whose repayment day has come."""
    for instruction_id, period in selectors.due_instalments(today=timezone.localdate()):
        pay_monthly_instalment.delay(instruction_id=instruction_id, period=period.isoformat())
