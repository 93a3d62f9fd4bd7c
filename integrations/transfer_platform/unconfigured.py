"""Production's default transfer platform until the centre's connection is configured: always unavailable.

Every call raises ``PlatformUnavailable``: incoming requests wait with their letters unsent and
no letter from another centre is read, until ``TRANSFER_PLATFORM`` names the real connector.
"""

from __future__ import annotations

from . import ports


class NotConnectedTransferPlatform:
    def _unavailable(self):
        raise ports.PlatformUnavailable("transfer platform: not connected")

    def send_contact_letter(self, *, letter, timeout: float):
        self._unavailable()

    def letter_status(self, *, letter_ref: str, timeout: float):
        self._unavailable()

    def poll_incoming_letters(self, *, timeout: float):
        self._unavailable()

    def reply_to_letter(self, *, platform_ref: str, answer, timeout: float) -> None:
        self._unavailable()

    def confirm_transfer_out(self, *, platform_ref: str, timeout: float):
        self._unavailable()


NOT_CONNECTED = "integrations.transfer_platform.unconfigured.NotConnectedTransferPlatform"
