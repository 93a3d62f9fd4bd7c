"""The deposit certificate (住房公积金缴存证明): a sealed snapshot of a person's fund account, its PDF,
and what its seal certifies on the public check.

Issuing (:func:`issue_deposit_certificate`) reads the account as it stands that day — holder,
unit, opening date, status, base and monthly deposit, balance, the months deposited here and the
run of months up to the last one paid — into a record, seals the record's digest
(``DEPOSIT_CERTIFICATE``) and keeps the record beside the seal. Each issue is a new certificate
with its own code: a certificate says what was true on its issue date and is not updated after.

The PDF prints exactly that record with the seal's code, signer, time and a QR code of the public
check, where anyone shown the paper sees whether the stored record still has the sealed digest
(:func:`deposit_check`). A certificate that would fail its own check is never handed out.

Months count as the loan and withdrawal rules count them (``accounts.selectors
.account_deposit_months``): the months with a 汇缴 or 补缴 posting at this centre. Deposit time
carried in from another city is not this centre's record and is not certified here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ACCOUNT_STATUS_RECORD_NAMES, FundAccount, Person
from accounts.selectors import account_deposit_months, current_monthly_parts
from audit.models import ElectronicSeal
from audit.seals import document_digest, seal_document, verify_seal
from audit.services import record_event
from core.crypto import mask_id_number, mask_name
from core.exceptions import DomainError
from core.pdf import ChineseDocument, chinese_date, yuan_text
from deposits.models import CertificatePurpose, DepositCertificate
from ledger.selectors import balance_of

DEPOSIT_CERTIFICATE_KIND = "DEPOSIT_CERTIFICATE"
#: Who seals a deposit certificate: the centre's seal, not the person who asked for it.
CERTIFICATE_SIGNER = "住房公积金管理中心缴存证明专用章"
CENTRE_NAME = "住房公积金管理中心"
TITLE = "住房公积金缴存证明"
#: The "用于" line as the certificate prints it, whatever language the request was in.
PURPOSE_TEXT = {
    CertificatePurpose.PURCHASE: "购房",
    CertificatePurpose.RENT: "租房",
    CertificatePurpose.LOAN: "贷款",
    CertificatePurpose.OTHER: "其他",
}


class NoFundAccount(DomainError):
    code = "NO_FUND_ACCOUNT"
    http_status = 409


class InvalidPurpose(DomainError):
    code = "INVALID_PURPOSE"


class CertificateNotInForce(DomainError):
    """The certificate's seal was revoked, or its stored record no longer has the sealed digest."""

    code = "CERTIFICATE_NOT_IN_FORCE"
    http_status = 409


# The record ---------------------------------------------------------------------------------------


def continuous_months(months: frozenset[date]) -> int:
    """How many months run without a gap back from the latest month in ``months`` (first days)."""
    if not months:
        return 0
    numbers = {month.year * 12 + month.month for month in months}
    latest = max(numbers)
    run = 0
    while latest - run in numbers:
        run += 1
    return run


def deposit_record(account: FundAccount, *, purpose: str, on: date) -> dict:
    """What a deposit certificate issued on ``on`` says, as sealed: the seal's digest is this record's.

    ID numbers are masked already here, as on the loan-settled certificate: the record is stored
    beside the seal, and the paper leaves the person's hands.
    """
    employer = account.employer
    employer_part, employee_part = current_monthly_parts(account)
    months = account_deposit_months(account)
    return {
        "certificate": TITLE,
        "account_no": account.account_no,
        "name": account.person.name,
        "id_number": mask_id_number(account.person.id_number),
        "employer": employer.name if employer else "",
        "unit_account_no": employer.unit_account_no if employer else "",
        "opened_on": account.opened_on.isoformat(),
        "status": account.status,
        "base_fen": account.base,
        "employer_part_fen": employer_part,
        "employee_part_fen": employee_part,
        "balance_fen": balance_of(account.ledger_account),
        "months_deposited": len(months),
        "continuous_months": continuous_months(months),
        "paid_up_to": f"{max(months):%Y-%m}" if months else "",
        "purpose": purpose,
        "issued_on": on.isoformat(),
    }


def issue_deposit_certificate(*, person: Person, purpose: str, actor) -> DepositCertificate:
    """Seal a deposit certificate of ``person``'s fund account as of today, for ``purpose``.

    Raises :class:`InvalidPurpose`, or :class:`NoFundAccount` when the person has no account.
    """
    if purpose not in CertificatePurpose.values:
        raise InvalidPurpose(_("Choose what the certificate is for."), field="purpose")
    with transaction.atomic(durable=True):
        account = (
            FundAccount.objects.select_related("person", "employer", "ledger_account")
            .filter(person=person)
            .first()
        )
        if account is None:
            raise NoFundAccount(_("You have no fund account, so there is nothing to certify."))
        on = timezone.localdate()
        record = deposit_record(account, purpose=purpose, on=on)
        seal = seal_document(
            kind=DEPOSIT_CERTIFICATE_KIND,
            subject=f"fund-account:{account.pk}",
            digest=document_digest(record),
            signer=None,
            signer_label=CERTIFICATE_SIGNER,
        )
        certificate = DepositCertificate.objects.create(
            person=person, account=account, seal=seal, purpose=purpose, issued_on=on, content=record
        )
        record_event(
            actor=actor,
            action="deposits.certificate_issued",
            target=certificate,
            summary=f"出具缴存证明 {seal.code}，个人账户 {account.account_no}，用于{PURPOSE_TEXT[purpose]}",
            data={"certificate": certificate.pk, "code": seal.code, "purpose": purpose},
        )
    return certificate


# The hall ---------------------------------------------------------------------------------------


def deposit_certificates_of(person: Person) -> list[DepositCertificate]:
    """The person's deposit certificates, the latest first."""
    return list(
        DepositCertificate.objects.select_related("seal").filter(person=person).order_by("-issued_on", "-pk")
    )


def deposit_certificate_of(person: Person, certificate_id: int) -> DepositCertificate | None:
    """The person's own certificate with this id, or None (another's is as good as none)."""
    return DepositCertificate.objects.select_related("seal").filter(person=person, pk=certificate_id).first()


def deposit_certificate_pdf(certificate: DepositCertificate, *, verify_url: str) -> bytes:
    """The certificate as a Chinese PDF; :class:`CertificateNotInForce` when it would fail its check."""
    seal = certificate.seal
    if not verify_seal(code=seal.code, digest=document_digest(certificate.content)).in_force:
        raise CertificateNotInForce(
            _("This deposit certificate cannot be downloaded: its seal no longer stands. Issue a new one.")
        )
    record = certificate.content
    issued_on = date.fromisoformat(record["issued_on"])
    opened_on = date.fromisoformat(record["opened_on"])
    balance = yuan_text(record["balance_fen"]).replace(" ", "")
    monthly = record["employer_part_fen"] + record["employee_part_fen"]
    status = ACCOUNT_STATUS_RECORD_NAMES.get(record["status"], record["status"])
    paid_up_to = _month_text(record["paid_up_to"])
    unit = f"，缴存单位{record['employer']}" if record["employer"] else ""

    document = ChineseDocument(title=TITLE, footer_note=f"核验码 {seal.code}")
    document.title_block(TITLE, subtitle=CENTRE_NAME)
    # No spaces in the sentence: the paragraph is justified, and a space would be stretched wide.
    document.paragraph(
        f"兹证明：{record['name']}（身份证号{record['id_number']}）于{chinese_date(opened_on)}"
        f"在本中心开立住房公积金个人账户（个人账号{record['account_no']}）{unit}。"
        f"截至{chinese_date(issued_on)}，账户状态为{status}，账户余额{balance}，"
        f"在本中心累计缴存{record['months_deposited']}个月，"
        f"截至{paid_up_to or '—'}连续缴存{record['continuous_months']}个月。"
    )
    document.paragraph(f"本证明用于：{PURPOSE_TEXT.get(record['purpose'], '其他')}。")
    document.paragraph("特此证明。")

    document.section("缴存信息")
    document.fields(
        [
            ("姓名", record["name"]),
            ("身份证号", record["id_number"]),
            ("个人账号", record["account_no"]),
            ("缴存单位", record["employer"] or "—"),
            ("单位账号", record["unit_account_no"] or "—"),
            ("开户日期", chinese_date(opened_on)),
            ("账户状态", status),
            ("缴存基数", yuan_text(record["base_fen"])),
            (
                "月缴存额",
                f"{yuan_text(monthly)}（单位{yuan_text(record['employer_part_fen'])}，"
                f"个人{yuan_text(record['employee_part_fen'])}）",
            ),
            ("账户余额", f"{yuan_text(record['balance_fen'])}（截至{chinese_date(issued_on)}）"),
            ("累计缴存月数", f"{record['months_deposited']}个月"),
            ("连续缴存月数", f"{record['continuous_months']}个月"),
            ("缴至年月", paid_up_to or "—"),
            ("出具日期", chinese_date(issued_on)),
        ]
    )

    document.verification_block(
        code=seal.code,
        signer=f"{seal.signer_label}（电子印章）",
        signed_at=f"{timezone.localtime(seal.signed_at):%Y-%m-%d %H:%M}",
        verify_url=verify_url,
        note=f"本证明反映{chinese_date(issued_on)}的账户情况，加盖中心电子印章。扫描二维码或在核验地址"
        "输入核验码，可核验印章真伪，并核对本证明所载内容与中心出具时的记录是否一致。",
    )
    return document.render()


def _month_text(month: str) -> str:
    """``2026-03`` → ``2026年3月``; empty when nothing was ever paid."""
    if not month:
        return ""
    year, number = month.split("-")
    return f"{int(year)}年{int(number)}月"


def record_deposit_certificate_download(*, certificate_id: int, actor) -> None:
    """A deposit certificate left the portal (it names the person and the balance): audited."""
    with transaction.atomic(durable=True):
        certificate = DepositCertificate.objects.select_related("seal").get(pk=certificate_id)
        record_event(
            actor=actor,
            action="deposits.certificate_downloaded",
            target=certificate,
            summary=f"下载缴存证明 {certificate.seal.code}",
            data={"certificate": certificate.pk, "code": certificate.seal.code},
        )


# The public check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepositCheck:
    """What a DEPOSIT_CERTIFICATE seal certifies, masked for a public page, and whether it still matches."""

    account_no: str
    holder: str
    holder_id: str
    employer: str
    balance: int
    months_deposited: int
    continuous_months: int
    paid_up_to: str
    purpose: str
    issued_on: date | None
    #: The stored record has the digest the seal signed.
    matches: bool


def deposit_check(seal: ElectronicSeal) -> DepositCheck | None:
    """For a DEPOSIT_CERTIFICATE seal: what it certifies (masked) and whether it still matches; else None."""
    if seal.kind != DEPOSIT_CERTIFICATE_KIND:
        return None
    certificate = DepositCertificate.objects.filter(seal=seal).first()
    if certificate is None:
        return DepositCheck("", "", "", "", 0, 0, 0, "", "", None, matches=False)
    record = certificate.content
    return DepositCheck(
        account_no=record.get("account_no", ""),
        holder=mask_name(record.get("name", "")),
        # Masked again: the record holds a masked number, and a public page never shows more.
        holder_id=mask_id_number(record.get("id_number", "")),
        employer=record.get("employer", ""),
        balance=record.get("balance_fen", 0),
        months_deposited=record.get("months_deposited", 0),
        continuous_months=record.get("continuous_months", 0),
        paid_up_to=record.get("paid_up_to", ""),
        purpose=record.get("purpose", ""),
        issued_on=certificate.issued_on,
        matches=document_digest(record) == seal.digest,
    )
