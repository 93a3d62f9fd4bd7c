"""Electronic seals (电子印章): signed, verifiable records that a document was approved or issued.

A seal says *who* sealed *what* and *when*: the sealed document is named by the SHA-256 of its
canonical content (the caller decides what that is — a loan case's approval record, a
certificate's text), and the centre signs the seal's fields with Ed25519. Anyone holding the
centre's public key (``seal_public_key``) can check a seal without trusting this database: a
changed field, a digest of another document, or a signature made with another key fails.

Keys: ``settings.SEAL_SIGNING_KEY`` is the current private key (32-byte seed, url-safe base64),
named by ``SEAL_KEY_ID``. Rotation: give the new key a new id and keep the old key's *public*
half in ``SEAL_RETIRED_PUBLIC_KEYS`` (``{id: public key}``), so seals made before still verify.

Seals are written in the caller's transaction with their audit event; they are never edited,
only revoked (a revocation is recorded on the row with its reason and an audit event).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.chain import canonical_time
from audit.models import ElectronicSeal
from audit.services import record_event, require_transaction
from core.exceptions import DomainError

#: What each kind of seal stands for, as the public verification page names it.
SEAL_KINDS = {
    "LOAN_APPROVAL": _("Housing fund loan approval (贷款终审)"),
    "LOAN_SETTLED": _("Housing fund loan settled (贷款结清证明)"),
    "DEPOSIT_CERTIFICATE": _("Housing fund deposit certificate (缴存证明)"),
}

# Crockford's base32 alphabet without I, L, O, U: a code read aloud or typed from paper survives.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12


class SealNotFound(DomainError):
    """No seal carries this verification code."""


class SealAlreadyRevoked(DomainError):
    """The seal was revoked before."""


@dataclass(frozen=True)
class SealVerdict:
    """What checking a seal found. ``genuine``: signed by the centre and unchanged since."""

    seal: ElectronicSeal
    signature_valid: bool
    document_matches: bool | None  # None when no document digest was given to compare
    revoked: bool

    @property
    def genuine(self) -> bool:
        return self.signature_valid and self.document_matches is not False

    @property
    def in_force(self) -> bool:
        return self.genuine and not self.revoked


def document_digest(content: dict | str | bytes) -> str:
    """SHA-256 hex of a document: bytes as they are, text as UTF-8, a dict as sorted compact JSON."""
    if isinstance(content, dict):
        content = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if isinstance(content, str):
        content = content.encode("utf-8")
    return hashlib.sha256(content).hexdigest()


def seal_document(
    *, kind: str, subject: str, digest: str, signer, signer_label: str | None = None
) -> ElectronicSeal:
    """Seal the document with SHA-256 ``digest`` as ``kind`` (e.g. ``LOAN_APPROVAL``) of
    ``subject`` (e.g. ``loan-case:42``) on behalf of ``signer`` (a user, or None for a process
    named by ``signer_label``); a helper: needs the caller's transaction."""
    require_transaction("seal_document")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("digest must be a SHA-256 hex digest")
    label = (signer_label or (signer.get_username() if signer is not None else "system"))[:150]
    seal = ElectronicSeal(
        code=_new_code(),
        kind=kind,
        subject=subject,
        digest=digest,
        signer=signer,
        signer_label=label,
        signed_at=timezone.now(),
        key_id=settings.SEAL_KEY_ID,
    )
    seal.signature = base64.b64encode(_private_key().sign(_signed_bytes(seal))).decode("ascii")
    seal.save(force_insert=True)
    record_event(
        actor=signer,
        actor_label=signer_label,
        action="audit.seal",
        target=seal,
        summary=f"电子印章 {seal.code} {kind} {subject}",
        data={"code": seal.code, "kind": kind, "subject": subject, "digest": digest, "key_id": seal.key_id},
    )
    return seal


def verify_seal(*, code: str, digest: str | None = None) -> SealVerdict:
    """Check the seal with verification ``code`` (and, given ``digest``, that it seals that document)."""
    seal = ElectronicSeal.objects.filter(code=normalise_code(code)).first()
    if seal is None:
        raise SealNotFound(
            _("No seal has the verification code %(code)s.") % {"code": code}, code="SEAL_NOT_FOUND"
        )
    return SealVerdict(
        seal=seal,
        signature_valid=signature_valid(seal),
        document_matches=None if digest is None else digest == seal.digest,
        revoked=seal.revoked_at is not None,
    )


def revoke_seal(*, code: str, reason: str, actor) -> ElectronicSeal:
    """Withdraw a seal (the document it sealed no longer stands); the seal itself stays checkable."""
    with transaction.atomic(durable=True):
        seal = ElectronicSeal.objects.select_for_update().filter(code=normalise_code(code)).first()
        if seal is None:
            raise _not_found(code)
        if seal.revoked_at is not None:
            raise SealAlreadyRevoked(_("This seal was revoked before."), code="SEAL_REVOKED")
        seal.revoked_at = timezone.now()
        seal.revoke_reason = reason
        seal.save(update_fields=["revoked_at", "revoke_reason"])
        record_event(
            actor=actor,
            action="audit.seal_revoked",
            target=seal,
            summary=f"电子印章 {seal.code} 已撤销: {reason}",
            data={"code": seal.code, "reason": reason},
        )
    return seal


def signature_valid(seal: ElectronicSeal) -> bool:
    """Whether ``seal``'s signature matches its fields under the key its ``key_id`` names."""
    public = _public_keys().get(seal.key_id)
    if public is None:
        return False
    try:
        public.verify(base64.b64decode(seal.signature, validate=True), _signed_bytes(seal))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def seal_public_key() -> str:
    """The current public key, url-safe base64 of its 32 raw bytes, for checking seals elsewhere."""
    raw = _private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode("ascii")


def sign_bytes(payload: bytes) -> str:
    """Base64 Ed25519 signature of ``payload`` with the current key (``SEAL_KEY_ID``); the audit
    anchors are signed this way too."""
    return base64.b64encode(_private_key().sign(payload)).decode("ascii")


def signature_matches(*, payload: bytes, signature: str, key_id: str) -> bool:
    """Whether ``signature`` signs ``payload`` under the key named ``key_id`` (current or retired)."""
    public = _public_keys().get(key_id)
    if public is None:
        return False
    try:
        public.verify(base64.b64decode(signature, validate=True), payload)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def seal_kind_label(kind: str) -> str:
    return str(SEAL_KINDS.get(kind, kind))


def normalise_code(code: str) -> str:
    """A code as typed: spaces and dashes dropped, upper case, and the look-alikes O→0, I/L→1."""
    text = "".join(ch for ch in (code or "").upper() if ch not in " -")
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def _not_found(code: str) -> SealNotFound:
    return SealNotFound(
        _("No seal has the verification code %(code)s.") % {"code": code}, code="SEAL_NOT_FOUND"
    )


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _signed_bytes(seal: ElectronicSeal) -> bytes:
    """The canonical text signed: every field a reader relies on, the time in a form both
    databases round-trip."""
    payload = {
        "code": seal.code,
        "kind": seal.kind,
        "subject": seal.subject,
        "digest": seal.digest,
        "signer_id": seal.signer_id,
        "signer_label": seal.signer_label,
        "signed_at": canonical_time(seal.signed_at)
        if isinstance(seal.signed_at, datetime)
        else seal.signed_at,
        "key_id": seal.key_id,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _decode_key(text: str, name: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} must be 32 bytes in url-safe base64")
    return raw


@lru_cache(maxsize=4)
def _private_key_for(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_decode_key(text, "SEAL_SIGNING_KEY"))


def _private_key() -> Ed25519PrivateKey:
    return _private_key_for(settings.SEAL_SIGNING_KEY)


def _public_keys() -> dict[str, Ed25519PublicKey]:
    keys = {
        key_id: Ed25519PublicKey.from_public_bytes(_decode_key(text, "SEAL_RETIRED_PUBLIC_KEYS"))
        for key_id, text in (settings.SEAL_RETIRED_PUBLIC_KEYS or {}).items()
    }
    keys[settings.SEAL_KEY_ID] = _private_key().public_key()
    return keys
