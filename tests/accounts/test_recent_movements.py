"""accounts.selectors.recent_movements: the hall's newest movements, summed by the database."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.selectors import account_summary_with_recent_movements, recent_movements
from ledger.selectors import movements_of
from tests.accounts.factories import FundAccountFactory, PersonFactory
from tests.accounts.statement_history import History, random_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return FundAccountFactory(opened_on=date(2019, 3, 1))


@pytest.fixture
def other_fund():
    other = FundAccountFactory()
    History(other).deposit(date(2019, 1, 2), 100_000_000)
    return other.ledger_account


class TestRecentMovements:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_are_the_newest_movements_of_the_full_history_with_the_same_balances(
        self, account, other_fund, seed
    ):
        history = History(account)
        random_history(history, seed=seed, start=date(2021, 1, 1), days=900, other_fund=other_fund)
        # Posted last but dated earlier, and two on one day: business date first, then posting order.
        history.deposit(date(2022, 6, 1), 12_345)
        history.deposit(date(2023, 6, 30), 100)
        history.deposit(date(2023, 6, 30), 200)
        full = list(movements_of(account.ledger_account))

        recent = recent_movements(account.ledger_account, latest=12)

        assert recent == full[-12:][::-1]
        account.ledger_account.refresh_from_db()
        assert recent[0].balance_after == account.ledger_account.balance

    def test_gives_the_whole_history_when_it_is_shorter(self, account):
        history = History(account)
        history.deposit(date(2026, 1, 15), 100_000)
        history.deposit(date(2026, 2, 15), 100_000)

        recent = recent_movements(account.ledger_account, latest=12)

        assert [movement.balance_after for movement in recent] == [200_000, 100_000]

    def test_of_an_account_without_movements_are_none(self, account):
        assert recent_movements(account.ledger_account, latest=12) == []


class TestAccountSummaryWithRecentMovements:
    def test_reads_the_account_and_its_movements_in_two_queries_whatever_their_number(self, account):
        history = History(account)
        for month in range(1, 13):
            for year in (2024, 2025, 2026):
                history.deposit(date(year, month, 15), 100_000)

        with CaptureQueriesContext(connection) as captured:
            summary, recent = account_summary_with_recent_movements(account.person, latest=12)

        assert summary.balance == 3_600_000
        assert len(recent) == 12
        assert recent[0].posted_on == date(2026, 12, 15)
        # The account with its unit and ledger row, the rounding rule in force, the movements.
        assert len(captured) == 3

    def test_of_a_person_without_an_account_is_nothing(self):
        assert account_summary_with_recent_movements(PersonFactory(), latest=12) == (None, [])
