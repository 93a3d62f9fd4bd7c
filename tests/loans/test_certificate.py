"""The loan-settled certificate: a Chinese PDF of exactly what the seal covers, for the borrowers only,
and a public page that says whether the centre's record still matches it."""

from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time

from audit.models import AuditEvent
from audit.seals import revoke_seal
from core.crypto import mask_id_number
from loans.certificate import (
    CertificateNotInForce,
    LoanNotSettled,
    mask_name,
    settled_certificate_pdf,
)
from loans.contract_terms import contract_no
from loans.loan_book import settled_record
from loans.models import CollectionMode, LoanAccount
from loans.prepayment import settle
from tests.accounts.factories import PersonFactory
from tests.approvals.factories import staff_user
from tests.core.pdf_reading import ink, one_page_as_png, texts
from tests.loans.factories_repayment import repaying_loan
from tests.loans.test_disbursement import borrower

pytestmark = pytest.mark.django_db

SETTLED_ON = date(2026, 1, 20)
VERIFY_URL = "https://gjj.example.gov.cn/seals/CODE/"
CHINESE = {"accept-language": "zh-hans"}
ENGLISH = {"accept-language": "en"}


def settled_loan(**fields) -> LoanAccount:
    """A 120,000-yuan loan settled from the fund account on 2026-01-20."""
    account = repaying_loan(fund_balance=15_000_000, **fields)
    with freeze_time("2026-01-20 09:30:00+08:00"):
        settle(
            account_id=account.pk,
            channel=CollectionMode.FUND_OFFSET,
            actor=account.application.applicant.user,
            today=SETTLED_ON,
        )
    return LoanAccount.objects.select_related("application__applicant", "settlement_seal").get(pk=account.pk)


class TestSettledCertificatePdf:
    def test_prints_every_value_the_seal_covers_with_its_code_signer_and_time(self):
        account = settled_loan()
        record = settled_record(account)

        # Lines joined: the statement wraps wherever the page width falls.
        text = texts(settled_certificate_pdf(account, verify_url=VERIFY_URL)).replace("\r\n", "")

        seal = account.settlement_seal
        for expected in (
            "住房公积金管理中心",
            "住房公积金贷款结清证明",
            record["borrower"],
            record["borrower_id"],
            record["contract_no"],
            record["account_no"],
            "120,000.00 元",
            "2026年1月10日",
            "2026年1月20日",
            "贷款本金和利息已于2026年1月20日全部还清",
            seal.code,
            seal.signer_label,
            "2026-01-20 09:30",
            VERIFY_URL,
        ):
            assert expected in text, expected
        assert account.application.applicant.id_number not in text

    def test_discharges_the_co_borrower_too(self):
        account = settled_loan(co_borrower=PersonFactory(name="李共借"))
        record = settled_record(account)

        text = texts(settled_certificate_pdf(account, verify_url=VERIFY_URL)).replace("\r\n", "")

        assert (record["co_borrower"], record["co_borrower_id"][:4]) == ("李共借", "3502")
        assert "共同借款人李共借" in text
        assert record["co_borrower_id"] in text
        assert account.application.co_borrower.id_number not in text

    def test_renders_to_an_image_with_the_chinese_text_drawn_and_its_font_embedded(self):
        account = settled_loan()

        pdf = settled_certificate_pdf(account, verify_url=VERIFY_URL)

        assert b"/FontFile" in pdf
        image = one_page_as_png(pdf)
        assert ink(image) > 20_000  # the text and the QR code were drawn
        # The title line, centred near the top, has ink: the Chinese glyphs were drawn, not blanks.
        assert ink(image, (300, 90, 900, 140)) > 500

    def test_carries_a_qr_code_image(self):
        account = settled_loan()

        pdf = settled_certificate_pdf(account, verify_url=VERIFY_URL)

        assert b"/Subtype /Image" in pdf

    def test_is_refused_for_a_loan_still_repaying(self):
        account = repaying_loan()

        with pytest.raises(LoanNotSettled) as refusal:
            settled_certificate_pdf(account, verify_url=VERIFY_URL)

        assert refusal.value.code == "LOAN_NOT_SETTLED"

    def test_is_refused_when_the_record_no_longer_matches_its_seal(self):
        account = settled_loan()
        LoanAccount.objects.filter(pk=account.pk).update(principal=1_000_000)
        account.refresh_from_db()

        with pytest.raises(CertificateNotInForce):
            settled_certificate_pdf(account, verify_url=VERIFY_URL)

    def test_is_refused_when_its_seal_was_revoked(self):
        account = settled_loan()
        revoke_seal(
            code=account.settlement_seal.code, reason="结清撤销", actor=staff_user(username="auditor")
        )
        account.refresh_from_db()

        with pytest.raises(CertificateNotInForce):
            settled_certificate_pdf(account, verify_url=VERIFY_URL)


class TestMaskName:
    @pytest.mark.parametrize(
        ("name", "masked"), [("张三", "张*"), ("欧阳小明", "欧***"), ("王", "王"), ("", "")]
    )
    def test_shows_only_the_first_character(self, name, masked):
        assert mask_name(name) == masked


def certificate_url(account) -> str:
    return reverse("web:hall-loan-settled-certificate", args=[account.application_id])


class TestCertificateDownload:
    def test_the_borrower_downloads_it_as_an_attachment_and_the_download_is_audited(self, client):
        account = settled_loan()
        user = account.application.applicant.user
        client.force_login(user)

        response = client.get(certificate_url(account))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="loan-settled-certificate-{account.account_no}.pdf"'
        )
        assert response["Cache-Control"] == "private, no-store"
        text = texts(response.content)
        assert account.settlement_seal.code in text
        verify_url = f"http://testserver{reverse('web:certificate', args=[account.settlement_seal.code])}"
        assert verify_url in text
        assert (
            AuditEvent.objects.filter(action="loans.settled_certificate_downloaded", actor=user).count() == 1
        )

    def test_the_co_borrower_downloads_it_too(self, client):
        account = settled_loan(co_borrower=borrower())
        client.force_login(account.application.co_borrower.user)

        response = client.get(certificate_url(account))

        assert response.status_code == 200

    def test_anybody_else_finds_nothing(self, client):
        account = settled_loan()
        client.force_login(borrower().user)

        response = client.get(certificate_url(account))

        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="loans.settled_certificate_downloaded").exists()

    def test_staff_find_nothing_either(self, client):
        account = settled_loan()
        client.force_login(staff_user(username="clerk"))

        response = client.get(certificate_url(account))

        assert response.status_code == 404

    def test_a_visitor_is_sent_to_log_in(self, client):
        account = settled_loan()

        response = client.get(certificate_url(account))

        assert response.status_code == 302
        assert reverse("web:login") in response["Location"]

    def test_a_loan_still_repaying_has_none(self, client):
        account = repaying_loan()
        client.force_login(account.application.applicant.user)

        response = client.get(certificate_url(account))

        assert response.status_code == 404

    def test_a_certificate_whose_record_changed_is_refused_on_the_loan_page(self, client):
        account = settled_loan()
        LoanAccount.objects.filter(pk=account.pk).update(settled_on=date(2026, 1, 21))
        client.force_login(account.application.applicant.user)

        response = client.get(certificate_url(account), headers=ENGLISH)

        assert response.status_code == 302
        assert response["Location"] == reverse("web:hall-loan-account", args=[account.application_id])


class TestSealPage:
    def test_shows_what_a_settlement_seal_certifies_masked_and_that_the_record_matches(self, client):
        account = settled_loan()
        person = account.application.applicant

        page = client.get(reverse("web:seal", args=[account.settlement_seal.code]), headers=CHINESE)

        text = page.content.decode()
        assert page.status_code == 200
        assert "印章真实有效" in text
        assert account.account_no in text
        assert mask_name(person.name) in text and mask_id_number(person.id_number) in text
        assert person.id_number not in text
        assert "2026-01-20" in text
        assert "与本证明一致" in text

    def test_says_genuine_in_english(self, client):
        account = settled_loan()

        text = client.get(
            reverse("web:seal", args=[account.settlement_seal.code]), headers=ENGLISH
        ).content.decode()

        assert "Genuine and in force" in text
        assert "matches this certificate" in text

    def test_says_the_record_does_not_match_once_the_account_row_was_altered(self, client):
        account = settled_loan()
        LoanAccount.objects.filter(pk=account.pk).update(settled_on=date(2026, 1, 21))

        text = client.get(
            reverse("web:seal", args=[account.settlement_seal.code]), headers=ENGLISH
        ).content.decode()

        assert "does not match" in text
        assert "Genuine and in force" not in text
        assert "2026-01-21" in text

    def test_an_approval_seal_shows_no_loan_record(self, client):
        account = repaying_loan()
        code = account.application.approval_seal.code

        text = client.get(reverse("web:seal", args=[code]), headers=ENGLISH).content.decode()

        assert "Genuine and in force" in text
        assert "What it certifies" not in text
        assert contract_no(account.application) not in text
