"""Encryption at rest, the blind index and the display masks of ``core.crypto``."""

import base64
import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from core import crypto
from core.crypto import DecryptionError, EncryptedTextField, blind_index, mask_bank_card, mask_id_number

OTHER_KEY = base64.urlsafe_b64encode(b"another-32-byte-key-for-tests-01").decode()


def _field():
    return EncryptedTextField()


class TestEncryptedTextField:
    def test_round_trips_the_plaintext(self):
        field = _field()

        stored = field.get_prep_value("35020319900101123X")

        assert field.from_db_value(stored, None, None) == "35020319900101123X"

    def test_stores_no_plaintext(self):
        stored = _field().get_prep_value("35020319900101123X")

        assert "35020319900101123X" not in stored
        assert stored.startswith("fe1:")

    def test_uses_a_fresh_nonce_for_every_write(self):
        field = _field()

        stored = {field.get_prep_value("6222021234561234") for _ in range(20)}

        assert len(stored) == 20

    def test_round_trips_chinese_text(self):
        field = _field()

        stored = field.get_prep_value("中国工商银行 厦门分行")

        assert field.from_db_value(stored, None, None) == "中国工商银行 厦门分行"

    def test_keeps_null_as_null(self):
        field = _field()

        assert field.get_prep_value(None) is None
        assert field.from_db_value(None, None, None) is None

    def test_refuses_a_flipped_ciphertext_byte(self):
        label, body = _field().get_prep_value("35020319900101123X").split(":")
        blob = bytearray(base64.urlsafe_b64decode(body))
        blob[-20] ^= 0x01
        tampered = f"{label}:{base64.urlsafe_b64encode(bytes(blob)).decode()}"

        with pytest.raises(DecryptionError, match="failed authentication"):
            crypto.decrypt(tampered)

    def test_refuses_a_relabelled_version(self, settings):
        settings.FIELD_ENCRYPTION_RETIRED_KEYS = {2: settings.FIELD_ENCRYPTION_KEY}
        body = _field().get_prep_value("35020319900101123X").split(":")[1]

        with pytest.raises(DecryptionError, match="failed authentication"):
            crypto.decrypt(f"fe2:{body}")

    def test_refuses_a_value_without_the_version_prefix(self):
        with pytest.raises(DecryptionError, match="version prefix"):
            crypto.decrypt("35020319900101123X")

    def test_refuses_a_truncated_value(self):
        with pytest.raises(DecryptionError, match="truncated"):
            crypto.decrypt("fe1:AAAA")

    def test_refuses_a_value_sealed_with_another_key(self, settings):
        stored = _field().get_prep_value("35020319900101123X")
        settings.FIELD_ENCRYPTION_KEY = OTHER_KEY

        with pytest.raises(DecryptionError):
            crypto.decrypt(stored)

    def test_reads_values_sealed_with_a_retired_key_after_rotation(self, settings):
        old_key = settings.FIELD_ENCRYPTION_KEY
        stored = _field().get_prep_value("35020319900101123X")
        settings.FIELD_ENCRYPTION_KEY = OTHER_KEY
        settings.FIELD_ENCRYPTION_KEY_VERSION = 2
        settings.FIELD_ENCRYPTION_RETIRED_KEYS = {1: old_key}

        rewritten = _field().get_prep_value(crypto.decrypt(stored))

        assert rewritten.startswith("fe2:")
        assert crypto.decrypt(rewritten) == "35020319900101123X"

    def test_refuses_a_key_of_the_wrong_length(self, settings):
        settings.FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"short").decode()

        with pytest.raises(ImproperlyConfigured, match="32 bytes"):
            _field().get_prep_value("x")

    def test_allows_only_the_isnull_lookup(self):
        field = _field()

        assert field.get_lookup("isnull") is not None
        assert field.get_lookup("exact") is None
        assert field.get_lookup("icontains") is None

    def test_is_a_text_field(self):
        assert isinstance(_field(), models.TextField)


class TestBlindIndex:
    def test_is_stable(self):
        assert blind_index("35020319900101123X") == blind_index("35020319900101123X")

    def test_treats_a_lowercase_x_and_spaces_as_the_same_number(self):
        assert blind_index(" 35020319900101123x ") == blind_index("35020319900101123X")

    def test_distinguishes_different_values(self):
        assert blind_index("35020319900101123X") != blind_index("350203199001011220")

    def test_is_keyed(self, settings):
        with_dev_key = blind_index("35020319900101123X")
        settings.FIELD_ENCRYPTION_KEY = OTHER_KEY

        assert blind_index("35020319900101123X") != with_dev_key

    def test_is_not_a_plain_hash_of_the_value(self):
        assert blind_index("35020319900101123X") != hashlib.sha256(b"35020319900101123X").hexdigest()

    def test_is_64_hex_characters(self):
        value = blind_index("35020319900101123X")

        assert len(value) == 64
        assert set(value) <= set("0123456789abcdef")


class TestMaskIdNumber:
    def test_shows_the_first_and_last_four_characters(self):
        assert mask_id_number("35020319900101123X") == "3502**********123X"

    def test_upper_cases_the_check_letter(self):
        assert mask_id_number("35020319900101123x") == "3502**********123X"

    def test_hides_a_short_value_entirely(self):
        assert mask_id_number("1234567") == "*******"

    def test_returns_empty_for_nothing(self):
        assert mask_id_number(None) == ""


class TestMaskBankCard:
    def test_groups_a_sixteen_digit_card(self):
        assert mask_bank_card("6222021234561234") == "6222 **** **** 1234"

    def test_keeps_four_and_four_of_a_nineteen_digit_card(self):
        assert mask_bank_card("6222021234561234567") == "6222 **** **** 4567"

    def test_ignores_spaces_in_the_input(self):
        assert mask_bank_card("6222 0212 3456 1234") == "6222 **** **** 1234"

    def test_returns_empty_for_nothing(self):
        assert mask_bank_card("") == ""
