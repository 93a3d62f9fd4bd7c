"""The sandbox bank's collection orders keep the payer's account number encrypted, like every
account and card number: the column becomes an encrypted text and the rows written in clear
are encrypted in place (read and written with SQL: the model field would try to decrypt them)."""

from django.db import migrations

import core.crypto

TABLE = "integrations_sandboxcollection"


def _rewrite(schema_editor, change) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, payer_account_no FROM {TABLE}")
        rows = cursor.fetchall()
        for pk, value in rows:
            new = change(value)
            if new is not None:
                cursor.execute(f"UPDATE {TABLE} SET payer_account_no = %s WHERE id = %s", [new, pk])


def encrypt_rows(apps, schema_editor):
    def change(value):
        try:
            core.crypto.decrypt(value)
        except core.crypto.DecryptionError:
            return core.crypto.encrypt(value)
        return None  # already encrypted

    _rewrite(schema_editor, change)


def decrypt_rows(apps, schema_editor):
    _rewrite(schema_editor, core.crypto.decrypt)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0006_sandboxtransferletter")]

    operations = [
        migrations.AlterField(
            model_name="sandboxcollection",
            name="payer_account_no",
            field=core.crypto.EncryptedTextField(verbose_name="payer account number"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
