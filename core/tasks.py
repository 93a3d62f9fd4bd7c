"""Background housekeeping that proves the task worker and the beat scheduler are running."""

from celery import shared_task
from celery.signals import worker_ready
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

HEARTBEAT_KEY = "fundportal:heartbeat"

#: The options of a task that moves money (ARCHITECTURE.md, Celery): acknowledged after it ran and
#: handed back if its worker dies; a lost connection, a deadlock victim or a lock timeout is retried
#: with a growing, jittered pause, a bounded number of times; anything else is for a person to see.
MONEY_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 5,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
}


@shared_task(acks_late=True, ignore_result=True)
def heartbeat():
    # Kept a day: an operator looking at a stale value should see when work stopped.
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=86400)


def last_heartbeat_at():
    value = cache.get(HEARTBEAT_KEY)
    return timezone.datetime.fromisoformat(value) if value else None


@worker_ready.connect
def _announce_worker(sender, **kwargs):
    # Report at once rather than a minute later, when beat first ticks.
    heartbeat.delay()
