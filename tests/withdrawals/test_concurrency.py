"""Withdrawals raced on PostgreSQL: threads with their own connections, against committed data."""

from datetime import date

import pytest
from django.db import transaction

from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from payouts.models import Payout
from tests.ledger.factories import deposit
from tests.ledger.test_concurrency import race
from tests.policy import ensure_policy_parameters
from tests.withdrawals.factories import account_with, approved
from withdrawals.models import PaymentStatus
from withdrawals.services import pay_withdrawal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _parameters():
    ensure_policy_parameters()


class TestPayWithdrawalConcurrently:
    def test_two_runs_for_one_application_post_once_and_pay_once(self):
        account = account_with(balance=480_000)
        application = approved(account.person, "RENT", amount_limit=180_000)

        results, errors = race(2, lambda _i: pay_withdrawal(application_id=application.pk).pk)

        assert errors == []
        assert len(set(results)) == 1
        assert JournalEntry.objects.filter(idempotency_key=f"withdrawal:{application.pk}").count() == 1
        assert Payout.objects.filter(source_ref=f"withdrawal:{application.pk}").count() == 1
        assert balance_of(account.ledger_account) == 300_000

    def test_a_closing_run_twice_pays_interest_once(self):
        account = account_with(balance=480_000, on=date(2026, 1, 15))
        application = approved(account.person, "RETIREMENT", amount_limit=None)

        results, errors = race(2, lambda _i: pay_withdrawal(application_id=application.pk).amount)

        assert errors == []
        assert len(set(results)) == 1
        assert Payout.objects.get().amount == results[0]
        assert balance_of(account.ledger_account) == 0

    def test_a_withdrawal_racing_a_deposit_on_the_same_account_keeps_both(self):
        account = account_with(balance=480_000)
        application = approved(account.person, "RENT", amount_limit=180_000)

        def work(i):
            if i == 0:
                return pay_withdrawal(application_id=application.pk).status
            with transaction.atomic(durable=True):
                return deposit(account.ledger_account, 50_000).amount

        results, errors = race(2, work)

        assert errors == []
        assert sorted(map(str, results)) == sorted([PaymentStatus.PAYING, "50000"])
        assert balance_of(account.ledger_account) == 480_000 - 180_000 + 50_000

    def test_a_closing_racing_a_deposit_loses_no_money_and_does_not_deadlock(self):
        account = account_with(balance=480_000, on=date(2026, 1, 15))
        application = approved(account.person, "RETIREMENT", amount_limit=None)

        def work(i):
            if i == 0:
                return pay_withdrawal(application_id=application.pk).amount
            with transaction.atomic(durable=True):
                return deposit(account.ledger_account, 50_000).amount

        _results, errors = race(2, work)

        interest = sum(
            entry.amount for entry in JournalEntry.objects.filter(business_type=BusinessType.ANNUAL_INTEREST)
        )
        paid_out = Payout.objects.get().amount
        assert errors == []
        # The deposit is either in the payout (it landed first) or still in the account.
        assert paid_out + balance_of(account.ledger_account) == 480_000 + 50_000 + interest
