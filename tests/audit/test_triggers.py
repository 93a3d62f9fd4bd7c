"""The database refuses to change or remove audit events and anchors, whoever asks."""

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
    @pytest.mark.parametrize("table", ["audit_auditevent", "audit_auditanchor"])
    def test_refuse_truncating_either_table_on_postgresql(self, chain, table):
        with connection.cursor() as cursor:
            # The test settings let the runner empty tables between tests; an ordinary session may not.
            cursor.execute("SET LOCAL fundportal.test_database = 'off'")
            # Rows inserted in this transaction leave deferred foreign-key checks pending, and
            # PostgreSQL truncates no table with pending trigger events: run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

        refused(f"TRUNCATE {table} CASCADE")

        assert AuditEvent.objects.count() == 3
        assert AuditAnchor.objects.count() == 1
