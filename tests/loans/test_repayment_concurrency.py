"""Repayments raced on PostgreSQL: threads with their own connections, against committed data."""

from datetime import date
from decimal import Decimal

import pytest

from integrations.bank.fakes import FakeCollectionBank
from integrations.bank.testing import use_bank
from ledger.models import JournalEntry
from ledger.selectors import balance_of
from loans import collection, repricing
from loans.collection import LoanNotRepaying, collect_instalment, set_collection_mode
from loans.models import (
    CollectionMode,
    InstalmentStatus,
    LoanAccountStatus,
    LoanRepayment,
    LoanScheduleChange,
    RepaymentStatus,
)
from loans.prepayment import prepay, settle
from tests.ledger.test_concurrency import race
from tests.loans.factories_repayment import repaying_loan
from tests.policy import ensure_policy_parameters

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FIRST_DUE = date(2026, 2, 10)


@pytest.fixture(autouse=True)
def _parameters():
    ensure_policy_parameters()


def offsetting_loan(**fields):
    account = repaying_loan(fund_balance=15_000_000, **fields)
    set_collection_mode(account_id=account.pk, mode=CollectionMode.FUND_OFFSET, actor=borrower(account))
    return account


def borrower(account):
    return account.application.applicant.user


def postings_of(account):
    return JournalEntry.objects.filter(idempotency_key__startswith=f"loan-repay:{account.pk}:")


class TestCollectionsConcurrently:
    def test_two_morning_runs_collect_an_instalment_once(self):
        account = offsetting_loan()

        results, errors = race(4, lambda _i: collect_instalment(account_id=account.pk, today=FIRST_DUE))

        assert errors == []
        assert len([result for result in results if result is not None]) == 1
        assert postings_of(account).count() == 1
        assert account.instalments.get(period=1).status == InstalmentStatus.PAID
        fund = account.application.applicant.fund_account
        assert balance_of(fund.ledger_account) == 15_000_000 - 113_670

    def test_a_bank_result_reported_twice_at_once_posts_once(self):
        account = repaying_loan()
        with use_bank(FakeCollectionBank(settle_at_once=False)):
            repayment = collect_instalment(account_id=account.pk, today=FIRST_DUE)

        _results, errors = race(
            3,
            lambda _i: collection.record_repayment_result(
                order_ref=repayment.order_ref, succeeded=True, failure_code=None, settled_on=FIRST_DUE
            ),
        )

        assert errors == []
        assert postings_of(account).count() == 1
        assert LoanRepayment.objects.get(pk=repayment.pk).status == RepaymentStatus.SUCCEEDED
        assert balance_of(account.ledger_account) == 12_000_000 - 87_670


class TestBorrowerRequestsConcurrently:
    def test_a_settlement_and_a_prepayment_at_once_leave_one_consistent_loan(self):
        account = offsetting_loan()
        requests = [
            lambda: settle(
                account_id=account.pk, channel="FUND_OFFSET", actor=borrower(account), today=date(2026, 2, 5)
            ),
            lambda: prepay(
                account_id=account.pk,
                prepaid=1_000_000,
                option="SHORTEN_TERM",
                channel="FUND_OFFSET",
                actor=borrower(account),
                today=date(2026, 2, 5),
            ),
        ]

        results, errors = race(2, lambda i: requests[i]().kind)

        # Whichever takes the loan's lock first goes through; a prepayment after the settlement
        # finds nothing left to prepay, one before it is part of what the settlement counts.
        account.refresh_from_db()
        assert (account.status, balance_of(account.ledger_account)) == (LoanAccountStatus.SETTLED, 0)
        assert sorted(results) in (["SETTLEMENT"], ["PREPAYMENT", "SETTLEMENT"])
        assert [type(error) for error in errors] == ([LoanNotRepaying] if len(results) == 1 else [])
        principal_in = sum(LoanRepayment.objects.filter(account=account).values_list("principal", flat=True))
        assert principal_in == 12_000_000

    def test_two_prepayments_at_once_both_apply_to_the_schedule_in_turn(self):
        account = offsetting_loan()

        results, errors = race(
            2,
            lambda _i: (
                prepay(
                    account_id=account.pk,
                    prepaid=1_000_000,
                    option="LOWER_PAYMENT",
                    channel="FUND_OFFSET",
                    actor=borrower(account),
                    today=date(2026, 2, 5),
                ).pk
            ),
        )

        assert errors == []
        assert len(set(results)) == 2
        rows = account.instalments.exclude(status=InstalmentStatus.SUPERSEDED)
        assert sum(rows.values_list("principal", flat=True)) == 10_000_000
        assert balance_of(account.ledger_account) == 10_000_000


class TestRepricingConcurrently:
    def test_two_runs_re_price_a_loan_once(self):
        account = repaying_loan(annual_rate=Decimal("0.0285"), disbursed_on=date(2025, 3, 10))

        results, errors = race(
            2, lambda _i: repricing.reprice_account(account_id=account.pk, today=date(2026, 1, 1))
        )

        assert errors == []
        assert len([result for result in results if result is not None]) == 1
        assert LoanScheduleChange.objects.filter(account=account).count() == 1
        assert account.instalments.exclude(status=InstalmentStatus.SUPERSEDED).count() == 120
