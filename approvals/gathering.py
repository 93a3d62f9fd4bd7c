"""Parallel fact gathering: ask every data source at once, each with a timeout, under one deadline.

:func:`gather` never raises: a source that fails, raises anything, or has not answered by the
deadline yields an :class:`Answer` whose value is ``UNKNOWN``, so the rules refer the case to
staff instead of rejecting it (DOMAIN.md §6).

The pool is module-level so threads are reused across decisions (starting a thread per source
per decision would cost more than the query). Its size bounds the calls in flight in one
process: the work is waiting on remote sources, not CPU, so it is sized for concurrent decisions
× sources per decision (16 × 4 in the benchmark), not for the number of cores. A pool too small
queues requests behind each other and a decision's time becomes a multiple of the slowest
source. Threads hold no database connection between tasks (see :func:`_run`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections

from approvals.engine import UNKNOWN

logger = logging.getLogger(__name__)

OK = "OK"
NOT_FOUND = "NOT_FOUND"  # the source answered: it holds no record (a normal answer)
UNAVAILABLE = "UNAVAILABLE"  # the source said it could not answer (its port's Unavailable)
TIMEOUT = "TIMEOUT"  # no answer by the deadline
ERROR = "ERROR"  # anything else went wrong (a bug, a malformed answer)
ANSWERED = (OK, NOT_FOUND)

POOL_SIZE = 64

_executor = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="gather")


@dataclass(frozen=True)
class Answer:
    value: Any
    outcome: str
    latency_ms: int

    @property
    def answered(self) -> bool:
        return self.outcome in ANSWERED


def source_timeout() -> float:
    return float(getattr(settings, "DECISION_SOURCE_TIMEOUT_S", 2.0))


def decision_deadline() -> float:
    return float(getattr(settings, "DECISION_DEADLINE_S", 3.0))


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _run(request: Callable[[float], Any], timeout: float) -> Answer:
    from integrations.gov.ports import SourceUnavailable

    started = time.monotonic()
    try:
        value = request(timeout)
    except SourceUnavailable:
        return Answer(UNKNOWN, UNAVAILABLE, _elapsed_ms(started))
    except Exception:
        logger.exception("A fact request failed unexpectedly")
        return Answer(UNKNOWN, ERROR, _elapsed_ms(started))
    finally:
        # Sandbox sources use the database from this worker thread, and so does the query log for
        # a call made without a sink (or ending after its decision wrote the log): hand the
        # connection back now rather than keep one open per idle thread (PostgreSQL's pool
        # would run dry with 64 threads each holding one).
        connections.close_all()
    outcome = NOT_FOUND if value is None or value == () else OK
    return Answer(value, outcome, _elapsed_ms(started))


def gather(
    requests: Mapping[str, Callable[[float], Any]],
    *,
    per_source_timeout: float | None = None,
    deadline: float | None = None,
) -> dict[str, Answer]:
    """Run every request in parallel and return one :class:`Answer` per key, within ``deadline`` s.

    Each request is called with its timeout in seconds (the smaller of ``per_source_timeout`` and
    the deadline); both default to the settings ``DECISION_SOURCE_TIMEOUT_S`` (2) and
    ``DECISION_DEADLINE_S`` (3). A request still running at the deadline is abandoned (it ends
    by its own timeout) and answers TIMEOUT.
    """
    per_source_timeout = source_timeout() if per_source_timeout is None else per_source_timeout
    deadline = decision_deadline() if deadline is None else deadline
    started = time.monotonic()
    if not requests:
        return {}
    timeout = max(0.0, min(per_source_timeout, deadline))
    futures: dict[Future, str] = {}
    for key, request in requests.items():
        futures[_executor.submit(_run, request, timeout)] = key
    _done, pending = wait(futures, timeout=max(0.0, deadline - (time.monotonic() - started)))
    answers: dict[str, Answer] = {}
    for future, key in futures.items():
        if future in pending:
            future.cancel()  # only stops one still queued; a running call ends by its timeout
            answers[key] = Answer(UNKNOWN, TIMEOUT, _elapsed_ms(started))
        else:
            answers[key] = future.result()
    return answers
