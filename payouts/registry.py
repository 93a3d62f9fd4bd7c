"""Payout purposes: the owning app registers hooks that run after a payout's result commits.

    register_purpose("withdrawal", on_paid=withdrawals.services.after_paid,
                     on_failed=withdrawals.services.after_payout_failed)

``on_paid(*, payout)`` and ``on_failed(*, payout)`` are called after the transaction that
recorded the bank's result has committed, once per payout (a repeated result calls nothing).
A hook should only queue work (an SMS, a status change through its own service): an exception
is logged and does not undo the result. A purpose nobody registered is accepted and has no hooks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_PURPOSE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class Purpose:
    name: str
    on_paid: Callable[..., None] | None
    on_failed: Callable[..., None] | None


_purposes: dict[str, Purpose] = {}


def register_purpose(
    purpose: str,
    *,
    on_paid: Callable[..., None] | None = None,
    on_failed: Callable[..., None] | None = None,
) -> Purpose:
    """Register (or replace) the hooks of ``purpose``; call it from the owning app's ``ready()``."""
    if not is_valid_purpose(purpose):
        raise ValueError(f"a purpose is a lower-case identifier of at most 32 characters, not {purpose!r}")
    _purposes[purpose] = Purpose(purpose, on_paid, on_failed)
    return _purposes[purpose]


def unregister_purpose(purpose: str) -> None:
    _purposes.pop(purpose, None)


def is_valid_purpose(purpose: str) -> bool:
    return bool(_PURPOSE.match(purpose or ""))


def hooks_for(purpose: str) -> Purpose | None:
    return _purposes.get(purpose)
