"""Reinstall the decision records' insert-only triggers.

On SQLite, 0003's new constraint rebuilt ``approvals_decisionrecord`` (a new table copied over),
which drops its triggers. Any later migration that alters this table or
``approvals_reviewaction`` must reinstall them the same way. On PostgreSQL the table is altered
in place and keeps them; they are recreated all the same so both databases end identical.
"""

from django.db import migrations

from core.db import vendor_sql

TABLE = "approvals_decisionrecord"

POSTGRES_INSTALL = f"""
DROP TRIGGER IF EXISTS {TABLE}_insert_only ON {TABLE};
CREATE TRIGGER {TABLE}_insert_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION approvals_refuse_change();
"""
SQLITE_INSTALL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
    *(
        f"""CREATE TRIGGER {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'approvals records are insert-only: {op} refused'); END"""
        for op in ("UPDATE", "DELETE")
    ),
]


class Migration(migrations.Migration):
    dependencies = [("approvals", "0003_decision_query_purpose_amount_limit")]

    operations = [
        # Reversing leaves the triggers in place: 0002's reversal removes them.
        vendor_sql(what="approvals triggers", install=(POSTGRES_INSTALL, SQLITE_INSTALL), remove=("SELECT 1;", []))
    ]
