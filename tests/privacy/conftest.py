"""Staff of each role, and a person with an ID number and a bank card on file."""

import pytest

from accounts import roles
from accounts.roles import ensure_roles
from tests.accounts.factories import FundAccountFactory, UserFactory
from tests.api.conftest import sources  # noqa: F401  (every government source a fake)

CARD = "6222021234561236"


@pytest.fixture
def staff_with_role(db):
    """A member of staff holding ``role``, one login per role."""

    def _make(role: str):
        user = UserFactory(username=f"privacy-{role}", is_staff=True)
        user.groups.add(ensure_roles()[role])
        return user

    return _make


@pytest.fixture
def chief(staff_with_role):
    return staff_with_role(roles.STAFF_SECTION_CHIEF)


@pytest.fixture
def carded_account(db):
    account = FundAccountFactory()
    person = account.person
    person.bank_card = CARD
    person.bank_card_last4 = CARD[-4:]
    person.save(update_fields=["bank_card", "bank_card_last4"])
    return account


@pytest.fixture
def person(carded_account):
    return carded_account.person
