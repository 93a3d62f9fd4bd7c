"""The public check of any certificate the centre issues, by its verification code.

A certificate is a sealed document whose seal is of a certificate kind: the deposit certificate
(``deposits.certificate``) or the loan-settled certificate (``loans.certificate``). The check
answers one of three words, for the API (``GET /certificates/{code}``) and the page the
certificate's QR code opens (``/certificates/<code>/``) alike:

- ``ALTERED`` — the seal's signature fails (its row was changed), or the centre's record no longer
  has the digest the seal signed (the certified content was changed);
- ``REVOKED`` — genuine, but the centre withdrew it (with the reason);
- ``GENUINE`` — signed by the centre, unchanged, in force.

What the certificate says is shown masked, and only while the record still matches the seal: a
changed record is not repeated as if the centre stood behind it. The module sits in the loans
layer because that is the lowest layer that sees both kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from audit.seals import SealNotFound, seal_kind_label, verify_seal
from deposits.certificate import DEPOSIT_CERTIFICATE_KIND, DepositCheck, deposit_check
from loans.certificate import SettledCheck, settled_check
from loans.loan_book import SETTLED_SEAL_KIND

CERTIFICATE_KINDS = (DEPOSIT_CERTIFICATE_KIND, SETTLED_SEAL_KIND)
GENUINE, ALTERED, REVOKED = "GENUINE", "ALTERED", "REVOKED"


@dataclass(frozen=True)
class CertificateCheck:
    code: str
    kind: str
    kind_label: str
    status: str
    signer: str
    issued_at: datetime
    revoked_at: datetime | None
    revoke_reason: str
    #: What it certifies, masked; None when the record no longer matches its seal.
    deposit: DepositCheck | None = None
    settled: SettledCheck | None = None

    @property
    def certifies(self) -> DepositCheck | SettledCheck | None:
        return self.deposit or self.settled

    @property
    def settled_on(self) -> date | None:
        return self.settled.settled_on if self.settled else None


def check_certificate(code: str) -> CertificateCheck:
    """The check of the certificate with verification ``code``; :class:`SealNotFound` when no
    certificate has it (a seal of another kind, such as a loan approval, is not a certificate)."""
    try:
        verdict = verify_seal(code=code)
    except SealNotFound:
        verdict = None
    if verdict is None or verdict.seal.kind not in CERTIFICATE_KINDS:
        raise SealNotFound(
            _("No certificate has the verification code %(code)s.") % {"code": code}, code="NOT_FOUND"
        )
    seal = verdict.seal
    what = deposit_check(seal) or settled_check(seal)
    matches = verdict.signature_valid and what is not None and what.matches
    if not verdict.signature_valid:
        status = ALTERED
    elif verdict.revoked:
        status = REVOKED
    elif not matches:
        status = ALTERED
    else:
        status = GENUINE
    return CertificateCheck(
        code=seal.code,
        kind=seal.kind,
        kind_label=seal_kind_label(seal.kind),
        status=status,
        signer=seal.signer_label,
        issued_at=seal.signed_at,
        revoked_at=seal.revoked_at,
        revoke_reason=seal.revoke_reason,
        deposit=what if matches and isinstance(what, DepositCheck) else None,
        settled=what if matches and isinstance(what, SettledCheck) else None,
    )
