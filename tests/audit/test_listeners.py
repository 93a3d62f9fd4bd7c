"""Listeners hear once per committed transaction, never about a rolled-back one."""

import pytest
from django.db import transaction

from audit import listeners
from audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []
    listeners.listen(calls.append)
    yield calls
    listeners._listeners.remove(calls.append)


class TestAnnounceAfterCommit:
    def test_announces_the_last_sequence_once_per_transaction(
        self, heard, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            first = record_event(actor=None, action="x.one", summary="one")
            second = record_event(actor=None, action="x.two", summary="two")

        assert heard == [second.sequence]
        assert second.sequence == first.sequence + 1

    def test_says_nothing_about_a_rolled_back_transaction(self, heard, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                record_event(actor=None, action="x.lost", summary="lost")
                raise RuntimeError("rolled back")
            with transaction.atomic():
                kept = record_event(actor=None, action="x.kept", summary="kept")

        assert heard == [kept.sequence]

    def test_a_failing_listener_does_not_stop_the_others(self, heard, django_capture_on_commit_callbacks):
        def broken(_sequence):
            raise ValueError("broken listener")

        listeners._listeners.insert(0, broken)
        try:
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                event = record_event(actor=None, action="x.one", summary="one")
        finally:
            listeners._listeners.remove(broken)

        assert heard == [event.sequence]
