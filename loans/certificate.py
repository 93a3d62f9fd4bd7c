"""The loan-settled certificate (住房公积金贷款结清证明): the borrower's PDF, and what its seal certifies.

When a loan is repaid, :func:`loans.loan_book.close_account` seals the record
:func:`loans.loan_book.settled_record` (``LOAN_SETTLED``). The certificate prints exactly that
record — nothing the seal does not cover — with the seal's verification code, its signer and time
and a QR code of the public verification address, so whoever is shown the paper (a bank, the
property register) can check both that the seal is the centre's and that the centre's loan record
still says what the paper says (:func:`settled_check`).

A certificate is issued only for a SETTLED account whose seal is in force and still matches the
record: a paper that would fail its own check is never handed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import ElectronicSeal
from audit.seals import verify_seal
from audit.services import record_event
from core.crypto import mask_id_number, mask_name
from core.exceptions import DomainError
from core.pdf import ChineseDocument, chinese_date, yuan_text
from loans.loan_book import SETTLED_SEAL_KIND, settled_digest, settled_record
from loans.models import LoanAccount, LoanAccountStatus, LoanApplication

CENTRE_NAME = "住房公积金管理中心"
TITLE = "住房公积金贷款结清证明"


class LoanNotSettled(DomainError):
    code = "LOAN_NOT_SETTLED"
    http_status = 409


class CertificateNotInForce(DomainError):
    """The settlement seal was revoked, or the loan record no longer matches what it sealed."""

    code = "CERTIFICATE_NOT_IN_FORCE"
    http_status = 409


def _signer_text(seal: ElectronicSeal) -> str:
    # No person seals a settlement (the last payment closes the loan): the label names the seal.
    return f"{seal.signer_label}（电子印章）"


@dataclass(frozen=True)
class SettledCertificate:
    """What the certificate prints: the sealed record and its seal."""

    record: dict
    seal_code: str
    signer: str
    signed_at: str
    verify_url: str

    @property
    def opened_on(self) -> date:
        return date.fromisoformat(self.record["opened_on"])

    @property
    def settled_on(self) -> date:
        return date.fromisoformat(self.record["settled_on"])


def settled_certificate(account: LoanAccount, *, verify_url: str) -> SettledCertificate:
    """The certificate of a SETTLED ``account``; ``verify_url`` is where its code is checked.

    Raises :class:`LoanNotSettled`, or :class:`CertificateNotInForce` when the seal was revoked or
    the record changed since it was sealed.
    """
    if account.status != LoanAccountStatus.SETTLED or account.settlement_seal_id is None:
        raise LoanNotSettled(_("This loan is not settled, so there is no loan-settled certificate."))
    seal = account.settlement_seal
    verdict = verify_seal(code=seal.code, digest=settled_digest(account))
    if not verdict.in_force:
        raise CertificateNotInForce(
            _("The loan-settled certificate cannot be issued: its seal no longer stands. Contact the centre.")
        )
    return SettledCertificate(
        record=settled_record(account),
        seal_code=seal.code,
        signer=_signer_text(seal),
        signed_at=f"{timezone.localtime(seal.signed_at):%Y-%m-%d %H:%M}",
        verify_url=verify_url,
    )


def settled_certificate_pdf(account: LoanAccount, *, verify_url: str) -> bytes:
    """The loan-settled certificate of ``account``, a Chinese PDF; raises as :func:`settled_certificate`."""
    certificate = settled_certificate(account, verify_url=verify_url)
    record = certificate.record
    document = ChineseDocument(title=TITLE, footer_note=f"核验码 {certificate.seal_code}")
    document.title_block(TITLE, subtitle=CENTRE_NAME)
    # No spaces in the sentence: the paragraph is justified, and a space would be stretched wide.
    amount = yuan_text(record["principal_fen"]).replace(" ", "")
    borrowers = f"借款人{record['borrower']}（身份证号{record['borrower_id']}）"
    if record["co_borrower"]:
        borrowers += f"、共同借款人{record['co_borrower']}（身份证号{record['co_borrower_id']}）"
    document.paragraph(
        f"兹证明：{borrowers}于"
        f"{chinese_date(certificate.opened_on)}在本中心取得的住房公积金贷款{amount}"
        f"（借款合同编号{record['contract_no']}，贷款账户{record['account_no']}），"
        f"贷款本金和利息已于{chinese_date(certificate.settled_on)}全部还清，该笔贷款已结清。"
    )
    document.paragraph("特此证明。")

    document.section("贷款信息")
    document.fields(
        [
            ("借款人", record["borrower"]),
            ("身份证号", record["borrower_id"]),
            *(
                [("共同借款人", record["co_borrower"]), ("共同借款人身份证号", record["co_borrower_id"])]
                if record["co_borrower"]
                else []
            ),
            ("借款合同编号", record["contract_no"]),
            ("贷款账户", record["account_no"]),
            ("贷款金额", yuan_text(record["principal_fen"])),
            ("放款日期", chinese_date(certificate.opened_on)),
            ("结清日期", chinese_date(certificate.settled_on)),
        ]
    )

    document.verification_block(
        code=certificate.seal_code,
        signer=certificate.signer,
        signed_at=certificate.signed_at,
        verify_url=certificate.verify_url,
        note="本证明加盖中心电子印章。扫描二维码或在核验地址输入核验码，可核验印章真伪，"
        "并核对本证明所载内容与中心贷款记录是否一致。",
    )
    return document.render()


def settled_account_of(loan: LoanApplication) -> LoanAccount | None:
    """The loan's account with what its certificate prints, or None."""
    return (
        LoanAccount.objects.select_related("application__applicant", "settlement_seal")
        .filter(application=loan)
        .first()
    )


def settled_accounts_of(person) -> list[LoanAccount]:
    """The settled loans ``person`` borrowed or co-borrowed, the latest settled first: their certificates."""
    return list(
        LoanAccount.objects.select_related("settlement_seal")
        .filter(Q(application__applicant=person) | Q(application__co_borrower=person))
        .filter(status=LoanAccountStatus.SETTLED, settlement_seal__isnull=False)
        .order_by("-settled_on", "-pk")
    )


def record_certificate_download(*, account_id: int, actor) -> None:
    """A loan-settled certificate left the portal (it names the borrower): audited."""
    with transaction.atomic(durable=True):
        account = LoanAccount.objects.only("pk", "account_no").get(pk=account_id)
        record_event(
            actor=actor,
            action="loans.settled_certificate_downloaded",
            target=account,
            summary=f"下载贷款账户 {account.account_no} 结清证明",
            data={"account": account.pk},
        )


# The public check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettledCheck:
    """What a LOAN_SETTLED seal certifies, masked for a public page, and whether the record still says so."""

    account_no: str
    borrower: str
    borrower_id: str
    settled_on: date | None
    #: The loan record the seal names is still SETTLED and its digest is the sealed one.
    matches: bool


def settled_check(seal: ElectronicSeal) -> SettledCheck | None:
    """For a LOAN_SETTLED seal: the account it certifies and whether it still matches; else None."""
    if seal.kind != SETTLED_SEAL_KIND:
        return None
    account = (
        LoanAccount.objects.select_related("application__applicant").filter(settlement_seal=seal).first()
    )
    if account is None:
        return SettledCheck(account_no="", borrower="", borrower_id="", settled_on=None, matches=False)
    borrower = account.application.applicant
    settled = account.status == LoanAccountStatus.SETTLED and account.settled_on is not None
    matches = settled and bool(verify_seal(code=seal.code, digest=settled_digest(account)).document_matches)
    return SettledCheck(
        account_no=account.account_no,
        borrower=mask_name(borrower.name),
        borrower_id=mask_id_number(borrower.id_number),
        settled_on=account.settled_on,
        matches=matches,
    )
