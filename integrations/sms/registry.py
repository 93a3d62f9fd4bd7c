"""``sms_gateway()``: the configured SMS gateway.

The implementation is chosen by dotted path in ``settings.SMS_GATEWAY`` (instantiated without
arguments; the sandbox by default, a not-connected gateway in production) or, in tests, by
``integrations.sms.testing.use_sms``. Call it outside any transaction and after commit: sending
is a network call.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import ports

DEFAULT = "integrations.sms.sandbox.SandboxSmsGateway"

# The test override, set by integrations.sms.testing.use_sms; a module global rather than a
# thread-local so calls from worker threads see it too.
_override: list[ports.SmsGateway] = []
_override_lock = threading.Lock()


def sms_gateway() -> ports.SmsGateway:
    with _override_lock:
        if _override:
            return _override[-1]
    path = getattr(settings, "SMS_GATEWAY", DEFAULT)
    implementation = import_string(path)()
    if not isinstance(implementation, ports.SmsGateway):
        raise ImproperlyConfigured(f"{path} does not implement the SmsGateway port")
    return implementation
