"""The deposit history a transfer out states: months here, merged accounts and carried time included."""

from datetime import date

import pytest

from accounts.models import CarriedDepositHistory
from tests.accounts.factories import FundAccountFactory
from transfers.history import deposit_history

from .factories import deposit

pytestmark = pytest.mark.django_db


def carry(account, *, paid_up_to: date, months: int, continuous: bool = True):
    CarriedDepositHistory.objects.create(
        account=account,
        city_code="310000",
        reference=f"PLT{account.pk}{months}",
        opened_on=date(2020, 1, 1),
        paid_up_to=paid_up_to,
        months=months,
        last_six_continuous=continuous,
        carried_on=date(2026, 9, 10),
    )


class TestDepositHistory:
    def test_three_months_here_alone_are_not_six_continuous(self):
        account = FundAccountFactory(opened_on=date(2026, 6, 1))
        for month in (7, 8, 9):
            deposit(account, 100_000, date(2026, month, 15))

        history = deposit_history(account)

        assert (history.paid_up_to, history.months_deposited, history.last_six_continuous) == (
            date(2026, 9, 1),
            3,
            False,
        )

    def test_time_carried_in_from_another_city_is_stated_again(self):
        account = FundAccountFactory(opened_on=date(2026, 6, 1))
        for month in (7, 8, 9):
            deposit(account, 100_000, date(2026, month, 15))
        carry(account, paid_up_to=date(2026, 6, 1), months=48)

        history = deposit_history(account)

        assert (history.opened_on, history.paid_up_to) == (date(2026, 6, 1), date(2026, 9, 1))
        assert (history.months_deposited, history.last_six_continuous) == (51, True)

    def test_carried_time_with_a_gap_before_the_months_here_does_not_run_on(self):
        account = FundAccountFactory(opened_on=date(2026, 6, 1))
        for month in (8, 9):
            deposit(account, 100_000, date(2026, month, 15))
        carry(account, paid_up_to=date(2026, 6, 1), months=48)

        history = deposit_history(account)

        assert (history.months_deposited, history.last_six_continuous) == (50, False)
