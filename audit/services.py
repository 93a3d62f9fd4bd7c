"""Appending to the audit chain: the only code that writes ``AuditEvent`` rows."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from audit.chain import GENESIS_HASH, event_hash
from audit.listeners import announce_after_commit
from audit.models import AuditEvent

# Any fixed 64-bit number, the same in every process, names the one chain-append lock.
_CHAIN_LOCK_KEY = 0x4155444954_01  # "AUDIT" + 01

_BULK_BATCH_SIZE = 1000


class NoOpenTransaction(RuntimeError):
    """A helper that must share its caller's transaction was called outside one."""


@dataclass(frozen=True)
class PendingEvent:
    """One event for :func:`record_events`; the same fields as :func:`record_event`."""

    actor: Any
    action: str
    summary: str
    target: models.Model | None = None
    data: dict | None = field(default=None)
    actor_label: str | None = None


def require_transaction(what: str) -> None:
    if not connection.in_atomic_block:
        raise NoOpenTransaction(f"{what} must be called inside the caller's transaction.atomic().")


def record_event(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    summary: str,
    data: dict | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    ``actor`` is a user or ``None`` for a process (then ``actor_label`` names it, e.g.
    ``"system:seed_demo"``); ``summary`` and ``data`` must already have personal data masked.
    """
    require_transaction("record_event")
    return _append([PendingEvent(actor, action, summary, target, data, actor_label)])[0]


def record_events(events: Sequence[PendingEvent]) -> list[AuditEvent]:
    """Append many events with one lock and bulk inserts (seed data, bulk postings)."""
    require_transaction("record_events")
    if not events:
        return []
    return _append(events)


def _append(events: Sequence[PendingEvent]) -> list[AuditEvent]:
    _lock_chain()
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, prev_hash = last if last else (0, GENESIS_HASH)
    occurred_at = timezone.now()
    rows = []
    for pending in events:
        sequence += 1
        row = _build(pending, sequence=sequence, prev_hash=prev_hash, occurred_at=occurred_at)
        rows.append(row)
        prev_hash = row.hash
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        rows = AuditEvent.objects.bulk_create(rows, batch_size=_BULK_BATCH_SIZE)
    announce_after_commit(sequence)
    return rows


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        # Serialise appends until commit: two writers reading the same "last event" would fork the chain.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: every atomic block begins IMMEDIATE (settings), which already serialises writers.


def _build(pending: PendingEvent, *, sequence: int, prev_hash: str, occurred_at) -> AuditEvent:
    actor = pending.actor
    actor_label = pending.actor_label or (actor.get_username() if actor is not None else "system")
    # Stored exactly as hashed: JSON-native values only, so the verifier recomputes the same text.
    data = json.loads(json.dumps(pending.data or {}, cls=DjangoJSONEncoder))
    target = pending.target
    target_type = ContentType.objects.get_for_model(target, for_concrete_model=False) if target else None
    target_id = str(target.pk) if target is not None else ""
    target_repr = str(target)[:255] if target is not None else ""
    event = AuditEvent(
        sequence=sequence,
        occurred_at=occurred_at,
        actor=actor,
        actor_label=actor_label[:150],
        action=pending.action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        summary=pending.summary,
        data=data,
        prev_hash=prev_hash,
    )
    event.hash = compute_hash(event)
    return event


def compute_hash(event: AuditEvent) -> str:
    """The hash ``event`` should carry, from its stored fields."""
    target_type = None
    if event.target_type_id is not None:
        content_type = ContentType.objects.get_for_id(event.target_type_id)
        target_type = f"{content_type.app_label}.{content_type.model}"
    return event_hash(
        sequence=event.sequence,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        target_type=target_type,
        target_id=event.target_id,
        target_repr=event.target_repr,
        summary=event.summary,
        data=event.data,
        prev_hash=event.prev_hash,
    )
