"""Test helper: make ``transfer_platform()`` return a given instance (a fake, or a sandbox).

    with use_platform(FakeTransferPlatform()) as platform:
        ...  # transfer_platform() is ``platform``

The override is process-wide (worker threads see it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import ports, registry


@contextmanager
def use_platform(platform: ports.TransferPlatform) -> Iterator[ports.TransferPlatform]:
    with registry._override_lock:
        registry._override.append(platform)
    try:
        yield platform
    finally:
        with registry._override_lock:
            registry._override.remove(platform)
