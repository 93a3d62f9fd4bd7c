"""Tests: the same wiring, fast password hashing, tasks run in-process."""

from .base import *  # noqa: F403

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
