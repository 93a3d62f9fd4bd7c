"""Database helpers: vendor-specific SQL for migrations, and a consistent read-only snapshot for checks."""

from collections.abc import Sequence
from contextlib import contextmanager

from django.db import connection, migrations, transaction


def run_vendor_sql(schema_editor, *, postgresql: str, sqlite: Sequence[str], what: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgresql, None)  # None: no placeholder parsing of "%"
    elif vendor == "sqlite":
        # SQLite's driver runs one statement per call.
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"{what} are written for PostgreSQL and SQLite, not {vendor}")


def vendor_sql(
    *, what: str, install: tuple[str, Sequence[str]], remove: tuple[str, Sequence[str]]
) -> migrations.RunPython:
    """A reversible migration operation: ``install`` and ``remove`` are (PostgreSQL, SQLite) pairs."""

    def forwards(apps, schema_editor):
        run_vendor_sql(schema_editor, postgresql=install[0], sqlite=install[1], what=what)

    def backwards(apps, schema_editor):
        run_vendor_sql(schema_editor, postgresql=remove[0], sqlite=remove[1], what=what)

    return migrations.RunPython(forwards, backwards, elidable=False)


@contextmanager
def consistent_snapshot():
    """A read-only transaction in which every query sees one snapshot of the database, while
    postings go on elsewhere (PostgreSQL REPEATABLE READ; SQLite's transaction already does).

    Only the outermost transaction can choose its isolation level, so nested in another it is
    just a savepoint of that one.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield
