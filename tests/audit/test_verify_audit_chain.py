"""verify_audit_chain: each kind of tampering is caught, reported with its sequence and kind."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from audit.anchors import anchor_chain
from audit.models import AuditAnchor, AuditEvent
from audit.services import compute_hash, record_event
from tests.audit.tampering import disable_triggers

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    with transaction.atomic():
        return [
            record_event(actor=None, action="x.step", summary=f"step {i}", data={"i": i}) for i in range(5)
        ]


@pytest.fixture
def anchored(chain, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        anchor_chain()
    return chain


def breaks():
    """The (sequence, kind) pairs verify_audit_chain reports, or [] when it passes."""
    try:
        call_command("verify_audit_chain", stdout=_Sink())
    except CommandError as failure:
        assert failure.returncode == 1
        return _Sink.last_breaks
    return []


class _Sink:
    """Captures the command's output and keeps the reported breaks."""

    last_breaks: list = []

    def __init__(self):
        _Sink.last_breaks = []

    def write(self, text):
        text = text.strip()
        if text.startswith("#"):
            sequence, kind, _detail = text.split(": ", 2)
            _Sink.last_breaks.append((int(sequence[1:]), kind))

    def flush(self):
        pass


def rewrite_from(sequence, **changes):
    """Change the event at ``sequence`` and re-hash it and every later one, as a careful forger would."""
    prev_hash = AuditEvent.objects.get(sequence=sequence - 1).hash
    for event in AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"):
        if event.sequence == sequence:
            for name, value in changes.items():
                setattr(event, name, value)
        event.prev_hash = prev_hash
        event.hash = compute_hash(event)
        AuditEvent.objects.filter(pk=event.pk).update(
            prev_hash=event.prev_hash, hash=event.hash, **{name: getattr(event, name) for name in changes}
        )
        prev_hash = event.hash


class TestVerifyAuditChain:
    def test_passes_an_intact_anchored_chain_and_says_how_old_it_is(self, anchored, capsys):
        call_command("verify_audit_chain")

        out = capsys.readouterr().out
        assert "events checked: 5" in out
        assert "anchors checked: 1 in the database, 1 in the file; last anchored sequence: 5" in out
        assert "oldest event: #1 at " in out
        assert "audit chain intact" in out

    def test_detects_an_altered_row(self, anchored):
        disable_triggers()
        AuditEvent.objects.filter(sequence=3).update(summary="nothing happened")

        assert breaks() == [(3, "altered")]

    def test_detects_a_row_deleted_from_the_middle(self, anchored):
        disable_triggers()
        AuditEvent.objects.filter(sequence=3).delete()

        assert breaks() == [(3, "deleted"), (4, "relinked")]

    def test_detects_a_row_inserted_in_the_middle_with_a_correct_hash(self, anchored):
        disable_triggers()
        for event in AuditEvent.objects.filter(sequence__gte=4).order_by("-sequence"):
            AuditEvent.objects.filter(pk=event.pk).update(sequence=event.sequence + 1)
        forged = AuditEvent(
            sequence=4,
            occurred_at=anchored[2].occurred_at,
            actor_label="clerk01",
            action="ledger.post",
            summary="forged",
            data={},
            prev_hash=anchored[2].hash,
        )
        forged.hash = compute_hash(forged)
        forged.save(force_insert=True)

        assert breaks() == [(5, "relinked"), (5, "altered"), (5, "rewritten"), (6, "altered")]

    def test_detects_reordered_rows(self, anchored):
        disable_triggers()
        AuditEvent.objects.filter(sequence=2).update(sequence=1_000_000)
        AuditEvent.objects.filter(sequence=3).update(sequence=2)
        AuditEvent.objects.filter(sequence=1_000_000).update(sequence=3)

        assert breaks() == [(2, "relinked"), (2, "altered"), (3, "relinked"), (3, "altered"), (4, "relinked")]

    def test_detects_a_truncated_tail(self, anchored):
        disable_triggers()
        AuditEvent.objects.filter(sequence__gte=4).delete()

        assert breaks() == [(4, "truncated")]

    def test_detects_a_truncated_tail_whose_anchors_were_deleted_too_from_the_file(self, anchored):
        disable_triggers()
        AuditEvent.objects.filter(sequence__gte=4).delete()
        AuditAnchor.objects.all().delete()

        assert breaks() == [(4, "truncated"), (5, "anchor deleted")]

    def test_detects_a_chain_rebuilt_with_every_hash_recomputed(self, anchored):
        disable_triggers()
        rewrite_from(3, summary="nothing happened")

        assert breaks() == [(5, "rewritten")]

    def test_detects_a_forged_event_appended_with_a_wrong_hash(self, chain):
        last = chain[-1]
        AuditEvent(
            sequence=last.sequence + 1,
            occurred_at=last.occurred_at,
            actor_label="x",
            action="x.forged",
            summary="forged",
            prev_hash=last.hash,
            hash="f" * 64,
        ).save(force_insert=True)

        assert breaks() == [(6, "altered")]

    def test_detects_a_forged_anchor(self, chain):
        AuditAnchor.objects.create(
            sequence=5, hash=chain[-1].hash, created_at=chain[-1].occurred_at, key_id="dev", signature="AAAA"
        )

        assert breaks() == [(5, "anchor forged")]

    def test_detects_an_anchor_file_line_changed_to_sign_another_hash(self, anchored, anchor_file):
        record = json.loads(anchor_file.read_text())
        record["hash"] = "0" * 64
        anchor_file.write_text(json.dumps(record) + "\n")

        assert breaks() == [(5, "anchor forged")]

    def test_ignores_the_anchors_of_another_database_in_a_shared_file(self, chain, anchor_file):
        line = {"database": "sqlite:/elsewhere.sqlite3", "sequence": 99, "hash": "0" * 64}
        anchor_file.write_text(json.dumps(line) + "\n")

        assert breaks() == []

    def test_reports_an_unreadable_line_of_the_anchor_file(self, chain, anchor_file):
        anchor_file.write_text("not an anchor\n")

        assert breaks() == [(0, "anchor file unreadable")]
