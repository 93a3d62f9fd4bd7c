"""Vendor-specific SQL for migrations that install triggers on PostgreSQL and on SQLite."""

from collections.abc import Sequence

from django.db import migrations


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
