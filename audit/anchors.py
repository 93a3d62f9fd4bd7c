"""Signed anchors of the audit chain's head, in the database and in a file outside it.

The hash chain shows any change to a row that has a successor, but not the loss of the newest
rows: cut the tail and what is left is still a valid chain. So every ten minutes (Celery beat,
``audit.tasks.anchor_audit_chain``) the head's sequence and hash are signed with the centre's
Ed25519 seal key (``SEAL_SIGNING_KEY``, named by ``SEAL_KEY_ID``; retired keys' public halves in
``SEAL_RETIRED_PUBLIC_KEYS`` keep old anchors checkable) and kept twice: an ``AuditAnchor`` row
(insert-only) and a line appended to ``settings.AUDIT_ANCHOR_FILE``. Someone with write access
to the database who removes the tail and the anchor rows still leaves the file's lines, and
cannot make a new anchor without the key.

A file line is JSON: the database it belongs to (vendor and name, so one file may serve a
development and a test database without confusing them), and the anchor's signed fields.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.chain import canonical_time
from audit.models import AuditAnchor, AuditEvent
from audit.seals import sign_bytes, signature_matches

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileAnchor:
    """One anchor as read back from the file; ``line`` is its line number, for the report."""

    line: int
    sequence: int
    hash: str
    created_at: str
    key_id: str
    signature: str

    @property
    def signature_valid(self) -> bool:
        return signature_matches(
            payload=signed_payload(sequence=self.sequence, hash=self.hash, created_at=self.created_at),
            signature=self.signature,
            key_id=self.key_id,
        )


def anchor_chain() -> AuditAnchor | None:
    """Sign the chain's current head; None when the chain is empty or the head is anchored."""
    try:
        with transaction.atomic(durable=True):
            head = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
            if head is None:
                return None
            anchored = AuditAnchor.objects.order_by("-sequence").values_list("sequence", flat=True).first()
            if anchored is not None and anchored >= head[0]:
                return None
            created_at = timezone.now()
            anchor = AuditAnchor(
                sequence=head[0],
                hash=head[1],
                created_at=created_at,
                key_id=settings.SEAL_KEY_ID,
                signature=sign_bytes(
                    signed_payload(sequence=head[0], hash=head[1], created_at=canonical_time(created_at))
                ),
            )
            anchor.save(force_insert=True)
            # The file gets the line only once the row is committed: it never names an anchor the
            # database rolled back.
            transaction.on_commit(lambda: append_to_file(anchor))
    except IntegrityError:
        # Another run anchored the same head first (unique sequence): nothing left to do.
        return None
    return anchor


def anchor_valid(anchor: AuditAnchor) -> bool:
    return signature_matches(
        payload=signed_payload(
            sequence=anchor.sequence, hash=anchor.hash, created_at=canonical_time(anchor.created_at)
        ),
        signature=anchor.signature,
        key_id=anchor.key_id,
    )


def signed_payload(*, sequence: int, hash: str, created_at: str) -> bytes:
    text = json.dumps(
        {"sequence": sequence, "hash": hash, "created_at": created_at},
        sort_keys=True,
        separators=(",", ":"),
    )
    return text.encode("ascii")


def database_name() -> str:
    return f"{connection.vendor}:{connection.settings_dict['NAME']}"


def append_to_file(anchor: AuditAnchor, path: Path | str | None = None) -> None:
    """Append ``anchor`` as one line; never raises (the row is committed and stays the record)."""
    line = json.dumps(
        {
            "database": database_name(),
            "sequence": anchor.sequence,
            "hash": anchor.hash,
            "created_at": canonical_time(anchor.created_at),
            "key_id": anchor.key_id,
            "signature": anchor.signature,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    target = Path(path or settings.AUDIT_ANCHOR_FILE)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # O_APPEND: each line lands whole at the end even if two writers race.
        descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, (line + "\n").encode("ascii"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError:
        logger.exception("could not append audit anchor #%s to %s", anchor.sequence, target)


def read_file_anchors(path: Path | str | None = None) -> tuple[list[FileAnchor], list[int]]:
    """This database's anchors in the file, and the numbers of lines that could not be read."""
    target = Path(path or settings.AUDIT_ANCHOR_FILE)
    anchors: list[FileAnchor] = []
    unreadable: list[int] = []
    if not target.exists():
        return anchors, unreadable
    database = database_name()
    for number, text in _lines(target):
        try:
            record = json.loads(text)
            if record["database"] != database:
                continue
            anchors.append(
                FileAnchor(
                    line=number,
                    sequence=int(record["sequence"]),
                    hash=str(record["hash"]),
                    created_at=str(record["created_at"]),
                    key_id=str(record["key_id"]),
                    signature=str(record["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            unreadable.append(number)
    return anchors, unreadable


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield number, text
