"""An outsider with a copy of the database learns no demo person's ID number or card number.

The numbers are taken from the demo city's plan (``demo.city.plan_city``), computed here
independently of the database, and looked for in every form a dump could spell them in: any
case of the check letter, with or without spaces or dashes between groups.
"""

import re

import pytest
from django.db import connection
from django.utils import timezone

from demo.city import plan_city
from tests.demo.conftest import seeded_city

PERSONS, EMPLOYERS, SEED = 120, 12, 5
_SEPARATORS = re.compile(r"[\s\-_.]")


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    with seeded_city(
        django_db_blocker, tmp_path_factory.mktemp("var"), persons=PERSONS, employers=EMPLOYERS, seed=SEED
    ):
        yield


def _plan():
    return plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=timezone.localdate())


@pytest.fixture(scope="module")
def secrets():
    """Every ID number, personal card and unit bank account number the demo city is made of."""
    plan = _plan()
    people = plan.people + plan.walk_in_people
    numbers = {p.id_number for p in people} | {p.bank_card for p in people if p.bank_card}
    numbers |= {e.bank_account_no for e in plan.employers} | {u.bank_account_no for u in plan.walk_in_units}
    return {_SEPARATORS.sub("", n).upper() for n in numbers if n}


def _flattened(text: str) -> str:
    return _SEPARATORS.sub("", text).upper()


def _leaks(dump: str, secrets: set[str]) -> list[str]:
    flat = _flattened(dump)
    return sorted(number for number in secrets if number in flat)


def _sqlite_dump() -> str:
    connection.ensure_connection()
    raw = connection.connection
    return "\n".join(raw.iterdump())


def _sqlite_file_image() -> str:
    connection.ensure_connection()
    # The database's pages as they would lie in the file (the test database lives in memory).
    return connection.connection.serialize().decode("latin-1")


def _postgres_dump() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            with cursor.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT") as copy:
                chunks.extend(bytes(block).decode("utf-8") for block in copy)
    return "".join(chunks)


@pytest.fixture(scope="module")
def credit_codes():
    """Numbers stored in clear on purpose (units' credit codes): proof that a dump holds the city."""
    return {e.credit_code for e in _plan().employers}


def _holds_the_city(dump: str, credit_codes: set[str]) -> bool:
    flat = _flattened(dump)
    return all(code in flat for code in credit_codes)


@pytest.mark.usefixtures("db", "city")
class TestDatabaseDump:
    def test_the_plan_has_numbers_to_look_for(self, secrets):
        ids = [n for n in secrets if len(n) == 18 and n[:17].isdigit()]

        assert len(ids) >= PERSONS
        assert len(secrets) > len(ids)

    @pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own dump")
    def test_holds_no_id_or_card_number_in_any_table_on_sqlite(self, secrets, credit_codes):
        dump = _sqlite_dump()

        leaks = _leaks(dump, secrets)

        assert _holds_the_city(dump, credit_codes)
        assert leaks == []

    @pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's file image")
    def test_holds_no_id_or_card_number_in_the_database_file_on_sqlite(self, secrets, credit_codes):
        image = _sqlite_file_image()

        leaks = _leaks(image, secrets)

        assert _holds_the_city(image, credit_codes)
        assert leaks == []

    @pytest.mark.postgres
    def test_holds_no_id_or_card_number_in_any_table_on_postgres(self, secrets, credit_codes):
        dump = _postgres_dump()

        leaks = _leaks(dump, secrets)

        assert _holds_the_city(dump, credit_codes)
        assert leaks == []
