"""The database refuses to change or remove audit events, anchors and personal data access records."""

import importlib
import os
from contextlib import contextmanager

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from audit.anchors import anchor_chain
from audit.models import AuditAnchor, AuditEvent
from audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    with transaction.atomic():
        for i in range(3):
            record_event(actor=None, action="x.step", summary=f"step {i}")
    anchor_chain()


def refused(sql):
    with (
        pytest.raises(IntegrityError, match="insert-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


class TestInsertOnlyTriggers:
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE audit_auditevent SET summary = 'edited' WHERE sequence = 1",
            "UPDATE audit_auditevent SET channel = 'web'",
            "DELETE FROM audit_auditevent WHERE sequence = 3",
            "DELETE FROM audit_auditevent",
        ],
        ids=["update", "update-new-column", "delete-tail", "delete-all"],
    )
    def test_refuse_changing_recorded_events(self, chain, sql):
        refused(sql)

        assert AuditEvent.objects.count() == 3

    @pytest.mark.parametrize(
        "sql",
        ["UPDATE audit_auditanchor SET hash = 'x'", "DELETE FROM audit_auditanchor"],
        ids=["update", "delete"],
    )
    def test_refuse_changing_recorded_anchors(self, chain, sql):
        refused(sql)

        assert AuditAnchor.objects.count() == 1

    @pytest.mark.postgres
    @pytest.mark.parametrize(
        "table", ["audit_auditevent", "audit_auditanchor", "accounts_personaldataaccess"]
    )
    def test_refuse_truncating_an_insert_only_table_outside_a_test_database(self, table):
        # A test database (test_…) lets the runner empty tables between tests, so the refusal is
        # checked in a scratch database with another name, holding the migrations' own trigger SQL.
        with scratch_database() as cursor:
            install_insert_only_triggers(cursor)
            cursor.execute(f"INSERT INTO {table} (id) VALUES (1)")

            with pytest.raises(psycopg.errors.RestrictViolation, match="TRUNCATE refused"):
                cursor.execute(f"TRUNCATE {table}")

            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone() == (1,)


@contextmanager
def scratch_database():
    """A throwaway PostgreSQL database not named test_…, dropped afterwards."""
    settings_dict = connection.settings_dict
    params = {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"] or None,
        "autocommit": True,
    }
    name = f"fundportal_truncate_check_{os.getpid()}"
    with psycopg.connect(dbname="postgres", **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(dbname=name, **params) as scratch, scratch.cursor() as cursor:
            yield cursor
    finally:
        with psycopg.connect(dbname="postgres", **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def install_insert_only_triggers(cursor):
    for table in ("audit_auditevent", "audit_auditanchor", "accounts_personaldataaccess"):
        cursor.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY)")
    for migration in (
        "audit.migrations.0002_insert_only_triggers",
        "audit.migrations.0006_insert_only_anchors_and_truncate",
        "accounts.migrations.0012_personal_data_access_insert_only",
    ):
        cursor.execute(importlib.import_module(migration).POSTGRES_INSTALL)
