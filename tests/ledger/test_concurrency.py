"""Threads racing on PostgreSQL, each with its own connection, against committed data."""

import threading

import pytest
from django.db import connection, transaction

from ledger import services
from ledger.centre import BANK_SETTLEMENT
from ledger.exceptions import InsufficientBalance
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from tests.ledger.factories import BUSINESS_DAY, FundLedgerAccountFactory, deposit, new_key, withdraw

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(count, work):
    """Run ``work(i)`` in ``count`` threads started together; return results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(work(i))
        except Exception as error:  # collected for the assertions, not swallowed
            errors.append(error)
        finally:
            connection.close()  # each thread owns a connection; return it to the pool

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    connection.close()  # give the pool's connections to the threads
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung: deadlock?"
    return results, errors


class TestPostEntryConcurrently:
    def test_twenty_racing_withdrawals_never_overdraw(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic(durable=True):
            deposit(account, 10_000)

        def debit(_i):
            with transaction.atomic(durable=True):
                return withdraw(account, 700)

        results, errors = race(20, debit)

        assert all(isinstance(error, InsufficientBalance) for error in errors), errors
        assert len(results) == 10_000 // 700
        assert len(results) * 700 == 10_000 - balance_of(account)

    def test_identical_keys_post_exactly_one_entry(self):
        account = FundLedgerAccountFactory()
        key = new_key()

        def post(_i):
            with transaction.atomic(durable=True):
                return deposit(account, 300, key=key).pk

        results, errors = race(20, post)

        assert errors == []
        assert len(set(results)) == 1
        assert JournalEntry.objects.filter(idempotency_key=key).count() == 1
        assert balance_of(account) == 300

    def test_opposite_orders_over_two_accounts_do_not_deadlock(self):
        first, second = FundLedgerAccountFactory.create_batch(2)
        with transaction.atomic(durable=True):
            deposit(first, 100_000)
            deposit(second, 100_000)
        bank = services.centre_account(BANK_SETTLEMENT)

        def transfer(i):
            source, target = (first, second) if i % 2 else (second, first)
            with transaction.atomic(durable=True):
                return services.post_entry(
                    lines=[services.Line(source, debit=100), services.Line(target, credit=100)],
                    business_type=BusinessType.INTERNAL_TRANSFER,
                    business_on=BUSINESS_DAY,
                    idempotency_key=new_key(),
                )

        results, errors = race(16, transfer)

        assert errors == []
        assert len(results) == 16
        assert balance_of(first) + balance_of(second) == 200_000
        assert balance_of(bank) >= 200_000
