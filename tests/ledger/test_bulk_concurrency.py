"""Bulk postings racing other postings on PostgreSQL, each thread with its own connection."""

import pytest
from django.db import transaction

from ledger import bulk, services
from ledger.centre import BANK_SETTLEMENT
from ledger.exceptions import InsufficientBalance
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from tests.ledger.factories import BUSINESS_DAY, FundLedgerAccountFactory, deposit, new_key, withdraw
from tests.ledger.test_bulk import verify_ledger
from tests.ledger.test_concurrency import race

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
