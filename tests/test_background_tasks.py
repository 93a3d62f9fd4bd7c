"""A real worker picks tasks off the configured broker (files by default, Redis in CI)."""

import time
import uuid

from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from core.tasks import HEARTBEAT_KEY, heartbeat, last_heartbeat_at
from fundportal.celery import app


class TestHeartbeat:
    def test_records_when_the_worker_last_ran(self):
        cache.delete(HEARTBEAT_KEY)

        heartbeat.apply()

        assert last_heartbeat_at() is not None

    def test_runs_on_a_worker_through_the_broker(self, settings):
        cache.delete(HEARTBEAT_KEY)
        app.conf.task_always_eager = False
        try:
            # A queue of its own: another test run sharing the broker cannot take the message.
            queue = f"test-heartbeat-{uuid.uuid4().hex}"
            with start_worker(
                app, perform_ping_check=False, pool="solo", shutdown_timeout=10, queues=[queue]
            ):
                heartbeat.apply_async(queue=queue)
                for _ in range(300):
                    if last_heartbeat_at() is not None:
                        break
                    time.sleep(0.1)
        finally:
            app.conf.task_always_eager = True

        assert last_heartbeat_at() is not None
