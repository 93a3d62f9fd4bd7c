from datetime import date

import pytest
from freezegun import freeze_time

from accounts.models import AccountStatus
from accounts.services import lock_withdrawals, set_bank_card
from ledger.centre import PAYOUT_CLEARING, SPLIT_WAYS, part_code
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from notifications.models import Message
from payouts.models import Payout
from payouts.services import record_payment_result
from tests.withdrawals.factories import CARD, VERIFIED_AT, account_with, approved
from withdrawals import services, tasks
from withdrawals.models import HeldCode, PaymentStatus, WithdrawalPayment
from withdrawals.services import NotApproved, pay_withdrawal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("payment_bank")]

TODAY = "2026-11-26 10:00:00+08:00"


@freeze_time(TODAY)
class TestPayWithdrawal:
    def test_posts_an_approved_partial_withdrawal_once_and_creates_one_payout(
        self, django_capture_on_commit_callbacks
    ):
        account = account_with(balance=480_000)
        application = approved(account.person, "RENT", amount_limit=180_000)

        with django_capture_on_commit_callbacks(execute=True):
            payment = pay_withdrawal(application_id=application.pk)

        entry = JournalEntry.objects.get(idempotency_key=f"withdrawal:{application.pk}")
        payout = Payout.objects.get(source_ref=f"withdrawal:{application.pk}")
        assert payment.status == PaymentStatus.PAYING
        assert (entry.business_type, entry.amount, entry.business_on) == (
            BusinessType.PARTIAL_WITHDRAWAL,
            180_000,
            date(2026, 11, 26),
        )
        assert (payout.amount, payout.purpose, payout.card_no, payout.application_id) == (
            180_000,
            "withdrawal",
            CARD,
            application.pk,
        )
        assert payout.debit_entry_id == entry.pk
        assert balance_of(account.ledger_account) == 300_000
        assert [(line.account.code, line.credit) for line in entry.lines.filter(credit__gt=0)] == [
            (part_code(PAYOUT_CLEARING, application.pk % SPLIT_WAYS), 180_000)
        ]

    def test_paying_again_posts_and_pays_nothing_more(self, django_capture_on_commit_callbacks):
        account = account_with(balance=480_000)
        application = approved(account.person, "RENT", amount_limit=180_000)
        with django_capture_on_commit_callbacks(execute=True):
            first = pay_withdrawal(application_id=application.pk)

        with django_capture_on_commit_callbacks(execute=True):
            again = pay_withdrawal(application_id=application.pk)
            services.after_decision(application=application, decision=application.decisions.get())
            tasks.pay_withdrawal(application_id=application.pk)

        assert again.pk == first.pk
        assert JournalEntry.objects.filter(idempotency_key__startswith="withdrawal:").count() == 1
        assert Payout.objects.count() == 1
        assert balance_of(account.ledger_account) == 300_000

    def test_pays_the_amount_applied_for_when_below_the_limit(self):
        account = account_with(balance=480_000)
        application = approved(account.person, "PURCHASE_IN_CITY", amount=123_456, amount_limit=400_000)

        payment = pay_withdrawal(application_id=application.pk)

        assert payment.amount == 123_456
        assert balance_of(account.ledger_account) == 480_000 - 123_456

    def test_refuses_an_application_that_is_not_approved(self):
        account = account_with()
        application = approved(account.person)
        application.status = "REJECTED"
        application.save(update_fields=["status"])

        with pytest.raises(NotApproved):
            pay_withdrawal(application_id=application.pk)

        assert not WithdrawalPayment.objects.exists()


@freeze_time(TODAY)
class TestHeldWithdrawal:
    def test_without_a_verified_card_nothing_is_paid_and_the_reason_is_recorded(self):
        account = account_with(balance=480_000, verified=False)
        application = approved(account.person, "RENT")

        payment = pay_withdrawal(application_id=application.pk)

        assert (payment.status, payment.held_code) == (PaymentStatus.HELD, HeldCode.NO_VERIFIED_CARD)
        assert not JournalEntry.objects.filter(idempotency_key__startswith="withdrawal:").exists()
        assert not Payout.objects.exists()
        assert balance_of(account.ledger_account) == 480_000
        message = Message.objects.get(person=account.person, kind="withdrawal_held")
        assert "本人银行卡" in message.body

    def test_a_held_withdrawal_tells_the_applicant_once(self):
        account = account_with(verified=False)
        application = approved(account.person, "RENT")

        pay_withdrawal(application_id=application.pk)
        pay_withdrawal(application_id=application.pk)

        assert Message.objects.filter(person=account.person, kind="withdrawal_held").count() == 1

    def test_the_sweep_pays_a_held_withdrawal_once_the_card_is_verified(
        self, django_capture_on_commit_callbacks
    ):
        account = account_with(balance=480_000, verified=False)
        application = approved(account.person, "RENT")
        pay_withdrawal(application_id=application.pk)
        set_bank_card(person=account.person, card_number=CARD, verified_at=VERIFIED_AT, actor=None)

        with django_capture_on_commit_callbacks(execute=True):
            tasks.pay_approved_withdrawals()

        payment = WithdrawalPayment.objects.get(application=application)
        assert (payment.status, payment.held_code) == (PaymentStatus.PAYING, "")
        assert Payout.objects.get().amount == 180_000

    def test_a_card_set_but_not_verified_is_not_paid_to(self):
        account = account_with(verified=False)
        application = approved(account.person, "RENT")
        set_bank_card(person=account.person, card_number=CARD, verified_at=None, actor=None)

        payment = pay_withdrawal(application_id=application.pk)

        assert payment.held_code == HeldCode.NO_VERIFIED_CARD

    def test_a_balance_below_the_approved_amount_is_held(self):
        account = account_with(balance=100_000)
        application = approved(account.person, "RENT", amount_limit=180_000)

        payment = pay_withdrawal(application_id=application.pk)

        assert payment.held_code == HeldCode.BALANCE_TOO_LOW
        assert balance_of(account.ledger_account) == 100_000

    def test_withdrawals_locked_by_the_employee_are_held(self):
        account = account_with(balance=480_000)
        application = approved(account.person, "RENT")
        lock_withdrawals(person=account.person, actor=None)

        payment = pay_withdrawal(application_id=application.pk)

        assert payment.held_code == HeldCode.WITHDRAWALS_LOCKED
        assert balance_of(account.ledger_account) == 480_000

    def test_a_frozen_account_is_held(self):
        account = account_with(status=AccountStatus.FROZEN)
        application = approved(account.person, "RENT")

        payment = pay_withdrawal(application_id=application.pk)

        assert payment.held_code == HeldCode.ACCOUNT_FROZEN


@freeze_time(TODAY)
class TestSweep:
    def test_pays_an_approved_application_whose_hook_never_ran(self, django_capture_on_commit_callbacks):
        account = account_with(balance=480_000)
        application = approved(account.person, "RENT")

        with django_capture_on_commit_callbacks(execute=True):
            tasks.pay_approved_withdrawals()
        with django_capture_on_commit_callbacks(execute=True):
            tasks.pay_approved_withdrawals()

        assert WithdrawalPayment.objects.get(application=application).status == PaymentStatus.PAYING
        assert Payout.objects.count() == 1
        assert balance_of(account.ledger_account) == 300_000

    @pytest.mark.parametrize(("paid", "kind"), [(True, "payout_paid"), (False, "payout_failed")])
    def test_records_a_settled_payout_whose_hook_was_lost_and_tells_the_employee_once(
        self, paid, kind, django_capture_on_commit_callbacks
    ):
        account = account_with(balance=480_000)
        application = approved(account.person, "RENT")
        with django_capture_on_commit_callbacks(execute=True):
            pay_withdrawal(application_id=application.pk)
        # The result commits; its after-commit hook never runs (the worker died in between).
        with django_capture_on_commit_callbacks(execute=False):
            record_payment_result(
                reference=Payout.objects.get().reference,
                paid=paid,
                failure_code=None if paid else "CARD_INVALID",
                bank_ref="B-1",
            )

        for _sweep in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                tasks.pay_approved_withdrawals()

        payment = WithdrawalPayment.objects.get(application=application)
        assert payment.payout_outcome == ("PAID" if paid else "FAILED")
        assert Message.objects.filter(person=account.person, kind=kind).count() == 1

    def test_leaves_rejected_and_old_applications_alone(self):
        account = account_with(balance=480_000)
        rejected = approved(account.person, "RENT")
        rejected.status = "REJECTED"
        rejected.save(update_fields=["status"])

        tasks.pay_approved_withdrawals()

        assert not WithdrawalPayment.objects.exists()
