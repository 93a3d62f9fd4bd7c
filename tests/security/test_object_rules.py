"""The object permissions of accounts.rules: a person sees their own, a unit its own staff and
lists, the centre's staff every record."""

from datetime import date

import pytest

from accounts import roles
from accounts.roles import ensure_roles
from deposits.models import DepositList, ListKind
from tests.accounts.factories import EmployerFactory, FundAccountFactory, UserFactory
from tests.loans.factories_approval import loan_case
from tests.withdrawals.factories import approved

pytestmark = pytest.mark.django_db


def _holding(role, **fields):
    user = UserFactory(is_staff=role in roles.STAFF_ROLES, **fields)
    user.groups.add(ensure_roles()[role])
    return user


@pytest.fixture
def account():
    """A fund account whose person signs in as an employee."""
    account = FundAccountFactory()
    account.person.user = _holding(roles.EMPLOYEE)
    account.person.save(update_fields=["user"])
    return account


@pytest.fixture
def stranger():
    """Another employee, with an account of their own."""
    other = FundAccountFactory()
    other.person.user = _holding(roles.EMPLOYEE)
    other.person.save(update_fields=["user"])
    return other.person.user


def _list_of(unit, uploaded_by) -> DepositList:
    return DepositList.objects.create(
        employer=unit,
        kind=ListKind.MONTHLY,
        period=date(2026, 10, 1),
        filename="list.csv",
        file_sha256="0" * 64,
        file_size=100,
        uploaded_by=uploaded_by,
    )


class TestViewPerson:
    def test_lets_a_person_see_themselves(self, account):
        assert account.person.user.has_perm("accounts.view_person", account.person)

    def test_hides_a_person_from_another(self, account, stranger):
        assert not stranger.has_perm("accounts.view_person", account.person)

    def test_lets_the_unit_see_its_staff(self, account):
        operator = _holding(roles.EMPLOYER_PREPARER, employer=account.employer)

        assert operator.has_perm("accounts.view_person", account.person)

    def test_hides_a_person_from_another_unit(self, account):
        operator = _holding(roles.EMPLOYER_APPROVER, employer=EmployerFactory())

        assert not operator.has_perm("accounts.view_person", account.person)

    def test_lets_staff_see_anyone(self, account):
        assert _holding(roles.STAFF_AUDITOR).has_perm("accounts.view_person", account.person)


class TestViewFundAccount:
    def test_lets_the_owner_and_the_unit_see_it(self, account):
        operator = _holding(roles.EMPLOYER_PREPARER, employer=account.employer)

        assert account.person.user.has_perm("accounts.view_fundaccount", account)
        assert operator.has_perm("accounts.view_fundaccount", account)

    def test_hides_it_from_another_person_and_another_unit(self, account, stranger):
        operator = _holding(roles.EMPLOYER_PREPARER, employer=EmployerFactory())

        assert not stranger.has_perm("accounts.view_fundaccount", account)
        assert not operator.has_perm("accounts.view_fundaccount", account)

    def test_a_unit_user_without_an_operator_role_does_not_see_it(self, account):
        employee_at_unit = _holding(roles.EMPLOYEE, employer=account.employer)

        assert not employee_at_unit.has_perm("accounts.view_fundaccount", account)


class TestViewApplication:
    def test_lets_the_applicant_and_staff_see_a_withdrawal(self, account):
        application = approved(account.person)

        assert account.person.user.has_perm("withdrawals.view_application", application)
        assert _holding(roles.STAFF_CLERK).has_perm("withdrawals.view_application", application)

    def test_hides_a_withdrawal_from_another_person_and_from_employers(self, account, stranger):
        application = approved(account.person)
        operator = _holding(roles.EMPLOYER_APPROVER, employer=account.employer)

        assert not stranger.has_perm("withdrawals.view_application", application)
        assert not operator.has_perm("withdrawals.view_application", application)


class TestViewDepositList:
    def test_lets_the_unit_and_staff_see_its_list(self, account):
        operator = _holding(roles.EMPLOYER_PREPARER, employer=account.employer)
        deposit_list = _list_of(account.employer, operator)

        assert operator.has_perm("deposits.view_depositlist", deposit_list)
        assert _holding(roles.STAFF_DIRECTOR).has_perm("deposits.view_depositlist", deposit_list)

    def test_hides_a_list_from_another_unit_and_from_its_staff(self, account):
        preparer = _holding(roles.EMPLOYER_PREPARER, employer=account.employer)
        deposit_list = _list_of(account.employer, preparer)
        outsider = _holding(roles.EMPLOYER_PREPARER, employer=EmployerFactory())

        assert not outsider.has_perm("deposits.view_depositlist", deposit_list)
        assert not account.person.user.has_perm("deposits.view_depositlist", deposit_list)


class TestViewLoanApplication:
    def test_lets_the_applicant_and_the_co_borrower_see_it(self, account, stranger):
        loan = loan_case(applicant=account.person, co_borrower=stranger.person)

        assert account.person.user.has_perm("loans.view_loanapplication", loan)
        assert stranger.has_perm("loans.view_loanapplication", loan)

    def test_hides_it_from_anyone_else(self, account, stranger):
        loan = loan_case(applicant=account.person)

        assert not stranger.has_perm("loans.view_loanapplication", loan)


class TestWithoutARecord:
    def test_no_owner_rule_answers_for_a_missing_record(self, account):
        assert not account.person.user.has_perm("accounts.view_fundaccount", None)
