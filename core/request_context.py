"""Who is acting, from which address and through which channel, for the audit trail.

The middleware sets a context variable for the length of a request; code far below the view
(``audit.services.record_event``) reads it without every service passing the request down.
Outside a request (Celery tasks, management commands) the context says channel ``system``.
"""

from __future__ import annotations

import ipaddress
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


def current_context() -> RequestContext:
    return _current.get() or _OUTSIDE_A_REQUEST


@contextmanager
def acting_through(channel: str, **fields):
    """Mark work done outside a web request (a task, a command) with its channel."""
    token = _current.set(replace(current_context(), channel=channel, **fields))
    try:
        yield
    finally:
        _current.reset(token)


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
        context = RequestContext(
            channel=channel_for_path(request.path),
            source_ip=client_ip(request),
            request_id=request.META.get("HTTP_X_REQUEST_ID", "")[:64],
        )
        token = _current.set(context)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
