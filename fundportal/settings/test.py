"""Tests: the same wiring, fast password hashing, tasks run in-process."""

from .base import *  # noqa: F403
from .base import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run eagerly in tests; after-commit work is exercised with
# django_capture_on_commit_callbacks. CI's Redis run overrides this through the environment.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
AXES_ENABLED = True
# Each test process keeps its own cache: nothing (throttles, heartbeats) leaks between runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The sandbox SMS gateway answers at once: tests that send through it should not sleep.
SANDBOX_SMS_LATENCY_MS = 0
# The existing suite logs in through the form with a password only; the second factor's own tests
# turn it on with override_settings(AUTH_SECOND_FACTOR="on").
AUTH_SECOND_FACTOR = env.str("AUTH_SECOND_FACTOR", default="off")
