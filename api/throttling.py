"""Per-credential rate limit of the API: each token has its own budget (``token`` rate).

A channel app's runaway loop, or a stolen token, slows only itself. Keyed by a hash of the token
(never the token itself: the cache may be shared), or by the session of a browser using the API
while logged in to the hall; requests without a login are left to the views' own throttles
(``anon`` on ``POST /auth/token``). A refused request is a 429 in the house error format, code
``THROTTLED``, with ``Retry-After``.
"""

from __future__ import annotations

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self):
        # Read when asked, not when DRF was imported: the rate is a setting operators change.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        key = getattr(request.auth, "key", None)
        if key:
            ident = "token:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
        else:
            session_key = getattr(getattr(request, "session", None), "session_key", None)
            ident = (
                "session:" + hashlib.sha256(session_key.encode("utf-8")).hexdigest()
                if session_key
                else f"user:{user.pk}"
            )
        return self.cache_format % {"scope": self.scope, "ident": ident}
