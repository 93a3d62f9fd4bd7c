"""The deposit certificate: a sealed snapshot of the fund account, a Chinese PDF of exactly that,
and a check that tells whether the stored record still has the sealed digest."""

from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import AccountStatus, FundAccount
from audit.models import AuditEvent, ElectronicSeal
from audit.seals import document_digest, revoke_seal
from core.crypto import mask_id_number
from deposits.certificate import (
    DEPOSIT_CERTIFICATE_KIND,
    CertificateNotInForce,
    InvalidPurpose,
    NoFundAccount,
    continuous_months,
    deposit_certificate_pdf,
    deposit_check,
    issue_deposit_certificate,
)
from deposits.models import CertificatePurpose, DepositCertificate
from tests.accounts.factories import PersonFactory
from tests.approvals.factories import staff_user
from tests.core.pdf_reading import ink, one_page_as_png, texts
from tests.deposits.factories_certificate import deposit_in, depositor, issued

pytestmark = pytest.mark.django_db

VERIFY_URL = "https://gjj.example.gov.cn/certificates/CODE/"
ISSUE_TIME = "2026-03-20 10:15:00+08:00"


@freeze_time(ISSUE_TIME)
class TestIssueDepositCertificate:
    def test_certifies_the_account_as_it_stands_on_the_issue_date(self):
        account = depositor()

        certificate = issued(account)

        record = certificate.content
        assert certificate.issued_on == date(2026, 3, 20)
        assert (record["account_no"], record["name"]) == (account.account_no, "张三丰")
        assert record["id_number"] == mask_id_number(account.person.id_number)
        assert (record["employer"], record["unit_account_no"]) == (
            account.employer.name,
            account.employer.unit_account_no,
        )
        assert (record["opened_on"], record["status"]) == ("2025-09-01", AccountStatus.NORMAL)
        assert (record["base_fen"], record["employer_part_fen"], record["employee_part_fen"]) == (
            1_000_000,
            120_000,
            120_000,
        )
        assert record["balance_fen"] == 6 * 240_000
        assert (record["purpose"], record["issued_on"]) == (CertificatePurpose.LOAN, "2026-03-20")

    def test_counts_the_months_deposited_and_the_run_up_to_the_last_month_paid(self):
        account = depositor()

        record = issued(account).content

        # Six months with a 汇缴 or 补缴; 2025-11 was missed, so the run is 2025-12 to 2026-03.
        assert (record["months_deposited"], record["continuous_months"], record["paid_up_to"]) == (
            6,
            4,
            "2026-03",
        )

    def test_seals_the_digest_of_exactly_the_stored_record(self):
        account = depositor()

        certificate = issued(account)

        seal = certificate.seal
        assert (seal.kind, seal.subject) == (DEPOSIT_CERTIFICATE_KIND, f"fund-account:{account.pk}")
        assert seal.signer is None and seal.signer_label == "住房公积金管理中心缴存证明专用章"
        certificate.refresh_from_db()
        assert document_digest(certificate.content) == seal.digest

    def test_issues_a_new_certificate_with_its_own_code_each_time(self):
        account = depositor()
        first = issued(account)

        with freeze_time("2026-04-20 10:00:00+08:00"):
            deposit_in(account, date(2026, 4, 1))
            second = issued(account, purpose=CertificatePurpose.RENT)

        assert first.seal.code != second.seal.code
        assert (first.content["balance_fen"], second.content["balance_fen"]) == (6 * 240_000, 7 * 240_000)
        assert first.content["paid_up_to"] == "2026-03"
        assert DepositCertificate.objects.filter(person=account.person).count() == 2

    def test_is_audited_with_its_holder_as_the_actor(self):
        account = depositor()

        certificate = issued(account)

        event = AuditEvent.objects.get(action="deposits.certificate_issued")
        assert event.actor == account.person.user
        assert certificate.seal.code in event.summary and "用于贷款" in event.summary

    def test_prints_no_monthly_deposit_for_a_sealed_account(self):
        account = depositor()
        FundAccount.objects.filter(pk=account.pk).update(
            status=AccountStatus.SEALED, sealed_on=date(2026, 3, 5)
        )

        record = issued(account).content

        assert record["status"] == AccountStatus.SEALED
        assert (record["employer_part_fen"], record["employee_part_fen"]) == (0, 0)
        assert record["balance_fen"] == 6 * 240_000

    def test_certifies_a_new_account_with_nothing_paid_yet(self):
        account = depositor(history=())

        record = issued(account).content

        assert (record["months_deposited"], record["continuous_months"], record["paid_up_to"]) == (0, 0, "")

    def test_is_refused_to_a_person_without_a_fund_account(self):
        person = PersonFactory()

        with pytest.raises(NoFundAccount) as refusal:
            issue_deposit_certificate(person=person, purpose=CertificatePurpose.OTHER, actor=None)

        assert refusal.value.code == "NO_FUND_ACCOUNT"
        assert not ElectronicSeal.objects.exists()

    def test_is_refused_for_a_purpose_it_does_not_know(self):
        account = depositor()

        with pytest.raises(InvalidPurpose):
            issue_deposit_certificate(person=account.person, purpose="HOLIDAY", actor=None)

        assert not DepositCertificate.objects.exists()


class TestContinuousMonths:
    @pytest.mark.parametrize(
        ("months", "run"),
        [
            ((), 0),
            (((2026, 3),), 1),
            (((2025, 11), (2025, 12), (2026, 1)), 3),
            (((2025, 10), (2025, 12), (2026, 1)), 2),
        ],
    )
    def test_runs_back_from_the_latest_month_across_the_turn_of_the_year(self, months, run):
        assert continuous_months(frozenset(date(year, month, 1) for year, month in months)) == run


@freeze_time(ISSUE_TIME)
class TestDepositCertificatePdf:
    def test_prints_every_certified_value_with_its_code_signer_purpose_and_address(self):
        account = depositor()
        certificate = issued(account)

        # Lines joined: the statement wraps wherever the page width falls.
        text = texts(deposit_certificate_pdf(certificate, verify_url=VERIFY_URL)).replace("\r\n", "")

        for expected in (
            "住房公积金缴存证明",
            "张三丰",
            mask_id_number(account.person.id_number),
            account.account_no,
            account.employer.name,
            "2025年9月1日",
            "正常",
            "10,000.00 元",
            "2,400.00 元（单位1,200.00 元，个人1,200.00 元）",
            "账户余额14,400.00元",
            "累计缴存6个月",
            "截至2026年3月连续缴存4个月",
            "本证明用于：贷款",
            "2026年3月20日",
            certificate.seal.code,
            "住房公积金管理中心缴存证明专用章",
            "2026-03-20 10:15",
            VERIFY_URL,
        ):
            assert expected in text, expected
        assert account.person.id_number not in text

    def test_renders_to_an_image_with_the_chinese_text_drawn_and_its_font_embedded(self):
        certificate = issued(depositor())

        pdf = deposit_certificate_pdf(certificate, verify_url=VERIFY_URL)

        assert b"/FontFile" in pdf and b"/Subtype /Image" in pdf  # the font and the QR code
        image = one_page_as_png(pdf)
        assert ink(image) > 20_000  # the text and the QR code were drawn
        # The title line, centred near the top, has ink: the Chinese glyphs were drawn, not blanks.
        assert ink(image, (300, 90, 900, 140)) > 500

    def test_is_refused_once_its_seal_was_revoked(self):
        certificate = issued(depositor())
        revoke_seal(code=certificate.seal.code, reason="出具有误", actor=staff_user(username="chief"))
        certificate.seal.refresh_from_db()

        with pytest.raises(CertificateNotInForce):
            deposit_certificate_pdf(certificate, verify_url=VERIFY_URL)

    def test_is_refused_once_its_stored_record_was_changed(self):
        certificate = issued(depositor())
        DepositCertificate.objects.filter(pk=certificate.pk).update(
            content={**certificate.content, "balance_fen": 99_000_000}
        )
        certificate.refresh_from_db()

        with pytest.raises(CertificateNotInForce):
            deposit_certificate_pdf(certificate, verify_url=VERIFY_URL)


@freeze_time(ISSUE_TIME)
class TestDepositCheck:
    def test_shows_what_it_certifies_masked_and_that_the_record_matches(self):
        account = depositor()
        certificate = issued(account)

        check = deposit_check(certificate.seal)

        assert check.matches
        assert (check.holder, check.holder_id) == ("张**", mask_id_number(account.person.id_number))
        assert (check.account_no, check.balance, check.months_deposited, check.continuous_months) == (
            account.account_no,
            6 * 240_000,
            6,
            4,
        )
        assert (check.paid_up_to, check.issued_on) == ("2026-03", date(2026, 3, 20))

    def test_no_longer_matches_once_the_stored_record_was_changed(self):
        certificate = issued(depositor())
        DepositCertificate.objects.filter(pk=certificate.pk).update(
            content={**certificate.content, "months_deposited": 60}
        )

        assert deposit_check(certificate.seal).matches is False

    def test_has_nothing_to_say_about_a_seal_of_another_kind(self):
        certificate = issued(depositor())
        ElectronicSeal.objects.filter(pk=certificate.seal.pk).update(kind="LOAN_SETTLED")
        certificate.seal.refresh_from_db()

        assert deposit_check(certificate.seal) is None


class TestDepositCertificateAdmin:
    def test_staff_find_a_certificate_by_its_code_and_cannot_change_it(self, admin_client):
        certificate = issued(depositor())
        changelist = reverse("admin:deposits_depositcertificate_changelist")

        page = admin_client.get(changelist, {"q": certificate.seal.code})

        assert page.status_code == 200 and certificate.account.account_no in page.text
        change = reverse("admin:deposits_depositcertificate_change", args=[certificate.pk])
        assert admin_client.post(change, {"purpose": CertificatePurpose.OTHER}).status_code == 403
