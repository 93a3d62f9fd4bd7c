"""In-memory collection and payment banks for tests, with programmable outcomes.

    bank = FakeCollectionBank()                                  # every order succeeds at once
    bank = FakeCollectionBank(failures={"DL-7": INSUFFICIENT_FUNDS})
    bank = FakeCollectionBank(settle_at_once=False)              # pending until bank.settle(...)
    bank = FakeCollectionBank(unavailable=True)                  # every call: BankUnavailable
    bank.time_out_after_accepting = True                         # accepts, then BankUnavailable

``orders`` holds the accepted orders by reference (one per reference, however often submitted)
and ``calls`` the operation names, so a test can assert what the bank was asked.

    bank = FakePaymentBank()                                     # every payment paid at once
    bank = FakePaymentBank(card_failures={"6222…0001": ACCOUNT_FROZEN})
    bank = FakePaymentBank(settle_at_once=False)                 # unsettled until bank.settle(...)
    bank = FakePaymentBank(unavailable=True)                     # every call: BankUnavailable
    bank.time_out_after_accepting = True                         # records the batch, then times out

``payments`` holds one instruction per reference however often it was submitted (the bank's
dedup), ``submissions`` counts how often each reference was sent, and ``paid_total()`` is what
actually left the bank: the judge of "never paid twice".
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date

from django.utils import timezone

from . import payments, ports


class FakeCollectionBank:
    def __init__(
        self,
        *,
        failures: Mapping[str, str] | None = None,
        settle_at_once: bool = True,
        unavailable: bool = False,
        time_out_after_accepting: bool = False,
    ):
        unknown = set((failures or {}).values()) - set(ports.FAILURE_CODES)
        if unknown:
            raise ValueError(f"unknown failure codes: {', '.join(sorted(unknown))}")
        self.failures = dict(failures or {})
        self.settle_at_once = settle_at_once
        self.unavailable = unavailable
        self.time_out_after_accepting = time_out_after_accepting
        self.orders: dict[str, ports.CollectionOrder] = {}
        self.receipts: dict[str, ports.SubmitReceipt] = {}
        self.results: dict[str, ports.CollectionResult] = {}
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def submit_collection(self, *, order: ports.CollectionOrder, timeout: float) -> ports.SubmitReceipt:
        ports.check_timeout(timeout)
        with self._lock:
            self.calls.append("submit_collection")
            if self.unavailable:
                raise ports.BankUnavailable("fake bank: unavailable")
            ports.check_order(order)
            known = self.orders.get(order.order_ref)
            if known is not None and known != order:
                raise ports.OrderRejected(f"{order.order_ref}: reference already used for another order")
            if known is None:
                self.orders[order.order_ref] = order
                self.receipts[order.order_ref] = ports.SubmitReceipt(
                    order_ref=order.order_ref,
                    bank_ref=f"FAKE{len(self.receipts) + 1:08d}",
                    accepted_at=timezone.now(),
                )
                if self.settle_at_once:
                    self._settle(order.order_ref, self.failures.get(order.order_ref), timezone.localdate())
            if self.time_out_after_accepting:
                raise ports.BankUnavailable("fake bank: accepted, but the answer was lost")
            return self.receipts[order.order_ref]

    def collection_result(self, *, order_ref: str, timeout: float) -> ports.CollectionResult | None:
        ports.check_timeout(timeout)
        with self._lock:
            self.calls.append("collection_result")
            if self.unavailable:
                raise ports.BankUnavailable("fake bank: unavailable")
            if order_ref not in self.orders:
                raise ports.UnknownOrder(f"{order_ref}: no such order")
            return self.results.get(order_ref)

    def settle(self, order_ref: str, *, failure_code: str | None = None, settled_on: date | None = None):
        """Settle a pending order: succeeded, or failed with ``failure_code``."""
        if failure_code is not None and failure_code not in ports.FAILURE_CODES:
            raise ValueError(f"unknown failure code {failure_code!r}")
        with self._lock:
            if order_ref not in self.orders:
                raise KeyError(order_ref)
            self._settle(order_ref, failure_code, settled_on or timezone.localdate())

    def _settle(self, order_ref: str, failure_code: str | None, settled_on: date) -> None:
        self.results[order_ref] = ports.CollectionResult(
            order_ref=order_ref,
            status=ports.FAILED if failure_code else ports.SUCCEEDED,
            failure_code=failure_code,
            bank_ref=self.receipts[order_ref].bank_ref,
            settled_on=settled_on,
        )


class FakePaymentBank:
    def __init__(
        self,
        *,
        card_failures: Mapping[str, str] | None = None,
        settle_at_once: bool = True,
        unavailable: bool = False,
        time_out_after_accepting: bool = False,
    ):
        unknown = set((card_failures or {}).values()) - set(payments.FAILURE_CODES)
        if unknown:
            raise ValueError(f"unknown failure codes: {', '.join(sorted(unknown))}")
        self.card_failures = dict(card_failures or {})
        self.settle_at_once = settle_at_once
        self.unavailable = unavailable
        self.time_out_after_accepting = time_out_after_accepting
        self.payments: dict[str, payments.PaymentInstruction] = {}
        self.receipts: dict[str, payments.PaymentReceipt] = {}
        self.results: dict[str, payments.PaymentResult] = {}
        self.submissions: dict[str, int] = {}
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def verify_card(
        self, *, card_no: str, holder_name: str, id_number: str, timeout: float
    ) -> payments.CardCheck:
        ports.check_timeout(timeout)
        with self._lock:
            self.calls.append("verify_card")
            if self.unavailable:
                raise ports.BankUnavailable("fake bank: unavailable")
            failure = self.card_failures.get(card_no)
            return payments.CardCheck(
                exists=failure != payments.CARD_INVALID,
                name_matches=failure != payments.NAME_MISMATCH,
                frozen=failure == payments.ACCOUNT_FROZEN,
            )

    def submit_payments(self, *, instructions, timeout: float) -> list[payments.PaymentReceipt]:
        ports.check_timeout(timeout)
        with self._lock:
            self.calls.append("submit_payments")
            if self.unavailable:
                raise ports.BankUnavailable("fake bank: unavailable")
            payments.check_batch(instructions)
            receipts = [self._accept(instruction) for instruction in instructions]
            if self.time_out_after_accepting:
                raise ports.BankUnavailable("fake bank: accepted, but the answer was lost")
            return receipts

    def _accept(self, instruction: payments.PaymentInstruction) -> payments.PaymentReceipt:
        reference = instruction.reference
        if payments.instruction_problems(instruction):
            return payments.rejected(reference, payments.MALFORMED)
        known = self.payments.get(reference)
        if known is not None and known != instruction:
            return payments.rejected(reference, payments.REFERENCE_CONFLICT)
        self.submissions[reference] = self.submissions.get(reference, 0) + 1
        if known is None:
            self.payments[reference] = instruction
            self.receipts[reference] = payments.PaymentReceipt(
                reference=reference,
                status=payments.ACCEPTED,
                bank_ref=f"FAKEP{len(self.receipts) + 1:08d}",
                accepted_at=timezone.now(),
            )
            if self.settle_at_once:
                self._settle(reference, self.card_failures.get(instruction.card_no), timezone.localdate())
        return self.receipts[reference]

    def payment_result(self, *, reference: str, timeout: float) -> payments.PaymentResult | None:
        ports.check_timeout(timeout)
        with self._lock:
            self.calls.append("payment_result")
            if self.unavailable:
                raise ports.BankUnavailable("fake bank: unavailable")
            if reference not in self.payments:
                raise payments.UnknownPayment(f"{reference}: no such payment")
            return self.results.get(reference)

    def settle(self, reference: str, *, failure_code: str | None = None, settled_on: date | None = None):
        """Settle an unsettled payment: paid, or failed with ``failure_code``."""
        if failure_code is not None and failure_code not in payments.FAILURE_CODES:
            raise ValueError(f"unknown failure code {failure_code!r}")
        with self._lock:
            if reference not in self.payments:
                raise KeyError(reference)
            if reference not in self.results:
                self._settle(reference, failure_code, settled_on or timezone.localdate())

    def paid_total(self) -> int:
        """Fen that left the bank: each reference counts once, and only when paid."""
        with self._lock:
            return sum(self.payments[ref].amount for ref, result in self.results.items() if result.paid)

    def _settle(self, reference: str, failure_code: str | None, settled_on: date) -> None:
        self.results[reference] = payments.PaymentResult(
            reference=reference,
            status=payments.FAILED if failure_code else payments.PAID,
            failure_code=failure_code,
            bank_ref=self.receipts[reference].bank_ref,
            amount=self.payments[reference].amount,
            settled_on=settled_on,
        )
