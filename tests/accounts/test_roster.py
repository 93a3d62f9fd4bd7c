"""accounts.roster: a unit's staff, one page at a time, searched by name, ID number or account number."""

from datetime import date

import pytest

from accounts.models import AccountStatus
from accounts.roster import roster_accounts, roster_rows, unit_account
from tests.accounts.factories import EmployerFactory, FundAccountFactory, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(db):
    return EmployerFactory(employer_rate_bp=1000, employee_rate_bp=800)


class TestRosterAccounts:
    def test_lists_only_the_unit_s_accounts_by_account_number(self, unit):
        ours = [FundAccountFactory(employer=unit) for _ in range(3)]
        FundAccountFactory()

        accounts = list(roster_accounts(unit))

        assert accounts == sorted(ours, key=lambda account: account.account_no)

    def test_finds_a_full_id_number_through_the_blind_index_whatever_the_case_of_x(self, unit):
        wanted = FundAccountFactory(employer=unit, person__id_number="11010519491231002X")
        FundAccountFactory(employer=unit)

        assert list(roster_accounts(unit, search=" 11010519491231002x ")) == [wanted]

    def test_does_not_find_a_person_of_another_unit_by_id_number(self, unit):
        elsewhere = FundAccountFactory(person__id_number=resident_id(55))

        assert list(roster_accounts(unit, search=elsewhere.person.id_number)) == []

    def test_finds_part_of_a_name(self, unit):
        wanted = FundAccountFactory(employer=unit, person__name="欧阳明华")
        FundAccountFactory(employer=unit, person__name="李雷")

        assert list(roster_accounts(unit, search="明华")) == [wanted]

    def test_finds_an_account_number(self, unit):
        wanted = FundAccountFactory(employer=unit)
        FundAccountFactory(employer=unit)

        assert list(roster_accounts(unit, search=wanted.account_no)) == [wanted]

    def test_filters_by_status_and_ignores_an_unknown_one(self, unit):
        sealed = FundAccountFactory(employer=unit, status=AccountStatus.SEALED, sealed_on=date(2026, 5, 31))
        FundAccountFactory(employer=unit)

        assert list(roster_accounts(unit, status="02")) == [sealed]
        assert roster_accounts(unit, status="7'; --").count() == 2


class TestRosterRows:
    def test_rounds_each_part_separately_and_masks_the_id_number(self, unit):
        account = FundAccountFactory(employer=unit, base=333333)

        row = roster_rows([account], unit)[0]

        assert (row.employer_part, row.employee_part, row.monthly_amount) == (33333, 26667, 60000)
        assert row.masked_id_number != account.person.id_number
        assert "*" in row.masked_id_number

    def test_shows_nothing_paid_into_a_sealed_account(self, unit):
        account = FundAccountFactory(employer=unit, status=AccountStatus.SEALED, sealed_on=date(2026, 5, 31))

        assert roster_rows([account], unit)[0].monthly_amount == 0


class TestUnitAccount:
    def test_finds_an_account_of_the_unit(self, unit):
        account = FundAccountFactory(employer=unit)

        assert unit_account(unit, account.account_no) == account

    def test_does_not_find_an_account_of_another_unit(self, unit):
        elsewhere = FundAccountFactory()

        assert unit_account(unit, elsewhere.account_no) is None
