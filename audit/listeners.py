"""Who hears about new audit events once they are committed (the electronic audit's real-time feed).

Lower layers cannot import the apps that read the trail, so those apps register a listener at
start-up (``AppConfig.ready``). A listener is called once per committed transaction that wrote
events, with the highest sequence it wrote; it must be quick (queue a task) and must not raise.
"""

import logging
from collections.abc import Callable

from django.db import connection, transaction

logger = logging.getLogger(__name__)

Listener = Callable[[int], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def announce_after_commit(last_sequence: int) -> None:
    """Called by the writer inside its transaction; one announcement per transaction."""
    if not _listeners:
        return
    pending = getattr(connection, "_fundportal_audit_announcement", None)
    if pending is not None and _still_scheduled(pending):
        # Already scheduled in this transaction: only raise the mark it will announce.
        pending.last_sequence = max(pending.last_sequence, last_sequence)
        return
    pending = _Announcement(last_sequence)
    connection._fundportal_audit_announcement = pending
    transaction.on_commit(pending)


def _still_scheduled(pending) -> bool:
    # A rolled-back transaction drops its callbacks (Django empties run_on_commit), and with them
    # the announcement: the next transaction must schedule its own.
    return any(entry[1] is pending for entry in connection.run_on_commit)


class _Announcement:
    def __init__(self, last_sequence: int):
        self.last_sequence = last_sequence

    def __call__(self):
        for listener in list(_listeners):
            try:
                listener(self.last_sequence)
            except Exception:  # a listener's failure must not undo or block the committed work
                logger.exception("audit listener %r failed", listener)
