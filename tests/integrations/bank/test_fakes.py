from datetime import date

import pytest

from integrations.bank import ports
from integrations.bank.fakes import FakeCollectionBank

TIMEOUT = 0.05


class TestFakeCollectionBank:
    def test_settles_every_order_as_succeeded_by_default(self, make_order):
        bank = FakeCollectionBank()

        receipt = bank.submit_collection(order=make_order(), timeout=TIMEOUT)
        result = bank.collection_result(order_ref=receipt.order_ref, timeout=TIMEOUT)

        assert result.status == ports.SUCCEEDED
        assert result.failure_code is None
        assert result.bank_ref == receipt.bank_ref

    def test_fails_the_orders_it_was_told_to_fail(self, make_order):
        bank = FakeCollectionBank(failures={"DL-2": ports.ACCOUNT_CLOSED})
        bank.submit_collection(order=make_order("DL-1"), timeout=TIMEOUT)
        bank.submit_collection(order=make_order("DL-2"), timeout=TIMEOUT)

        ok = bank.collection_result(order_ref="DL-1", timeout=TIMEOUT)
        failed = bank.collection_result(order_ref="DL-2", timeout=TIMEOUT)

        assert ok.status == ports.SUCCEEDED
        assert (failed.status, failed.failure_code) == (ports.FAILED, ports.ACCOUNT_CLOSED)

    def test_keeps_an_order_pending_until_the_test_settles_it(self, make_order):
        bank = FakeCollectionBank(settle_at_once=False)
        bank.submit_collection(order=make_order(), timeout=TIMEOUT)
        pending = bank.collection_result(order_ref="DL-2026-07-0001", timeout=TIMEOUT)

        bank.settle("DL-2026-07-0001", failure_code=ports.INSUFFICIENT_FUNDS, settled_on=date(2026, 7, 7))

        result = bank.collection_result(order_ref="DL-2026-07-0001", timeout=TIMEOUT)
        assert pending is None
        assert (result.failure_code, result.settled_on) == (ports.INSUFFICIENT_FUNDS, date(2026, 7, 7))

    def test_returns_the_first_receipt_to_a_resubmission(self, make_order):
        bank = FakeCollectionBank()
        first = bank.submit_collection(order=make_order(), timeout=TIMEOUT)

        again = bank.submit_collection(order=make_order(), timeout=TIMEOUT)

        assert again == first
        assert list(bank.orders) == ["DL-2026-07-0001"]

    def test_accepts_then_times_out_when_told_to(self, make_order):
        bank = FakeCollectionBank(time_out_after_accepting=True)

        with pytest.raises(ports.BankUnavailable):
            bank.submit_collection(order=make_order(), timeout=TIMEOUT)

        assert "DL-2026-07-0001" in bank.orders

    def test_accepts_nothing_when_unavailable(self, make_order):
        bank = FakeCollectionBank(unavailable=True)

        with pytest.raises(ports.BankUnavailable):
            bank.submit_collection(order=make_order(), timeout=TIMEOUT)

        assert bank.orders == {}
        assert bank.calls == ["submit_collection"]

    def test_rejects_a_malformed_order(self, make_order):
        bank = FakeCollectionBank()

        with pytest.raises(ports.OrderRejected):
            bank.submit_collection(order=make_order(amount=0), timeout=TIMEOUT)

    def test_implements_the_port(self):
        assert isinstance(FakeCollectionBank(), ports.CollectionBank)
