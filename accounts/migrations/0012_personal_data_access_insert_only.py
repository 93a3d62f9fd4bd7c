"""The database refuses UPDATE and DELETE of personal data access records, on PostgreSQL and SQLite."""

from django.db import migrations

from core.db import vendor_sql

POSTGRES_INSTALL = """
CREATE OR REPLACE FUNCTION accounts_personaldataaccess_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'personal data access records are insert-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER accounts_personaldataaccess_insert_only
    BEFORE UPDATE OR DELETE ON accounts_personaldataaccess
    FOR EACH ROW EXECUTE FUNCTION accounts_personaldataaccess_refuse_change();
CREATE OR REPLACE FUNCTION accounts_personaldataaccess_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The test runner empties a test database's tables with TRUNCATE between tests.
    IF current_database() LIKE 'test\\_%' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'personal data access records are insert-only: TRUNCATE refused'
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER accounts_personaldataaccess_no_truncate
    BEFORE TRUNCATE ON accounts_personaldataaccess
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_personaldataaccess_refuse_truncate();
"""
POSTGRES_REMOVE = """
DROP TRIGGER IF EXISTS accounts_personaldataaccess_no_truncate ON accounts_personaldataaccess;
DROP TRIGGER IF EXISTS accounts_personaldataaccess_insert_only ON accounts_personaldataaccess;
DROP FUNCTION IF EXISTS accounts_personaldataaccess_refuse_truncate();
DROP FUNCTION IF EXISTS accounts_personaldataaccess_refuse_change();
"""
SQLITE_INSTALL = [
    """CREATE TRIGGER accounts_personaldataaccess_no_update BEFORE UPDATE ON accounts_personaldataaccess
       BEGIN SELECT RAISE(ABORT, 'personal data access records are insert-only: UPDATE refused'); END""",
    """CREATE TRIGGER accounts_personaldataaccess_no_delete BEFORE DELETE ON accounts_personaldataaccess
       BEGIN SELECT RAISE(ABORT, 'personal data access records are insert-only: DELETE refused'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS accounts_personaldataaccess_no_update",
    "DROP TRIGGER IF EXISTS accounts_personaldataaccess_no_delete",
]


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_personal_data_access")]

    operations = [
        vendor_sql(
            what="personal data access triggers",
            install=(POSTGRES_INSTALL, SQLITE_INSTALL),
            remove=(POSTGRES_REMOVE, SQLITE_REMOVE),
        )
    ]
