"""PostgreSQL checks the journal's balance once per statement instead of once per row at commit.

Migration 0003 queued a deferred check for every entry and every line: a year's interest for a
million accounts queued three million trigger calls, and they cost more than the posting itself.
The rule is now that **an entry and all its lines are written by one statement** (``ledger.journal``
does so), and two statement-level triggers look at what the statement wrote, as sets:

- every entry the statement's lines belong to must exist and balance (Σ debits = Σ credits = its
  declared amount) over *all* its lines — so a line added later to an entry, or lines without an
  entry, are refused at once;
- every entry the statement inserted must have lines — so an entry without lines is refused.

Both fire at the end of the whole statement, after every part of a ``WITH … INSERT`` has run.
Lines can never be removed or changed (0003's insert-only triggers), so a balanced entry stays so.

Also on PostgreSQL: the ledger account table keeps a fifth of each page free, so that the cached
balance updates of a posting are HOT updates (no index entries rewritten), and the line table
loses its single-column account index, which the (account, entry) index already serves.

SQLite keeps 0003's triggers: it serialises writers, and its line-by-line rule (a line only for
the newest entry, within its amount) needs no statement-level view.
"""

from importlib import import_module

from django.db import migrations, models

from core.db import vendor_sql

POSTGRES_INSTALL = """
DROP TRIGGER IF EXISTS ledger_journalline_balanced ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_journalentry_balanced ON ledger_journalentry;
DROP FUNCTION IF EXISTS ledger_check_entry_balanced();

-- The statement's entries are read as one id range (a bulk statement's ids come from one draw of
-- the sequence, so the range holds them and little else): one index range scan, not one probe
-- per entry. The planner knows nothing of a transition table or of ids newer than its statistics
-- and guesses one row each; a nested loop on that guess is quadratic (15 s for 20,000 entries),
-- so the checks run with hash joins only, and EXECUTE plans them for the range at hand.
CREATE OR REPLACE FUNCTION ledger_check_lines_balance_their_entries() RETURNS trigger
LANGUAGE plpgsql SET enable_nestloop = off AS $$
DECLARE
    v_first bigint;
    v_last bigint;
    v_entry bigint;
    v_declared bigint;
    v_debits bigint;
    v_credits bigint;
BEGIN
    SELECT min(entry_id), max(entry_id) INTO v_first, v_last FROM ledger_new_lines;
    EXECUTE $sql$
        SELECT t.entry_id, e.amount, s.debits, s.credits
        FROM (SELECT DISTINCT entry_id FROM ledger_new_lines) t
        LEFT JOIN (
            SELECT id, amount FROM ledger_journalentry WHERE id BETWEEN $1 AND $2
        ) e ON e.id = t.entry_id
        LEFT JOIN (
            SELECT entry_id, sum(debit) AS debits, sum(credit) AS credits
            FROM ledger_journalline WHERE entry_id BETWEEN $1 AND $2
            GROUP BY entry_id
        ) s ON s.entry_id = t.entry_id
        WHERE e.id IS NULL OR s.debits <> e.amount OR s.credits <> e.amount
        LIMIT 1
    $sql$ INTO v_entry, v_declared, v_debits, v_credits USING v_first, v_last;
    IF v_entry IS NULL THEN
        RETURN NULL;
    END IF;
    IF v_declared IS NULL THEN
        RAISE EXCEPTION 'journal lines for entry %, which is not in the journal: an entry and its '
            'lines are written in one statement', v_entry USING ERRCODE = 'check_violation';
    END IF;
    RAISE EXCEPTION 'journal entry % does not balance: debits %, credits %, declared %',
        v_entry, v_debits, v_credits, v_declared USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER ledger_journalline_balance
    AFTER INSERT ON ledger_journalline
    REFERENCING NEW TABLE AS ledger_new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_lines_balance_their_entries();

CREATE OR REPLACE FUNCTION ledger_check_entries_have_lines() RETURNS trigger
LANGUAGE plpgsql SET enable_nestloop = off AS $$
DECLARE
    v_first bigint;
    v_last bigint;
    v_entry bigint;
BEGIN
    SELECT min(id), max(id) INTO v_first, v_last FROM ledger_new_entries;
    EXECUTE $sql$
        SELECT id FROM ledger_new_entries
        EXCEPT
        SELECT entry_id FROM ledger_journalline WHERE entry_id BETWEEN $1 AND $2
        LIMIT 1
    $sql$ INTO v_entry USING v_first, v_last;
    IF v_entry IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % does not balance: it has no lines (an entry and its lines '
            'are written in one statement)', v_entry USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ledger_journalentry_lines
    AFTER INSERT ON ledger_journalentry
    REFERENCING NEW TABLE AS ledger_new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_entries_have_lines();

ALTER TABLE ledger_ledgeraccount SET (fillfactor = 80);
"""

_0003 = import_module("ledger.migrations.0003_journal_triggers")
# Going back restores 0003's deferred row checks, exactly as 0003 wrote them.
_ROW_CHECKS_0003 = _0003.POSTGRES_INSTALL
# SQLite rebuilds a table to change one of its columns, and the rebuilt table has no triggers:
# the line table's triggers of 0003 are put back after each rebuild (going forward and back).
SQLITE_LINE_TRIGGERS = [
    statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1)
    for statement in _0003.SQLITE_INSTALL
    if " ON ledger_journalline" in statement
]
POSTGRES_REMOVE = """
ALTER TABLE ledger_ledgeraccount RESET (fillfactor);
DROP TRIGGER IF EXISTS ledger_journalentry_lines ON ledger_journalentry;
DROP FUNCTION IF EXISTS ledger_check_entries_have_lines();
DROP TRIGGER IF EXISTS ledger_journalline_balance ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_check_lines_balance_their_entries();
""" + _ROW_CHECKS_0003[_ROW_CHECKS_0003.index("CREATE OR REPLACE FUNCTION ledger_check_entry_balanced") :]


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_translatable_labels")]

    operations = [
        vendor_sql(
            what="ledger line triggers", install=("SELECT 1", []), remove=("SELECT 1", SQLITE_LINE_TRIGGERS)
        ),
        migrations.AlterField(
            model_name="journalline",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="lines",
                to="ledger.ledgeraccount",
                verbose_name="ledger account",
            ),
        ),
        vendor_sql(
            what="ledger statement checks",
            install=(POSTGRES_INSTALL, SQLITE_LINE_TRIGGERS),
            remove=(POSTGRES_REMOVE, []),
        ),
    ]
