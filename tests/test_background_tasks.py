"""A real worker picks tasks off the configured broker (files by default, Redis in CI)."""

import json
import logging
import time
import uuid
from io import StringIO

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from core.logformat import JsonFormatter
from core.logscrub import ScrubPersonalNumbers
from core.request_context import RequestContextMiddleware, current_context
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


# --- Queues: each task goes to the queue whose workers are sized for it ---------------------------

QUEUES = {"default", "decisions", "collections", "payouts"}


def _queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def _project_task_names() -> list[str]:
    app.loader.import_default_modules()  # autodiscovery is lazy: import every app's tasks module
    return sorted(name for name in app.tasks if not name.startswith(("celery.", "tests.")))


class TestQueues:
    def test_a_worker_started_without_q_consumes_all_four_queues(self):
        # app.conf.task_queues is what a worker without -Q consumes (app.amqp.queues also holds
        # queues created on the fly, such as the test queues here).
        assert {queue.name for queue in app.conf.task_queues} == QUEUES
        assert app.conf.task_default_queue == "default"

    def test_every_task_of_the_project_goes_to_one_of_the_four_queues(self):
        names = _project_task_names()

        assert len(names) > 30, names  # the apps' tasks modules were found
        assert {name: _queue_of(name) for name in names if _queue_of(name) not in QUEUES} == {}

    @pytest.mark.parametrize(
        ("task_name", "queue"),
        [
            ("payouts.tasks.relay_payouts", "payouts"),
            ("payouts.tasks.reconcile_stuck_payouts", "payouts"),
            ("payouts.tasks.poll_payout_results", "payouts"),
            ("withdrawals.tasks.pay_withdrawal", "payouts"),
            ("withdrawals.tasks.pay_approved_withdrawals", "payouts"),
            ("loans.tasks.disburse_loan", "payouts"),
            ("loans.tasks.record_disbursement_result", "payouts"),
            ("deposits.tasks.check_deposit_list", "collections"),
            ("deposits.tasks.collect_deposit_list", "collections"),
            ("deposits.tasks.sweep_deposit_lists", "collections"),
            ("loans.tasks.advance_repayment", "collections"),
            ("loans.tasks.run_daily_repayments", "collections"),
            ("approvals.tasks.reevaluate_referred_cases", "decisions"),
            ("withdrawals.tasks.decide_withdrawal", "decisions"),  # decisions are matched first
            ("core.tasks.heartbeat", "default"),
            ("audit.tasks.anchor_audit_chain", "default"),
            ("notifications.tasks.send_sms_task", "default"),
            ("loans.tasks.reprice_loans", "default"),
        ],
    )
    def test_sends_each_kind_of_work_to_its_queue(self, task_name, queue):
        assert _queue_of(task_name) == queue

    def test_a_task_sent_to_its_queue_is_published_there(self):
        sent = app.amqp.router.route({}, "payouts.tasks.relay_payouts")

        assert sent["queue"].routing_key == "payouts"


# --- The request id follows the work a request queued ---------------------------------------------

seen_by_task: list[dict] = []


@app.task(name="tests.remember_request_id", ignore_result=True)
def remember_request_id():
    seen_by_task.append(
        {"request_id": current_context().request_id, "task_id": remember_request_id.request.id}
    )
    logging.getLogger("tests.background").info("task ran")


def _queue_during_a_request(request_id: str, queue: str | None = None):
    def view(request):
        if queue:
            remember_request_id.apply_async(queue=queue)
        else:
            remember_request_id.delay()
        return HttpResponse()

    return RequestContextMiddleware(view)(RequestFactory().get("/hall/", HTTP_X_REQUEST_ID=request_id))


def _wait_for_the_task():
    for _ in range(300):
        if seen_by_task:
            return
        time.sleep(0.1)


@pytest.fixture
def json_lines():
    """Log lines of the task, as production writes them (scrub filter, then JSON)."""
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ScrubPersonalNumbers())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.background")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    seen_by_task.clear()
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    seen_by_task.clear()


class TestRequestIdInTasks:
    def test_a_task_run_in_process_carries_the_request_id(self, json_lines):
        _queue_during_a_request("req-eager-1")

        assert [seen["request_id"] for seen in seen_by_task] == ["req-eager-1"]
        assert [line["request_id"] for line in json_lines()] == ["req-eager-1"]

    def test_a_task_run_by_a_worker_carries_the_request_id_through_the_broker(self, json_lines):
        app.conf.task_always_eager = False
        try:
            queue = f"test-request-id-{uuid.uuid4().hex}"
            with start_worker(
                app, perform_ping_check=False, pool="solo", shutdown_timeout=10, queues=[queue]
            ):
                _queue_during_a_request("req-worker-1", queue=queue)
                _wait_for_the_task()
        finally:
            app.conf.task_always_eager = True

        assert [seen["request_id"] for seen in seen_by_task] == ["req-worker-1"]
        assert [line["request_id"] for line in json_lines()] == ["req-worker-1"]

    def test_a_task_queued_outside_any_request_goes_by_its_own_task_id(self, json_lines):
        remember_request_id.delay()

        [seen] = seen_by_task
        assert seen["request_id"] == seen["task_id"] and seen["task_id"]

    def test_the_request_id_is_gone_once_the_task_is_over(self, json_lines):
        remember_request_id.delay()

        assert current_context().request_id == ""
