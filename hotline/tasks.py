"""Background work of the 12329 channels: each text's send after commit, and the minute sweep."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from hotline.models import TextStatus
from hotline.outbox import send_text, waiting_text_ids

# A text younger than this is still in the hands of its after-commit task: the sweep leaves it.
SWEEP_GRACE = timedelta(minutes=1)
SEND_RETRIES = 3


@shared_task(bind=True, acks_late=True, task_reject_on_worker_lost=True, ignore_result=True)
def send_text_task(self, *, text_id: int) -> None:
    status = send_text(text_id=text_id)
    if status == TextStatus.PENDING and not self.request.is_eager and self.request.retries < SEND_RETRIES:
        # Unavailable: a caller waits for this code or answer, so try again soon.
        self.retry(countdown=5 * 2**self.request.retries, max_retries=SEND_RETRIES)


@shared_task(acks_late=True, ignore_result=True)
def sweep_texts() -> None:
    """Every minute: queue again the texts still waiting (task lost, gateway down earlier)."""
    for text_id in waiting_text_ids(created_before=timezone.now() - SWEEP_GRACE):
        send_text_task.delay(text_id=text_id)
