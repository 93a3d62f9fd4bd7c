"""Closing withdrawals: interest to date, the closing, and the year-end settlement that follows.

The account: 2,400.00 yuan deposited on 2026-01-15; 1.50% a year, 360-day basis.
- Settlement to 2026-06-30: 240,000 fen × 167 days (15 Jan – 30 Jun) = 40,080,000 fen-days
  × 0.015 / 360 = 1,670.00 fen → balance 241,670.
- Closing on 2026-11-26: (2026-06-30, 2026-11-26] is 149 days: 241,670 × 149 = 36,008,830
  × 0.015 / 360 = 1,500.37 → 1,500 fen; paid out 243,170.
- The settlement to 2027-06-30 then owes nothing: the account's period restarts on 2026-11-26
  and holds 0 from there. Counted from 30 June instead it would pay 241,670 × 148 days again
  (1,490 fen).
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from accounts.models import AccountStatus
from ledger.interest import settle_interest, settlement_key
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from notifications.models import Message
from payouts.models import Payout
from payouts.services import record_payment_result
from tests.withdrawals.factories import account_with, approved
from withdrawals.models import PaymentStatus, WithdrawalPayment
from withdrawals.services import pay_withdrawal

pytestmark = pytest.mark.django_db

JANUARY_DEPOSIT = 240_000
SETTLED_2026 = 1_670
INTEREST_TO_DATE = 1_500
PAID_OUT = JANUARY_DEPOSIT + SETTLED_2026 + INTEREST_TO_DATE


def closing_account(reason_status=AccountStatus.NORMAL):
    return account_with(balance=JANUARY_DEPOSIT, on=date(2026, 1, 15), status=reason_status)


def verify_ledger() -> str:
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    return out.getvalue()


class TestClosingWithdrawal:
    def test_pays_interest_to_date_with_the_balance_and_closes_the_account(
        self, django_capture_on_commit_callbacks
    ):
        account = closing_account()
        with freeze_time("2026-07-01 02:30:00+08:00"):
            settle_interest(on=date(2026, 6, 30))
        assert balance_of(account.ledger_account) == JANUARY_DEPOSIT + SETTLED_2026

        with freeze_time("2026-11-26 10:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            application = approved(account.person, "RETIREMENT", amount_limit=JANUARY_DEPOSIT)
            payment = pay_withdrawal(application_id=application.pk)

        interest = JournalEntry.objects.get(idempotency_key=f"withdrawal-interest:{application.pk}")
        withdrawal = JournalEntry.objects.get(idempotency_key=f"withdrawal:{application.pk}")
        account.refresh_from_db()
        assert (interest.business_type, interest.amount, interest.business_on) == (
            BusinessType.ANNUAL_INTEREST,
            INTEREST_TO_DATE,
            date(2026, 11, 26),
        )
        assert (withdrawal.business_type, withdrawal.amount) == (BusinessType.CLOSING_WITHDRAWAL, PAID_OUT)
        assert (payment.amount, payment.interest, payment.closing) == (PAID_OUT, INTEREST_TO_DATE, True)
        assert Payout.objects.get().amount == PAID_OUT
        assert (account.status, account.closed_on) == (AccountStatus.CLOSED_BY_WITHDRAWAL, date(2026, 11, 26))
        assert balance_of(account.ledger_account) == 0

    def test_the_next_settlement_does_not_pay_the_days_already_paid(self):
        account = closing_account()
        with freeze_time("2026-07-01 02:30:00+08:00"):
            settle_interest(on=date(2026, 6, 30))
        with freeze_time("2026-11-26 10:00:00+08:00"):
            pay_withdrawal(application_id=approved(account.person, "RETIREMENT").pk)

        with freeze_time("2027-07-01 02:30:00+08:00"):
            settle_interest(on=date(2027, 6, 30))

        assert not JournalEntry.objects.filter(
            idempotency_key=settlement_key(account.ledger_account.code, 2027)
        )
        assert balance_of(account.ledger_account) == 0
        assert "FAIL" not in verify_ledger()

    def test_a_closing_before_the_nights_settlement_pays_the_year_under_the_settlements_key(self):
        # (2026-06-30, 2026-07-01]: 241,670 × 1 day × 0.015 / 360 = 10.07 → 10 fen.
        account = closing_account()

        with freeze_time("2026-07-01 00:10:00+08:00"):
            payment = pay_withdrawal(application_id=approved(account.person, "RETIREMENT").pk)
            report = settle_interest(on=date(2026, 6, 30))

        year = JournalEntry.objects.get(idempotency_key=settlement_key(account.ledger_account.code, 2026))
        assert (year.amount, year.business_on) == (SETTLED_2026, date(2026, 6, 30))
        assert (payment.interest, payment.amount) == (SETTLED_2026 + 10, JANUARY_DEPOSIT + SETTLED_2026 + 10)
        assert report.accounts_already_settled == 1
        assert report.accounts_settled == 0
        assert balance_of(account.ledger_account) == 0

    def test_leaving_the_city_from_a_sealed_account_closes_it_too(self):
        account = account_with(
            balance=JANUARY_DEPOSIT,
            on=date(2026, 1, 15),
            status=AccountStatus.SEALED,
            sealed_on=date(2026, 2, 1),
        )

        with freeze_time("2026-11-26 10:00:00+08:00"):
            payment = pay_withdrawal(application_id=approved(account.person, "LEAVING_CITY").pk)

        account.refresh_from_db()
        assert payment.status == PaymentStatus.PAYING
        assert account.status == AccountStatus.CLOSED_BY_WITHDRAWAL


class TestFailedClosingPayout:
    def test_reopens_the_account_sealed_with_the_money_and_says_so(self, django_capture_on_commit_callbacks):
        account = closing_account()
        with freeze_time("2026-07-01 02:30:00+08:00"):
            settle_interest(on=date(2026, 6, 30))
        with freeze_time("2026-11-26 10:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            application = approved(account.person, "RETIREMENT")
            pay_withdrawal(application_id=application.pk)
        payout = Payout.objects.get()

        with freeze_time("2026-11-27 10:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            record_payment_result(
                reference=payout.reference,
                paid=False,
                failure_code="CARD_INVALID",
                bank_ref="B-1",
                settled_on=date(2026, 11, 27),
            )

        account.refresh_from_db()
        payment = WithdrawalPayment.objects.get(application=application)
        message = Message.objects.get(person=account.person, kind="payout_failed")
        assert (account.status, account.sealed_on, account.closed_on) == (
            AccountStatus.SEALED,
            date(2026, 11, 26),
            None,
        )
        assert balance_of(account.ledger_account) == PAID_OUT
        assert (payment.payout_outcome, payment.reopened_on) == ("FAILED", date(2026, 11, 27))
        assert "封存" in message.body

    def test_the_returned_money_earns_interest_from_the_day_it_came_back(
        self, django_capture_on_commit_callbacks
    ):
        # Restart on 2026-11-26; 243,170 fen back on 2026-11-27, held 216 days to 2027-06-30:
        # 52,524,720 fen-days × 0.015 / 360 = 2,188.53 → 2,189 fen.
        account = closing_account()
        with freeze_time("2026-07-01 02:30:00+08:00"):
            settle_interest(on=date(2026, 6, 30))
        with freeze_time("2026-11-26 10:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            pay_withdrawal(application_id=approved(account.person, "RETIREMENT").pk)
        with freeze_time("2026-11-27 10:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            record_payment_result(
                reference=Payout.objects.get().reference,
                paid=False,
                failure_code="CARD_INVALID",
                bank_ref="B-1",
                settled_on=date(2026, 11, 27),
            )

        with freeze_time("2027-07-01 02:30:00+08:00"):
            settle_interest(on=date(2027, 6, 30))

        entry = JournalEntry.objects.get(idempotency_key=settlement_key(account.ledger_account.code, 2027))
        assert entry.amount == 2_189
        assert "FAIL" not in verify_ledger()

    def test_a_repeated_failure_hook_changes_nothing_more(self, django_capture_on_commit_callbacks):
        from withdrawals.services import record_payout_failed

        account = closing_account()
        with freeze_time("2026-11-26 10:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            application = approved(account.person, "RETIREMENT")
            pay_withdrawal(application_id=application.pk)
        with django_capture_on_commit_callbacks(execute=True):
            record_payment_result(
                reference=Payout.objects.get().reference,
                paid=False,
                failure_code="CARD_INVALID",
                bank_ref="B",
            )

        record_payout_failed(source_ref=f"withdrawal:{application.pk}")

        assert Message.objects.filter(person=account.person, kind="payout_failed").count() == 1


class TestPaidPayout:
    def test_tells_the_employee_the_money_arrived(self, django_capture_on_commit_callbacks):
        account = account_with(balance=480_000)
        with freeze_time("2026-11-26 10:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            application = approved(account.person, "RENT")
            pay_withdrawal(application_id=application.pk)

        with django_capture_on_commit_callbacks(execute=True):
            record_payment_result(
                reference=Payout.objects.get().reference, paid=True, failure_code=None, bank_ref="B"
            )

        payment = WithdrawalPayment.objects.get(application=application)
        assert payment.payout_outcome == "PAID"
        assert Message.objects.filter(person=account.person, kind="payout_paid").count() == 1
