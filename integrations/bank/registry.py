"""``collection_bank()`` and ``payment_bank()``: the configured collection and payment banks.

Each implementation is chosen by dotted path, ``settings.BANK_COLLECTION`` and
``settings.BANK_PAYMENT`` (instantiated without arguments; the sandbox by default, a
not-connected bank in production) or, in tests, by ``integrations.bank.testing.use_bank`` and
``use_payment_bank``. Call it outside any transaction and after commit:
a bank call is a network call.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import payments, ports

DEFAULT = "integrations.bank.sandbox.SandboxCollectionBank"
DEFAULT_PAYMENT = "integrations.bank.sandbox.SandboxPaymentBank"

# The test override, set by integrations.bank.testing.use_bank; a module global rather than a
# thread-local so calls from worker threads see it too.
_override: list[ports.CollectionBank] = []
_payment_override: list[payments.PaymentBank] = []
_override_lock = threading.Lock()


def collection_bank() -> ports.CollectionBank:
    with _override_lock:
        if _override:
            return _override[-1]
    path = getattr(settings, "BANK_COLLECTION", DEFAULT)
    implementation = import_string(path)()
    if not isinstance(implementation, ports.CollectionBank):
        raise ImproperlyConfigured(f"{path} does not implement the CollectionBank port")
    return implementation


def payment_bank() -> payments.PaymentBank:
    with _override_lock:
        if _payment_override:
            return _payment_override[-1]
    path = getattr(settings, "BANK_PAYMENT", DEFAULT_PAYMENT)
    implementation = import_string(path)()
    if not isinstance(implementation, payments.PaymentBank):
        raise ImproperlyConfigured(f"{path} does not implement the PaymentBank port")
    return implementation
