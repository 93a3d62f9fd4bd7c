"""Background work of the electronic audit: the real-time pass, its safety net and the night's sweep."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from core.request_context import acting_through

_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    # A lost connection or a lock timeout: the cursor has not moved, so trying again is safe.
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 3,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
}


@shared_task(**_OPTIONS)
def inspect_events(*, up_to: int | None = None) -> None:
    """Run the rules on the events past the cursor; ``up_to`` (the announced sequence) is only a hint:
    every queued run looks at all new events, so a lost announcement is covered by the next one."""
    from inspection.engine import inspect_events as run

    with acting_through("system"):
        run()


@shared_task(acks_late=True, ignore_result=True)
def inspect_events_safety_net() -> None:
    """For beat, every minute: catch up if an announcement was lost (worker down, broker hiccup)."""
    inspect_events.run()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def nightly_sweep(*, day: str | None = None) -> None:
    """For beat at 01:30: every rule's sweep of yesterday, then yesterday's daily audit report."""
    from inspection.sweep import run_audit_sweep

    on = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    with acting_through("system"):
        run_audit_sweep(day=on)


def announce(last_sequence: int) -> None:
    """The ``audit.listeners`` callback: queue the real-time pass, never raise."""
    try:
        inspect_events.delay(up_to=last_sequence)
    except Exception:
        import logging

        logging.getLogger(__name__).exception("could not queue the audit inspection")
