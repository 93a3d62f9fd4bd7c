"""A loan-signing service at one counter and a person, on the clock and calendar of ``clock``."""

import pytest

from tests.accounts.factories import PersonFactory, UserFactory
from tests.appointments.clock import frozen, national_day_calendar  # noqa: F401 (fixtures)
from tests.appointments.factories import BookableServiceFactory, counter_offering


@pytest.fixture
def service(db):
    return BookableServiceFactory()


@pytest.fixture
def counter(service):
    return counter_offering(service, code="siming", name="思明服务网点")


@pytest.fixture
def person(db):
    return PersonFactory(user=UserFactory())
