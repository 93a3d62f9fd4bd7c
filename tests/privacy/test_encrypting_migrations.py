"""The migrations that encrypt columns written in clear: each row is encrypted in place, once."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from integrations.models import SandboxCollection

ACCOUNT = "41010000000012345"
payer_migration = import_module("integrations.migrations.0007_encrypted_payer_account")


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT payer_account_no FROM integrations_sandboxcollection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def written_in_clear(db):
    now = timezone.now()
    order = SandboxCollection.objects.create(
        order_ref="DL-1",
        bank_ref="SBX1",
        amount=100,
        submitted_at=now,
        due_at=now,
        payer_account_no=ACCOUNT,
        payer_bank_name="中国工商银行厦门分行",
        payer_name="厦门示例有限公司",
        same_bank=True,
    )
    with connection.cursor() as cursor:
        # As the column held it before the migration: in clear.
        sql = "UPDATE integrations_sandboxcollection SET payer_account_no = %s WHERE id = %s"
        cursor.execute(sql, [ACCOUNT, order.pk])
    return order


class TestEncryptPayerAccounts:
    def test_encrypts_a_row_written_in_clear(self, written_in_clear):
        payer_migration.encrypt_rows(None, SimpleNamespace(connection=connection))

        assert _raw(written_in_clear.pk).startswith("fe1:")
        assert SandboxCollection.objects.get(pk=written_in_clear.pk).payer_account_no == ACCOUNT

    def test_leaves_an_encrypted_row_as_it_is(self, written_in_clear):
        payer_migration.encrypt_rows(None, SimpleNamespace(connection=connection))
        first = _raw(written_in_clear.pk)

        payer_migration.encrypt_rows(None, SimpleNamespace(connection=connection))

        assert _raw(written_in_clear.pk) == first

    def test_decrypts_the_rows_when_reversed(self, written_in_clear):
        payer_migration.encrypt_rows(None, SimpleNamespace(connection=connection))

        payer_migration.decrypt_rows(None, SimpleNamespace(connection=connection))

        assert _raw(written_in_clear.pk) == ACCOUNT
