"""The database refuses UPDATE and DELETE of decision records and review actions (both vendors).

A decision record is the evidence of what was decided, from which facts and parameter versions;
a review action is the history of a case. Neither may change after the fact.
"""

from django.db import migrations

from core.db import vendor_sql

TABLES = ("approvals_decisionrecord", "approvals_reviewaction")

POSTGRES_INSTALL = """
CREATE OR REPLACE FUNCTION approvals_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'approvals records are insert-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
""" + "".join(
    f"""
CREATE TRIGGER {table}_insert_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION approvals_refuse_change();
"""
    for table in TABLES
)
POSTGRES_REMOVE = "".join(f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS approvals_refuse_change();\n"
)
SQLITE_INSTALL = [
    f"""CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
       BEGIN SELECT RAISE(ABORT, 'approvals records are insert-only: {op} refused'); END"""
    for table in TABLES
    for op in ("UPDATE", "DELETE")
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for table in TABLES for op in ("update", "delete")]


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [
        vendor_sql(
            what="approvals triggers",
            install=(POSTGRES_INSTALL, SQLITE_INSTALL),
            remove=(POSTGRES_REMOVE, SQLITE_REMOVE),
        )
    ]
