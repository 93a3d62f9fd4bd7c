"""What an attacker with write access to the database does: switch off the insert-only triggers
(inside the test's transaction, so the switch is rolled back with it) and edit rows."""

from django.db import connection

_SQLITE_TRIGGERS = {
    "audit_auditevent": ("audit_event_no_update", "audit_event_no_delete"),
    "audit_auditanchor": ("audit_anchor_no_update", "audit_anchor_no_delete"),
}


def disable_triggers(*tables: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows inserted in this transaction leave deferred foreign-key checks pending, and
            # PostgreSQL alters no table with pending trigger events: run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables or tuple(_SQLITE_TRIGGERS):
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                for trigger in _SQLITE_TRIGGERS[table]:
                    cursor.execute(f"DROP TRIGGER {trigger}")
