"""Time a 50,000-row monthly list from file to posted ledger entry on PostgreSQL (a benchmark, not a test).

    psql -h 127.0.0.1 -U postgres -c 'create database depbench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/depbench .venv/bin/python bench/bench_deposit_list.py \
        [--rows 50000] [--format csv|xlsx]
    psql -h 127.0.0.1 -U postgres -c 'drop database depbench'

The database must be empty. After ``migrate`` it registers one unit with ``--rows`` employees
through the bulk account services (not timed), writes their pre-filled list (the template the
unit downloads) with every base changed, and then times the real path, phase by phase:

- upload: ``upload_list`` stores the file;
- check: ``check_list`` reads it, validates every row (ID checksums, names, employment, bases,
  duplicates, the period), computes both parts of every amount and stages the lines with COPY;
- submit and approve: the maker-checker services;
- collect and post: the collection order to the bank (an in-process fake bank that settles at
  once, so no network wait is counted) and the one ledger entry crediting every account.

Against it, in the same run: a raw ``COPY`` of the same file into a bare (temporary) table with
the same columns, no checks and no indexes, and for context the same into an ordinary table.
Prints rows/s of each and the ratio (goal: within 10×), and checks that every account received its
two parts and that the ledger balances. Last, the writes alone that this ledger needs for the list
(its lines, one entry with a line per account, every cached balance, the foreign-key checks),
timed on their own and rolled back: the floor under any loader of this design.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from result_line import Summary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundportal.settings.dev")

PERIOD = date(2026, 10, 1)


def _setup(rows: int):
    from accounts.models import EmployerStatus
    from accounts.roles import EMPLOYER_APPROVER, EMPLOYER_PREPARER
    from accounts.services import bulk_open_accounts, bulk_register_people, create_operator, register_employer
    from core.identity import make_credit_code, make_resident_id

    employer = register_employer(
        credit_code=make_credit_code("91350200MA7000001"),
        name="厦门基准测试集团有限公司",
        bank_account_no="4101000000000001",
        bank_name="中国工商银行厦门分行",
        employer_rate_bp=1200,
        employee_rate_bp=1200,
        actor=None,
    )
    assert employer.status == EmployerStatus.NORMAL
    employer.paid_up_to = date(2026, 9, 1)
    employer.save(update_fields=["paid_up_to"])
    people = bulk_register_people(
        (
            {
                # One birthday per 999 people: every number distinct and valid.
                "id_number": make_resident_id(
                    "350203", date(1970, 1, 1) + timedelta(days=n // 999), n % 999 + 1
                ),
                "name": f"职工{n}",
                "mobile": f"139{n:08d}",
                "hukou_region": "350203",
            }
            for n in range(rows)
        ),
        actor=None,
        actor_label="system:bench",
    )
    bulk_open_accounts(
        [
            (person, employer, 600_000 + (index * 37) % 2_000_000, date(2024, 1, 1))
            for index, person in enumerate(people)
        ],
        actor=None,
        actor_label="system:bench",
    )
    preparer = create_operator(
        username="bench-preparer", password="Bench-pass-2026!", role=EMPLOYER_PREPARER, employer=employer
    )
    approver = create_operator(
        username="bench-approver", password="Bench-pass-2026!", role=EMPLOYER_APPROVER, employer=employer
    )
    return employer, preparer, approver


def _list_file(employer, fmt: str) -> bytes:
    """The unit's pre-filled list with every base raised by 3.5% (rounded to the fen), as a clerk would."""
    import csv
    import io

    from core.money import format_yuan, parse_yuan
    from deposits.reading import read_list
    from deposits.templates_file import CSV, list_template

    template = list_template(employer=employer, period=PERIOD, fmt=CSV)
    rows = read_list(template, filename="template.csv", max_bytes=len(template)).rows
    changed = [
        (row.id_number, row.name, format_yuan(parse_yuan(row.base) * 1035 // 1000), row.account_no)
        for row in rows
    ]
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(("身份证号", "姓名", "缴存基数", "个人账号"))
        writer.writerows(changed)
        return buffer.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(("身份证号", "姓名", "缴存基数", "个人账号"))
    for values in changed:
        sheet.append(values)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _raw_copy(content: bytes, *, temporary: bool = True) -> tuple[float, int]:
    """A raw COPY of the same rows into a bare table: the floor any loader is measured against.

    The median of five runs, each into a fresh table: one COPY of 50,000 rows takes tens of
    milliseconds, where a single run is at the mercy of whatever else the machine is doing.
    """
    from django.db import connection, transaction

    text = content.decode("utf-8-sig").encode("utf-8")
    times = []
    for _run in range(5):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"CREATE {'TEMP' if temporary else ''} TABLE bench_raw_list "
                "(id_number text, name text, base numeric(14,2), account_no text)"
            )
            start = time.perf_counter()
            with cursor.cursor.copy("COPY bench_raw_list FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(text)
            times.append(time.perf_counter() - start)
            cursor.execute("SELECT count(*) FROM bench_raw_list")
            copied = cursor.fetchone()[0]
            cursor.execute("DROP TABLE bench_raw_list")
    return statistics.median(times), copied


class _RolledBack(Exception):
    pass


def _write_floor(deposit_list) -> dict[str, float]:
    """The writes this design cannot do without, timed alone and rolled back: the list's valid
    rows into a fresh list's lines, one journal entry with a line per account, every cached balance
    updated, and the foreign-key checks COMMIT would run. No reading, checking or computing."""
    from django.db import connection, transaction

    from deposits.models import DepositLine, ListStatus

    clone = type(deposit_list).objects.get(pk=deposit_list.pk)
    clone.pk = None
    clone.status = ListStatus.DISCARDED
    clone.journal_entry = None
    clone.order_ref = ""
    line = DepositLine._meta.db_table
    timed: dict[str, float] = {}
    statements = {
        "list lines (INSERT … SELECT)": (
            f"INSERT INTO {line} (deposit_list_id, row_no, account_id, base, employer_part, employee_part) "
            f"SELECT %(clone)s, row_no, account_id, base, employer_part, employee_part FROM {line} "
            "WHERE deposit_list_id = %(list)s"
        ),
        "journal entry and lines (one statement)": (
            "WITH credit AS MATERIALIZED ("
            "  SELECT a.ledger_account_id AS account_id, l.employer_part + l.employee_part AS amount"
            f"  FROM {line} l JOIN accounts_fundaccount a ON a.id = l.account_id"
            "  WHERE l.deposit_list_id = %(list)s),"
            " entry AS (INSERT INTO ledger_journalentry"
            "  (business_type, business_on, idempotency_key, memo, amount, posted_at)"
            "  SELECT '01', CURRENT_DATE, 'bench-floor', '', sum(amount), now() FROM credit RETURNING id)"
            " INSERT INTO ledger_journalline (entry_id, account_id, debit, credit)"
            " SELECT entry.id, %(bank)s, (SELECT sum(amount) FROM credit), 0 FROM entry"
            " UNION ALL SELECT entry.id, credit.account_id, 0, credit.amount FROM entry, credit"
        ),
        "cached balances (UPDATE … FROM)": (
            "UPDATE ledger_ledgeraccount x SET balance = x.balance + l.employer_part + l.employee_part "
            f"FROM {line} l JOIN accounts_fundaccount a ON a.id = l.account_id "
            "WHERE l.deposit_list_id = %(list)s AND x.id = a.ledger_account_id"
        ),
        "foreign-key checks of COMMIT": "SET CONSTRAINTS ALL IMMEDIATE",
    }
    from ledger.centre import BANK_SETTLEMENT
    from ledger.services import centre_account

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            clone.save(force_insert=True)
            params = {"clone": clone.pk, "list": deposit_list.pk, "bank": centre_account(BANK_SETTLEMENT).pk}
            for name, sql in statements.items():
                start = time.perf_counter()
                cursor.execute(sql, params)
                timed[name] = time.perf_counter() - start
            raise _RolledBack
    except _RolledBack:
        pass
    return timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import CommandError, call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print("This benchmark runs on PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    from accounts.models import FundAccount

    if FundAccount.objects.exists():
        print("The database is not empty: create a fresh one (see the docstring).", file=sys.stderr)
        return 2
    settings.DEPOSIT_LIST_MAX_BYTES = 64 * 1024 * 1024

    from deposits import services
    from deposits.collection import advance_collection
    from deposits.models import DepositList, ListKind, ListStatus
    from integrations.bank.fakes import FakeCollectionBank
    from integrations.bank.testing import use_bank
    from ledger.models import LedgerAccount

    print(f"setting up one unit with {args.rows:,} employees …", flush=True)
    setup_start = time.perf_counter()
    employer, preparer, approver = _setup(args.rows)
    content = _list_file(employer, args.format)
    print(
        f"  done in {time.perf_counter() - setup_start:.1f} s; "
        f"list file {len(content) / 1e6:.1f} MB ({args.format})"
    )

    copy_csv = _list_file(employer, "csv")
    copy_s, copied = _raw_copy(copy_csv)
    # For context only: an ordinary table's COPY also writes the write-ahead log, as every table
    # of the portal does; the goal is measured against the temporary table's, the lower floor.
    logged_copy_s, _copied = _raw_copy(copy_csv, temporary=False)

    phases = {}
    with use_bank(FakeCollectionBank()):
        start = time.perf_counter()
        deposit_list = services.upload_list(
            employer=employer,
            kind=ListKind.MONTHLY,
            period=PERIOD,
            filename=f"list.{args.format}",
            content=content,
            actor=preparer,
            check_now=False,  # timed as its own phase below
        )
        phases["upload (store the file)"] = time.perf_counter() - start
        mark = time.perf_counter()
        deposit_list = services.check_list(list_id=deposit_list.pk, on=date(2026, 10, 20))
        phases["check (read, validate, compute, stage)"] = time.perf_counter() - mark
        if deposit_list.status != ListStatus.READY:
            print(f"list is {deposit_list.status} with {deposit_list.error_count} problems", file=sys.stderr)
            return 1
        mark = time.perf_counter()
        services.submit_list(deposit_list=deposit_list, actor=preparer)
        services.approve_list(deposit_list=deposit_list, actor=approver)
        phases["submit and approve"] = time.perf_counter() - mark
        mark = time.perf_counter()
        advance_collection(list_id=deposit_list.pk)
        phases["collect and post"] = time.perf_counter() - mark
        total = time.perf_counter() - start

    deposit_list = DepositList.objects.get(pk=deposit_list.pk)
    credited = LedgerAccount.objects.filter(code__startswith="FUND-", balance__gt=0).count()
    lines_sum = sum(
        e + p
        for e, p in deposit_list.lines.values_list("employer_part", "employee_part").iterator(chunk_size=5000)
    )
    ok = (
        deposit_list.status == ListStatus.POSTED
        and deposit_list.journal_entry.amount == deposit_list.amount == lines_sum
        and credited == args.rows
    )
    rows = deposit_list.rows_total
    print()
    for name, seconds in phases.items():
        print(f"  {name:<42} {seconds:8.3f} s")
    print(f"  {'end to end':<42} {total:8.3f} s   {rows / total:10,.0f} rows/s")
    print(
        f"  {f'raw COPY of the same {copied:,} rows':<42} {copy_s:8.3f} s   {copied / copy_s:10,.0f} rows/s"
    )
    print(
        f"  {'raw COPY into an ordinary (logged) table':<42} {logged_copy_s:8.3f} s   "
        f"{copied / logged_copy_s:10,.0f} rows/s"
    )
    print(f"  ratio end to end / raw COPY: {total / copy_s:.1f}×  (goal ≤ 10×)")
    print(
        f"  posted: {deposit_list.status}, {credited:,} accounts credited, "
        f"entry {deposit_list.journal_entry.amount / 100:,.2f} yuan"
    )
    print("  every account credited and the entry equals the list: " + ("yes" if ok else "NO"))
    floor = _write_floor(deposit_list)
    print("\n  the writes alone (rolled back), what any loader keeping this ledger must do:")
    for name, seconds in floor.items():
        print(f"    {name:<40} {seconds:8.3f} s")
    floor_s = sum(floor.values())
    print(f"    {'together':<40} {floor_s:8.3f} s   = {floor_s / copy_s:.1f}× the raw COPY")
    summary = Summary("A monthly deposit list, file to posted entry", f"{rows:,} rows, {args.format}")
    for name, seconds in phases.items():
        summary.figure(name, f"{seconds:.3f} s")
    summary.figure("end to end", f"{total:.3f} s ({rows / total:,.0f} rows/s)")
    summary.figure(
        "raw COPY of the same rows (temporary table)", f"{copy_s:.3f} s ({copied / copy_s:,.0f} rows/s)"
    )
    summary.figure("raw COPY into an ordinary (logged) table", f"{logged_copy_s:.3f} s")
    summary.figure("the writes alone this ledger needs (rolled back)", f"{floor_s:.3f} s")
    summary.ratio("end to end / raw COPY", total / copy_s, "≤ 10×", total / copy_s <= 10)
    summary.ratio("the writes alone / raw COPY (the floor of this design)", floor_s / copy_s)
    summary.check("every account credited and the entry equals the list", ok)
    try:
        call_command("verify_ledger")
        summary.check("verify_ledger", True)
    except CommandError as error:
        print(f"verify_ledger: FAILED ({error})")
        summary.check("verify_ledger", False)
    summary.emit()
    return 0 if summary.passed else 1


if __name__ == "__main__":
    sys.exit(main())
