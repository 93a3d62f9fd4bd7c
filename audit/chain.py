"""The canonical form of an audit event and its hash; shared by the writer and the verifier."""

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
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
