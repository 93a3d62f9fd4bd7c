"""Background work on text messages: the send after commit and the minute sweep."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from notifications.models import SmsStatus
from notifications.services import pending_sms_ids, send_sms

# A text younger than this is still in the hands of its after-commit task: the sweep leaves it.
SWEEP_GRACE = timedelta(minutes=1)
SEND_RETRIES = 4


@shared_task(bind=True, acks_late=True, task_reject_on_worker_lost=True, ignore_result=True)
def send_sms_task(self, *, outbox_id: int) -> None:
    status = send_sms(outbox_id=outbox_id)
    if status != SmsStatus.PENDING or self.request.is_eager:
        # In-process (eager set-ups) nobody waits on the gateway: the sweep sends it again.
        return
    if self.request.retries < SEND_RETRIES:
        # Unavailable: try again soon with a growing pause; after that the sweep keeps trying.
        self.retry(countdown=min(10 * 2**self.request.retries, 300), max_retries=SEND_RETRIES)


@shared_task(acks_late=True, task_reject_on_worker_lost=True, ignore_result=True)
def send_sms_batch_task(*, outbox_ids: list[int]) -> None:
    """The texts of one bulk notice (a unit's monthly list): sent one after another.

    No retry of its own: a text the gateway did not take stays PENDING for the sweep, and a text
    already sent is skipped, so running the task again is harmless.
    """
    for outbox_id in outbox_ids:
        send_sms(outbox_id=outbox_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_sms_outbox() -> None:
    """Every minute: queue again the texts still waiting (task lost, gateway down earlier)."""
    for outbox_id in pending_sms_ids(created_before=timezone.now() - SWEEP_GRACE):
        send_sms_task.delay(outbox_id=outbox_id)
