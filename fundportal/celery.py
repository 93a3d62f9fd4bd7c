"""The Celery application; tasks are discovered in each app's tasks module.

A task sent while a request is served carries that request's id in its message headers, and the
worker puts it in the task's context (core.request_context) for as long as the task runs, so the
task's log lines (and the audit events it writes) name the request that caused it. A task sent
from no request (beat, a command) goes by its own task id.
"""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from core.request_context import current_context, end_task_context, start_task_context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundportal.settings.dev")

app = Celery("fundportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REQUEST_ID_HEADER = "request_id"


@before_task_publish.connect
def _stamp_request_id(headers=None, **_kwargs):
    request_id = current_context().request_id
    if headers is not None and request_id:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def _enter_task_context(task_id=None, task=None, **_kwargs):
    start_task_context(task_id, _request_id_of(task) or task_id or "")


@task_postrun.connect
def _leave_task_context(task_id=None, **_kwargs):
    end_task_context(task_id)


def _request_id_of(task) -> str:
    """The id sent in the message headers; run in-process (eager), the caller's own context's."""
    request = getattr(task, "request", None)
    if request is None:
        return ""
    sent = getattr(request, REQUEST_ID_HEADER, None) or (getattr(request, "headers", None) or {}).get(
        REQUEST_ID_HEADER
    )
    return sent or current_context().request_id
