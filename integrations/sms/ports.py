"""The SMS gateway (短信平台) as a port: a Protocol, a frozen receipt, exceptions.

``send`` hands one text message to the operator's gateway and returns its acceptance; delivery
to the handset is the operator's business and is not reported back.

``reference`` is our idempotency reference: sending the same reference again returns the first
receipt and never sends a second message, so a task whose call timed out (the gateway may have
accepted the message all the same) simply sends again. The same reference with another mobile
or text is refused. ``send`` takes ``timeout`` (seconds) and raises ``SmsUnavailable`` on a
timeout or transport failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from core.exceptions import DomainError

REFERENCE_MAX_LENGTH = 64
# Operators split long texts into 70-character segments; beyond a few segments a message is a
# letter, not a notification, and some gateways refuse it.
TEXT_MAX_LENGTH = 500

_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)


class SmsUnavailable(Exception):
    """No answer in time, or a transport failure: the message may or may not have gone; send again."""


class SmsRejected(DomainError):
    """The gateway refused the message as malformed (or as a reused reference with other content)."""

    code = "SMS_REJECTED"


@dataclass(frozen=True)
class SmsReceipt:
    reference: str
    gateway_ref: str
    accepted_at: datetime


def check_message(mobile: str, text: str, reference: str) -> None:
    """Raise ``SmsRejected`` unless a gateway would accept this message."""
    problems = []
    if not isinstance(reference, str) or not reference.strip():
        problems.append("reference is empty")
    elif len(reference) > REFERENCE_MAX_LENGTH:
        problems.append(f"reference is longer than {REFERENCE_MAX_LENGTH} characters")
    if not isinstance(mobile, str) or not _MOBILE.fullmatch(mobile):
        problems.append("mobile is not an 11-digit mainland mobile number")
    if not isinstance(text, str) or not text.strip():
        problems.append("text is empty")
    elif len(text) > TEXT_MAX_LENGTH:
        problems.append(f"text is longer than {TEXT_MAX_LENGTH} characters")
    if problems:
        raise SmsRejected("; ".join(problems))


def check_timeout(timeout: float) -> None:
    if not timeout or timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")


@runtime_checkable
class SmsGateway(Protocol):
    def send(self, mobile: str, text: str, *, reference: str, timeout: float) -> SmsReceipt:
        """Send ``text`` to ``mobile``; the same ``reference`` again returns the first receipt."""
