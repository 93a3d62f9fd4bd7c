"""Application documents (scans of contracts and ID cards)
encrypted at rest (core.crypto.EncryptedBinaryField): rows written in clear are encrypted
in place, with SQL (the model field would try to decrypt them)."""

from django.db import migrations

import core.crypto
from core.encrypting_migration import EncryptedColumn

COLUMN = EncryptedColumn(table="approvals_applicationdocument", column="content", binary=True)


class Migration(migrations.Migration):
    dependencies = [("approvals", "0005_application_documents")]

    operations = [
        migrations.AlterField(
            model_name="applicationdocument",
            name="content",
            field=core.crypto.EncryptedBinaryField(verbose_name="content"),
        ),
        COLUMN.operation(),
    ]
