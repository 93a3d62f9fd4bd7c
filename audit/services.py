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
from core.request_context import current_context

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
    changes: dict | None = None
    actor_roles: Sequence[str] | None = None


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
    changes: dict | None = None,
    actor_roles: Sequence[str] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    ``actor`` is a user or ``None`` for a process (then ``actor_label`` names it, e.g.
    ``"system:seed_demo"``); ``summary``, ``data`` and ``changes`` must already have personal data
    masked. ``changes`` is the before/after summary, ``{"status": ["01", "02"]}``, kept in
    ``data["changes"]``. The actor's roles are their group names unless ``actor_roles`` says;
    the channel, source IP and request id come from ``core.request_context``.
    """
    require_transaction("record_event")
    pending = PendingEvent(actor, action, summary, target, data, actor_label, changes, actor_roles)
    return _append([pending])[0]


def record_events(events: Sequence[PendingEvent]) -> list[AuditEvent]:
    """Append many events with one lock and bulk inserts (seed data, bulk postings)."""
    require_transaction("record_events")
    if not events:
        return []
    return _append(events)


def _append(events: Sequence[PendingEvent]) -> list[AuditEvent]:
    # Read before the lock: every append waits for whoever holds it, so hold it briefly.
    roles_by_actor: dict[int, str] = {}
    roles = [_roles(pending, roles_by_actor) for pending in events]
    context = current_context()
    _lock_chain()
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, prev_hash = last if last else (0, GENESIS_HASH)
    occurred_at = timezone.now()
    rows = []
    for pending, actor_roles in zip(events, roles, strict=True):
        sequence += 1
        row = _build(
            pending,
            sequence=sequence,
            prev_hash=prev_hash,
            occurred_at=occurred_at,
            actor_roles=actor_roles,
            context=context,
        )
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


def _roles(pending: PendingEvent, known: dict[int, str]) -> str:
    """The actor's roles as a sorted comma-separated text. Roles are the user's groups (accounts
    names each role's group after it); this layer cannot ask accounts, so it reads the names."""
    if pending.actor_roles is not None:
        return ",".join(sorted(pending.actor_roles))[:200]
    actor = pending.actor
    if actor is None or actor.pk is None:
        return ""
    if actor.pk not in known:
        names = actor.groups.order_by("name").values_list("name", flat=True)
        known[actor.pk] = ",".join(names)[:200]
    return known[actor.pk]


def _checked_changes(changes: dict) -> dict:
    for name, pair in changes.items():
        if not isinstance(name, str) or not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(f"changes must map a field name to [before, after], not {name!r}: {pair!r}")
    return {name: list(pair) for name, pair in changes.items()}


def _build(
    pending: PendingEvent, *, sequence: int, prev_hash: str, occurred_at, actor_roles: str, context
) -> AuditEvent:
    actor = pending.actor
    actor_label = pending.actor_label or (actor.get_username() if actor is not None else "system")
    data = dict(pending.data or {})
    if pending.changes:
        data["changes"] = _checked_changes(pending.changes)
    # Stored exactly as hashed: JSON-native values only, so the verifier recomputes the same text.
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
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
        actor_roles=actor_roles,
        channel=context.channel,
        source_ip=context.source_ip or None,
        request_id=context.request_id,
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
        actor_roles=event.actor_roles,
        channel=event.channel,
        source_ip=event.source_ip,
        request_id=event.request_id,
    )
