"""seal_employee_account: a unit seals (封存) the account of an employee who left, and only its own."""

from datetime import date

import pytest
from freezegun import freeze_time

from accounts import roles
from accounts.models import AccountStatus, FundAccount
from accounts.services import AccountNotAtUnit, AccountNotSealable, InvalidAccountDate, seal_employee_account
from tests.accounts.factories import FundAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(db):
    return FundAccountFactory(opened_on=date(2024, 1, 15))


@pytest.fixture
def preparer(account):
    user = UserFactory(employer=account.employer)
    user.groups.add(roles.ensure_roles()[roles.EMPLOYER_PREPARER])
    return user


@freeze_time("2026-11-20")
class TestSealEmployeeAccount:
    def test_seals_the_account_on_the_last_day_keeping_the_unit(self, account, preparer):
        seal_employee_account(
            employer=account.employer, account=account, sealed_on=date(2026, 11, 20), actor=preparer
        )

        sealed = FundAccount.objects.get(pk=account.pk)
        assert (sealed.status, sealed.sealed_on, sealed.employer) == (
            AccountStatus.SEALED,
            date(2026, 11, 20),
            account.employer,
        )

    def test_refuses_a_date_in_the_future(self, account, preparer):
        with pytest.raises(InvalidAccountDate) as refused:
            seal_employee_account(
                employer=account.employer, account=account, sealed_on=date(2026, 11, 21), actor=preparer
            )

        assert refused.value.field == "sealed_on"

    def test_refuses_a_date_before_the_opening(self, account, preparer):
        with pytest.raises(InvalidAccountDate):
            seal_employee_account(
                employer=account.employer, account=account, sealed_on=date(2023, 12, 31), actor=preparer
            )

    def test_refuses_an_account_already_sealed(self, account, preparer):
        seal_employee_account(
            employer=account.employer, account=account, sealed_on=date(2026, 11, 1), actor=preparer
        )

        with pytest.raises(AccountNotSealable):
            seal_employee_account(
                employer=account.employer, account=account, sealed_on=date(2026, 11, 2), actor=preparer
            )

    def test_refuses_an_account_that_moved_to_another_unit_meanwhile(self, account, preparer):
        other = FundAccountFactory()
        FundAccount.objects.filter(pk=account.pk).update(employer=other.employer)

        with pytest.raises(AccountNotAtUnit):
            seal_employee_account(
                employer=preparer.employer, account=account, sealed_on=date(2026, 11, 1), actor=preparer
            )

        assert FundAccount.objects.get(pk=account.pk).status == AccountStatus.NORMAL
