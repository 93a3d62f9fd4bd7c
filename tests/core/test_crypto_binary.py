"""Files encrypted at rest: ``core.crypto.EncryptedBinaryField``."""

import pytest
from django.db import connection

from core import crypto
from core.crypto import DecryptionError, EncryptedBinaryField

CONTENT = "证件号码,缴存基数\n35020319900101123X,800000\n".encode()


def _sent(value) -> bytes:
    """What the driver is handed: PostgreSQL's driver wraps the bytes in its Binary adapter."""
    return bytes(getattr(value, "obj", value))


class TestEncryptedBinaryField:
    def test_round_trips_the_bytes(self):
        field = EncryptedBinaryField()

        stored = _sent(field.get_db_prep_value(CONTENT, connection))

        assert field.from_db_value(stored, None, connection) == CONTENT

    def test_stores_no_plaintext(self):
        stored = _sent(EncryptedBinaryField().get_db_prep_value(CONTENT, connection))

        assert b"35020319900101123X" not in stored
        assert stored.startswith(b"fe1:")

    def test_refuses_a_flipped_byte(self):
        stored = bytearray(crypto.encrypt_bytes(CONTENT))
        stored[-5] ^= 0x01

        with pytest.raises(DecryptionError, match="failed authentication"):
            crypto.decrypt_bytes(bytes(stored))

    def test_refuses_bytes_never_encrypted(self):
        with pytest.raises(DecryptionError, match="version prefix"):
            crypto.decrypt_bytes(CONTENT)

    def test_allows_no_lookup_by_value(self):
        assert EncryptedBinaryField().get_lookup("exact") is None
