"""Bulk postings racing other postings on PostgreSQL, each thread with its own connection."""

import pytest
from django.db import transaction

from ledger import bulk, services
from ledger.centre import BANK_SETTLEMENT
from ledger.exceptions import InsufficientBalance
from ledger.interest import settle_interest, settlement_key
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from tests.ledger.factories import BUSINESS_DAY, FundLedgerAccountFactory, deposit, new_key, withdraw
from tests.ledger.test_bulk import verify_ledger
from tests.ledger.test_concurrency import race
from tests.ledger.test_interest import LAST_30_JUNE, THIS_30_JUNE, _account_with
from tests.policy import ensure_policy_parameters

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def post_list(credits, *, key):
    with transaction.atomic(durable=True):
        return bulk.post_batch_entry(
            business_type=BusinessType.MONTHLY_DEPOSIT,
            business_on=BUSINESS_DAY,
            idempotency_key=key,
            memo="汇缴",
            actor=None,
            counter_account=services.centre_account(BANK_SETTLEMENT),
            credits=credits,
        )


class TestPostBatchEntryConcurrently:
    def test_racing_the_same_key_posts_one_entry(self):
        employees = FundLedgerAccountFactory.create_batch(200)
        credits = [(account.pk, 1_000) for account in employees]
        bank_before = balance_of(services.centre_account(BANK_SETTLEMENT))
        key = new_key("list")

        results, errors = race(8, lambda _i: post_list(credits, key=key).pk)

        assert errors == []
        assert len(set(results)) == 1
        assert JournalEntry.objects.filter(idempotency_key=key).count() == 1
        assert {balance_of(account) for account in employees} == {1_000}
        assert balance_of(services.centre_account(BANK_SETTLEMENT)) == bank_before + 200_000
        assert "ledger intact" in verify_ledger()

    def test_racing_withdrawals_on_the_same_accounts_keep_every_balance_right(self):
        employees = FundLedgerAccountFactory.create_batch(50)
        with transaction.atomic(durable=True):
            for account in employees:
                deposit(account, 1_000)
        spenders = employees[:10]

        def work(i):
            if i == 0:
                return post_list([(account.pk, 500) for account in employees], key=new_key("list"))
            # 1,200 fen is more than an account holds before the list and less than after it.
            with transaction.atomic(durable=True):
                return withdraw(spenders[i - 1], 1_200)

        results, errors = race(11, work)

        assert all(isinstance(error, InsufficientBalance) for error in errors), errors
        withdrawn = {
            line.account_id
            for entry in results
            if entry.business_type == BusinessType.PARTIAL_WITHDRAWAL
            for line in entry.lines.filter(debit__gt=0)
        }
        assert len(withdrawn) + len(errors) == len(spenders)
        for account in employees:
            assert balance_of(account) == 1_500 - (1_200 if account.pk in withdrawn else 0)
        assert "ledger intact" in verify_ledger()


class TestSettleInterestConcurrently:
    @pytest.fixture(autouse=True)
    def _policy(self):
        ensure_policy_parameters()  # the rate and day-count basis, gone with the last flush

    def test_two_racing_runs_settle_each_account_once(self):
        accounts = [_account_with([(LAST_30_JUNE, 2_400_000)]) for _ in range(30)]

        results, errors = race(2, lambda _i: settle_interest(on=THIS_30_JUNE, chunk_size=7))

        assert errors == []
        assert sum(report.accounts_settled for report in results) == 30
        assert {balance_of(account) for account in accounts} == {2_400_000 + 36_500}
        assert JournalEntry.objects.filter(business_type="09", business_on=THIS_30_JUNE).count() == 30
        assert "ledger intact" in verify_ledger()

    def test_a_withdrawal_racing_the_settlement_keeps_the_balance_right(self):
        accounts = [_account_with([(LAST_30_JUNE, 2_400_000)]) for _ in range(20)]

        def work(i):
            if i == 0:
                return settle_interest(on=THIS_30_JUNE, chunk_size=5)
            with transaction.atomic(durable=True):
                return withdraw(accounts[i - 1], 2_400_000 + 100)  # possible only after the interest

        _results, errors = race(11, work)

        assert all(isinstance(error, InsufficientBalance) for error in errors), errors
        for account in accounts:
            interest = JournalEntry.objects.get(idempotency_key=settlement_key(account.code, 2026)).amount
            withdrawn = sum(account.lines.filter(debit__gt=0).values_list("debit", flat=True))
            assert interest == 36_500
            assert balance_of(account) == 2_400_000 + interest - withdrawn
        assert "ledger intact" in verify_ledger()
