"""Background housekeeping that proves the task worker and the beat scheduler are running."""

from celery import shared_task
from celery.signals import worker_ready
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "fundportal:heartbeat"


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
