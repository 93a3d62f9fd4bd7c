"""Database-enforced integrity of accounts models and personal data at rest."""

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import AccountStatus, EmployerStatus, FundAccount
from core.crypto import blind_index
from tests.accounts.factories import EmployerFactory, FundAccountFactory, PersonFactory, resident_id

pytestmark = pytest.mark.django_db


def _raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


class TestPerson:
    def test_str_shows_the_pk_and_the_masked_id_number_only(self):
        person = PersonFactory(id_number="35020319900101123X", name="张三")

        text = str(person)

        assert text == f"3502**********123X (#{person.pk})"
        assert "35020319900101123X" not in text

    def test_keeps_the_id_number_encrypted_in_the_database(self):
        number = resident_id(11)
        person = PersonFactory(id_number=number)

        stored = _raw("accounts_person", "id_number", person.pk)

        assert number not in stored
        assert stored.startswith("fe1:")

    def test_reads_the_id_number_back_in_clear(self):
        number = resident_id(12)
        person = PersonFactory(id_number=number)

        reloaded = type(person).objects.get(pk=person.pk)

        assert reloaded.id_number == number

    def test_refuses_two_people_with_one_id_number(self):
        PersonFactory(id_number=resident_id(13))

        with pytest.raises(IntegrityError), transaction.atomic():
            PersonFactory(id_number=resident_id(13), id_number_index=blind_index(resident_id(13)))

    def test_refuses_a_verified_date_without_a_card(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            PersonFactory(bank_card=None, bank_card_verified_at=datetime(2024, 1, 1, tzinfo=UTC))


class TestEmployer:
    @pytest.mark.parametrize("rate", [500, 1200])
    def test_accepts_the_bounds_of_five_and_twelve_percent(self, rate):
        employer = EmployerFactory(employer_rate_bp=rate, employee_rate_bp=rate)

        assert employer.pk

    @pytest.mark.parametrize("field", ["employer_rate_bp", "employee_rate_bp"])
    @pytest.mark.parametrize("rate", [499, 1201])
    def test_refuses_a_rate_outside_the_bounds(self, field, rate):
        with pytest.raises(IntegrityError), transaction.atomic():
            EmployerFactory(**{field: rate})

    def test_refuses_paid_up_to_that_is_not_the_first_of_a_month(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            EmployerFactory(paid_up_to=date(2024, 5, 31))

    def test_accepts_paid_up_to_on_the_first(self):
        assert EmployerFactory(paid_up_to=date(2024, 5, 1)).pk

    def test_refuses_a_normal_unit_with_an_unconfirmed_legacy_code(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            EmployerFactory(credit_code_checksum_ok=False, status=EmployerStatus.NORMAL)

    def test_keeps_the_collection_account_encrypted(self):
        employer = EmployerFactory(bank_account_no="41010000123456789")

        assert "41010000123456789" not in _raw("accounts_employer", "bank_account_no", employer.pk)
        assert employer.masked_bank_account_no == "4101 **** **** 6789"


class TestFundAccount:
    def test_refuses_a_second_account_for_one_person(self):
        account = FundAccountFactory()

        with pytest.raises(IntegrityError), transaction.atomic():
            FundAccountFactory(person=account.person)

    def test_refuses_a_negative_base(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundAccountFactory(base=-1)

    def test_refuses_a_sealed_account_without_a_seal_date(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundAccountFactory(status=AccountStatus.SEALED)

    def test_refuses_a_normal_account_with_a_seal_date(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundAccountFactory(sealed_on=date(2024, 6, 1))

    def test_refuses_a_normal_account_without_an_employer(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundAccountFactory(employer=None)

    @pytest.mark.parametrize("status", [AccountStatus.MERGED, AccountStatus.TRANSFERRED_OUT])
    def test_refuses_a_closed_status_without_a_closing_date(self, status):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundAccountFactory(status=status)

    def test_refuses_a_closing_date_on_an_open_account(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundAccountFactory(status=AccountStatus.FROZEN, closed_on=date(2024, 6, 1))

    def test_refuses_a_seal_before_the_opening(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundAccountFactory(
                status=AccountStatus.SEALED, sealed_on=date(2023, 1, 1), opened_on=date(2024, 1, 1)
            )

    def test_accepts_a_closed_account_without_an_employer(self):
        account = FundAccountFactory(
            employer=None, status=AccountStatus.TRANSFERRED_OUT, closed_on=date(2024, 6, 1)
        )

        assert FundAccount.objects.get(pk=account.pk).is_closed

    def test_str_shows_the_account_number_and_pk(self):
        account = FundAccountFactory()

        assert str(account) == f"{account.account_no} (#{account.pk})"
