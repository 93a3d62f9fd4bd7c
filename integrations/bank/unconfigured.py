"""Production's default banks until real connectors are configured: always unavailable.

Nothing is debited and nothing credited; collection orders wait (and are retried) until the
centre connects its partner bank through ``BANK_COLLECTION``. Likewise nothing is paid out:
payouts stay SENT (reconciliation keeps asking) until ``BANK_PAYMENT`` names a real connector.
"""

from __future__ import annotations

from . import payments, ports


class NotConnectedCollectionBank:
    def submit_collection(self, *, order: ports.CollectionOrder, timeout: float) -> ports.SubmitReceipt:
        raise ports.BankUnavailable("collection bank: not connected")

    def collection_result(self, *, order_ref: str, timeout: float) -> ports.CollectionResult | None:
        raise ports.BankUnavailable("collection bank: not connected")


NOT_CONNECTED = "integrations.bank.unconfigured.NotConnectedCollectionBank"


class NotConnectedPaymentBank:
    def verify_card(
        self, *, card_no: str, holder_name: str, id_number: str, timeout: float
    ) -> payments.CardCheck:
        raise ports.BankUnavailable("payment bank: not connected")

    def submit_payments(self, *, instructions, timeout: float) -> list[payments.PaymentReceipt]:
        raise ports.BankUnavailable("payment bank: not connected")

    def payment_result(self, *, reference: str, timeout: float) -> payments.PaymentResult | None:
        raise ports.BankUnavailable("payment bank: not connected")


PAYMENT_NOT_CONNECTED = "integrations.bank.unconfigured.NotConnectedPaymentBank"
