"""Checking the audit chain against itself and against its signed anchors.

Each kind of tampering leaves its own trace, reported with the sequence where it shows:

- ``altered``: a row's hash does not recompute from its contents (a field was changed, or the
  row was moved to another sequence, which is part of what is hashed);
- ``deleted``: sequences are missing (rows removed from the middle or the start);
- ``relinked``: a row's ``prev_hash`` is not the hash of the row before it (a row inserted,
  removed or moved before it, even one whose own hash was forged correctly);
- ``rewritten``: an anchored row's hash is not the hash the anchor signed (the chain was rebuilt
  from there on, each hash recomputed);
- ``truncated``: an anchor names a sequence past the chain's end (its newest rows were removed);
- ``anchor forged``: an anchor's signature does not verify, or the file and the database disagree
  on an anchor's hash;
- ``anchor deleted``: an anchor in the file is missing from the database;
- ``anchor file unreadable``: a line of the anchor file is not an anchor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from audit.anchors import anchor_valid, read_file_anchors
from audit.chain import GENESIS_HASH
from audit.models import AuditAnchor, AuditEvent
from audit.services import compute_hash

ALTERED = "altered"
DELETED = "deleted"
RELINKED = "relinked"
REWRITTEN = "rewritten"
TRUNCATED = "truncated"
ANCHOR_FORGED = "anchor forged"
ANCHOR_DELETED = "anchor deleted"
ANCHOR_FILE_UNREADABLE = "anchor file unreadable"


@dataclass(frozen=True)
class Break:
    sequence: int
    kind: str
    detail: str


@dataclass
class ChainReport:
    checked: int = 0
    first_sequence: int | None = None
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH
    oldest_at: datetime | None = None
    anchors_checked: int = 0
    file_anchors_checked: int = 0
    last_anchored_sequence: int | None = None
    breaks: list[Break] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks

    def add(self, sequence: int, kind: str, detail: str) -> None:
        self.breaks.append(Break(sequence, kind, detail))


def verify_chain(*, anchor_file: Path | str | None = None) -> ChainReport:
    """Recompute every link and hash in sequence order and compare with the anchors."""
    report = ChainReport()
    anchors = _anchors(report, anchor_file)
    expected_sequence = 1
    prev_hash = GENESIS_HASH
    # Streamed: the log grows without bound and must not be loaded at once.
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        report.checked += 1
        if report.first_sequence is None:
            report.first_sequence = event.sequence
            report.oldest_at = event.occurred_at
        if event.sequence > expected_sequence:
            missing = event.sequence - expected_sequence
            report.add(
                expected_sequence,
                DELETED,
                f"{missing} event(s) missing: #{expected_sequence} to #{event.sequence - 1}",
            )
        if event.prev_hash != prev_hash:
            report.add(event.sequence, RELINKED, "prev_hash is not the hash of the event before it")
        if compute_hash(event) != event.hash:
            report.add(event.sequence, ALTERED, "hash does not match the event's contents")
        signed = anchors.pop(event.sequence, None)
        if signed is not None and signed != event.hash:
            report.add(event.sequence, REWRITTEN, "hash differs from the hash its anchor signed")
        expected_sequence = event.sequence + 1
        prev_hash = event.hash
    report.last_sequence = expected_sequence - 1
    report.last_hash = prev_hash
    beyond = sorted(sequence for sequence in anchors if sequence > report.last_sequence)
    if beyond:
        report.add(
            report.last_sequence + 1,
            TRUNCATED,
            f"anchored up to #{beyond[-1]} but the chain ends at #{report.last_sequence}",
        )
    # Anchors left that are not past the end point into a gap, reported there as deleted.
    report.breaks.sort(key=lambda item: item.sequence)
    return report


def _anchors(report: ChainReport, anchor_file) -> dict[int, str]:
    """Sequence → signed hash from every anchor whose signature holds, database and file."""
    signed: dict[int, str] = {}
    in_database: dict[int, str] = {}
    for anchor in AuditAnchor.objects.order_by("sequence").iterator(chunk_size=2000):
        report.anchors_checked += 1
        if not anchor_valid(anchor):
            report.add(anchor.sequence, ANCHOR_FORGED, "the anchor's signature does not verify")
            continue
        in_database[anchor.sequence] = anchor.hash
        signed[anchor.sequence] = anchor.hash
    file_anchors, unreadable = read_file_anchors(anchor_file)
    for line in unreadable:
        report.add(0, ANCHOR_FILE_UNREADABLE, f"line {line} of the anchor file is not an anchor")
    for anchor in file_anchors:
        report.file_anchors_checked += 1
        where = f"anchor file line {anchor.line}"
        if not anchor.signature_valid:
            report.add(anchor.sequence, ANCHOR_FORGED, f"{where}: the signature does not verify")
            continue
        if anchor.sequence not in in_database:
            report.add(anchor.sequence, ANCHOR_DELETED, f"{where} is not in the database")
        elif in_database[anchor.sequence] != anchor.hash:
            report.add(anchor.sequence, ANCHOR_FORGED, f"{where} signs another hash than the database's")
        signed[anchor.sequence] = anchor.hash
    report.last_anchored_sequence = max(signed) if signed else None
    return signed
