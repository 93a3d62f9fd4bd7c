"""Deposit time merged (合并计算): months from another city and from a merged duplicate account count."""

from datetime import date

import pytest
from freezegun import freeze_time

from accounts.models import AccountMove, AccountMoveKind, AccountStatus, CarriedDepositHistory
from approvals.engine import rule_set
from approvals.providers import Carried, consecutive_deposit_months, gather_facts
from integrations.transfer_platform.fakes import FakeTransferPlatform
from integrations.transfer_platform.testing import use_platform
from tests.accounts.factories import FundAccountFactory
from tests.approvals.factories import deposit_on
from tests.approvals.rulesets.builders import PARAMS
from tests.transfers.factories import SHANGHAI, reply
from transfers import incoming

ON = date(2026, 11, 20)  # November's deposit is made: the run counts November


def months(*firsts: tuple[int, int]) -> frozenset[date]:
    return frozenset(date(year, month, 1) for year, month in firsts)


HERE_SEP_TO_NOV = months((2026, 9), (2026, 10), (2026, 11))


def carried(paid_up_to: date, count: int, *, continuous: bool = True) -> Carried:
    return Carried(paid_up_to=paid_up_to, months=count, last_six_continuous=continuous)


class TestConsecutiveMonthsWithCarriedTime:
    def test_months_from_a_city_paid_up_to_the_month_before_the_run_are_added(self):
        counted = consecutive_deposit_months(HERE_SEP_TO_NOV, on=ON, carried=(carried(date(2026, 8, 1), 48),))

        assert counted == 3 + 48

    def test_the_month_of_the_move_paid_on_both_sides_counts_once(self):
        counted = consecutive_deposit_months(HERE_SEP_TO_NOV, on=ON, carried=(carried(date(2026, 9, 1), 48),))

        assert counted == 3 + 47

    def test_a_month_paid_nowhere_between_the_cities_breaks_the_run(self):
        counted = consecutive_deposit_months(HERE_SEP_TO_NOV, on=ON, carried=(carried(date(2026, 7, 1), 48),))

        assert counted == 3

    def test_a_city_whose_last_six_months_did_not_run_on_is_not_merged(self):
        counted = consecutive_deposit_months(
            HERE_SEP_TO_NOV, on=ON, carried=(carried(date(2026, 8, 1), 48, continuous=False),)
        )

        assert counted == 3

    def test_two_cities_one_after_the_other_are_both_merged(self):
        counted = consecutive_deposit_months(
            HERE_SEP_TO_NOV,
            on=ON,
            carried=(carried(date(2026, 8, 1), 12), carried(date(2025, 8, 1), 24)),
        )

        assert counted == 3 + 12 + 24

    def test_a_person_who_has_not_yet_deposited_here_keeps_the_citys_months(self):
        counted = consecutive_deposit_months(frozenset(), on=ON, carried=(carried(date(2026, 10, 1), 30),))

        assert counted == 30


@pytest.mark.django_db
class TestFactsCountMergedTime:
    def facts(self, person):
        return gather_facts(
            rule_set("RENT"),
            person=person,
            payload={"period_months": 1},
            params=PARAMS,
            on=ON,
            purpose="test",
            requested_by="test",
        ).facts

    def test_a_completed_transfer_in_merges_the_sending_citys_months(self, sources):
        account = FundAccountFactory(opened_on=date(2026, 9, 1))
        for month in (9, 10, 11):
            deposit_on(account, date(2026, month, 15))
        with freeze_time("2026-09-05 10:00:00+08:00"), use_platform(FakeTransferPlatform()) as platform:
            transfer = incoming.apply_incoming(
                person=account.person,
                sending_city_code=SHANGHAI[0],
                sending_city_name=SHANGHAI[1],
                actor=None,
            )
            transfer = incoming.send_letter(transfer_id=transfer.pk)
            platform.answer(transfer.letter_ref, reply(months=48))  # paid up to August 2026
            incoming.follow_letter(transfer_id=transfer.pk)

        history = CarriedDepositHistory.objects.get(account=account)
        assert (history.reference, history.months, history.paid_up_to) == (
            transfer.platform_ref,
            48,
            date(2026, 8, 1),
        )
        assert self.facts(account.person).consecutive_deposit_months == 3 + 48

    def test_a_merged_duplicate_accounts_deposits_count_for_the_survivor(self, sources):
        survivor = FundAccountFactory(opened_on=date(2026, 10, 1))
        absorbed = FundAccountFactory(
            opened_on=date(2020, 1, 1), status=AccountStatus.MERGED, closed_on=date(2026, 10, 1)
        )
        for month in (10, 11):
            deposit_on(survivor, date(2026, month, 15))
        for month in (6, 7, 8, 9):
            deposit_on(absorbed, date(2026, month, 15))
        AccountMove.objects.create(
            kind=AccountMoveKind.MERGE, account=survivor, merged_account=absorbed, moved_on=date(2026, 10, 1)
        )

        assert self.facts(survivor.person).consecutive_deposit_months == 2 + 4
