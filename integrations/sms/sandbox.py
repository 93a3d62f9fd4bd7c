"""The sandbox SMS gateway: every accepted message kept in ``SandboxSms`` instead of being sent.

Staff trying the portal read in the admin ("sandbox text messages") what a citizen's phone
would have shown. Knobs (settings, from the environment):

- ``SANDBOX_SMS_LATENCY_MS`` (100): how long the gateway takes to answer. A latency beyond the
  caller's ``timeout`` is a timeout: the call waits ``timeout`` and raises ``SmsUnavailable``
  with nothing recorded.
- ``SANDBOX_SMS_FAILURE_RATE`` (0): the share of calls refused as if the gateway were down
  (``SmsUnavailable``, nothing recorded); a fraction ("0.1") or per mille ("100‰").
- ``SANDBOX_SMS_RANDOM_SEED`` (None): makes the draws repeatable (tests).

The unique ``reference`` makes a resend find the first row: a message is kept once however
often its task runs.
"""

from __future__ import annotations

import random
import threading
import time
import uuid

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from integrations.bank.sandbox import parse_rate

from . import ports

_rng_lock = threading.Lock()
_rng: tuple[object, random.Random] | None = None


def reset_random() -> None:
    """Start the draws again from the seed (tests)."""
    global _rng
    with _rng_lock:
        _rng = None


def _fails(per_mille: int) -> bool:
    global _rng
    if per_mille <= 0:
        return False
    seed = getattr(settings, "SANDBOX_SMS_RANDOM_SEED", None)
    with _rng_lock:
        if _rng is None or _rng[0] != seed:
            _rng = (seed, random.Random(seed))
        return _rng[1].randrange(1000) < per_mille


class SandboxSmsGateway:
    def send(self, mobile: str, text: str, *, reference: str, timeout: float) -> ports.SmsReceipt:
        from integrations.models import SandboxSms

        ports.check_timeout(timeout)
        ports.check_message(mobile, text, reference)
        latency = int(getattr(settings, "SANDBOX_SMS_LATENCY_MS", 100)) / 1000
        failure = parse_rate("SANDBOX_SMS_FAILURE_RATE", getattr(settings, "SANDBOX_SMS_FAILURE_RATE", "0"))
        if latency >= timeout:
            time.sleep(timeout)
            raise ports.SmsUnavailable(f"sandbox SMS gateway: no answer within {timeout:g} s")
        time.sleep(latency)
        if _fails(failure):
            raise ports.SmsUnavailable("sandbox SMS gateway: refused the connection")
        try:
            # get_or_create retries the read when a concurrent send wins the unique reference.
            row, _created = SandboxSms.objects.get_or_create(
                reference=reference,
                defaults={
                    "gateway_ref": f"SBXSMS{uuid.uuid4().hex[:18].upper()}",
                    "mobile": mobile,
                    "text": text,
                    "accepted_at": timezone.now(),
                },
            )
        except DatabaseError as exc:
            raise ports.SmsUnavailable("sandbox SMS gateway: store failed") from exc
        if (row.mobile, row.text) != (mobile, text):
            raise ports.SmsRejected(f"{reference}: reference already used for another message")
        return ports.SmsReceipt(
            reference=row.reference, gateway_ref=row.gateway_ref, accepted_at=row.accepted_at
        )
