"""Test helper: make ``collection_bank()`` return a given instance (usually a fake).

    with use_bank(FakeCollectionBank(failures={"DL-1": INSUFFICIENT_FUNDS})) as bank:
        ...  # collection_bank() is ``bank``

The override is process-wide (worker threads see it), so tests using it must not run
concurrently in one process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import ports, registry


@contextmanager
def use_bank(bank: ports.CollectionBank) -> Iterator[ports.CollectionBank]:
    with registry._override_lock:
        registry._override.append(bank)
    try:
        yield bank
    finally:
        with registry._override_lock:
            registry._override.remove(bank)
