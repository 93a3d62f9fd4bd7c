"""Uploaded deposit lists (they name people by ID number)
encrypted at rest (core.crypto.EncryptedBinaryField): rows written in clear are encrypted
in place, with SQL (the model field would try to decrypt them)."""

from django.db import migrations

import core.crypto
from core.encrypting_migration import EncryptedColumn

COLUMN = EncryptedColumn(table="deposits_depositlistfile", column="content", pk="deposit_list_id", binary=True)


class Migration(migrations.Migration):
    dependencies = [("deposits", "0005_deposit_certificates")]

    operations = [
        migrations.AlterField(
            model_name="depositlistfile",
            name="content",
            field=core.crypto.EncryptedBinaryField(verbose_name="content"),
        ),
        COLUMN.operation(),
    ]
