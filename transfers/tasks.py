"""Background work on cross-city transfers: a new request's letter, and the minute sweep."""

from __future__ import annotations

from contextlib import suppress

from celery import shared_task

from core.tasks import MONEY_TASK_OPTIONS
from integrations.transfer_platform.ports import PlatformUnavailable
from transfers import incoming, sweep


@shared_task(**MONEY_TASK_OPTIONS)
def send_transfer_letter(*, transfer_id: int) -> None:
    # A platform that does not answer: the minute sweep sends it again under the same reference.
    with suppress(PlatformUnavailable):
        incoming.send_letter(transfer_id=transfer_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_transfers() -> None:
    """For beat: send, follow and answer contact letters; each step is safe to repeat."""
    sweep.sweep_transfers()
