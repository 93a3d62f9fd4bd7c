"""Time one member's statement over 20 years of monthly movements, and its files (a benchmark, not a test).

    .venv/bin/python bench/bench_statement.py [--years 20] [--others 200] [--runs 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stbench .venv/bin/python bench/bench_statement.py

Without ``DATABASE_URL`` a temporary SQLite file is used and removed afterwards; with it, the
database named there must exist and be empty (create it, run this, drop it). After ``migrate`` it
posts, through ``ledger.services.post_entry``, a deposit on the 15th of every month and interest
every 30 June for ``--years`` years on one fund account, and the same month's deposit on
``--others`` other accounts (so the journal is not that one account's alone). Then it times the
20-year statement (counting its queries), the month-end balances of 24 months and of the whole
range, the yearly summary, and the csv, xlsx and PDF of the whole statement, each the median of
``--runs`` runs, and checks the statement reconciles with the ledger's balance.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from result_line import Summary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundportal.settings.dev")


def median_ms(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def seed(*, years: int, others: int, today: date):
    from django.db import transaction

    from accounts.models import FundAccount, Person
    from accounts.numbering import FUND_ACCOUNT, format_number
    from core.crypto import blind_index
    from core.identity import make_resident_id
    from ledger.centre import BANK_SETTLEMENT, INTEREST_EXPENSE
    from ledger.models import BusinessType
    from ledger.services import Line, centre_account, open_fund_ledger_account, post_entry

    def account(n: int) -> FundAccount:
        id_number = make_resident_id("350203", date(1970 + n // 900 % 40, 1, 1 + n % 28), 100 + n % 900)
        person = Person.objects.create(
            id_number=id_number,
            id_number_index=blind_index(id_number),
            name=f"职工{n}",
            sex="M",
            birth_date=date(1980, 1, 1),
            mobile=f"138{n:08d}",
            hukou_region="350203",
        )
        no = format_number(FUND_ACCOUNT, 8_000_000 + n)
        return FundAccount.objects.create(
            account_no=no,
            person=person,
            status="02",
            base=1_000_000,
            opened_on=date(today.year - years, 1, 1),
            sealed_on=date(today.year - years, 1, 1),
            ledger_account=open_fund_ledger_account(account_no=no),
        )

    with transaction.atomic():
        bank, expense = centre_account(BANK_SETTLEMENT), centre_account(INTEREST_EXPENSE)
        member = account(0)
        crowd = [account(n) for n in range(1, others + 1)]
        for year in range(today.year - years, today.year):
            for month in range(1, 13):
                on = date(year, month, 15)
                for holder in [member, *crowd[(month - 1) :: 12]]:
                    post_entry(
                        lines=[Line(bank, debit=240_000), Line(holder.ledger_account, credit=240_000)],
                        business_type=BusinessType.MONTHLY_DEPOSIT,
                        business_on=on,
                        idempotency_key=f"bench:{holder.account_no}:{on}",
                        memo=f"汇缴 {on:%Y-%m}",
                    )
            post_entry(
                lines=[Line(expense, debit=36_000), Line(member.ledger_account, credit=36_000)],
                business_type=BusinessType.ANNUAL_INTEREST,
                business_on=date(year, 6, 30),
                idempotency_key=f"bench:interest:{year}",
                memo=f"年终结息 {year}",
            )
    return member


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--others", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()
    temporary = None
    if not os.environ.get("DATABASE_URL"):
        temporary = Path(tempfile.mkdtemp()) / "statement.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{temporary}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    from accounts.statement_documents import statement_csv, statement_pdf, statement_xlsx
    from accounts.statements import fund_statement, month_end_balances, months_back, yearly_summary
    from ledger.selectors import balance_of

    translation.activate("zh-hans")
    try:
        call_command("migrate", verbosity=0)
        today = date(2026, 11, 27)
        started = time.perf_counter()
        member = seed(years=options.years, others=options.others, today=today)
        print(
            f"{connection.vendor}: seeded {options.years} years for one member and {options.others:,} others "
            f"in {time.perf_counter() - started:.1f} s"
        )
        start = date(today.year - options.years, today.month, today.day + 1)
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
        ):
            statement = fund_statement(member, date_from=start, date_to=today)
        reconciled = (
            statement.opening_balance + statement.total_credit - statement.total_debit
            == statement.closing_balance
            == balance_of(member.ledger_account)
        )
        print(
            f"statement: {len(statement.lines)} movements in {len(queries)} queries; reconciles: {reconciled}"
        )
        first, last = months_back(count=24, today=today)
        figures = {
            "statement (20 years)": lambda: fund_statement(member, date_from=start, date_to=today),
            "month-end balances (24 months)": lambda: month_end_balances(
                member, first_month=first, last_month=last, today=today
            ),
            "month-end balances (whole range)": lambda: month_end_balances(
                member, first_month=start, last_month=today, today=today
            ),
            "yearly summary": lambda: yearly_summary(member, today=today),
            "csv": lambda: statement_csv(statement),
            "xlsx": lambda: statement_xlsx(statement),
            "pdf": lambda: statement_pdf(statement),
        }
        summary = Summary(
            "One member's statement and its files",
            f"{options.years} years of monthly movements, {options.others:,} other accounts, "
            f"median of {options.runs} runs ({connection.vendor})",
        )
        summary.figure(f"statement of {len(statement.lines)} movements: queries", str(len(queries)))
        for name, work in figures.items():
            runs = max(3, options.runs // 4) if name == "pdf" else options.runs
            median = median_ms(runs, work)
            print(f"{name:34} {median:8.1f} ms (median of {runs})")
            summary.figure(name, f"{median:.1f} ms")
        pdf_kib = len(statement_pdf(statement)) / 1024
        print(f"pdf size: {pdf_kib:.0f} KiB")
        summary.figure("pdf size", f"{pdf_kib:.0f} KiB")
        summary.check("statement reconciles with the ledger balance", reconciled)
        summary.emit()
        if not reconciled:
            sys.exit(1)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
