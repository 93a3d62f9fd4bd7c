"""An in-memory SMS gateway for tests.

    gateway = FakeSmsGateway()                    # every message accepted at once
    gateway = FakeSmsGateway(unavailable=True)    # every call: SmsUnavailable
    gateway.time_out_after_accepting = True       # accepts, then SmsUnavailable

``sent`` holds the accepted messages by reference (one per reference, however often sent) and
``calls`` counts the calls, so a test can assert what went out and how often it was asked.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.utils import timezone

from . import ports


@dataclass(frozen=True)
class SentSms:
    mobile: str
    text: str
    receipt: ports.SmsReceipt


class FakeSmsGateway:
    def __init__(self, *, unavailable: bool = False, time_out_after_accepting: bool = False):
        self.unavailable = unavailable
        self.time_out_after_accepting = time_out_after_accepting
        self.sent: dict[str, SentSms] = {}
        self.calls = 0
        self._lock = threading.Lock()

    def send(self, mobile: str, text: str, *, reference: str, timeout: float) -> ports.SmsReceipt:
        ports.check_timeout(timeout)
        with self._lock:
            self.calls += 1
            if self.unavailable:
                raise ports.SmsUnavailable("fake gateway: unavailable")
            ports.check_message(mobile, text, reference)
            known = self.sent.get(reference)
            if known is not None and (known.mobile, known.text) != (mobile, text):
                raise ports.SmsRejected(f"{reference}: reference already used for another message")
            if known is None:
                receipt = ports.SmsReceipt(
                    reference=reference,
                    gateway_ref=f"FAKESMS{len(self.sent) + 1:08d}",
                    accepted_at=timezone.now(),
                )
                known = self.sent[reference] = SentSms(mobile=mobile, text=text, receipt=receipt)
            if self.time_out_after_accepting:
                raise ports.SmsUnavailable("fake gateway: accepted, but the answer was lost")
            return known.receipt

    def texts_to(self, mobile: str) -> list[str]:
        """The texts accepted for ``mobile``, in the order they were first sent."""
        with self._lock:
            return [sms.text for sms in self.sent.values() if sms.mobile == mobile]
