"""Who is acting, from which address and through which channel, for the audit trail and the logs.

The middleware sets a context variable for the length of a request; code far below the view
(``audit.services.record_event``, the log formatter) reads it without every service passing the
request down. Outside a request (Celery tasks, management commands) the context says channel
``system``; a task carries the request id of the request that queued it (fundportal/celery.py).

Each request has an id: the client's ``X-Request-ID`` when it is sane (a load balancer or a
channel app that sets one can follow its call here), otherwise a new one. The response echoes it
in ``X-Request-ID``, and one access log line per request records method, path, status and time.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

# Longest prefix first: the 12329 webhooks sit under the API.
_CHANNEL_PREFIXES = (
    ("/api/v1/hotline/sms", "sms"),
    ("/api/v1/hotline/ivr", "ivr"),
    ("/api/", "api"),
    ("/admin/", "admin"),
)


@dataclass(frozen=True)
class RequestContext:
    channel: str = "system"
    source_ip: str = ""
    request_id: str = ""


_OUTSIDE_A_REQUEST = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("fundportal_request_context", default=None)
# The request itself, for the log formatter's user id; None outside a request.
_current_request: ContextVar[object | None] = ContextVar("fundportal_current_request", default=None)

# A client's id is taken only if it is short and made of characters safe in a log line and a
# header (no spaces, quotes or newlines that could forge a second log line); anything else is replaced.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
REQUEST_ID_HEADER = "X-Request-ID"
# Load balancers ask these every few seconds: a line per probe would drown the access log, so
# only a probe that did not answer 200 is logged.
_QUIET_WHEN_OK = frozenset({"/healthz", "/readyz"})

access_log = logging.getLogger("fundportal.access")


def current_context() -> RequestContext:
    return _current.get() or _OUTSIDE_A_REQUEST


def current_request():
    return _current_request.get()


def request_id_from(value: str | None) -> str:
    """The client's request id if it is sane, else a new random one (32 hex digits)."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


@contextmanager
def acting_through(channel: str, **fields):
    """Mark work done outside a web request (a task, a command) with its channel."""
    token = _current.set(replace(current_context(), channel=channel, **fields))
    try:
        yield
    finally:
        _current.reset(token)


# Tokens of the task contexts entered, by task id: a list because an eager retry runs the same id
# again inside itself.
_task_tokens: dict[str, list] = {}


def start_task_context(task_id: str | None, request_id: str) -> None:
    """Enter a task: its context keeps the channel it had and takes ``request_id``."""
    token = _current.set(replace(current_context(), request_id=request_id[:64]))
    _task_tokens.setdefault(task_id or "", []).append(token)


def end_task_context(task_id: str | None) -> None:
    tokens = _task_tokens.get(task_id or "")
    if not tokens:
        return
    _current.reset(tokens.pop())
    if not tokens:
        del _task_tokens[task_id or ""]


def channel_for_path(path: str) -> str:
    for prefix, channel in _CHANNEL_PREFIXES:
        if path.startswith(prefix):
            return channel
    return "web"


def client_ip(request) -> str:
    """REMOTE_ADDR, the address the server saw; behind the load balancer production settings make
    SecurityMiddleware trust X-Forwarded-Proto only, so a client cannot forge its address here."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        context = RequestContext(
            channel=channel_for_path(request.path),
            source_ip=client_ip(request),
            request_id=request_id_from(request.META.get("HTTP_X_REQUEST_ID")),
        )
        token = _current.set(context)
        request_token = _current_request.set(request)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = context.request_id
            _log_access(request, response.status_code, started)
            return response
        finally:
            _current_request.reset(request_token)
            _current.reset(token)


def _log_access(request, status: int, started: float) -> None:
    if status == 200 and request.path in _QUIET_WHEN_OK:
        return
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    # The path without its query string: a query may carry an ID number or a search term.
    access_log.info(
        "%s %s %s %sms",
        request.method,
        request.path,
        status,
        duration_ms,
        extra={"method": request.method, "path": request.path, "status": status, "duration_ms": duration_ms},
    )
