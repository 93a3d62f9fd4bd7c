"""Reading people and accounts: by ID number, by account number, the account summary."""

from datetime import date

import pytest

from accounts.models import AccountStatus
from accounts.selectors import account_by_no, account_summary, monthly_parts, person_by_id_number
from core.money import YUAN_HALF_UP
from tests.accounts.factories import EmployerFactory, FundAccountFactory, PersonFactory, resident_id

pytestmark = pytest.mark.django_db

ID_NUMBER = next(resident_id(n) for n in range(200) if resident_id(n).endswith("X"))


class TestPersonByIdNumber:
    def test_finds_the_person_whatever_the_case_of_x(self):
        person = PersonFactory(id_number=ID_NUMBER)

        assert person_by_id_number(ID_NUMBER.lower()) == person

    def test_returns_none_for_an_unknown_number(self):
        assert person_by_id_number(resident_id(1)) is None

    def test_returns_none_for_blank_input(self):
        assert person_by_id_number("  ") is None


class TestAccountByNo:
    def test_finds_the_account(self):
        account = FundAccountFactory()

        assert account_by_no(f" {account.account_no} ") == account

    def test_returns_none_for_an_unknown_number(self):
        assert account_by_no("350299999999") is None


class TestMonthlyParts:
    def test_rounds_each_part_separately_to_the_fen(self):
        assert monthly_parts(base=812345, employer_rate_bp=1200, employee_rate_bp=500) == (97481, 40617)

    def test_rounds_to_whole_yuan_when_policy_says_so(self):
        assert monthly_parts(
            base=812345, employer_rate_bp=1200, employee_rate_bp=500, rounding=YUAN_HALF_UP
        ) == (
            97500,
            40600,
        )


class TestAccountSummary:
    def test_sums_both_parts_and_reads_the_ledger_balance(self, deposit):
        employer = EmployerFactory(employer_rate_bp=1200, employee_rate_bp=1000, paid_up_to=date(2024, 5, 1))
        account = FundAccountFactory(base=800000, employer=employer)
        deposit(account, 176000)

        summary = account_summary(account.person)

        assert summary.account_no == account.account_no
        assert summary.balance == 176000
        assert (summary.employer_part, summary.employee_part, summary.monthly_deposit) == (
            96000,
            80000,
            176000,
        )
        assert summary.paid_up_to == date(2024, 5, 1)

    def test_shows_no_monthly_deposit_for_a_sealed_account(self):
        account = FundAccountFactory(status=AccountStatus.SEALED, sealed_on=date(2024, 6, 30))

        summary = account_summary(account.person)

        assert summary.monthly_deposit == 0
        assert summary.status_label == "封存"

    def test_returns_none_without_an_account(self):
        assert account_summary(PersonFactory()) is None
