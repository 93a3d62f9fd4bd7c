"""Signed anchors of the chain's head: in the database, in the file, and only once per head."""

import json

import pytest
from django.db import transaction

from audit.anchors import anchor_chain, anchor_valid, database_name, read_file_anchors
from audit.models import AuditAnchor
from audit.services import record_event
from audit.tasks import anchor_audit_chain

pytestmark = pytest.mark.django_db


def append(count=1):
    with transaction.atomic():
        return [record_event(actor=None, action="x.step", summary=f"step {i}") for i in range(count)][-1]


class TestAnchorChain:
    def test_signs_the_head_in_the_database_and_the_file_after_commit(
        self, anchor_file, django_capture_on_commit_callbacks
    ):
        head = append(3)

        with django_capture_on_commit_callbacks(execute=True):
            anchor = anchor_chain()

        assert (anchor.sequence, anchor.hash) == (head.sequence, head.hash)
        assert anchor_valid(AuditAnchor.objects.get(pk=anchor.pk))
        line = json.loads(anchor_file.read_text())
        assert (line["database"], line["sequence"], line["hash"]) == (database_name(), 3, head.hash)
        assert read_file_anchors()[0][0].signature_valid

    def test_leaves_an_anchored_head_alone(self):
        append()
        anchor_chain()

        assert anchor_chain() is None
        assert AuditAnchor.objects.count() == 1

    def test_anchors_the_new_head_once_more_events_are_written(self):
        append()
        anchor_chain()
        head = append(2)

        assert anchor_chain().sequence == head.sequence

    def test_does_nothing_on_an_empty_chain(self, anchor_file):
        assert anchor_chain() is None
        assert not anchor_file.exists()

    def test_an_anchor_signed_with_another_key_does_not_verify(self, settings):
        append()
        anchor = anchor_chain()

        settings.SEAL_SIGNING_KEY = "YW5vdGhlci1jZW50cmUta2V5LTMyLWJ5dGVzLTAwMDA="

        assert anchor_valid(anchor) is False


class TestAnchorAuditChainTask:
    def test_anchors_through_the_task(self, django_capture_on_commit_callbacks):
        head = append(2)

        with django_capture_on_commit_callbacks(execute=True):
            sequence = anchor_audit_chain.delay().get()

        assert sequence == head.sequence


class TestAnchorSchedule:
    def test_beat_anchors_the_chain_every_ten_minutes(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["audit-anchor"]

        assert (entry["task"], entry["schedule"]) == ("audit.tasks.anchor_audit_chain", 600.0)
