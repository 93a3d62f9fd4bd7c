from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from integrations.bank import payments
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank
from integrations.models import SandboxPayment
from ledger.models import JournalEntry
from ledger.selectors import balance_of
from payouts.models import Payout, PayoutStatus
from payouts.relay import instruction_for, poll_payment_results, reconcile_payouts, relay_payouts
from payouts.services import INSTRUCTION_REJECTED
from tests.payouts.factories import funded_account, make_payout
from tests.payouts.test_services import ledger_intact

pytestmark = pytest.mark.django_db

NOW = timedelta(0)


def statuses(*payouts):
    return [Payout.objects.get(pk=p.pk).status for p in payouts]


class TestRelayPayouts:
    def test_sends_pending_payouts_in_one_bank_call_per_batch(self, slow_payment_bank):
        payouts = [make_payout() for _ in range(5)]

        report = relay_payouts(batch_size=2)

        assert (report.batches, report.sent, report.accepted) == (3, 5, 5)
        assert slow_payment_bank.calls == ["submit_payments"] * 3
        assert statuses(*payouts) == [PayoutStatus.SENT] * 5
        sent = Payout.objects.get(pk=payouts[0].pk)
        assert sent.attempts == 1
        assert sent.bank_ref.startswith("FAKEP")

    def test_sends_nothing_twice_when_run_again(self, slow_payment_bank):
        make_payout()
        relay_payouts()

        again = relay_payouts()

        assert again.sent == 0
        assert slow_payment_bank.calls == ["submit_payments"]

    def test_leaves_the_batch_sent_when_the_bank_does_not_answer(self):
        payout = make_payout()

        with use_payment_bank(FakePaymentBank(unavailable=True)):
            report = relay_payouts()

        assert report.unavailable
        assert statuses(payout) == [PayoutStatus.SENT]

    def test_refunds_a_payout_the_bank_refused_outright(self, slow_payment_bank):
        account = funded_account(1_000_000)
        payout = make_payout(account, amount=180_000)
        Payout.objects.filter(pk=payout.pk).update(holder_name=" ")

        report = relay_payouts()

        payout.refresh_from_db()
        assert report.rejected == 1
        assert (payout.status, payout.failure_code) == (PayoutStatus.FAILED, INSTRUCTION_REJECTED)
        assert balance_of(account.ledger_account) == 1_000_000
        assert slow_payment_bank.payments == {}

    def test_leaves_a_payout_sent_when_the_bank_holds_another_payment_under_its_reference(
        self, slow_payment_bank
    ):
        payout = make_payout()
        other = instruction_for(payout)
        slow_payment_bank.submit_payments(
            instructions=[payments.PaymentInstruction(**{**other.__dict__, "amount": 1})], timeout=1
        )

        report = relay_payouts()

        assert report.conflicts == 1
        assert statuses(payout) == [PayoutStatus.SENT]


class TestPollPaymentResults:
    def test_records_the_results_the_bank_has_settled_and_waits_for_the_rest(self, slow_payment_bank):
        paid, failed, waiting = make_payout(), make_payout(), make_payout()
        relay_payouts()
        slow_payment_bank.settle(paid.reference)
        slow_payment_bank.settle(failed.reference, failure_code=payments.NAME_MISMATCH)

        report = poll_payment_results(payout_ids=[paid.pk, failed.pk, waiting.pk])

        assert (report.paid, report.failed, report.pending) == (1, 1, 1)
        assert report.waiting_ids == [waiting.pk]
        assert statuses(paid, failed, waiting) == [PayoutStatus.PAID, PayoutStatus.FAILED, PayoutStatus.SENT]
        assert ledger_intact()


class TestReconcilePayouts:
    def test_finds_a_payout_paid_though_the_bank_s_answer_was_lost_and_never_pays_twice(self):
        account = funded_account(1_000_000)
        payout = make_payout(account, amount=180_000)
        bank = FakePaymentBank(time_out_after_accepting=True)
        with use_payment_bank(bank):
            relay_payouts()
            bank.time_out_after_accepting = False

            report = reconcile_payouts(older_than=NOW)

        payout.refresh_from_db()
        assert (report.checked, report.paid, report.requeued) == (1, 1, 0)
        assert payout.status == PayoutStatus.PAID
        assert bank.submissions == {payout.reference: 1}
        assert bank.paid_total() == 180_000
        assert balance_of(account.ledger_account) == 820_000
        assert ledger_intact()

    def test_sends_again_a_payout_the_bank_never_accepted(self):
        payout = make_payout()
        bank = FakePaymentBank(unavailable=True)
        with use_payment_bank(bank):
            relay_payouts()
            bank.unavailable = False

            report = reconcile_payouts(older_than=NOW)

        payout.refresh_from_db()
        assert report.requeued == 1
        assert report.relay.accepted == 1
        assert (payout.status, payout.attempts) == (PayoutStatus.SENT, 2)
        assert bank.submissions == {payout.reference: 1}

    def test_leaves_alone_payouts_sent_too_recently_to_be_stuck(self, slow_payment_bank):
        make_payout()
        relay_payouts()

        report = reconcile_payouts(older_than=timedelta(minutes=2))

        assert report.checked == 0

    def test_only_asks_about_payouts_sent_on_the_given_day(self, slow_payment_bank):
        payout = make_payout()
        relay_payouts()
        Payout.objects.filter(pk=payout.pk).update(sent_at=timezone.now() - timedelta(days=3))

        today = reconcile_payouts(on=timezone.localdate(), older_than=NOW)
        that_day = reconcile_payouts(on=timezone.localdate() - timedelta(days=3), older_than=NOW)

        assert (today.checked, that_day.checked) == (0, 1)

    def test_with_the_sandbox_losing_the_answer_after_recording_pays_once(self, quiet_sandbox):
        account = funded_account(1_000_000)
        payout = make_payout(account, amount=180_000)
        quiet_sandbox.SANDBOX_BANK_TIMEOUT_RATE = "1"
        relay_payouts()
        quiet_sandbox.SANDBOX_BANK_TIMEOUT_RATE = "0"

        reconcile_payouts(older_than=NOW)
        reconcile_payouts(older_than=NOW)

        payout.refresh_from_db()
        assert payout.status == PayoutStatus.PAID
        assert SandboxPayment.objects.filter(reference=payout.reference, status="PAID").count() == 1
        assert JournalEntry.objects.filter(idempotency_key__startswith=f"payout:{payout.pk}:").count() == 1
        assert balance_of(account.ledger_account) == 820_000
        assert ledger_intact()

    def test_with_the_sandbox_refunds_a_frozen_demo_card(self, quiet_sandbox):
        account = funded_account(1_000_000)
        payout = make_payout(account, amount=180_000, card_no="6222021234567894444")
        relay_payouts()

        reconcile_payouts(older_than=NOW)

        payout.refresh_from_db()
        assert (payout.status, payout.failure_code) == (PayoutStatus.FAILED, payments.ACCOUNT_FROZEN)
        assert balance_of(account.ledger_account) == 1_000_000


class TestReconcilePayoutsCommand:
    def test_prints_what_it_did(self, payment_bank):
        payout = make_payout()
        bank = FakePaymentBank(time_out_after_accepting=True)
        with use_payment_bank(bank):
            relay_payouts()
            bank.time_out_after_accepting = False
            out = StringIO()

            call_command("reconcile_payouts", "--older-than", "0", stdout=out)

        assert "checked: 1" in out.getvalue()
        assert "paid: 1" in out.getvalue()
        assert "payouts reconciled" in out.getvalue()
        assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.PAID

    def test_accepts_a_day(self, payment_bank):
        out = StringIO()

        call_command("reconcile_payouts", "--on", "2026-11-26", stdout=out)

        assert "checked: 0" in out.getvalue()


class FlakyResults(FakePaymentBank):
    """Loses the answer to every result query whose reference is in ``lose``."""

    def __init__(self, lose=(), **kwargs):
        super().__init__(**kwargs)
        self.lose = set(lose)

    def payment_result(self, *, reference, timeout):
        if reference in self.lose:
            raise payments.BankUnavailable("lost")
        return super().payment_result(reference=reference, timeout=timeout)


class TestLostAnswers:
    def test_polling_carries_on_past_one_lost_answer(self):
        first, second = make_payout(), make_payout()
        bank = FlakyResults()
        with use_payment_bank(bank):
            relay_payouts()
            bank.lose = {first.reference}

            report = poll_payment_results(payout_ids=[first.pk, second.pk])

        assert not report.unavailable
        assert report.waiting_ids == [first.pk]
        assert statuses(first, second) == [PayoutStatus.SENT, PayoutStatus.PAID]

    def test_reconciliation_stops_when_the_bank_is_down(self):
        payouts = [make_payout() for _ in range(5)]
        bank = FlakyResults()
        with use_payment_bank(bank):
            relay_payouts()
            bank.lose = {p.reference for p in payouts}

            report = reconcile_payouts(older_than=NOW)

        assert report.unavailable
        assert report.checked == 3
        assert report.relay is None
