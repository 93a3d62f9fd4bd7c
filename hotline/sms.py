"""The 12329 SMS keyword channel: a text from a citizen in, the answer out through the outbox.

A registered mobile — the mobile of exactly one person — asking YE, JC or JD gets that person's
balance, last deposit or application progress; every other text, and every text from a number
that is nobody's or several people's, gets the help text and nothing personal. The gateway may
post the same message again (its retry): the message id finds the first, and no second answer
goes out. A number texting more than ``HOTLINE_SMS_PER_HOUR`` times an hour gets no answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record_event
from core.crypto import blind_index, mask_mobile
from core.identity import normalise_mobile
from hotline import answers
from hotline.keywords import read_keyword
from hotline.models import InboundOutcome, InboundSms, Query, TextPurpose
from hotline.outbox import queue_text
from hotline.selectors import person_by_mobile

ACTOR = "system:12329-sms"
# An answer the gateway could not take within this long is not sent: the citizen has moved on.
ANSWER_WITHIN = timedelta(hours=1)


@dataclass(frozen=True)
class SmsReceipt:
    message_id: str
    outcome: str
    replied: bool
    duplicate: bool


def receive_sms(*, message_id: str, mobile: str, text: str, received_at: datetime) -> SmsReceipt:
    """Answer one text; a message id seen before returns the first outcome and sends nothing.

    Raises ``core.identity.InvalidMobile`` for a sender that is no mainland mobile number.
    """
    number = normalise_mobile(mobile)
    try:
        with transaction.atomic(durable=True):
            known = InboundSms.objects.filter(message_id=message_id).first()
            if known is not None:
                return _receipt(known, duplicate=True)
            inbound = _answer(message_id=message_id, number=number, text=text, received_at=received_at)
            return _receipt(inbound, duplicate=False)
    except IntegrityError:
        # The same message posted twice at once: the other request recorded and answered it.
        known = InboundSms.objects.filter(message_id=message_id).first()
        if known is None:
            raise
        return _receipt(known, duplicate=True)


def _receipt(inbound: InboundSms, *, duplicate: bool) -> SmsReceipt:
    return SmsReceipt(
        message_id=inbound.message_id,
        outcome=inbound.outcome,
        replied=inbound.reply_id is not None,
        duplicate=duplicate,
    )


def _answer(*, message_id: str, number: str, text: str, received_at: datetime) -> InboundSms:
    now = timezone.now()
    mobile_index = blind_index(number)
    keyword = read_keyword(text)
    person = person_by_mobile(number)
    recent = InboundSms.objects.filter(
        mobile_index=mobile_index, created_at__gte=now - timedelta(hours=1)
    ).count()
    reply = None
    if recent >= settings.HOTLINE_SMS_PER_HOUR:
        outcome = InboundOutcome.LIMITED
    else:
        language = answers.language_of(person, asked_in=keyword.language)
        if person is not None and keyword.query != Query.HELP:
            outcome, body = InboundOutcome.ANSWERED, answers.answer(keyword.query, person, language)
        else:
            outcome, body = InboundOutcome.GENERIC, answers.help_text(language)
        reply = queue_text(purpose=TextPurpose.SMS_REPLY, mobile=number, text=body, send_within=ANSWER_WITHIN)
    inbound = InboundSms.objects.create(
        message_id=message_id,
        mobile_index=mobile_index,
        received_at=received_at,
        query=keyword.query,
        outcome=outcome,
        person=person if outcome == InboundOutcome.ANSWERED else None,
        reply=reply,
        created_at=now,
    )
    record_event(
        actor=None,
        actor_label=ACTOR,
        action="hotline.sms_query",
        target=inbound,
        summary=f"12329短信查询 {keyword.query} 来自 {mask_mobile(number)}：{outcome}",
        data={
            "query": keyword.query,
            "outcome": outcome,
            "mobile": mask_mobile(number),
            "person_id": person.pk if outcome == InboundOutcome.ANSWERED else None,
        },
    )
    return inbound
