"""The shared-secret signature the SMS gateway and the telephony system put on each call.

``X-Hotline-Timestamp`` is the Unix time in seconds when the caller signed; ``X-Hotline-Signature``
is ``sha256=`` and the hex HMAC-SHA256, keyed with the shared secret, of the timestamp, a full stop
and the raw request body. The timestamp is inside the signature and must be recent, so a captured
call cannot be replayed later; the comparison takes the same time whatever matches.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Hotline-Timestamp"
SIGNATURE_HEADER = "X-Hotline-Signature"
_PREFIX = "sha256="


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """The header value a caller holding ``secret`` sends with ``body`` signed at ``timestamp``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return _PREFIX + digest.hexdigest()


def signature_ok(
    *, secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float, max_age_s: int
) -> bool:
    """Whether ``signature`` is ``secret``'s over ``timestamp`` and ``body``, signed within ``max_age_s``."""
    if not secret or not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > max_age_s:
        return False
    return hmac.compare_digest(sign(secret=secret, timestamp=timestamp, body=body), signature.strip())
