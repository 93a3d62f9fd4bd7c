"""Shared set-up of the withdrawal benchmarks (not a benchmark itself): people who qualify for 秒批.

``make_city(n)`` makes ``n`` employees of one unit through the bulk account services — each with
a fund account, deposits posted by ``ledger.services.post_entries`` (one entry per month, a line
per account), a card the bank verified, and the government sandbox records that make their
application true — and returns ``(person, reason)`` pairs, the reasons taken in turn:

- ``RETIREMENT`` (closing; one source, 社保 retirement): retired in the 社保 sandbox;
- ``RENT`` (partial, 1,800 yuan; 不动产登记 and 民政): deposits for the last four months, single,
  no home;
- ``LEAVING_CITY`` (closing; 公安 hukou and 社保 employment): hukou outside the city, deposits
  ten to eight months ago, the account sealed seven months ago, no employment in the city.

Cards end in 1, never one of the sandbox bank's demo cards that always fail.
"""

from __future__ import annotations

from datetime import date, timedelta

REASONS = ("RETIREMENT", "RENT", "LEAVING_CITY")
MONTHLY_DEPOSIT_FEN = 200_000  # 2,000 yuan a month: four months cover a month's rent (1,800 yuan)
ELSEWHERE = "420102"  # a hukou region outside the city (Wuhan)
HERE = "350203"


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def payload_for(reason: str) -> dict:
    return {"period_months": 1} if reason == "RENT" else {}


def make_city(n: int, *, reasons: tuple[str, ...] = REASONS) -> list[tuple[object, str]]:
    from django.db import transaction
    from django.utils import timezone

    from accounts.services import (
        bulk_open_accounts,
        bulk_register_people,
        bulk_set_bank_cards,
        register_employer,
        seal_account_in_transaction,
    )
    from core.crypto import blind_index
    from core.identity import make_credit_code, make_resident_id
    from integrations.models import MaritalStatus, SandboxCitizen
    from ledger.centre import BANK_SETTLEMENT
    from ledger.models import BusinessType
    from ledger.services import Line, Posting, centre_account, post_entries

    today = timezone.localdate()
    employer = register_employer(
        credit_code=make_credit_code("91350200MA7000002"),
        name="厦门提取基准测试有限公司",
        bank_account_no="4101000000000002",
        bank_name="中国工商银行厦门分行",
        actor=None,
    )
    plan = [reasons[i % len(reasons)] for i in range(n)]
    rows = []
    for i, reason in enumerate(plan):
        region = ELSEWHERE if reason == "LEAVING_CITY" else HERE
        number = make_resident_id(region, date(1962, 1, 1) + timedelta(days=i // 999), i % 999 + 1)
        rows.append(
            {"id_number": number, "name": f"职工{i}", "mobile": f"137{i:08d}", "hukou_region": region}
        )
    people = bulk_register_people(rows, actor=None, actor_label="system:bench")
    accounts = bulk_open_accounts(
        [(person, employer, 800_000, date(2024, 1, 1)) for person in people],
        actor=None,
        actor_label="system:bench",
    )
    bank = centre_account(BANK_SETTLEMENT)
    months: dict[date, list] = {}
    for account, reason in zip(accounts, plan, strict=True):
        offsets = (10, 9, 8) if reason == "LEAVING_CITY" else (3, 2, 1, 0)
        for offset in offsets:
            months.setdefault(_months_before(today, offset), []).append(account.ledger_account)
    postings = []
    for month, ledger_accounts in sorted(months.items()):
        for start in range(0, len(ledger_accounts), 1000):
            chunk = ledger_accounts[start : start + 1000]
            postings.append(
                Posting(
                    lines=[Line(bank, debit=MONTHLY_DEPOSIT_FEN * len(chunk))]
                    + [Line(account, credit=MONTHLY_DEPOSIT_FEN) for account in chunk],
                    business_type=BusinessType.MONTHLY_DEPOSIT,
                    business_on=month,
                    idempotency_key=f"bench-deposit:{month:%Y-%m}:{start}",
                    memo="汇缴 (bench)",
                )
            )
    with transaction.atomic(durable=True):
        post_entries(postings)
        sealed_on = _months_before(today, 7)
        for account, reason in zip(accounts, plan, strict=True):
            if reason == "LEAVING_CITY":
                seal_account_in_transaction(account=account, sealed_on=sealed_on, actor=None)
    verified_at = timezone.now()
    bulk_set_bank_cards(
        [(person, f"622848{i:012d}1", verified_at) for i, person in enumerate(people)],
        actor=None,
        actor_label="system:bench",
    )
    SandboxCitizen.objects.bulk_create(
        [
            SandboxCitizen(
                id_number=row["id_number"],
                id_number_index=blind_index(row["id_number"]),
                name=row["name"],
                hukou_region=row["hukou_region"],
                hukou_since=date(1980, 1, 1),
                marital_status=MaritalStatus.SINGLE,
                retired=reason == "RETIREMENT",
                retired_on=_months_before(today, 1) if reason == "RETIREMENT" else None,
            )
            for row, reason in zip(rows, plan, strict=True)
        ],
        batch_size=1000,
    )
    return list(zip(people, plan, strict=True))


# --- the scripts' own database, broker index and settings ---------------------------------------


class BenchEnvironment:
    """A run's own PostgreSQL database (made unless one is given), Redis index and var folder.

    ``env`` is the environment of the run and its worker; ``cleanup()`` empties the Redis index,
    drops the database it made and removes the folder, also after Ctrl-C.
    """

    def __init__(self, *, redis_url: str, admin_url: str, database_url: str | None, prefix: str, settings):
        import os
        import tempfile
        from pathlib import Path

        import redis

        self.broker = redis.Redis.from_url(redis_url)
        if self.broker.dbsize():
            raise SystemExit(f"{redis_url} is not empty: give an unused database index with --redis")
        self.admin_url = admin_url
        self.own_database = None
        if database_url is None:
            self.own_database = f"{prefix.replace('-', '_')}_{os.getpid()}"
            _admin(admin_url, f'CREATE DATABASE "{self.own_database}"')
            database_url = admin_url.rsplit("/", 1)[0] + f"/{self.own_database}"
        self.folder = tempfile.TemporaryDirectory(prefix=f"{prefix}-")
        self.env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="fundportal.settings.dev",
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=redis_url,
            FUNDPORTAL_VAR_DIR=str(Path(self.folder.name) / "var"),
            AUTH_SECOND_FACTOR="off",
            SANDBOX_GOV_FAILURE_RATE="0",
            SANDBOX_SMS_LATENCY_MS="0",
            DEBUG="false",
            **{name: str(value) for name, value in settings.items()},
        )
        os.environ.update(self.env)

    def set_up_django(self) -> str | None:
        """Django on the run's database, migrated; a reason to stop if it is not an empty PostgreSQL."""
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        if connection.vendor != "postgresql":
            return "this script runs on PostgreSQL"
        call_command("migrate", verbosity=0)
        from accounts.models import Person

        if Person.objects.exists():
            return "the database is not empty"
        return None

    def cleanup(self) -> None:
        from django.db import connections

        connections.close_all()
        self.broker.flushdb()
        if self.own_database:
            _admin(self.admin_url, f'DROP DATABASE IF EXISTS "{self.own_database}" WITH (FORCE)')
        self.folder.cleanup()


def _admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql)
