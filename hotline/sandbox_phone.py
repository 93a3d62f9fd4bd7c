"""The sandbox phone: try 12329 by text from the web hall, as a visitor to the demo portal would.

With the sandbox SMS gateway nothing reaches a real phone: every text the portal sends is kept
in ``integrations.SandboxSms``. This module lets a logged-in person text 12329 from their own
registered mobile (through the same :func:`hotline.sms.receive_sms` the gateway's webhook calls)
and read what "their phone" received. Refused unless the gateway in use is the sandbox: on a real
gateway a text comes from the phone itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from core.exceptions import DomainError
from integrations.models import SandboxSms
from integrations.sms.registry import sms_gateway
from integrations.sms.sandbox import SandboxSmsGateway

from .sms import SmsReceipt, receive_sms

#: How many of the phone's latest texts the page shows.
PHONE_TEXTS_SHOWN = 20
MAX_TEXT_LENGTH = 70  # one SMS segment of Chinese characters


class SandboxPhoneOff(DomainError):
    code = "SANDBOX_PHONE_OFF"


@dataclass(frozen=True)
class PhoneText:
    text: str
    at: datetime


def sandbox_phone_available() -> bool:
    """Is the SMS gateway in use the sandbox (settings, or a test's override)?"""
    return isinstance(sms_gateway(), SandboxSmsGateway)


def text_12329(*, person: Person, text: str) -> SmsReceipt:
    """Send ``text`` to 12329 from ``person``'s registered mobile; the answer lands on the phone."""
    if not sandbox_phone_available():
        raise SandboxPhoneOff(_("The sandbox phone is only there while the SMS gateway is the sandbox."))
    text = (text or "").strip()[:MAX_TEXT_LENGTH]
    if not text:
        raise SandboxPhoneOff(_("Type a keyword, for example YE."), field="text")
    return receive_sms(
        message_id=f"SANDBOX-{uuid.uuid4().hex}",
        mobile=person.mobile,
        text=text,
        received_at=timezone.now(),
    )


def phone_texts(person: Person) -> list[PhoneText]:
    """The latest texts the sandbox gateway delivered to ``person``'s mobile, newest first."""
    rows = SandboxSms.objects.filter(mobile=person.mobile).order_by("-accepted_at", "-pk")
    return [PhoneText(text=row.text, at=row.accepted_at) for row in rows[:PHONE_TEXTS_SHOWN]]
