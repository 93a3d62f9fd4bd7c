"""Production's default collection bank until a real connector is configured: always unavailable.

Nothing is debited and nothing credited; collection orders wait (and are retried) until the
centre connects its partner bank through ``BANK_COLLECTION``.
"""

from __future__ import annotations

from . import ports


class NotConnectedCollectionBank:
    def submit_collection(self, *, order: ports.CollectionOrder, timeout: float) -> ports.SubmitReceipt:
        raise ports.BankUnavailable("collection bank: not connected")

    def collection_result(self, *, order_ref: str, timeout: float) -> ports.CollectionResult | None:
        raise ports.BankUnavailable("collection bank: not connected")


NOT_CONNECTED = "integrations.bank.unconfigured.NotConnectedCollectionBank"
