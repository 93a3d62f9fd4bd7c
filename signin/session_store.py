"""Database sessions read through the cache, renewed at most once a minute, not on every request.

The idle timeout (``SESSION_COOKIE_AGE``, 20 minutes) is kept by pushing the session's end back
when it is used. Writing that on every request costs an UPDATE and a commit per page, the largest
part of a logged-in request's time. This store writes a session whose data did not change only
when its last write is at least ``SESSION_RENEW_AFTER_S`` old; a change of data (login, logout,
a second-factor step, a language) is written at once as before.

So a session ends between ``SESSION_COOKIE_AGE - SESSION_RENEW_AFTER_S`` and ``SESSION_COOKIE_AGE``
after its last request: never later than the timeout, at most a minute earlier.
``SESSION_SAVE_EVERY_REQUEST`` stays on, because it is what makes Django offer every request's
session to ``save``, where the decision is taken.

Reads go through the shared cache (Django's ``cached_db``: Redis in production), so a logged-in
request that changes nothing costs one cache read instead of a database query; the database stays
the record, written on every save and read when the cache has lost the session (an eviction, a
Redis failover). Sessions are only ever ended through the store (logout, ``flush``), which clears
both.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends import cached_db

#: The session's own record of its last write, in whole seconds since the epoch.
RENEWED_AT = "_renewed_at"


class SessionStore(cached_db.SessionStore):
    def save(self, must_create=False):
        if not must_create and not self.modified and self._renewed_recently():
            return
        # Stamped in the data that is written, so the next request knows how fresh the end is.
        self._get_session(no_load=must_create)[RENEWED_AT] = int(time.time())
        super().save(must_create=must_create)

    def _renewed_recently(self) -> bool:
        # Reads the session (from the cache, or one query), unless the request already did; a key
        # refused by the database (expired, unknown) leaves no key, and Django's own save then starts
        # a new one.
        renewed_at = self._get_session().get(RENEWED_AT)
        if self.session_key is None or not isinstance(renewed_at, int):
            return False
        return 0 <= time.time() - renewed_at < settings.SESSION_RENEW_AFTER_S
