"""Writing messages and sending their texts: the only writers of ``Message`` and ``SmsOutbox``.

A message is rendered in the person's language (``Person.language``) when it is written — its
title and body are translatable message ids with parameters (``notifications.text``) — and
stored as rendered text: it reads the same later, whatever language the reader then uses.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.services import require_transaction
from core.exceptions import DomainError
from core.identity import InvalidMobile, normalise_mobile
from integrations.sms import ports
from integrations.sms.registry import sms_gateway
from notifications.models import Message, NoticeBatch, SmsOutbox, SmsStatus
from notifications.text import known_language, language_of, param_value, render

# A person is an ``accounts.Person``; notifications sits below accounts and never imports it.
Person = models.Model

logger = logging.getLogger(__name__)

# A message the gateway has refused this often (down, or timing out) is given up: by then the
# news is stale, and the in-portal message still says it.
SMS_MAX_ATTEMPTS = 8
# The signature registered with the carriers opens every text, in either language.
SMS_SIGNATURE = "【住房公积金】"
SMS_FORMAT = _("%(signature)s%(title)s: %(body)s")
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TITLE_MAX_LENGTH = Message._meta.get_field("title").max_length
LINK_MAX_LENGTH = Message._meta.get_field("link").max_length
# Rows per INSERT of a bulk notice, and texts per queued task (one task, not one per person).
BULK_BATCH = 2000
SMS_TASK_CHUNK = 500

#: A title or body: a message id, a ``notifications.text.Text``, or text already written.
Wording = str | Promise | object


class MessageNotFound(DomainError):
    code = "MESSAGE_NOT_FOUND"
    http_status = 404


def _sms_text(title: str, body: str) -> str:
    """The text of a message, in the active language (notify renders under the person's)."""
    text = render(SMS_FORMAT, {"signature": SMS_SIGNATURE, "title": title, "body": body})
    if len(text) > ports.TEXT_MAX_LENGTH:
        text = text[: ports.TEXT_MAX_LENGTH - 1] + "…"
    return text


def _mobile_of(person: Person) -> str | None:
    return _valid_mobile(person.mobile)


def notify(
    *,
    person: Person,
    kind: str,
    title: Wording,
    body: Wording,
    link: str = "",
    sms: bool = True,
    params: Mapping | None = None,
) -> Message:
    """Store an in-portal message for ``person`` and, with ``sms`` and a mobile on file, its text.

    ``title`` and ``body`` are message ids (``gettext_lazy``) or ``notifications.text.Text``,
    filled in with ``params`` and rendered in the person's language; a plain ``str`` without
    ``params`` is stored as it is. Requires the caller's open transaction (it never opens one):
    the message exists exactly when the change it announces does. The text is sent by a task
    queued on commit; a message whose task is lost is sent by the beat sweep
    (``notifications.tasks.sweep_sms_outbox``). ``kind`` is a lower-case identifier
    (``MessageKind`` lists the portal's); ``link`` a path inside the portal or empty.
    """
    require_transaction("notify")
    _check_kind(kind)
    _check_link(link)
    language = language_of(person)
    with translation.override(language):
        title_text = render(title, params).strip()
        body_text = render(body, params).strip()
        _check_title(title_text)
        message = Message.objects.create(
            person=person, kind=kind, title=title_text, body=body_text, link=link, language=language
        )
        mobile = _mobile_of(person) if sms else None
        if mobile is None:
            return message
        outbox = SmsOutbox.objects.create(
            message=message,
            reference=f"msg-{uuid.uuid4().hex}",
            mobile=mobile,
            text=_sms_text(title_text, body_text),
        )
    # robust: a broker that is down must not fail the business transaction's request; the
    # sweep sends the text later.
    transaction.on_commit(lambda: _queue_sms(outbox.pk), robust=True)
    return message


@dataclass(frozen=True)
class Notice:
    """One person's message in a :func:`notify_many` batch: whom, and the parameters for them."""

    person_id: int
    language: str
    mobile: str
    params: Mapping


def notify_many(
    *,
    notices: Sequence[Notice],
    kind: str,
    title: Wording,
    body: Wording,
    key: str,
    link: str = "",
    sms: bool = True,
    params: Mapping | None = None,
) -> int:
    """The same message, with each person's parameters, to many people at once; returns how many.

    For a batch the size of a unit's monthly list (tens of thousands): the message ids and the
    shared ``params`` are rendered once per language, the messages and their texts are inserted
    in bulk in the caller's transaction, and the texts are queued after commit in chunks
    (``send_sms_batch_task``), never one task per person. Each notice carries the person's
    ``language`` and ``mobile`` (read with the batch, not per person) and their own parameters.
    ``key`` makes the batch happen once: a batch already written under it writes nothing (0),
    and a racing second writer fails on ``NoticeBatch.key`` and rolls back.
    """
    require_transaction("notify_many")
    _check_kind(kind)
    _check_link(link)
    if NoticeBatch.objects.filter(key=key).exists():
        return 0
    batch = NoticeBatch.objects.create(key=key, kind=kind, count=len(notices))
    if not notices:
        return 0
    by_language: dict[str, list[Notice]] = {}
    for notice in notices:
        by_language.setdefault(known_language(notice.language), []).append(notice)
    messages, texts = [], []
    now = timezone.now()
    for language, group in by_language.items():
        with translation.override(language):
            # Rendered once per language; only the parameters differ from person to person.
            title_template, body_template = str(title), str(body)
            shared = {name: param_value(value) for name, value in (params or {}).items()}
            for notice in group:
                filled = shared | {name: param_value(value) for name, value in notice.params.items()}
                title_text = (title_template % filled).strip()
                body_text = (body_template % filled).strip()
                _check_title(title_text)
                messages.append(
                    Message(
                        person_id=notice.person_id,
                        kind=kind,
                        title=title_text,
                        body=body_text,
                        link=link,
                        language=language,
                        created_at=now,
                    )
                )
                mobile = _valid_mobile(notice.mobile) if sms else None
                texts.append((mobile, _sms_text(title_text, body_text) if mobile else ""))
    Message.objects.bulk_create(messages, batch_size=BULK_BATCH)
    outboxes = SmsOutbox.objects.bulk_create(
        [
            SmsOutbox(
                message_id=message.pk,
                reference=f"msg-{uuid.uuid4().hex}",
                mobile=mobile,
                text=text,
                created_at=now,
            )
            for message, (mobile, text) in zip(messages, texts, strict=True)
            if mobile is not None
        ],
        batch_size=BULK_BATCH,
    )
    if outboxes:
        # bulk_create sets the primary keys on PostgreSQL and SQLite, the two databases the portal runs on.
        ids = [outbox.pk for outbox in outboxes]
        transaction.on_commit(lambda: _queue_sms_batch(ids), robust=True)
    logger.info("bulk notice %s (#%s): %s messages, %s texts", key, batch.pk, len(messages), len(outboxes))
    return len(messages)


def _valid_mobile(mobile: str) -> str | None:
    try:
        return normalise_mobile(mobile or "")
    except InvalidMobile:
        return None


def _check_kind(kind: str) -> None:
    if not _KIND.match(kind or ""):
        raise ValueError(f"a message kind is a lower-case identifier of at most 40 characters, not {kind!r}")


def _check_title(title: str) -> None:
    if not title or len(title) > TITLE_MAX_LENGTH:
        raise ValueError(f"a message needs a title of at most {TITLE_MAX_LENGTH} characters")


def _check_link(link: str) -> None:
    if link and (not link.startswith("/") or link.startswith("//") or len(link) > LINK_MAX_LENGTH):
        raise ValueError("a message links only inside the portal (a path starting with /)")


def _queue_sms_batch(ids: list[int]) -> None:
    from notifications.tasks import send_sms_batch_task

    for start in range(0, len(ids), SMS_TASK_CHUNK):
        send_sms_batch_task.delay(outbox_ids=ids[start : start + SMS_TASK_CHUNK])


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
