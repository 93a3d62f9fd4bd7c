"""The database refuses UPDATE, DELETE and TRUNCATE of audit events and anchors.

PostgreSQL: row triggers do not fire on TRUNCATE, so a statement trigger refuses it on both
tables, except in a test database (named ``test_…`` by the test runner, which empties tables
with TRUNCATE between tests; a setting a session could switch on would be a way round the
refusal). SQLite has no TRUNCATE (its "DELETE FROM t" fast path is off while a DELETE trigger
exists), but it drops a table's triggers when Django rebuilds the table to add a column, as
0005 did: the event triggers are installed again here.
"""

from django.db import migrations

from core.db import vendor_sql

POSTGRES_INSTALL = """
CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_database() LIKE 'test\\_%' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit % are insert-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_anchor_insert_only
    BEFORE UPDATE OR DELETE ON audit_auditanchor
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_anchor_no_truncate
    BEFORE TRUNCATE ON audit_auditanchor
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
"""
POSTGRES_REMOVE = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_anchor_insert_only ON audit_auditanchor;
DROP TRIGGER IF EXISTS audit_anchor_no_truncate ON audit_auditanchor;
DROP FUNCTION IF EXISTS audit_refuse_truncate();
"""
SQLITE_INSTALL = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are insert-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are insert-only: DELETE refused'); END""",
    """CREATE TRIGGER audit_anchor_no_update BEFORE UPDATE ON audit_auditanchor
       BEGIN SELECT RAISE(ABORT, 'audit anchors are insert-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_auditanchor
       BEGIN SELECT RAISE(ABORT, 'audit anchors are insert-only: DELETE refused'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_anchor_no_update",
    "DROP TRIGGER IF EXISTS audit_anchor_no_delete",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_who_where_and_anchors")]

    operations = [
        vendor_sql(
            what="audit triggers",
            install=(POSTGRES_INSTALL, SQLITE_INSTALL),
            remove=(POSTGRES_REMOVE, SQLITE_REMOVE),
        )
    ]
