"""Writing messages and sending their texts: the only writers of ``Message`` and ``SmsOutbox``.

:func:`notify` is a helper inside the caller's transaction: the message and its SMS row commit
or roll back with the business change they announce, and the text goes out only after commit
(``transaction.on_commit``), from a task — never the network inside a transaction. Sending
(:func:`send_sms`) asks the gateway outside any transaction, then records the outcome under a
row lock; the gateway's idempotency on ``reference`` makes a second send of the same row
harmless, so the after-commit task and the beat sweep may both try.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import require_transaction
from core.exceptions import DomainError
from core.identity import InvalidMobile, normalise_mobile
from integrations.sms import ports
from integrations.sms.registry import sms_gateway
from notifications.models import Message, SmsOutbox, SmsStatus

# A person is an ``accounts.Person``; notifications sits below accounts and never imports it.
Person = models.Model

logger = logging.getLogger(__name__)

# A message the gateway has refused this often (down, or timing out) is given up: by then the
# news is stale, and the in-portal message still says it.
SMS_MAX_ATTEMPTS = 8
SMS_SIGNATURE = "【住房公积金】"
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TITLE_MAX_LENGTH = Message._meta.get_field("title").max_length
LINK_MAX_LENGTH = Message._meta.get_field("link").max_length


class MessageNotFound(DomainError):
    code = "MESSAGE_NOT_FOUND"
    http_status = 404


def _sms_text(title: str, body: str) -> str:
    text = f"{SMS_SIGNATURE}{title}：{body}"
    if len(text) > ports.TEXT_MAX_LENGTH:
        text = text[: ports.TEXT_MAX_LENGTH - 1] + "…"
    return text


def _mobile_of(person: Person) -> str | None:
    try:
        return normalise_mobile(person.mobile or "")
    except InvalidMobile:
        return None


def notify(*, person: Person, kind: str, title: str, body: str, link: str = "", sms: bool = True) -> Message:
    """Store an in-portal message for ``person`` and, with ``sms`` and a mobile on file, its text.

    Requires the caller's open transaction (it never opens one): the message exists exactly
    when the change it announces does. The text is sent by a task queued on commit; a message
    whose task is lost is sent by the beat sweep (``notifications.tasks.sweep_sms_outbox``).
    ``kind`` is a lower-case identifier (``MessageKind`` lists the portal's); ``link`` a path
    inside the portal or empty.
    """
    require_transaction("notify")
    if not _KIND.match(kind or ""):
        raise ValueError(f"a message kind is a lower-case identifier of at most 40 characters, not {kind!r}")
    if not title or not title.strip() or len(title.strip()) > TITLE_MAX_LENGTH:
        raise ValueError(f"a message needs a title of at most {TITLE_MAX_LENGTH} characters")
    if link and (not link.startswith("/") or link.startswith("//") or len(link) > LINK_MAX_LENGTH):
        raise ValueError("a message links only inside the portal (a path starting with /)")
    message = Message.objects.create(
        person=person, kind=kind, title=title.strip(), body=body.strip(), link=link
    )
    mobile = _mobile_of(person) if sms else None
    if mobile is not None:
        outbox = SmsOutbox.objects.create(
            message=message,
            reference=f"msg-{uuid.uuid4().hex}",
            mobile=mobile,
            text=_sms_text(message.title, message.body),
        )
        # robust: a broker that is down must not fail the business transaction's request; the
        # sweep sends the text later.
        transaction.on_commit(lambda: _queue_sms(outbox.pk), robust=True)
    return message


def _queue_sms(outbox_id: int) -> None:
    from notifications.tasks import send_sms_task

    send_sms_task.delay(outbox_id=outbox_id)


def send_sms(*, outbox_id: int) -> str:
    """Send one waiting text through the gateway; returns its status afterwards.

    Call outside any transaction. A row that is no longer PENDING is left alone. A gateway that
    is unavailable leaves the row PENDING (to be sent again) until ``SMS_MAX_ATTEMPTS``; a
    refused message is FAILED at once.
    """
    row = SmsOutbox.objects.filter(pk=outbox_id).first()
    if row is None or row.status != SmsStatus.PENDING:
        return row.status if row else SmsStatus.FAILED
    receipt, error, permanent = None, "", False
    try:
        receipt = sms_gateway().send(
            row.mobile, row.text, reference=row.reference, timeout=settings.SMS_TIMEOUT_S
        )
    except ports.SmsUnavailable as exc:
        error = str(exc) or "unavailable"
    except ports.SmsRejected as exc:
        error, permanent = exc.message, True
    return _record_attempt(outbox_id=outbox_id, receipt=receipt, error=error, permanent=permanent)


def _record_attempt(*, outbox_id: int, receipt: ports.SmsReceipt | None, error: str, permanent: bool) -> str:
    now = timezone.now()
    with transaction.atomic(durable=True):
        # Locked: the task and the sweep may finish together; the first outcome recorded stands.
        row = SmsOutbox.objects.select_for_update().get(pk=outbox_id)
        if row.status != SmsStatus.PENDING:
            return row.status
        row.attempts += 1
        row.last_attempt_at = now
        if receipt is not None:
            row.status, row.sent_at, row.gateway_ref, row.last_error = (
                SmsStatus.SENT,
                now,
                receipt.gateway_ref,
                "",
            )
        else:
            row.last_error = error[:200]
            if permanent or row.attempts >= SMS_MAX_ATTEMPTS:
                row.status = SmsStatus.FAILED
                logger.warning("text message %s given up: %s", row.reference, row.last_error)
        row.save(
            update_fields=["status", "attempts", "last_attempt_at", "sent_at", "gateway_ref", "last_error"]
        )
        return row.status


def pending_sms_ids(*, created_before: datetime) -> list[int]:
    """The texts still waiting that were written before ``created_before`` (for the sweep)."""
    return list(
        SmsOutbox.objects.filter(status=SmsStatus.PENDING, created_at__lt=created_before)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )


def mark_read(*, person: Person, message_id: int) -> Message:
    """Mark one of ``person``'s own messages read (again: a no-op); another's is not found."""
    with transaction.atomic(durable=True):
        message = Message.objects.filter(pk=message_id, person=person).first()
        if message is None:
            raise MessageNotFound(_("There is no such message."))
        if message.read_at is None:
            message.read_at = timezone.now()
            # Conditional: of two tabs marking it at once, the first time read stands.
            Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
        return message


def mark_all_read(*, person: Person) -> int:
    """Mark every unread message of ``person`` read; returns how many were unread."""
    with transaction.atomic(durable=True):
        return Message.objects.filter(person=person, read_at__isnull=True).update(read_at=timezone.now())
