"""Application documents (scans of contracts and ID cards)
encrypted at rest (core.crypto.EncryptedBinaryField): rows written in clear are encrypted
in place, with SQL (the model field would try to decrypt them)."""

from django.db import migrations

import core.crypto

TABLE = "approvals_applicationdocument"
PK = "id"


def _rewrite(schema_editor, change) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT {PK}, content FROM {TABLE}")
        for pk, content in cursor.fetchall():
            new = change(bytes(content))
            if new is not None:
                cursor.execute(f"UPDATE {TABLE} SET content = %s WHERE {PK} = %s", [new, pk])


def encrypt_rows(apps, schema_editor):
    def change(content):
        try:
            core.crypto.decrypt_bytes(content)
        except core.crypto.DecryptionError:
            return core.crypto.encrypt_bytes(content)
        return None  # already encrypted

    _rewrite(schema_editor, change)


def decrypt_rows(apps, schema_editor):
    _rewrite(schema_editor, core.crypto.decrypt_bytes)


class Migration(migrations.Migration):
    dependencies = [("approvals", "0005_application_documents")]

    operations = [
        migrations.AlterField(
            model_name="applicationdocument",
            name="content",
            field=core.crypto.EncryptedBinaryField(verbose_name="content"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
