import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from audit.chain import GENESIS_HASH
from audit.models import AuditEvent
from audit.services import NoOpenTransaction, PendingEvent, compute_hash, record_event, record_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user(username="clerk01", password="x")


class TestRecordEvent:
    def test_chains_each_event_to_the_previous_one(self, clerk):
        with transaction.atomic():
            first = record_event(
                actor=clerk, action="accounts.seal_account", target=clerk, summary="封存 ****1234"
            )
            second = record_event(actor=None, action="system.tick", summary="tick", actor_label="system:beat")

        assert second.sequence == first.sequence + 1
        assert second.prev_hash == first.hash
        assert (first.actor_label, second.actor_label) == ("clerk01", "system:beat")
        assert first.target_repr == str(clerk)

    def test_stores_a_hash_the_verifier_can_recompute(self, clerk):
        with transaction.atomic():
            event = record_event(
                actor=clerk, action="x.y", summary="s", data={"amount_fen": 5, "on": "2026-06-30"}
            )

        stored = AuditEvent.objects.get(pk=event.pk)

        assert compute_hash(stored) == stored.hash

    def test_starts_the_chain_from_the_genesis_hash(self):
        with transaction.atomic():
            event = record_event(actor=None, action="x.y", summary="s")

        assert event.sequence == 1
        assert event.prev_hash == GENESIS_HASH

    def test_requires_the_callers_transaction(self):
        # pytest-django wraps each test in a transaction: hide it to reach the guard.
        connection.in_atomic_block = False
        try:
            with pytest.raises(NoOpenTransaction):
                record_event(actor=None, action="x.y", summary="s")
        finally:
            connection.in_atomic_block = True


class TestRecordEvents:
    def test_chains_a_bulk_batch_after_the_existing_events(self):
        with transaction.atomic():
            single = record_event(actor=None, action="x.one", summary="one")

        with transaction.atomic():
            batch = record_events(
                [PendingEvent(actor=None, action="x.bulk", summary=f"row {i}") for i in range(1500)]
            )

        stored = list(AuditEvent.objects.order_by("sequence"))
        assert [event.sequence for event in stored] == list(range(1, 1502))
        assert stored[1].prev_hash == single.hash
        assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(stored))
        assert len(batch) == 1500
