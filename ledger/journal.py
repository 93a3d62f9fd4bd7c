"""Writing journal entries together with their lines: the database's balance rule decides the shape.

On PostgreSQL an entry and all its lines must be written by ONE statement (migration 0005: the
balance is checked per statement, over sets); here each statement is a ``WITH … INSERT`` of up to
:data:`ENTRIES_PER_STATEMENT` entries, their ids drawn from the sequence first so that the lines
can name them. On SQLite (migration 0003) each entry is inserted and then its lines.

Only ``ledger`` writes the journal; callers hold the transaction and have checked the lines
(``ledger.services._validate``) and locked the accounts.
"""

from collections.abc import Sequence

from django.db import connection

from ledger.models import JournalEntry, JournalLine

__all__ = ["ENTRIES_PER_STATEMENT", "write_entries"]

#: A statement's arrays stay a few megabytes even for entries with many lines.
ENTRIES_PER_STATEMENT = 5000

_ENTRY = JournalEntry._meta.db_table
_LINE = JournalLine._meta.db_table
_ENTRY_COLUMNS = (
    "id",
    "business_type",
    "business_on",
    "idempotency_key",
    "memo",
    "amount",
    "posted_at",
    "actor_id",
    "reverses_id",
)
_ENTRY_TYPES = (
    "bigint",
    "varchar",
    "date",
    "varchar",
    "varchar",
    "bigint",
    "timestamptz",
    "bigint",
    "bigint",
)

LineRow = tuple[int, int, int]  # (ledger account id, debit, credit) in fen


def write_entries(entries: Sequence[JournalEntry], lines: Sequence[Sequence[LineRow]]) -> None:
    """Insert the unsaved ``entries``, each with its ``lines``, and give every entry its pk.

    ``lines[i]`` are the ``(account_id, debit, credit)`` rows of ``entries[i]``. A unique-key or
    balance refusal raises ``IntegrityError`` and, on PostgreSQL, writes nothing of that statement.
    """
    if len(entries) != len(lines):
        raise ValueError("one list of lines per entry")
    if connection.vendor == "postgresql":
        for start in range(0, len(entries), ENTRIES_PER_STATEMENT):
            stop = start + ENTRIES_PER_STATEMENT
            _write_postgresql(entries[start:stop], lines[start:stop])
    else:
        _write_one_by_one(entries, lines)
    for entry in entries:
        entry._state.adding = False
        entry._state.db = connection.alias


def _write_postgresql(entries: Sequence[JournalEntry], lines: Sequence[Sequence[LineRow]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [_ENTRY, len(entries)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        entry_columns = [
            ids,
            [entry.business_type for entry in entries],
            [entry.business_on for entry in entries],
            [entry.idempotency_key for entry in entries],
            [entry.memo for entry in entries],
            [entry.amount for entry in entries],
            [entry.posted_at for entry in entries],
            [entry.actor_id for entry in entries],
            [entry.reverses_id for entry in entries],
        ]
        line_columns: list[list[int]] = [[], [], [], []]
        for entry_id, rows in zip(ids, lines, strict=True):
            for account_id, debit, credit in rows:
                line_columns[0].append(entry_id)
                line_columns[1].append(account_id)
                line_columns[2].append(debit)
                line_columns[3].append(credit)
        arrays = ", ".join(f"%s::{kind}[]" for kind in _ENTRY_TYPES)
        # The entries' CTE is not read by the outer INSERT but runs all the same; both parts are
        # one statement, so the balance triggers see each entry with all its lines.
        cursor.execute(
            f"""WITH entry AS (
                    INSERT INTO {_ENTRY} ({", ".join(_ENTRY_COLUMNS)})
                    SELECT * FROM unnest({arrays})
                )
                INSERT INTO {_LINE} (entry_id, account_id, debit, credit)
                SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[])""",
            entry_columns + line_columns,
        )
    for entry, entry_id in zip(entries, ids, strict=True):
        entry.pk = entry_id


def _write_one_by_one(entries: Sequence[JournalEntry], lines: Sequence[Sequence[LineRow]]) -> None:
    sql = f"INSERT INTO {_LINE} (entry_id, account_id, debit, credit) VALUES (%s, %s, %s, %s)"
    with connection.cursor() as cursor:
        for entry, rows in zip(entries, lines, strict=True):
            # SQLite's trigger takes lines only for the newest entry: each entry, then its lines.
            entry.save(force_insert=True)
            cursor.executemany(
                sql, [(entry.pk, account_id, debit, credit) for account_id, debit, credit in rows]
            )
