import time
from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from freezegun import freeze_time

from integrations.bank import ports
from integrations.bank.sandbox import SandboxCollectionBank, parse_rate
from integrations.models import SandboxBankKnobs, SandboxCollection

pytestmark = pytest.mark.django_db

SUBMITTED_AT = "2026-07-06 09:00:00+08:00"
TIMEOUT = 0.05


class TestSubmitCollection:
    def test_accepts_the_order_and_keeps_it_pending_until_the_delay_passes(self, make_order):
        bank = SandboxCollectionBank()

        with freeze_time(SUBMITTED_AT) as clock:
            receipt = bank.submit_collection(order=make_order(), timeout=TIMEOUT)
            clock.tick(timedelta(milliseconds=199))
            early = bank.collection_result(order_ref=receipt.order_ref, timeout=TIMEOUT)

        assert receipt.order_ref == "DL-2026-07-0001"
        assert receipt.bank_ref.startswith("SBX")
        assert early is None
        assert SandboxCollection.objects.get().status == SandboxCollection.Status.PENDING

    def test_returns_the_first_receipt_when_the_same_order_is_submitted_again(self, make_order):
        bank = SandboxCollectionBank()
        first = bank.submit_collection(order=make_order(), timeout=TIMEOUT)

        again = bank.submit_collection(order=make_order(), timeout=TIMEOUT)

        assert again == first
        assert SandboxCollection.objects.count() == 1

    def test_refuses_a_reused_reference_with_another_amount(self, make_order):
        bank = SandboxCollectionBank()
        bank.submit_collection(order=make_order(), timeout=TIMEOUT)

        with pytest.raises(ports.OrderRejected, match="already used"):
            bank.submit_collection(order=make_order(amount=1), timeout=TIMEOUT)

        assert SandboxCollection.objects.get().amount == 1_234_500

    @pytest.mark.parametrize("amount", [0, -100, True, 12.5])
    def test_rejects_an_amount_that_is_not_a_positive_number_of_fen(self, make_order, amount):
        bank = SandboxCollectionBank()

        with pytest.raises(ports.OrderRejected, match="amount"):
            bank.submit_collection(order=make_order(amount=amount), timeout=TIMEOUT)

        assert not SandboxCollection.objects.exists()

    def test_rejects_an_order_without_a_payer_account(self, make_order):
        bank = SandboxCollectionBank()

        with pytest.raises(ports.OrderRejected, match="payer_account_no"):
            bank.submit_collection(order=make_order(payer_account_no=" "), timeout=TIMEOUT)

    def test_refuses_a_call_without_a_timeout(self, make_order):
        bank = SandboxCollectionBank()

        with pytest.raises(ValueError, match="timeout"):
            bank.submit_collection(order=make_order(), timeout=0)


class TestCollectionResult:
    def test_reports_success_once_the_delay_has_passed(self, make_order):
        bank = SandboxCollectionBank()

        with freeze_time(SUBMITTED_AT) as clock:
            receipt = bank.submit_collection(order=make_order(), timeout=TIMEOUT)
            clock.tick(timedelta(milliseconds=200))
            result = bank.collection_result(order_ref=receipt.order_ref, timeout=TIMEOUT)

        assert result == ports.CollectionResult(
            order_ref="DL-2026-07-0001",
            status=ports.SUCCEEDED,
            failure_code=None,
            bank_ref=receipt.bank_ref,
            settled_on=date(2026, 7, 6),
        )
        assert SandboxCollection.objects.get().status == SandboxCollection.Status.SUCCEEDED

    def test_answers_after_a_small_real_delay(self, make_order, settings):
        settings.SANDBOX_BANK_DELAY_MS = 30
        bank = SandboxCollectionBank()
        receipt = bank.submit_collection(order=make_order(), timeout=TIMEOUT)
        pending = bank.collection_result(order_ref=receipt.order_ref, timeout=TIMEOUT)
        time.sleep(0.04)

        result = bank.collection_result(order_ref=receipt.order_ref, timeout=TIMEOUT)

        assert pending is None
        assert result.status == ports.SUCCEEDED

    def test_fails_every_order_with_a_failure_code_at_a_failure_rate_of_one(self, make_order, settings):
        settings.SANDBOX_BANK_FAILURE_RATE = "1"
        settings.SANDBOX_BANK_DELAY_MS = 0
        bank = SandboxCollectionBank()
        refs = [f"DL-2026-07-{n:04d}" for n in range(1, 9)]
        for ref in refs:
            bank.submit_collection(order=make_order(ref), timeout=TIMEOUT)

        results = [bank.collection_result(order_ref=ref, timeout=TIMEOUT) for ref in refs]

        assert {r.status for r in results} == {ports.FAILED}
        assert {r.failure_code for r in results} <= {ports.INSUFFICIENT_FUNDS, ports.ACCOUNT_FROZEN}
        assert all(r.failure_code for r in results)

    def test_keeps_the_first_outcome_when_asked_again(self, make_order, settings):
        settings.SANDBOX_BANK_DELAY_MS = 0
        settings.SANDBOX_BANK_FAILURE_RATE = "500‰"
        bank = SandboxCollectionBank()
        bank.submit_collection(order=make_order(), timeout=TIMEOUT)
        first = bank.collection_result(order_ref="DL-2026-07-0001", timeout=TIMEOUT)

        answers = [bank.collection_result(order_ref="DL-2026-07-0001", timeout=TIMEOUT) for _ in range(5)]

        assert set(answers) == {first}

    def test_draws_the_same_outcomes_from_the_same_seed(self, make_order, settings):
        settings.SANDBOX_BANK_DELAY_MS = 0
        settings.SANDBOX_BANK_FAILURE_RATE = "0.5"
        bank = SandboxCollectionBank()

        def outcomes(prefix):
            from integrations.bank import sandbox

            sandbox.reset_random()
            for n in range(10):
                bank.submit_collection(order=make_order(f"{prefix}-{n}"), timeout=TIMEOUT)
            return [
                bank.collection_result(order_ref=f"{prefix}-{n}", timeout=TIMEOUT).status for n in range(10)
            ]

        first, second = outcomes("A"), outcomes("B")

        assert first == second
        assert set(first) == {ports.SUCCEEDED, ports.FAILED}

    def test_raises_unknown_order_for_a_reference_never_accepted(self):
        bank = SandboxCollectionBank()

        with pytest.raises(ports.UnknownOrder):
            bank.collection_result(order_ref="DL-NEVER", timeout=TIMEOUT)


class TestSandboxTimeouts:
    def test_raises_bank_unavailable_after_the_timeout_though_the_order_was_accepted(
        self, make_order, settings
    ):
        settings.SANDBOX_BANK_TIMEOUT_RATE = "1"
        bank = SandboxCollectionBank()

        with pytest.raises(ports.BankUnavailable, match="no answer within"):
            bank.submit_collection(order=make_order(), timeout=TIMEOUT)

        accepted = SandboxCollection.objects.get()
        assert accepted.order_ref == "DL-2026-07-0001"
        assert accepted.status == SandboxCollection.Status.PENDING

    def test_returns_the_original_receipt_to_the_resubmission_after_a_timeout(self, make_order, settings):
        settings.SANDBOX_BANK_TIMEOUT_RATE = "1"
        bank = SandboxCollectionBank()
        with pytest.raises(ports.BankUnavailable):
            bank.submit_collection(order=make_order(), timeout=TIMEOUT)
        accepted = SandboxCollection.objects.get()
        settings.SANDBOX_BANK_TIMEOUT_RATE = "0"

        receipt = bank.submit_collection(order=make_order(), timeout=TIMEOUT)

        assert receipt.bank_ref == accepted.bank_ref
        assert receipt.accepted_at == accepted.submitted_at
        assert SandboxCollection.objects.count() == 1

    def test_times_out_result_queries_too(self, make_order, settings):
        bank = SandboxCollectionBank()
        bank.submit_collection(order=make_order(), timeout=TIMEOUT)
        settings.SANDBOX_BANK_TIMEOUT_RATE = "1"

        with pytest.raises(ports.BankUnavailable):
            bank.collection_result(order_ref="DL-2026-07-0001", timeout=TIMEOUT)


class TestParseRate:
    @pytest.mark.parametrize(("text", "per_mille"), [("0", 0), ("0.1", 100), ("100‰", 100), ("1", 1000)])
    def test_reads_a_fraction_or_per_mille(self, text, per_mille):
        assert parse_rate("SANDBOX_BANK_FAILURE_RATE", text) == per_mille

    @pytest.mark.parametrize("text", ["1.5", "lots"])
    def test_refuses_a_rate_outside_zero_to_one(self, text):
        with pytest.raises(ImproperlyConfigured, match="SANDBOX_BANK_FAILURE_RATE"):
            parse_rate("SANDBOX_BANK_FAILURE_RATE", text)


class TestKnobsFromTheAdmin:
    def test_staff_values_override_the_environment(self, make_order, settings):
        settings.SANDBOX_BANK_FAILURE_RATE = "0"
        settings.SANDBOX_BANK_DELAY_MS = 60_000
        SandboxBankKnobs.objects.create(pk=1, delay_ms=0, failure_per_mille=1000)
        bank = SandboxCollectionBank()
        bank.submit_collection(order=make_order("DL-KNOB-1"), timeout=TIMEOUT)

        result = bank.collection_result(order_ref="DL-KNOB-1", timeout=TIMEOUT)

        assert result.status == ports.FAILED

    def test_an_empty_field_keeps_the_environments_value(self, make_order, settings):
        settings.SANDBOX_BANK_DELAY_MS = 60_000
        SandboxBankKnobs.objects.create(pk=1, delay_ms=None, failure_per_mille=1000)
        bank = SandboxCollectionBank()
        bank.submit_collection(order=make_order("DL-KNOB-2"), timeout=TIMEOUT)

        result = bank.collection_result(order_ref="DL-KNOB-2", timeout=TIMEOUT)

        assert result is None
