"""Key rotation: ``manage.py rotate_field_key`` re-encrypts under the new key and recomputes indexes."""

import base64
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Employer, Person
from accounts.selectors import person_by_id_number
from core.crypto import blind_index
from deposits.models import DepositList, DepositListFile, ListKind
from integrations.models import SandboxCitizen
from tests.accounts.factories import EmployerFactory, FundAccountFactory, UserFactory

CARD = "6222021234561236"
NEW_KEY = base64.urlsafe_b64encode(b"the-second-32-byte-key-for-test!").decode()


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _rotate(**options) -> str:
    out = StringIO()
    call_command("rotate_field_key", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def written_with_v1(db):
    """A person with a card, their unit and a sandbox citizen, all written under key version 1."""
    account = FundAccountFactory()
    person = account.person
    person.bank_card = CARD
    person.save(update_fields=["bank_card"])
    citizen = SandboxCitizen.objects.create(
        id_number=person.id_number, id_number_index=blind_index(person.id_number), name=person.name
    )
    return {"person": person, "employer": account.employer, "citizen": citizen}


@pytest.fixture
def key_v2(settings):
    old = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = NEW_KEY
    settings.FIELD_ENCRYPTION_KEY_VERSION = 2
    settings.FIELD_ENCRYPTION_RETIRED_KEYS = {1: old}
    return settings


@pytest.mark.django_db
class TestRotateFieldKey:
    def test_re_encrypts_every_value_under_the_new_key(self, written_with_v1, key_v2):
        person = written_with_v1["person"]

        _rotate()

        assert _raw("accounts_person", "id_number", person.pk).startswith("fe2:")
        assert _raw("accounts_person", "bank_card", person.pk).startswith("fe2:")
        assert _raw("accounts_employer", "bank_account_no", written_with_v1["employer"].pk).startswith("fe2:")
        assert _raw("integrations_sandboxcitizen", "id_number", written_with_v1["citizen"].pk).startswith(
            "fe2:"
        )

    def test_reads_the_same_values_back(self, written_with_v1, key_v2):
        person = written_with_v1["person"]

        _rotate()

        again = Person.objects.get(pk=person.pk)
        assert (again.id_number, again.bank_card) == (person.id_number, CARD)
        assert Employer.objects.get(pk=written_with_v1["employer"].pk).bank_account_no == (
            written_with_v1["employer"].bank_account_no
        )

    def test_makes_lookups_by_blind_index_work_under_the_new_key(self, written_with_v1, key_v2):
        person = written_with_v1["person"]
        assert person_by_id_number(person.id_number) is None

        _rotate()

        assert person_by_id_number(person.id_number.lower()) == person
        assert SandboxCitizen.objects.filter(pk=written_with_v1["citizen"].pk).get().id_number_index == (
            Person.objects.get(pk=person.pk).id_number_index
        )

    def test_lets_the_old_key_be_dropped_afterwards(self, written_with_v1, key_v2):
        person = written_with_v1["person"]
        _rotate()

        key_v2.FIELD_ENCRYPTION_RETIRED_KEYS = {}

        assert Person.objects.get(pk=person.pk).bank_card == CARD
        assert person_by_id_number(person.id_number) == person

    def test_counts_without_changing_on_a_dry_run(self, written_with_v1, key_v2):
        person = written_with_v1["person"]

        output = _rotate(dry_run=True)

        assert "accounts.Person: 1 rows, would change: 2 values re-encrypted, 1 indexes recomputed" in output
        assert _raw("accounts_person", "id_number", person.pk).startswith("fe1:")
        assert person_by_id_number(person.id_number) is None

    def test_changes_nothing_when_run_again(self, written_with_v1, key_v2):
        _rotate(batch=1)
        before = _raw("accounts_person", "id_number", written_with_v1["person"].pk)

        output = _rotate(batch=1)

        assert "Total changed: 0 values re-encrypted, 0 indexes recomputed" in output
        assert _raw("accounts_person", "id_number", written_with_v1["person"].pk) == before


@pytest.fixture
def list_file_v1(db):
    """An uploaded deposit list, written under key version 1."""
    return DepositListFile.objects.create(deposit_list=_deposit_list(), content=b"id_number,base\n")


@pytest.mark.django_db
class TestRotateEncryptedFiles:
    def test_re_encrypts_an_uploaded_list_under_the_new_key(self, list_file_v1, key_v2):
        assert bytes(_raw_file(list_file_v1.pk)).startswith(b"fe1:")

        _rotate()

        assert bytes(_raw_file(list_file_v1.pk)).startswith(b"fe2:")
        assert DepositListFile.objects.get(pk=list_file_v1.pk).content == b"id_number,base\n"


def _deposit_list() -> DepositList:
    return DepositList.objects.create(
        employer=EmployerFactory(),
        kind=ListKind.values[0],
        period=date(2026, 10, 1),
        filename="list.csv",
        file_sha256="0" * 64,
        file_size=15,
        uploaded_by=UserFactory(),
    )


def _raw_file(pk: int):
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM deposits_depositlistfile WHERE deposit_list_id = %s", [pk])
        return cursor.fetchone()[0]
