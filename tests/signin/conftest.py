"""Logins with the second factor on: an employee, an employer operator, staff, and the phone."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts import roles
from accounts.roles import ensure_roles
from accounts.services import create_employee_login
from integrations.sms.fakes import FakeSmsGateway
from integrations.sms.testing import use_sms
from tests.accounts.factories import EmployerFactory, FundAccountFactory, UserFactory

PASSWORD = "Fund-portal-2026!"


@pytest.fixture(autouse=True)
def _second_factor_on():
    with override_settings(AUTH_SECOND_FACTOR="on"):
        yield


@pytest.fixture
def phone():
    """The SMS gateway, a fake that keeps every text."""
    with use_sms(FakeSmsGateway()) as gateway:
        yield gateway


@pytest.fixture
def person(db):
    person = FundAccountFactory(base=1000000).person
    create_employee_login(person=person, password=PASSWORD)
    person.refresh_from_db()
    return person


@pytest.fixture
def operator(db):
    user = UserFactory(username="hr-prep", employer=EmployerFactory(), mobile="13900001111")
    user.groups.add(ensure_roles()[roles.EMPLOYER_PREPARER])
    return user


@pytest.fixture
def staff_member(db):
    user = UserFactory(username="clerk", is_staff=True)
    user.groups.add(ensure_roles()[roles.STAFF_CLERK])
    return user


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("web:login"), {"username": username, "password": password}, **extra)


def last_code(phone, mobile) -> str:
    """The six-digit code in the latest text to ``mobile``."""
    return re.search(r"(?<!\d)(\d{6})(?!\d)", phone.texts_to(mobile)[-1]).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"
