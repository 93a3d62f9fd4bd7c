"""Payouts raced on PostgreSQL: threads with their own connections, against committed data."""

from collections import Counter

import pytest

from integrations.bank import payments
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank
from ledger.models import JournalEntry
from ledger.selectors import balance_of
from payouts import services
from payouts.models import Payout, PayoutStatus
from payouts.relay import poll_payment_results, relay_payouts
from tests.ledger.test_concurrency import race
from tests.payouts.factories import funded_account, make_payout
from tests.payouts.test_services import ledger_intact

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_relay_on_commit(monkeypatch):
    """Commits here are real: keep create_payout from relaying at once, so the race has work."""
    monkeypatch.setattr("payouts.services._queue_relay", lambda: None)


class TestRelayConcurrently:
    def test_racing_relays_send_every_payout_exactly_once(self, no_relay_on_commit):
        bank = FakePaymentBank()
        account = funded_account(10_000_000)
        payouts = [make_payout(account, amount=10_000) for _ in range(40)]

        with use_payment_bank(bank):
            results, errors = race(6, lambda _i: relay_payouts(batch_size=3).sent)
            poll_payment_results(payout_ids=[p.pk for p in payouts])

        assert errors == []
        assert sum(results) == 40
        assert Counter(bank.submissions.values()) == {1: 40}
        assert set(Payout.objects.values_list("status", flat=True)) == {PayoutStatus.PAID}
        assert set(Payout.objects.values_list("attempts", flat=True)) == {1}
        assert bank.paid_total() == 400_000
        assert ledger_intact()


class TestRecordPaymentResultConcurrently:
    def test_racing_identical_results_post_one_settlement(self, no_relay_on_commit):
        bank = FakePaymentBank(settle_at_once=False)
        payout = make_payout(amount=180_000)
        with use_payment_bank(bank):
            relay_payouts()

        def answer(_i):
            return services.record_payment_result(
                reference=payout.reference, paid=True, failure_code=None, bank_ref="B1"
            ).status

        results, errors = race(8, answer)

        assert errors == []
        assert set(results) == {PayoutStatus.PAID}
        assert JournalEntry.objects.filter(idempotency_key=f"payout:{payout.pk}:paid").count() == 1
        assert ledger_intact()

    def test_a_success_racing_a_failure_applies_exactly_one_of_them(self, no_relay_on_commit):
        bank = FakePaymentBank(settle_at_once=False)
        account = funded_account(1_000_000)
        payout = make_payout(account, amount=180_000)
        with use_payment_bank(bank):
            relay_payouts()

        def answer(i):
            return services.record_payment_result(
                reference=payout.reference,
                paid=i % 2 == 0,
                failure_code=None if i % 2 == 0 else payments.CARD_INVALID,
                bank_ref="B1",
            ).status

        results, errors = race(6, answer)

        final = Payout.objects.get(pk=payout.pk)
        assert errors == []
        assert set(results) == {final.status}
        assert (final.settle_entry_id is None) != (final.refund_entry_id is None)
        assert balance_of(account.ledger_account) == (
            820_000 if final.status == PayoutStatus.PAID else 1_000_000
        )
        assert ledger_intact()

    def test_a_result_racing_the_relay_and_polling_settles_once(self, no_relay_on_commit):
        bank = FakePaymentBank()
        account = funded_account(1_000_000)
        payouts = [make_payout(account, amount=50_000) for _ in range(10)]

        def work(i):
            with use_payment_bank(bank):
                if i % 2 == 0:
                    relay_payouts(batch_size=2)
                else:
                    poll_payment_results(payout_ids=[p.pk for p in payouts])

        with use_payment_bank(bank):
            _results, errors = race(6, work)
            poll_payment_results(payout_ids=[p.pk for p in payouts])

        assert errors == []
        assert Counter(bank.submissions.values()) == {1: 10}
        assert JournalEntry.objects.filter(idempotency_key__endswith=":paid").count() == 10
        assert balance_of(account.ledger_account) == 500_000
        assert ledger_intact()


class TestCreatePayoutConcurrently:
    def test_racing_creates_for_one_withdrawal_make_one_payout_and_one_debit(self, no_relay_on_commit):
        account = funded_account(1_000_000)

        def create(_i):
            return make_payout(
                account, amount=180_000, source_ref="withdrawal:7", debit_key="withdrawal:7"
            ).pk

        results, errors = race(6, create)

        assert errors == []
        assert len(set(results)) == 1
        assert Payout.objects.count() == 1
        assert balance_of(account.ledger_account) == 820_000
