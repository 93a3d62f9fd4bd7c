"""Test helpers: make ``collection_bank()`` or ``payment_bank()`` return a given instance (a fake).

    with use_bank(FakeCollectionBank(failures={"DL-1": INSUFFICIENT_FUNDS})) as bank:
        ...  # collection_bank() is ``bank``
    with use_payment_bank(FakePaymentBank()) as bank:
        ...  # payment_bank() is ``bank``

The override is process-wide (worker threads see it), so tests using it must not run
concurrently in one process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import payments, ports, registry


@contextmanager
def use_bank(bank: ports.CollectionBank) -> Iterator[ports.CollectionBank]:
    with registry._override_lock:
        registry._override.append(bank)
    try:
        yield bank
    finally:
        with registry._override_lock:
            registry._override.remove(bank)


@contextmanager
def use_payment_bank(bank: payments.PaymentBank) -> Iterator[payments.PaymentBank]:
    with registry._override_lock:
        registry._payment_override.append(bank)
    try:
        yield bank
    finally:
        with registry._override_lock:
            registry._payment_override.remove(bank)
