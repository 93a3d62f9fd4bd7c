"""Electronic seals: a sealed document can be checked by its code, and any change shows."""

import base64
import json
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection, transaction

from audit.models import AuditEvent, ElectronicSeal
from audit.seals import (
    SealAlreadyRevoked,
    SealNotFound,
    document_digest,
    normalise_code,
    revoke_seal,
    seal_document,
    seal_public_key,
    verify_seal,
)
from audit.services import NoOpenTransaction
from tests.approvals.factories import staff_user
from tests.production_env import production_env

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CASE = {"case": 42, "amount_fen": 50_000_000, "levels": ["受理", "初审", "复审", "终审"]}


def _key(seed: bytes) -> str:
    return base64.urlsafe_b64encode(seed).decode()


def sealed(signer=None, document=CASE):
    with transaction.atomic():
        return seal_document(
            kind="LOAN_APPROVAL", subject="loan-case:42", digest=document_digest(document), signer=signer
        )


def test_a_fresh_seal_is_genuine_for_its_own_document_and_in_force():
    director = staff_user(username="deputy")
    seal = sealed(director)

    verdict = verify_seal(code=seal.code, digest=document_digest(CASE))

    assert (verdict.genuine, verdict.in_force, verdict.revoked) == (True, True, False)
    assert (verdict.seal.signer_label, verdict.seal.kind, verdict.seal.subject) == (
        "deputy",
        "LOAN_APPROVAL",
        "loan-case:42",
    )


def test_the_digest_of_another_document_does_not_match():
    seal = sealed()

    verdict = verify_seal(code=seal.code, digest=document_digest({**CASE, "amount_fen": 80_000_000}))

    assert verdict.signature_valid is True
    assert (verdict.document_matches, verdict.genuine) == (False, False)


@pytest.mark.parametrize(
    "column, value",
    [
        ("digest", "0" * 64),
        ("signer_label", "someone-else"),
        ("subject", "loan-case:43"),
        ("kind", "CERTIFICATE"),
    ],
)
def test_a_row_changed_in_the_database_no_longer_verifies(column, value):
    seal = sealed()
    ElectronicSeal.objects.filter(pk=seal.pk).update(**{column: value})

    verdict = verify_seal(code=seal.code)

    assert (verdict.signature_valid, verdict.genuine) == (False, False)


def test_a_seal_signed_with_another_key_does_not_verify(settings):
    settings.SEAL_SIGNING_KEY = _key(b"another-centre-key-32-bytes-0000")
    seal = sealed()
    settings.SEAL_SIGNING_KEY = _key(b"the-centres-own-key-32-bytes-000")

    assert verify_seal(code=seal.code).genuine is False


def test_seals_made_before_a_key_rotation_still_verify_with_the_retired_public_key(settings):
    old = _key(b"old-seal-key-for-rotation-000000")
    settings.SEAL_SIGNING_KEY, settings.SEAL_KEY_ID = old, "2025"
    before = sealed()
    old_public = seal_public_key()
    settings.SEAL_SIGNING_KEY, settings.SEAL_KEY_ID = _key(b"new-seal-key-for-rotation-000000"), "2026"
    settings.SEAL_RETIRED_PUBLIC_KEYS = {"2025": old_public}
    after = sealed()

    assert (before.key_id, after.key_id) == ("2025", "2026")
    assert verify_seal(code=before.code).genuine is True
    assert verify_seal(code=after.code).genuine is True
    settings.SEAL_RETIRED_PUBLIC_KEYS = {}
    assert verify_seal(code=before.code).genuine is False


def test_anyone_with_the_public_key_can_check_the_signature_outside_the_portal():
    seal = sealed()
    seal.refresh_from_db()
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(seal_public_key()))
    # What an outside verifier rebuilds from the seal's published fields (audit.seals module docstring).
    fields = {
        "code": seal.code,
        "digest": seal.digest,
        "key_id": seal.key_id,
        "kind": seal.kind,
        "signed_at": seal.signed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "signer_id": None,
        "signer_label": "system",
        "subject": "loan-case:42",
    }
    signed = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    public.verify(base64.b64decode(seal.signature), signed)  # raises InvalidSignature if not


def test_a_revoked_seal_stays_genuine_but_is_no_longer_in_force_and_says_why():
    auditor = staff_user(username="auditor-1")
    seal = sealed()

    revoke_seal(code=seal.code, reason="贷款合同解除", actor=auditor)
    verdict = verify_seal(code=seal.code, digest=document_digest(CASE))

    assert (verdict.genuine, verdict.revoked, verdict.in_force) == (True, True, False)
    assert verdict.seal.revoke_reason == "贷款合同解除"
    with pytest.raises(SealAlreadyRevoked):
        revoke_seal(code=seal.code, reason="again", actor=auditor)


def test_sealing_and_revoking_each_write_an_audit_event():
    seal = sealed()
    revoke_seal(code=seal.code, reason="issued in error", actor=staff_user(username="auditor-2"))

    actions = list(
        AuditEvent.objects.filter(target_id=str(seal.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )

    assert actions == ["audit.seal", "audit.seal_revoked"]


def test_a_code_is_found_however_it_was_typed_and_an_unknown_one_is_refused():
    seal = sealed()
    typed = f"{seal.code[:4].lower()} {seal.code[4:8]}-{seal.code[8:]}".replace("0", "o").replace("1", "l")

    assert normalise_code(typed) == seal.code
    assert verify_seal(code=typed).seal == seal
    with pytest.raises(SealNotFound):
        verify_seal(code="NOSUCHCODE00")


def test_codes_are_twelve_characters_without_look_alike_letters():
    codes = {sealed().code for _ in range(20)}

    assert len(codes) == 20
    assert all(len(code) == 12 and not set(code) & set("ILOU") for code in codes)


def test_sealing_needs_the_callers_transaction():
    saved = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(NoOpenTransaction):
            seal_document(kind="X", subject="s", digest=document_digest("x"), signer=None)
    finally:
        connection.in_atomic_block = saved


def test_production_refuses_to_start_with_the_development_seal_key():
    env = production_env()
    env.pop("SEAL_SIGNING_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "SEAL_SIGNING_KEY must be set" in result.stderr
