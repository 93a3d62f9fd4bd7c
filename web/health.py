"""Health endpoints for load balancers and monitoring: ``/healthz`` (alive) and ``/readyz`` (can serve).

``/healthz`` answers without touching anything: the process is up and Django answers. ``/readyz``
checks what a request needs or what silently stops otherwise — the database (one ``SELECT 1``),
the Celery broker (a connection, with a short timeout) and beat (the heartbeat task it runs every
minute is no older than ``HEALTH_BEAT_MAX_AGE_S``) — and answers 503 naming what failed, so a load
balancer takes the node out and an operator sees why. Neither needs a login nor shows personal data.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.tasks import last_heartbeat_at
from fundportal.celery import app as celery_app


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _database(), "broker": _broker(), "beat": _beat()}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def _timed(probe) -> dict:
    started = time.perf_counter()
    try:
        probe()
    except Exception as error:  # any failure means "not ready"; its kind is what the operator needs
        return {"ok": False, "error": type(error).__name__, "ms": _ms(started)}
    return {"ok": True, "ms": _ms(started)}


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _database() -> dict:
    def probe():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return _timed(probe)


def _broker() -> dict:
    def probe():
        # The URL from settings, read per call: the one the web node was configured with.
        with celery_app.connection_for_write(url=settings.CELERY_BROKER_URL) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)

    return _timed(probe)


def _beat() -> dict:
    last = last_heartbeat_at()
    if last is None:
        return {"ok": False, "error": "NoHeartbeat", "last_at": None}
    age = (timezone.now() - last).total_seconds()
    return {"ok": age <= settings.HEALTH_BEAT_MAX_AGE_S, "last_at": last.isoformat(), "age_s": round(age)}
