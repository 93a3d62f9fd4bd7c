"""The payment port (代付): the sandbox bank, the in-memory fake, the registry and production wiring."""

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time

from integrations.bank import payments, sandbox
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.registry import payment_bank
from integrations.bank.sandbox import SandboxPaymentBank
from integrations.bank.settings_check import bank_payment_problems
from integrations.bank.testing import use_payment_bank
from integrations.bank.unconfigured import PAYMENT_NOT_CONNECTED, NotConnectedPaymentBank
from integrations.models import SandboxBankKnobs, SandboxPayment
from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = 0.05
SUBMITTED_AT = "2026-07-06 09:00:00+08:00"
CARD = "6222021234567890123"


def instruction(reference="PO-1", **overrides):
    fields = {
        "reference": reference,
        "card_no": CARD,
        "holder_name": "王小明",
        "amount": 540_000,
        "memo": "住房公积金 PO-1",
    }
    return payments.PaymentInstruction(**{**fields, **overrides})


@pytest.mark.django_db
class TestSandboxSubmitPayments:
    def test_accepts_a_batch_and_keeps_each_payment_unsettled_until_the_delay_passes(self):
        bank = SandboxPaymentBank()

        with freeze_time(SUBMITTED_AT) as clock:
            receipts = bank.submit_payments(
                instructions=[instruction("PO-1"), instruction("PO-2")], timeout=TIMEOUT
            )
            clock.tick(timedelta(milliseconds=199))
            early = bank.payment_result(reference="PO-1", timeout=TIMEOUT)

        assert [r.status for r in receipts] == [payments.ACCEPTED, payments.ACCEPTED]
        assert [r.reference for r in receipts] == ["PO-1", "PO-2"]
        assert early is None
        assert SandboxPayment.objects.count() == 2

    def test_returns_the_first_receipt_and_pays_once_when_the_same_reference_comes_again(self):
        bank = SandboxPaymentBank()
        first = bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)

        again = bank.submit_payments(instructions=[instruction(), instruction("PO-2")], timeout=TIMEOUT)

        assert again[0] == first[0]
        assert SandboxPayment.objects.filter(reference="PO-1").count() == 1

    def test_refuses_the_same_reference_with_other_details_and_keeps_the_first(self):
        bank = SandboxPaymentBank()
        bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)

        receipts = bank.submit_payments(
            instructions=[instruction(amount=1), instruction("PO-2")], timeout=TIMEOUT
        )

        assert receipts[0].status == payments.REJECTED
        assert receipts[0].rejection == payments.REFERENCE_CONFLICT
        assert receipts[1].accepted
        assert SandboxPayment.objects.get(reference="PO-1").amount == 540_000

    def test_refuses_a_malformed_instruction_without_refusing_the_rest_of_its_batch(self):
        bank = SandboxPaymentBank()

        receipts = bank.submit_payments(
            instructions=[instruction("PO-1", card_no="12"), instruction("PO-2")], timeout=TIMEOUT
        )

        assert (receipts[0].status, receipts[0].rejection) == (payments.REJECTED, payments.MALFORMED)
        assert receipts[1].accepted
        assert list(SandboxPayment.objects.values_list("reference", flat=True)) == ["PO-2"]

    def test_refuses_a_batch_with_a_reference_twice(self):
        bank = SandboxPaymentBank()

        with pytest.raises(payments.PaymentRejected, match="twice"):
            bank.submit_payments(instructions=[instruction(), instruction()], timeout=TIMEOUT)

    def test_keeps_the_card_number_encrypted_at_rest(self):
        from django.db import connection

        SandboxPaymentBank().submit_payments(instructions=[instruction()], timeout=TIMEOUT)

        with connection.cursor() as cursor:
            cursor.execute("SELECT card_no, card_last4 FROM integrations_sandboxpayment")
            stored, last4 = cursor.fetchone()
        assert CARD not in stored
        assert last4 == "0123"


@pytest.mark.django_db
class TestSandboxPaymentResult:
    def test_reports_paid_after_the_delay_and_the_same_result_every_time_after(self, settings):
        settings.SANDBOX_BANK_DELAY_MS = 0
        bank = SandboxPaymentBank()
        receipt = bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)[0]

        results = [bank.payment_result(reference="PO-1", timeout=TIMEOUT) for _ in range(3)]

        assert results[0] == payments.PaymentResult(
            reference="PO-1",
            status=payments.PAID,
            failure_code=None,
            bank_ref=receipt.bank_ref,
            amount=540_000,
            settled_on=results[0].settled_on,
        )
        assert set(results) == {results[0]}

    @pytest.mark.parametrize(
        ("ending", "code"),
        [
            ("0000", payments.CARD_INVALID),
            ("4444", payments.ACCOUNT_FROZEN),
            ("7777", payments.NAME_MISMATCH),
        ],
    )
    def test_fails_the_demo_cards_with_their_code(self, settings, ending, code):
        settings.SANDBOX_BANK_DELAY_MS = 0
        bank = SandboxPaymentBank()
        bank.submit_payments(instructions=[instruction(card_no=f"622202123456789{ending}")], timeout=TIMEOUT)

        result = bank.payment_result(reference="PO-1", timeout=TIMEOUT)

        assert (result.status, result.failure_code) == (payments.FAILED, code)

    def test_fails_payments_at_the_failure_rate_set_by_staff_in_the_admin(self, settings):
        settings.SANDBOX_BANK_DELAY_MS = 0
        SandboxBankKnobs.objects.create(pk=1, failure_per_mille=1000)
        bank = SandboxPaymentBank()
        refs = [f"PO-{n}" for n in range(6)]
        bank.submit_payments(instructions=[instruction(ref) for ref in refs], timeout=TIMEOUT)

        results = [bank.payment_result(reference=ref, timeout=TIMEOUT) for ref in refs]

        assert {r.status for r in results} == {payments.FAILED}
        assert {r.failure_code for r in results} <= {payments.CARD_INVALID, payments.ACCOUNT_FROZEN}

    def test_raises_unknown_payment_for_a_reference_never_accepted(self):
        with pytest.raises(payments.UnknownPayment):
            SandboxPaymentBank().payment_result(reference="PO-NEVER", timeout=TIMEOUT)


@pytest.mark.django_db
class TestSandboxPaymentTimeouts:
    def test_records_the_batch_though_the_answer_is_lost(self, settings):
        settings.SANDBOX_BANK_TIMEOUT_RATE = "1"
        bank = SandboxPaymentBank()

        with pytest.raises(payments.BankUnavailable, match="no answer within"):
            bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)

        assert SandboxPayment.objects.get().reference == "PO-1"

    def test_returns_the_original_receipt_to_the_resubmission_after_a_timeout(self, settings):
        settings.SANDBOX_BANK_TIMEOUT_RATE = "1"
        bank = SandboxPaymentBank()
        with pytest.raises(payments.BankUnavailable):
            bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)
        settings.SANDBOX_BANK_TIMEOUT_RATE = "0"

        receipt = bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)[0]

        assert receipt.bank_ref == SandboxPayment.objects.get().bank_ref
        assert SandboxPayment.objects.count() == 1


@pytest.mark.django_db
class TestSandboxVerifyCard:
    @pytest.mark.parametrize(
        ("card", "expected"),
        [
            (CARD, payments.CardCheck(exists=True, name_matches=True, frozen=False)),
            ("6222021234567890000", payments.CardCheck(exists=False, name_matches=True, frozen=False)),
            ("6222021234567894444", payments.CardCheck(exists=True, name_matches=True, frozen=True)),
            ("6222021234567897777", payments.CardCheck(exists=True, name_matches=False, frozen=False)),
        ],
    )
    def test_answers_by_the_demo_card_rules(self, card, expected):
        check = SandboxPaymentBank().verify_card(
            card_no=card, holder_name="王小明", id_number="350203199001011234", timeout=TIMEOUT
        )

        assert check == expected
        assert check.usable == (card == CARD)


class TestFakePaymentBank:
    def test_pays_each_reference_once_however_often_it_is_submitted(self):
        bank = FakePaymentBank()

        for _ in range(3):
            bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)

        assert bank.submissions == {"PO-1": 3}
        assert bank.paid_total() == 540_000

    def test_fails_the_cards_it_was_told_to_fail(self):
        bank = FakePaymentBank(card_failures={CARD: payments.ACCOUNT_FROZEN})
        bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)

        result = bank.payment_result(reference="PO-1", timeout=TIMEOUT)

        assert (result.status, result.failure_code) == (payments.FAILED, payments.ACCOUNT_FROZEN)
        assert bank.paid_total() == 0

    def test_keeps_a_payment_unsettled_until_the_test_settles_it(self):
        bank = FakePaymentBank(settle_at_once=False)
        bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)
        pending = bank.payment_result(reference="PO-1", timeout=TIMEOUT)

        bank.settle("PO-1", failure_code=payments.CARD_INVALID, settled_on=date(2026, 7, 7))

        assert pending is None
        assert bank.payment_result(reference="PO-1", timeout=TIMEOUT).failure_code == payments.CARD_INVALID

    def test_records_the_batch_then_loses_the_answer_when_told_to(self):
        bank = FakePaymentBank(time_out_after_accepting=True)

        with pytest.raises(payments.BankUnavailable):
            bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)

        assert "PO-1" in bank.payments

    def test_refuses_the_same_reference_with_another_card(self):
        bank = FakePaymentBank()
        bank.submit_payments(instructions=[instruction()], timeout=TIMEOUT)

        receipt = bank.submit_payments(
            instructions=[instruction(card_no="6222021234567890999")], timeout=TIMEOUT
        )

        assert receipt[0].rejection == payments.REFERENCE_CONFLICT
        assert bank.payments["PO-1"].card_no == CARD

    def test_says_a_card_in_another_name_does_not_match(self):
        bank = FakePaymentBank(card_failures={CARD: payments.NAME_MISMATCH})

        check = bank.verify_card(card_no=CARD, holder_name="王小明", id_number="x", timeout=TIMEOUT)

        assert (check.exists, check.name_matches, check.usable) == (True, False, False)


class TestPaymentBankRegistry:
    def test_is_the_sandbox_by_default(self):
        assert isinstance(payment_bank(), SandboxPaymentBank)

    def test_follows_the_dotted_path_in_settings(self, settings):
        settings.BANK_PAYMENT = PAYMENT_NOT_CONNECTED

        assert isinstance(payment_bank(), NotConnectedPaymentBank)

    def test_is_the_given_fake_inside_use_payment_bank(self):
        fake = FakePaymentBank()

        with use_payment_bank(fake):
            inside = payment_bank()

        assert inside is fake
        assert isinstance(payment_bank(), SandboxPaymentBank)

    def test_not_connected_bank_answers_every_call_with_bank_unavailable(self):
        bank = NotConnectedPaymentBank()

        with pytest.raises(payments.BankUnavailable):
            bank.submit_payments(instructions=[instruction()], timeout=1)
        with pytest.raises(payments.BankUnavailable):
            bank.payment_result(reference="PO-1", timeout=1)


class TestBankPaymentProblems:
    def test_accepts_the_not_connected_bank(self):
        assert bank_payment_problems(PAYMENT_NOT_CONNECTED) == []

    @pytest.mark.parametrize(
        "path", ["integrations.bank.sandbox.SandboxPaymentBank", "integrations.bank.fakes.FakePaymentBank"]
    )
    def test_refuses_the_sandbox_and_fakes(self, path):
        assert bank_payment_problems(path) == [
            f"BANK_PAYMENT is {path}: sandbox and fake banks are for development and tests only"
        ]

    def test_production_settings_refuse_a_fake_payment_bank(self):
        env = production_env(BANK_PAYMENT="integrations.bank.fakes.FakePaymentBank")
        script = "import django; django.setup()"

        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
        )

        assert result.returncode != 0
        assert "BANK_PAYMENT is integrations.bank.fakes.FakePaymentBank" in result.stderr


@pytest.fixture(autouse=True)
def _quiet_sandbox(settings):
    settings.SANDBOX_BANK_RANDOM_SEED = 20260701
    sandbox.reset_random()
