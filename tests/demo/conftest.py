"""Seeding one small demo city per test module, inside a transaction rolled back at the end."""

from concurrent.futures import Future
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from approvals import gathering
from approvals.services import clear_parameter_cache
from integrations.gov import sandbox
from tests.policy import ensure_policy_parameters


class Null:
    """A stdout that swallows the command's output."""

    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


class _InlineExecutor:
    """Runs each fact request at once on the calling thread: the only one that sees the test's city."""

    def submit(self, fn, *args, **kwargs):
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller, as a pool would
            future.set_exception(error)
        return future


class _KeepConnections:
    """``gathering`` closes its worker's connections after each request; here that is the test's."""

    @staticmethod
    def close_all():
        pass


@contextmanager
def seeded_city(django_db_blocker, var_dir, **options):
    """``seed_demo`` with ``options`` into the test database; rolled back on exit (ledger and
    decision rows cannot be deleted).

    The seeding's 秒批 decisions gather their facts on this thread: pool threads have their own
    connections, which cannot see the uncommitted city (PostgreSQL) or read it at all (SQLite's
    shared in-memory database), and would commit their query-log rows outside the test.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=var_dir),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(gathering, "_executor", _InlineExecutor())
        patch.setattr(gathering, "connections", _KeepConnections())
        clear_parameter_cache()
        sandbox.clear_knob_cache()
        outer = transaction.atomic()
        # Marked as a test case's block, so the services' durable transactions nest inside it.
        outer._from_testcase = True
        outer.__enter__()
        try:
            ensure_policy_parameters()
            call_command("seed_demo", stdout=Null(), **options)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            clear_parameter_cache()
            sandbox.clear_knob_cache()
