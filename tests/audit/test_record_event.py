import hashlib
import itertools
import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction

from audit.chain import GENESIS_HASH, event_hash
from audit.models import AuditEvent
from audit.services import NoOpenTransaction, PendingEvent, compute_hash, record_event, record_events
from core.request_context import acting_through

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


class TestRecordEventContext:
    def test_records_the_channel_address_and_request_of_the_request_it_serves(self, clerk):
        with acting_through("web", source_ip="10.1.2.3", request_id="req-42"), transaction.atomic():
            event = record_event(actor=clerk, action="x.y", summary="s")

        stored = AuditEvent.objects.get(pk=event.pk)
        assert (stored.channel, stored.source_ip, stored.request_id) == ("web", "10.1.2.3", "req-42")
        assert compute_hash(stored) == stored.hash

    def test_says_system_outside_a_request(self):
        with transaction.atomic():
            event = record_event(actor=None, action="x.y", summary="s")

        assert (event.channel, event.source_ip, event.request_id, event.actor_roles) == (
            "system",
            None,
            "",
            "",
        )

    def test_records_the_actors_roles_from_their_groups(self, clerk):
        clerk.groups.add(Group.objects.get_or_create(name="staff_clerk")[0])
        clerk.groups.add(Group.objects.get_or_create(name="staff_auditor")[0])

        with transaction.atomic():
            event = record_event(actor=clerk, action="x.y", summary="s")

        assert event.actor_roles == "staff_auditor,staff_clerk"

    def test_takes_the_roles_the_caller_names(self, clerk):
        with transaction.atomic():
            event = record_event(actor=clerk, action="x.y", summary="s", actor_roles=["employee"])

        assert event.actor_roles == "employee"

    def test_keeps_the_before_and_after_summary_in_the_data(self, clerk):
        with transaction.atomic():
            event = record_event(
                actor=clerk,
                action="x.y",
                summary="s",
                data={"amount_fen": 5},
                changes={"status": ("01", "02")},
            )

        stored = AuditEvent.objects.get(pk=event.pk)
        assert stored.data == {"amount_fen": 5, "changes": {"status": ["01", "02"]}}
        assert compute_hash(stored) == stored.hash

    def test_refuses_changes_that_are_not_before_and_after_pairs(self):
        with pytest.raises(ValueError, match="before, after"), transaction.atomic():
            record_event(actor=None, action="x.y", summary="s", changes={"status": "02"})

    def test_hashes_the_channel_so_changing_it_shows(self, clerk):
        with acting_through("web", source_ip="10.1.2.3"), transaction.atomic():
            event = record_event(actor=clerk, action="x.y", summary="s")

        event.channel = "admin"

        assert compute_hash(event) != event.hash


class TestEventHash:
    def test_hashes_an_event_from_before_the_context_fields_as_it_was_hashed_then(self):
        moment = datetime(2026, 6, 30, 8, 0, tzinfo=UTC)
        fields = {
            "sequence": 7,
            "occurred_at": moment,
            "actor_id": None,
            "actor_label": "system",
            "action": "x.y",
            "target_type": None,
            "target_id": "",
            "target_repr": "",
            "summary": "s",
            "data": {},
            "prev_hash": GENESIS_HASH,
        }
        # The payload exactly as the first version of audit.chain wrote it.
        legacy = json.dumps(
            {**fields, "occurred_at": "2026-06-30T08:00:00.000000Z"},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

        assert event_hash(**fields, actor_roles="", channel="", source_ip=None, request_id="") == (
            hashlib.sha256(legacy.encode()).hexdigest()
        )
