"""Database triggers: journal rows are insert-only, and entries must balance.

What each database enforces:

- PostgreSQL: UPDATE and DELETE of entries and lines are refused (BEFORE row triggers).
  A deferred constraint trigger on both tables checks at COMMIT that every entry touched
  has Σ debits = Σ credits = its declared ``amount``, so an incomplete, unbalanced or later
  extended entry cannot commit.
- SQLite (no deferred triggers, no commit hook): UPDATE and DELETE are refused; a line may
  only be added to the newest entry (SQLite serialises writers, and post_entry inserts the
  entry then its lines), so a committed entry can never gain lines later; no line may exceed
  the entry's declared amount. That an entry's lines are complete is guaranteed by
  ``ledger.services.post_entry`` (one transaction) and checked by ``verify_ledger``.
"""

from django.db import migrations

from core.db import vendor_sql

POSTGRES_INSTALL = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal rows are insert-only: % on % refused; post a reversing entry',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER ledger_journalentry_insert_only
    BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_journalline_insert_only
    BEFORE UPDATE OR DELETE ON ledger_journalline
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_entry bigint;
    v_line bigint;
    v_memo text;
    v_declared bigint;
    v_debits bigint;
    v_credits bigint;
    v_max_line bigint;
BEGIN
    IF TG_TABLE_NAME = 'ledger_journalline' THEN
        v_entry := NEW.entry_id;
        v_line := NEW.id;
    ELSE
        v_entry := NEW.id;
        v_line := NULL;
    END IF;
    -- An entry's queued checks fire one after another at commit; one sum per entry, not one per
    -- line, keeps a 50,000-line monthly list linear. A line newer than the last check re-checks.
    v_memo := current_setting('ledger.checked_entry', true);
    IF coalesce(v_memo, '') <> '' AND split_part(v_memo, ':', 1)::bigint = v_entry
            AND (v_line IS NULL OR v_line <= split_part(v_memo, ':', 2)::bigint) THEN
        RETURN NULL;
    END IF;
    SELECT amount INTO v_declared FROM ledger_journalentry WHERE id = v_entry;
    SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), coalesce(max(id), 0)
        INTO v_debits, v_credits, v_max_line
        FROM ledger_journalline WHERE entry_id = v_entry;
    IF v_debits <> v_credits OR v_debits <> v_declared THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits %, credits %, declared %',
            v_entry, v_debits, v_credits, v_declared USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('ledger.checked_entry', v_entry || ':' || v_max_line, true);
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER ledger_journalentry_balanced
    AFTER INSERT ON ledger_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
CREATE CONSTRAINT TRIGGER ledger_journalline_balanced
    AFTER INSERT ON ledger_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
"""
POSTGRES_REMOVE = """
DROP TRIGGER IF EXISTS ledger_journalline_balanced ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_journalentry_balanced ON ledger_journalentry;
DROP FUNCTION IF EXISTS ledger_check_entry_balanced();
DROP TRIGGER IF EXISTS ledger_journalline_insert_only ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_journalentry_insert_only ON ledger_journalentry;
DROP FUNCTION IF EXISTS ledger_refuse_change();
"""
SQLITE_INSTALL = [
    """CREATE TRIGGER ledger_journalentry_no_update BEFORE UPDATE ON ledger_journalentry
       BEGIN SELECT RAISE(ABORT, 'journal rows are insert-only: UPDATE refused'); END""",
    """CREATE TRIGGER ledger_journalentry_no_delete BEFORE DELETE ON ledger_journalentry
       BEGIN SELECT RAISE(ABORT, 'journal rows are insert-only: DELETE refused'); END""",
    """CREATE TRIGGER ledger_journalline_no_update BEFORE UPDATE ON ledger_journalline
       BEGIN SELECT RAISE(ABORT, 'journal rows are insert-only: UPDATE refused'); END""",
    """CREATE TRIGGER ledger_journalline_no_delete BEFORE DELETE ON ledger_journalline
       BEGIN SELECT RAISE(ABORT, 'journal rows are insert-only: DELETE refused'); END""",
    """CREATE TRIGGER ledger_journalline_newest_entry BEFORE INSERT ON ledger_journalline
       WHEN NEW.entry_id IS NOT (SELECT max(id) FROM ledger_journalentry)
         OR NEW.debit > (SELECT amount FROM ledger_journalentry WHERE id = NEW.entry_id)
         OR NEW.credit > (SELECT amount FROM ledger_journalentry WHERE id = NEW.entry_id)
       BEGIN SELECT RAISE(ABORT, 'journal lines may only be added to the newest entry, within its amount'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS ledger_journalline_newest_entry",
    "DROP TRIGGER IF EXISTS ledger_journalline_no_delete",
    "DROP TRIGGER IF EXISTS ledger_journalline_no_update",
    "DROP TRIGGER IF EXISTS ledger_journalentry_no_delete",
    "DROP TRIGGER IF EXISTS ledger_journalentry_no_update",
]



class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_centre_accounts")]

    operations = [
        vendor_sql(
            what="ledger triggers",
            install=(POSTGRES_INSTALL, SQLITE_INSTALL),
            remove=(POSTGRES_REMOVE, SQLITE_REMOVE),
        )
    ]
