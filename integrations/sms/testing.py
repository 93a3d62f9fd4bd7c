"""Test helper: make ``sms_gateway()`` return a given instance (usually a fake).

    with use_sms(FakeSmsGateway()) as gateway:
        ...  # sms_gateway() is ``gateway``

The override is process-wide (worker threads see it), so tests using it must not run
concurrently in one process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import ports, registry


@contextmanager
def use_sms(gateway: ports.SmsGateway) -> Iterator[ports.SmsGateway]:
    with registry._override_lock:
        registry._override.append(gateway)
    try:
        yield gateway
    finally:
        with registry._override_lock:
            registry._override.remove(gateway)
