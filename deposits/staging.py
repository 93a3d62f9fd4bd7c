"""Writing a checked list's lines and problems in bulk: COPY on PostgreSQL, executemany elsewhere.

A 50,000-row list is staged in one statement stream rather than 50,000 ORM saves; the rows are
plain tuples, so no model instance is built per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from audit.services import require_transaction
from deposits.models import DepositLine, DepositListError
from deposits.reading import RowError
from deposits.validation import ValidLine

_LINE_COLUMNS = ("deposit_list_id", "row_no", "account_id", "base", "employer_part", "employee_part")
_ERROR_COLUMNS = ("deposit_list_id", "row", "field", "code", "message")
_MESSAGE_MAX = DepositListError._meta.get_field("message").max_length


def _write(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})", list(rows)
        )


def stage_lines(*, list_id: int, lines: Sequence[ValidLine]) -> None:
    require_transaction("stage_lines")
    _write(
        DepositLine._meta.db_table,
        _LINE_COLUMNS,
        (
            (list_id, line.row_no, line.account_id, line.base, line.employer_part, line.employee_part)
            for line in lines
        ),
    )


def stage_errors(*, list_id: int, errors: Sequence[RowError]) -> None:
    require_transaction("stage_errors")
    _write(
        DepositListError._meta.db_table,
        _ERROR_COLUMNS,
        ((list_id, error.row, error.field, error.code, error.message[:_MESSAGE_MAX]) for error in errors),
    )
