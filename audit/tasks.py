"""Background work on the audit chain: signing its head every few minutes (``audit.anchors``)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from audit.anchors import anchor_chain
from core.request_context import acting_through


# Idempotent: a head already anchored is left alone, so a retried or doubled run does no harm.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=5,
    retry_jitter=True,
)
def anchor_audit_chain() -> int | None:
    with acting_through("system"):
        anchor = anchor_chain()
    return anchor.sequence if anchor is not None else None
