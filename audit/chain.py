"""The canonical form of an audit event and its hash; shared by the writer and the verifier.

Backward compatibility: ``actor_roles``, ``channel``, ``source_ip`` and ``request_id`` were added
to events later (migration 0005). Each enters the hashed payload only when it is non-empty, so an
event written before they existed (all four empty) hashes exactly as it did then and still
verifies; an event that has one of them cannot lose it unnoticed.
"""

import hashlib
import json
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64


def canonical_time(moment: datetime) -> str:
    """UTC with microseconds: the form that survives a round trip through either database."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    sequence: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str | None,
    target_id: str,
    target_repr: str,
    summary: str,
    data: dict,
    prev_hash: str,
    actor_roles: str = "",
    channel: str = "",
    source_ip: str | None = "",
    request_id: str = "",
) -> str:
    """SHA-256 hex over sorted-key compact JSON; ``target_type`` is "app_label.model", not an id,
    so the hash does not depend on content-type ids that differ between databases."""
    payload = {
        "sequence": sequence,
        "occurred_at": canonical_time(occurred_at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_repr": target_repr,
        "summary": summary,
        "data": data,
        "prev_hash": prev_hash,
    }
    later = {"actor_roles": actor_roles, "channel": channel, "source_ip": source_ip, "request_id": request_id}
    payload.update({key: value for key, value in later.items() if value})
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
