"""``gov_source(name, purpose=..., requested_by=...)``: the configured source, every call logged.

The implementation is chosen by dotted path in ``settings.GOV_SOURCES`` (name → class path; the
class is instantiated without arguments) or, in tests, by ``integrations.gov.testing.use_fakes``.
It is wrapped in a proxy that, for every method call, measures the latency, classifies the
outcome (OK / NOT_FOUND for ``None`` or an empty tuple / UNAVAILABLE), and writes one
``GovQuery`` row with a SHA-256 digest of the canonical answer. The ID number, the name and the
answer are never logged.

Callers gather facts OUTSIDE any transaction (house rule: no network inside ``atomic()``), and
calling a source inside an open transaction raises ``SourceCalledInTransaction``. By default
the log row is written at once, in autocommit, on the calling thread's connection. A caller
that makes many calls for one decision passes a :class:`QueryLog` as ``sink``: the rows are
kept in memory and the caller writes them in one INSERT (see :meth:`QueryLog.write`), so worker
threads write nothing and the decision commits once. Sources may be called from worker
threads; a thread pool that does so should close its threads' connections when done
(``django.db.connection.close()``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import threading
import time
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from . import ports


class SourceCalledInTransaction(RuntimeError):
    """A government source was called inside ``atomic()``: gather facts before the transaction."""


# Test overrides (name → instance), set by integrations.gov.testing.use_fakes. A plain module
# global rather than a thread-local, so sources called from worker threads see them too.
_overrides: dict[str, Any] = {}
_overrides_lock = threading.Lock()


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def answer_digest(answer: Any) -> str:
    """SHA-256 (hex) of the answer's canonical JSON: sorted keys, no spaces, dates ISO."""
    text = json.dumps(_canonical(answer), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def classify(answer: Any) -> str:
    from integrations.models import Outcome

    if answer is None or answer == ():
        return Outcome.NOT_FOUND
    return Outcome.OK


def _in_user_transaction() -> bool:
    # The atomic blocks pytest-django / TestCase open around each test are not the caller's.
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _elapsed_ms(start: float) -> int:
    return round((time.monotonic() - start) * 1000)


def _write_now(fields: dict) -> None:
    from integrations.models import GovQuery

    GovQuery.objects.create(**fields)


class QueryLog:
    """The query-log rows of one decision, kept in memory until the caller writes them together.

    Thread-safe: the sources add rows from the gathering pool's threads. After :meth:`write`
    a late row (a call abandoned at the deadline that ends afterwards) is written at once by
    the thread that made the call, so no call goes unlogged.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._rows: list[dict] = []
        self._closed = False
        self.committed = False

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)

    def add(self, fields: dict) -> None:
        with self._lock:
            if not self._closed:
                self._rows.append(fields)
                return
        _write_now(fields)

    def write(self) -> None:
        """Insert every row kept, in one statement, in the caller's transaction if one is open.

        Call it once; again only when the transaction that wrote the rows rolled back.
        """
        from integrations.models import GovQuery

        with self._lock:
            self._closed = True
            rows = list(self._rows)
        if rows:
            GovQuery.objects.bulk_create([GovQuery(**fields) for fields in rows])

    def mark_committed(self) -> None:
        """Called on commit of the transaction that wrote the rows: they need no second write."""
        self.committed = True


def _implementation(name: str) -> Any:
    with _overrides_lock:
        if name in _overrides:
            return _overrides[name]
    paths = getattr(settings, "GOV_SOURCES", {})
    if name not in ports.PORTS:
        raise ImproperlyConfigured(f"unknown government source {name!r}; known: {', '.join(ports.PORTS)}")
    if name not in paths:
        raise ImproperlyConfigured(f"settings.GOV_SOURCES has no entry for {name!r}")
    return import_string(paths[name])()


class LoggedSource:
    """A proxy over one source implementation that logs every method call as a GovQuery."""

    def __init__(
        self, *, name: str, implementation: Any, purpose: str, requested_by: str, sink: QueryLog | None = None
    ):
        if not isinstance(implementation, ports.PORTS[name]):
            raise ImproperlyConfigured(f"{type(implementation).__name__} does not implement the {name} port")
        self.name = name
        self.implementation = implementation
        self.purpose = purpose
        self.requested_by = requested_by
        self.sink = sink

    def __repr__(self):
        return f"<LoggedSource {self.name}: {type(self.implementation).__name__}>"

    def __getattr__(self, operation: str):
        if operation.startswith("_"):
            raise AttributeError(operation)
        method = getattr(self.implementation, operation)
        if not callable(method):
            return method

        @functools.wraps(method)
        def call(*args, timeout: float, **kwargs):
            return self._call(operation, method, args, kwargs, timeout)

        return call

    def _call(self, operation, method, args, kwargs, timeout):
        from integrations.models import Outcome

        if _in_user_transaction():
            raise SourceCalledInTransaction(
                f"{self.name}.{operation} called inside a transaction; gather facts before atomic()"
            )
        if not timeout or timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        started_at = timezone.now()
        start = time.monotonic()
        try:
            answer = method(*args, timeout=timeout, **kwargs)
        except BaseException:
            # Unavailable or a bug: either way the source gave no answer, and the call is logged.
            self._log(operation, started_at, _elapsed_ms(start), Outcome.UNAVAILABLE, "")
            raise
        latency_ms = _elapsed_ms(start)
        self._log(operation, started_at, latency_ms, classify(answer), answer_digest(answer))
        return answer

    def _log(self, operation, started_at, latency_ms, outcome, digest) -> None:
        fields = {
            "source": self.name,
            "operation": operation,
            "purpose": self.purpose,
            "requested_by": self.requested_by,
            "started_at": started_at,
            "latency_ms": latency_ms,
            "outcome": outcome,
            "answer_digest": digest,
        }
        if self.sink is None:
            _write_now(fields)
        else:
            self.sink.add(fields)


def gov_source(name: str, *, purpose: str, requested_by: str, sink: QueryLog | None = None) -> Any:
    """The source ``name`` (see ``ports.SOURCE_NAMES``), its calls logged for ``purpose``.

    ``purpose`` says why (``application:42``, ``precheck:<uuid>``); ``requested_by`` who
    (a username, or ``system:<process>``). Neither may contain personal data. With ``sink``
    the log rows are kept there for the caller to write; without, each is written at once.
    """
    if not purpose or not requested_by:
        raise ValueError("a government query needs a purpose and a requester")
    return LoggedSource(
        name=name,
        implementation=_implementation(name),
        purpose=purpose,
        requested_by=requested_by,
        sink=sink,
    )
