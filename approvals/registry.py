"""Application kinds: the owning app registers a hook that runs after each decision commits.

    register_kind("withdrawal", on_decided=withdrawals.services.after_decision)

``on_decided(*, application, decision)`` is called after the transaction that recorded the
decision has committed (``transaction.on_commit``), once per decision record written for an
application: the automatic decision (APPROVE, REJECT or REFER) and a reviewer's decision. It
may start side effects (a payout through the outbox, an SMS); it must not assume the decision
is final (check ``application.status``). A kind nobody registered is accepted and has no hook.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class Kind:
    name: str
    on_decided: Callable[..., None] | None


_kinds: dict[str, Kind] = {}


def register_kind(kind: str, *, on_decided: Callable[..., None] | None = None) -> Kind:
    """Register (or replace) the hook of ``kind``; call it from the owning app's ``ready()``."""
    if not _KIND.match(kind):
        raise ValueError(f"a kind is a lower-case identifier of at most 32 characters, not {kind!r}")
    _kinds[kind] = Kind(kind, on_decided)
    return _kinds[kind]


def unregister_kind(kind: str) -> None:
    _kinds.pop(kind, None)


def is_valid_kind(kind: str) -> bool:
    return bool(_KIND.match(kind or ""))


def hook_for(kind: str) -> Callable[..., None] | None:
    registered = _kinds.get(kind)
    return registered.on_decided if registered else None
