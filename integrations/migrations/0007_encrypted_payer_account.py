"""The sandbox bank's collection orders keep the payer's account number encrypted, like every
account and card number: the column becomes an encrypted text and the rows written in clear
are encrypted in place (read and written with SQL: the model field would try to decrypt them)."""

from django.db import migrations

import core.crypto
from core.encrypting_migration import EncryptedColumn

COLUMN = EncryptedColumn(table="integrations_sandboxcollection", column="payer_account_no")
# Named for the tests, which run them over crafted rows.
encrypt_rows, decrypt_rows = COLUMN.encrypt_rows, COLUMN.decrypt_rows


class Migration(migrations.Migration):
    dependencies = [("integrations", "0006_sandboxtransferletter")]

    operations = [
        migrations.AlterField(
            model_name="sandboxcollection",
            name="payer_account_no",
            field=core.crypto.EncryptedTextField(verbose_name="payer account number"),
        ),
        COLUMN.operation(),
    ]
