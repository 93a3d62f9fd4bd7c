"""Personal data at rest: an encrypted model field, a keyed blind index, and display masks.

One secret, ``settings.FIELD_ENCRYPTION_KEY`` (32 bytes, url-safe base64), serves two
purposes through HKDF-SHA256 with distinct ``info`` labels, so that knowing the index subkey
says nothing about the encryption subkey and vice versa:

- ``EncryptedTextField`` stores ``fe<version>:<base64(nonce || AES-256-GCM ciphertext+tag)>``.
  The nonce is 96 random bits per write; the version prefix is bound into the GCM associated
  data, so a ciphertext cannot be relabelled to another key version. Rotation: give the new
  key a higher ``FIELD_ENCRYPTION_KEY_VERSION`` and keep the old one in
  ``FIELD_ENCRYPTION_RETIRED_KEYS`` (``{version: key}``) until ``manage.py rotate_field_key``
  has re-encrypted every row (docs/privacy.md).
- ``blind_index`` is HMAC-SHA256 over the normalised value with the index subkey: stable,
  keyed (useless to someone without the key), for exact lookup and unique constraints.
  It always uses the current key, so rotating the key means recomputing the stored indexes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fe"
NONCE_BYTES = 12
_ENCRYPTION_INFO = b"fundportal/field-encryption/aes-256-gcm"
_INDEX_INFO = b"fundportal/blind-index/hmac-sha256"


class DecryptionError(ValueError):
    """A stored value failed authentication: it was altered, truncated or written with another key."""


def _decode_master_key(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be url-safe base64") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must decode to exactly 32 bytes")
    return raw


@lru_cache(maxsize=16)
def _subkey(master_text: str, info: bytes) -> bytes:
    # Cached by the key text itself, so a test that overrides the setting gets its own subkeys.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        _decode_master_key(master_text)
    )


def _current_version() -> int:
    return int(getattr(settings, "FIELD_ENCRYPTION_KEY_VERSION", 1))


def current_label() -> str:
    """The prefix (``fe2``) of values written with the current key: a value without it needs
    re-encrypting after a rotation."""
    return f"{PREFIX}{_current_version()}"


def _master_key_for(version: int) -> str:
    if version == _current_version():
        return settings.FIELD_ENCRYPTION_KEY
    retired = getattr(settings, "FIELD_ENCRYPTION_RETIRED_KEYS", {}) or {}
    key = retired.get(version, retired.get(str(version)))
    if key is None:
        raise DecryptionError(f"no key configured for encrypted value version {version}")
    return key


def encrypt(plaintext: str) -> str:
    """Seal ``plaintext`` with the current key; each call gives a different ciphertext."""
    version = _current_version()
    label = f"{PREFIX}{version}"
    nonce = os.urandom(NONCE_BYTES)
    key = _subkey(settings.FIELD_ENCRYPTION_KEY, _ENCRYPTION_INFO)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), label.encode("ascii"))
    return f"{label}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def encrypt_bytes(data: bytes) -> bytes:
    """Seal ``data`` with the current key: ``fe<version>:`` then nonce, ciphertext and tag."""
    label = current_label()
    nonce = os.urandom(NONCE_BYTES)
    key = _subkey(settings.FIELD_ENCRYPTION_KEY, _ENCRYPTION_INFO)
    sealed = AESGCM(key).encrypt(nonce, bytes(data), label.encode("ascii"))
    return f"{label}:".encode("ascii") + nonce + sealed


def decrypt_bytes(sealed: bytes) -> bytes:
    """Open bytes written by ``encrypt_bytes``; raise ``DecryptionError`` if they do not authenticate."""
    sealed = bytes(sealed)
    label, sep, blob = sealed[:16].partition(b":")
    if not sep or not label.startswith(PREFIX.encode()) or not label[len(PREFIX) :].isdigit():
        raise DecryptionError("value is not an encrypted field value (missing version prefix)")
    blob = sealed[len(label) + 1 :]
    if len(blob) < NONCE_BYTES + 16:
        raise DecryptionError("encrypted value is truncated")
    key = _subkey(_master_key_for(int(label[len(PREFIX) :])), _ENCRYPTION_INFO)
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], label)
    except InvalidTag as exc:
        raise DecryptionError("encrypted value failed authentication (tampered, or the wrong key)") from exc


def decrypt(token: str) -> str:
    """Open a value written by ``encrypt``; raise ``DecryptionError`` if it does not authenticate."""
    label, sep, body = token.partition(":")
    if not sep or not label.startswith(PREFIX) or not label[len(PREFIX) :].isdigit():
        raise DecryptionError("value is not an encrypted field value (missing version prefix)")
    version = int(label[len(PREFIX) :])
    try:
        blob = base64.urlsafe_b64decode(body.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise DecryptionError("encrypted value is not valid base64") from exc
    # 16 bytes is the GCM tag; anything shorter cannot be genuine.
    if len(blob) < NONCE_BYTES + 16:
        raise DecryptionError("encrypted value is truncated")
    key = _subkey(_master_key_for(version), _ENCRYPTION_INFO)
    try:
        plain = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], label.encode("ascii"))
    except InvalidTag as exc:
        raise DecryptionError("encrypted value failed authentication (tampered, or the wrong key)") from exc
    return plain.decode("utf-8")


def normalise_for_index(value: str) -> str:
    """The canonical form that is hashed: NFKC, no whitespace, upper case (ID check letter ``x``)."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def blind_index(value: str) -> str:
    """Keyed HMAC-SHA256 (hex, 64 characters) of the normalised value, for exact lookup."""
    key = _subkey(settings.FIELD_ENCRYPTION_KEY, _INDEX_INFO)
    return hmac.new(key, normalise_for_index(value).encode("utf-8"), hashlib.sha256).hexdigest()


def mask_id_number(value: str | None) -> str:
    """``35020319900101123X`` → ``3502**********123X``: only the first and last four show."""
    if not value:
        return ""
    text = value.strip().upper()
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]}{'*' * (len(text) - 8)}{text[-4:]}"


def mask_name(name: str | None) -> str:
    """``张三`` → ``张*``, ``欧阳小明`` → ``欧***``: the first character shows, as public pages do."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_bank_card(value: str | None) -> str:
    """``6222021234561234`` → ``6222 **** **** 1234`` whatever the card's length."""
    if not value:
        return ""
    digits = "".join(value.split())
    if len(digits) <= 8:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** {digits[-4:]}"


class EncryptedTextField(models.TextField):
    """A text column holding authenticated ciphertext; Python code sees only the plaintext.

    Queries cannot compare ciphertexts (every write uses a fresh nonce), so only ``isnull``
    is allowed; look rows up through a blind-index column instead.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def get_lookup(self, lookup_name):
        # A silent "no match" from comparing against random ciphertext would be a bug magnet;
        # returning None makes Django raise FieldError "Unsupported lookup" instead.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class EncryptedBinaryField(models.BinaryField):
    """Bytes (an uploaded file) encrypted at rest like ``EncryptedTextField``; never queried by value."""

    description = "Bytes encrypted at rest (AES-256-GCM)"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt_bytes(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        return super().get_db_prep_value(encrypt_bytes(value), connection, prepared)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def mask_mobile(value: str | None) -> str:
    """``13812345678`` → ``138****5678``, the form Chinese service pages show."""
    if not value:
        return ""
    if len(value) != 11:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"
