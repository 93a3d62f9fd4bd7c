"""Texts the 12329 channels send: written inside the caller's transaction, sent after commit.

:func:`queue_text` is a helper inside the caller's transaction (the text exists exactly when the
query or call that wants it does); a task sends it after commit, and the minute sweep sends what a
lost task left. :func:`send_text` asks the gateway outside any transaction and records the outcome
under a row lock; the gateway's idempotency on ``reference`` makes a second send harmless.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import require_transaction
from hotline.models import OutgoingText, TextStatus
from integrations.sms import ports
from integrations.sms.registry import sms_gateway
from notifications.services import SMS_SIGNATURE

logger = logging.getLogger(__name__)

# A gateway refusing this often (down, or timing out) has had its chances: the answer is stale.
MAX_ATTEMPTS = 5


def queue_text(*, purpose: str, mobile: str, text: str, send_within: timedelta) -> OutgoingText:
    """Write a signed text to ``mobile``, sent after commit and never later than ``send_within``."""
    require_transaction("queue_text")
    body = f"{SMS_SIGNATURE}{text}"
    if len(body) > ports.TEXT_MAX_LENGTH:
        body = body[: ports.TEXT_MAX_LENGTH - 1] + "…"
    now = timezone.now()
    row = OutgoingText.objects.create(
        purpose=purpose,
        reference=f"hotline-{uuid.uuid4().hex}",
        mobile=mobile,
        text=body,
        created_at=now,
        send_before=now + send_within,
    )
    # robust: a broker that is down must not fail the query; the sweep sends the text later.
    transaction.on_commit(lambda: _queue_send(row.pk), robust=True)
    return row


def _queue_send(text_id: int) -> None:
    from hotline.tasks import send_text_task

    send_text_task.delay(text_id=text_id)


def send_text(*, text_id: int) -> str:
    """Send one waiting text; returns its status afterwards. Call outside any transaction."""
    row = OutgoingText.objects.filter(pk=text_id).first()
    if row is None:
        return TextStatus.FAILED
    if row.status != TextStatus.PENDING:
        return row.status
    if row.send_before <= timezone.now():
        return _record(text_id=text_id, receipt=None, error="too late to send", give_up=True)
    try:
        receipt = sms_gateway().send(
            row.mobile, row.text, reference=row.reference, timeout=settings.SMS_TIMEOUT_S
        )
    except ports.SmsUnavailable as exc:
        return _record(text_id=text_id, receipt=None, error=str(exc) or "unavailable", give_up=False)
    except ports.SmsRejected as exc:
        return _record(text_id=text_id, receipt=None, error=exc.message, give_up=True)
    return _record(text_id=text_id, receipt=receipt, error="", give_up=False)


def _record(*, text_id: int, receipt: ports.SmsReceipt | None, error: str, give_up: bool) -> str:
    with transaction.atomic(durable=True):
        # Locked: the task and the sweep may finish together; the first outcome recorded stands.
        row = OutgoingText.objects.select_for_update().get(pk=text_id)
        if row.status != TextStatus.PENDING:
            return row.status
        row.attempts += 1
        if receipt is not None:
            row.status, row.sent_at, row.gateway_ref, row.last_error = (
                TextStatus.SENT,
                timezone.now(),
                receipt.gateway_ref,
                "",
            )
        else:
            row.last_error = error[:200]
            if give_up or row.attempts >= MAX_ATTEMPTS:
                row.status = TextStatus.FAILED
                logger.warning("12329 text %s given up: %s", row.reference, row.last_error)
        row.save(update_fields=["status", "attempts", "sent_at", "gateway_ref", "last_error"])
        return row.status


def waiting_text_ids(*, created_before: datetime) -> list[int]:
    """The texts still waiting that were written before ``created_before`` (for the sweep)."""
    return list(
        OutgoingText.objects.filter(status=TextStatus.PENDING, created_at__lt=created_before)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )
