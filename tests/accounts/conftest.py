"""Fixtures for the accounts tests: an acting clerk and a depositing helper."""

from datetime import date

import pytest
from django.db import transaction

from accounts import roles
from accounts.roles import ensure_roles
from ledger.models import BusinessType
from ledger.services import Line, centre_account, post_entry
from tests.accounts.factories import UserFactory


@pytest.fixture
def clerk(db):
    user = UserFactory(username="clerk", is_staff=True)
    user.groups.add(ensure_roles()[roles.STAFF_CLERK])
    return user


@pytest.fixture
def deposit():
    """Credit ``amount`` fen to a fund account through the ledger, as a monthly deposit would."""

    def _deposit(account, amount, *, on=date(2024, 2, 10), key="test-deposit"):
        with transaction.atomic():
            return post_entry(
                lines=[
                    Line(centre_account("BANK_SETTLEMENT"), debit=amount),
                    Line(account.ledger_account, credit=amount),
                ],
                business_type=BusinessType.MONTHLY_DEPOSIT,
                business_on=on,
                idempotency_key=key,
            )

    return _deposit
