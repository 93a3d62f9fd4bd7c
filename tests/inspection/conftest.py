"""Fixtures of the electronic audit's tests: the auditors and a helper to write audit events."""

import pytest
from django.db import transaction

from accounts import roles
from audit.services import record_event
from tests.inspection.factories import staff


@pytest.fixture
def auditor(db):
    return staff(roles.STAFF_AUDITOR, "auditor-a")


@pytest.fixture
def other_auditor(db):
    return staff(roles.STAFF_AUDITOR, "auditor-b")


@pytest.fixture
def director(db):
    return staff(roles.STAFF_DIRECTOR, "director")


@pytest.fixture
def write_events(db):
    """``write_events("test.watched", "other")``: one committed-looking transaction writing these events."""

    def write(*actions: str, actor=None):
        with transaction.atomic():
            return [record_event(actor=actor, action=action, summary=action) for action in actions]

    return write
