"""Hypothesis drives random postings against a plain-dict model of the balances.

The machine runs inside the test's transaction (pytest-django rolls it back at the end); each
example opens fresh accounts, so examples do not see each other's balances.
"""

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ledger import services
from ledger.centre import BANK_SETTLEMENT, PAYOUT_CLEARING
from ledger.exceptions import AlreadyReversed, InsufficientBalance
from ledger.models import JournalEntry, JournalLine, LedgerAccount
from ledger.selectors import balance_of, movements_of
from tests.ledger.factories import BUSINESS_DAY, FundLedgerAccountFactory, deposit, new_key, withdraw

amounts = st.integers(min_value=1, max_value=500_000)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.funds = FundLedgerAccountFactory.create_batch(2)
        self.bank = services.centre_account(BANK_SETTLEMENT)
        self.clearing = services.centre_account(PAYOUT_CLEARING)
        # Expected balance per account pk; the centre accounts start wherever earlier examples left them.
        self.expected = {account.pk: 0 for account in self.funds}
        self.expected[self.bank.pk] = balance_of(self.bank)
        self.expected[self.clearing.pk] = balance_of(self.clearing)
        # (key, entry pk, {account pk: signed change}) of every posted entry.
        self.posted: list[tuple[str, int, dict[int, int]]] = []
        self.reversed: set[int] = set()
        self.reversals: set[int] = set()

    def _record(self, key, entry, changes):
        self.posted.append((key, entry.pk, changes))
        for pk, change in changes.items():
            self.expected[pk] += change

    @rule(which=st.integers(0, 1), amount=amounts)
    def deposit(self, which, amount):
        account, key = self.funds[which], new_key()

        with transaction.atomic():
            entry = deposit(account, amount, key=key)

        self._record(key, entry, {account.pk: amount, self.bank.pk: amount})

    @rule(which=st.integers(0, 1), amount=amounts)
    def withdraw(self, which, amount):
        account, key = self.funds[which], new_key()

        if amount > self.expected[account.pk]:
            with pytest.raises(InsufficientBalance), transaction.atomic():
                withdraw(account, amount, key=key)
        else:
            with transaction.atomic():
                entry = withdraw(account, amount, key=key)
            self._record(key, entry, {account.pk: -amount, self.clearing.pk: amount})

    @precondition(lambda self: self.posted)
    @rule(pick=st.integers(min_value=0), amount=amounts)
    def replay(self, pick, amount):
        key, entry_pk, _changes = self.posted[pick % len(self.posted)]

        with transaction.atomic():
            again = deposit(self.funds[0], amount, key=key)

        assert again.pk == entry_pk

    @precondition(lambda self: self.posted)
    @rule(pick=st.integers(min_value=0))
    def reverse(self, pick):
        _key, entry_pk, changes = self.posted[pick % len(self.posted)]
        entry = JournalEntry.objects.get(pk=entry_pk)
        mirror = {pk: -change for pk, change in changes.items()}
        overdraws = any(self.expected[account.pk] + mirror.get(account.pk, 0) < 0 for account in self.funds)
        key = new_key("reverse")

        if entry_pk in self.reversed or entry_pk in self.reversals:
            with pytest.raises(AlreadyReversed), transaction.atomic():
                services.reverse_entry(
                    entry=entry, business_on=BUSINESS_DAY, idempotency_key=key, memo="冲正"
                )
        elif overdraws:
            with pytest.raises(InsufficientBalance), transaction.atomic():
                services.reverse_entry(
                    entry=entry, business_on=BUSINESS_DAY, idempotency_key=key, memo="冲正"
                )
        else:
            with transaction.atomic():
                reversal = services.reverse_entry(
                    entry=entry, business_on=BUSINESS_DAY, idempotency_key=key, memo="冲正"
                )
            self.reversed.add(entry_pk)
            self.reversals.add(reversal.pk)
            self._record(key, reversal, mirror)

    @invariant()
    def balances_match_the_model(self):
        for pk, expected in self.expected.items():
            assert LedgerAccount.objects.get(pk=pk).balance == expected

    @invariant()
    def fund_accounts_are_never_negative_and_equal_their_lines(self):
        for account in self.funds:
            sums = JournalLine.objects.filter(account=account).aggregate(d=Sum("debit"), c=Sum("credit"))
            from_lines = (sums["c"] or 0) - (sums["d"] or 0)
            assert balance_of(account) == from_lines >= 0
            statement = list(movements_of(account))
            assert (statement[-1].balance_after if statement else 0) == from_lines

    @invariant()
    def every_entry_balances(self):
        pks = [entry_pk for _key, entry_pk, _changes in self.posted]
        sums = JournalLine.objects.filter(entry_id__in=pks).aggregate(d=Sum("debit"), c=Sum("credit"))
        assert sums["d"] == sums["c"]


@pytest.mark.django_db
class TestLedgerMachine:
    def test_keeps_every_invariant_under_random_postings(self):
        run_state_machine_as_test(
            LedgerMachine,
            settings=settings(
                max_examples=20,
                stateful_step_count=20,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
