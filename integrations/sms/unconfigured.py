"""Production's default SMS gateway until a real one is configured: always unavailable.

Nothing is sent: the in-portal messages are written all the same, and each text in the SMS outbox
is tried a few times and then given up, until the centre connects its operator's gateway through
``SMS_GATEWAY``.
"""

from __future__ import annotations

from . import ports


class NotConnectedSmsGateway:
    def send(self, mobile: str, text: str, *, reference: str, timeout: float) -> ports.SmsReceipt:
        raise ports.SmsUnavailable("SMS gateway: not connected")


NOT_CONNECTED = "integrations.sms.unconfigured.NotConnectedSmsGateway"
