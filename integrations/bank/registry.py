"""``collection_bank()``: the configured entrusted-collection bank.

The implementation is chosen by dotted path in ``settings.BANK_COLLECTION`` (instantiated
without arguments; the sandbox by default, a not-connected bank in production) or, in tests,
by ``integrations.bank.testing.use_bank``. Call it outside any transaction and after commit:
a bank call is a network call.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import ports

DEFAULT = "integrations.bank.sandbox.SandboxCollectionBank"

# The test override, set by integrations.bank.testing.use_bank; a module global rather than a
# thread-local so calls from worker threads see it too.
_override: list[ports.CollectionBank] = []
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
