"""Encrypting a column that held personal data in clear, as a reversible migration step.

Rows are read and written with SQL, not through the model: the model's encrypted field would try
to decrypt the clear values. A value that already decrypts is left alone, so the step may run
again (or over a table that is partly encrypted) without sealing anything twice.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import migrations

import core.crypto


@dataclass(frozen=True)
class EncryptedColumn:
    table: str
    column: str
    pk: str = "id"
    binary: bool = False

    def encrypt_rows(self, apps, schema_editor) -> None:
        decrypt, encrypt = self._codec()

        def change(value):
            try:
                decrypt(value)
            except core.crypto.DecryptionError:
                return encrypt(value)
            return None  # already encrypted

        self._rewrite(schema_editor, change)

    def decrypt_rows(self, apps, schema_editor) -> None:
        self._rewrite(schema_editor, self._codec()[0])

    def operation(self) -> migrations.RunPython:
        return migrations.RunPython(self.encrypt_rows, self.decrypt_rows, elidable=False)

    def _codec(self) -> tuple[Callable, Callable]:
        if self.binary:
            return core.crypto.decrypt_bytes, core.crypto.encrypt_bytes
        return core.crypto.decrypt, core.crypto.encrypt

    def _rewrite(self, schema_editor, change) -> None:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT {self.pk}, {self.column} FROM {self.table}")
            for pk, value in cursor.fetchall():
                new = change(bytes(value) if self.binary else value)
                if new is not None:
                    cursor.execute(
                        f"UPDATE {self.table} SET {self.column} = %s WHERE {self.pk} = %s", [new, pk]
                    )
