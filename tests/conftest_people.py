"""Logged-in users of each audience, with an account that has seen two deposits."""

from datetime import date

import pytest

from accounts import roles
from accounts.roles import ensure_roles
from tests.accounts.factories import EmployerFactory, FundAccountFactory, UserFactory
from tests.ledger.factories import deposit


def _with_role(user, role):
    user.groups.add(ensure_roles()[role])
    return user


@pytest.fixture
def employee_account(db):
    account = FundAccountFactory(base=1000000)
    account.person.user = _with_role(UserFactory(username="emp-login"), roles.EMPLOYEE)
    account.person.save(update_fields=["user"])
    deposit(account.ledger_account, 240000, key="dep-1")
    deposit(account.ledger_account, 240000, key="dep-2")
    return account


@pytest.fixture
def employee(employee_account):
    return employee_account.person.user


@pytest.fixture
def preparer(db):
    employer = EmployerFactory(name="厦门鹭江物流有限公司", paid_up_to=date(2026, 10, 1))
    FundAccountFactory.create_batch(3, employer=employer, base=500000)
    return _with_role(UserFactory(username="hr-prep", employer=employer), roles.EMPLOYER_PREPARER)


@pytest.fixture
def clerk(db):
    return _with_role(UserFactory(username="clerk", is_staff=True), roles.STAFF_CLERK)
