"""A unit with staff, its two operators and a fake collection bank, for the list's life cycle."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.db import transaction

from accounts.models import Employer, FundAccount, User
from accounts.roles import EMPLOYER_APPROVER, EMPLOYER_PREPARER
from accounts.services import create_operator
from tests.accounts.factories import EmployerFactory, FundAccountFactory

PASSWORD = "Fund-portal-2026!"


@dataclass
class Unit:
    employer: Employer
    accounts: list[FundAccount]
    preparer: User
    approver: User


def make_unit(prefix: str, *, staff: int = 3, paid_up_to=date(2026, 9, 1)) -> Unit:
    employer = EmployerFactory(paid_up_to=paid_up_to, employer_rate_bp=1200, employee_rate_bp=1000)
    with transaction.atomic():  # the ledger accounts open inside the caller's transaction
        accounts = FundAccountFactory.create_batch(staff, employer=employer)
    return Unit(
        employer=employer,
        accounts=accounts,
        preparer=create_operator(
            username=f"{prefix}-preparer", password=PASSWORD, role=EMPLOYER_PREPARER, employer=employer
        ),
        approver=create_operator(
            username=f"{prefix}-approver", password=PASSWORD, role=EMPLOYER_APPROVER, employer=employer
        ),
    )


@pytest.fixture
def unit(db) -> Unit:
    return make_unit("unit")
