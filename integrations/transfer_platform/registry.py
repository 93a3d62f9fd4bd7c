"""``transfer_platform()``: the configured national transfer platform.

Chosen by dotted path, ``settings.TRANSFER_PLATFORM`` (instantiated without arguments; the
sandbox by default) or, in tests, by ``integrations.transfer_platform.testing.use_platform``.
A platform call is a network call: make it outside any transaction.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import ports

DEFAULT = "integrations.transfer_platform.sandbox.SandboxTransferPlatform"

# Set by testing.use_platform; a module global rather than a thread-local so worker threads see it.
_override: list[ports.TransferPlatform] = []
_override_lock = threading.Lock()


def transfer_platform() -> ports.TransferPlatform:
    with _override_lock:
        if _override:
            return _override[-1]
    path = getattr(settings, "TRANSFER_PLATFORM", DEFAULT)
    implementation = import_string(path)()
    if not isinstance(implementation, ports.TransferPlatform):
        raise ImproperlyConfigured(f"{path} does not implement the TransferPlatform port")
    return implementation
