"""How a log record is written: one JSON object per line for log shipping, or a line of text for a person.

``LOG_FORMAT`` chooses (``json`` in production, ``text`` in development and tests). Both carry the
request id and channel of the request or task being served, read from :mod:`core.request_context`,
so every line a request (and the tasks it queued) wrote can be found by one id.

The scrubbing filter (:mod:`core.logscrub`) is set on the handler, and a handler runs its filters
before its formatter: the message and the exception text arrive here already masked. The formatter
adds only fields this module names — never a name, an ID number, a phone or a card — and the user
only by primary key, and only once authentication has already loaded it (logging never queries).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from core.logscrub import scrub
from core.request_context import current_context, current_request

# Fields a caller may attach with ``extra=`` that the JSON line carries (the access log's, a task's).
_EXTRA_FIELDS = ("method", "path", "status", "duration_ms", "task", "task_id")


def known_user_id(request) -> int | None:
    """The signed-in user's primary key if authentication has already resolved it, else None.

    ``request.user`` is lazy: touching it would load the session (a query) from inside a log call.
    AuthenticationMiddleware caches the resolved user as ``_cached_user``; only that is read.
    """
    user = getattr(request, "_cached_user", None) if request is not None else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def _context_fields() -> dict:
    context = current_context()
    fields = {"request_id": context.request_id, "channel": context.channel}
    user_id = known_user_id(current_request())
    if user_id is not None:
        fields["user_id"] = user_id
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO-8601, UTC offset), level, logger, message, context."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context_fields(),
        }
        for field in _EXTRA_FIELDS:
            if hasattr(record, field):
                value = getattr(record, field)
                # The filter scrubs the message only; a path like /people/<ID number>/ is masked here.
                line[field] = scrub(value) if isinstance(value, str) else value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        # Chinese messages stay readable; anything json cannot encode is written as its str().
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger [request_id] message`` — the development console's line."""

    default_format = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

    def __init__(self, fmt=None, datefmt=None, style="%", **kwargs):
        super().__init__(fmt or self.default_format, datefmt, style, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = current_context().request_id or "-"
        return super().format(record)
