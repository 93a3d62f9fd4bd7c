"""Certificates on the web: a person issues and downloads their own in the hall, anyone checks one
on the public page its QR code opens, and a section chief revokes one."""

import pytest
from django.urls import reverse

from accounts import roles
from accounts.roles import ensure_roles
from audit.models import AuditEvent, ElectronicSeal
from audit.seals import revoke_seal
from core.crypto import mask_id_number
from deposits.models import CertificatePurpose, DepositCertificate
from tests.approvals.factories import staff_user
from tests.core.pdf_reading import texts
from tests.deposits.factories_certificate import depositor, issued
from tests.loans.test_certificate import settled_loan

pytestmark = pytest.mark.django_db

CHINESE = {"accept-language": "zh-hans"}
ENGLISH = {"accept-language": "en"}
HALL = reverse("web:hall-certificates")


def download_url(certificate) -> str:
    return reverse("web:hall-deposit-certificate", args=[certificate.pk])


def check_page(client, code: str, headers=ENGLISH):
    return client.get(reverse("web:certificate", args=[code]), headers=headers)


def section_chief():
    user = staff_user(username="chief")
    user.groups.add(ensure_roles()[roles.STAFF_SECTION_CHIEF])
    return user


class TestHallPage:
    def test_issues_a_deposit_certificate_for_the_purpose_chosen_and_audits_it(self, client):
        account = depositor()
        client.force_login(account.person.user)

        response = client.post(HALL, {"purpose": CertificatePurpose.RENT}, headers=ENGLISH)

        assert response.status_code == 302 and response["Location"] == HALL
        certificate = DepositCertificate.objects.get(person=account.person)
        assert certificate.purpose == CertificatePurpose.RENT
        assert AuditEvent.objects.filter(
            action="deposits.certificate_issued", actor=account.person.user
        ).exists()
        page = client.get(HALL, headers=ENGLISH).text
        assert f"Deposit certificate {certificate.seal.code} issued" in page
        assert download_url(certificate) in page

    def test_asks_again_when_no_purpose_was_chosen(self, client):
        account = depositor()
        client.force_login(account.person.user)

        response = client.post(HALL, {}, headers=ENGLISH)

        assert response.status_code == 400
        assert not DepositCertificate.objects.exists()

    def test_lists_only_the_person_s_own_certificates_with_the_loan_settled_ones(self, client):
        mine, theirs = issued(depositor()), issued(depositor(name="李四"))
        loan = settled_loan()
        issued(loan.application.applicant.fund_account)
        client.force_login(mine.person.user)

        page = client.get(HALL, headers=ENGLISH).text

        assert mine.seal.code in page and theirs.seal.code not in page
        assert loan.settlement_seal.code not in page
        client.force_login(loan.application.applicant.user)
        page = client.get(HALL, headers=ENGLISH).text
        assert loan.settlement_seal.code in page
        assert reverse("web:hall-loan-settled-certificate", args=[loan.application_id]) in page

    def test_offers_no_download_of_a_revoked_certificate(self, client):
        certificate = issued(depositor())
        revoke_seal(code=certificate.seal.code, reason="出具有误", actor=section_chief())
        client.force_login(certificate.person.user)

        page = client.get(HALL, headers=ENGLISH).text

        assert certificate.seal.code in page and "Revoked" in page
        assert download_url(certificate) not in page

    def test_is_reached_from_the_hall_navigation_in_chinese(self, client):
        account = depositor()
        client.force_login(account.person.user)

        home = client.get(reverse("web:hall-home"), headers=CHINESE).text

        assert f'href="{HALL}" id="nav-certificates">证明</a>' in home

    def test_is_for_employees_only(self, client):
        client.force_login(staff_user(username="clerk"))

        assert client.get(HALL).status_code == 403


class TestDownload:
    def test_the_holder_downloads_the_pdf_with_its_code_and_check_address_and_it_is_audited(self, client):
        certificate = issued(depositor())
        user = certificate.person.user
        client.force_login(user)

        response = client.get(download_url(certificate))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="deposit-certificate-{certificate.seal.code}.pdf"'
        )
        assert response["Cache-Control"] == "private, no-store"
        text = texts(response.content)
        assert certificate.seal.code in text
        assert f"http://testserver/certificates/{certificate.seal.code}/" in text
        assert AuditEvent.objects.filter(action="deposits.certificate_downloaded", actor=user).count() == 1

    def test_another_person_finds_nothing(self, client):
        certificate = issued(depositor())
        client.force_login(depositor(name="李四").person.user)

        response = client.get(download_url(certificate))

        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="deposits.certificate_downloaded").exists()

    def test_a_visitor_is_sent_to_log_in(self, client):
        certificate = issued(depositor())

        response = client.get(download_url(certificate))

        assert response.status_code == 302
        assert reverse("web:login") in response["Location"]

    def test_a_certificate_whose_record_changed_is_refused_with_the_reason(self, client):
        certificate = issued(depositor())
        DepositCertificate.objects.filter(pk=certificate.pk).update(
            content={**certificate.content, "balance_fen": 1}
        )
        client.force_login(certificate.person.user)

        response = client.get(download_url(certificate), headers=ENGLISH)

        assert response.status_code == 302 and response["Location"] == HALL
        assert "CERTIFICATE_NOT_IN_FORCE" in client.get(HALL, headers=ENGLISH).text

    def test_the_loan_settled_certificate_s_qr_code_opens_the_certificate_check(self, client):
        loan = settled_loan()
        client.force_login(loan.application.applicant.user)

        response = client.get(reverse("web:hall-loan-settled-certificate", args=[loan.application_id]))

        assert f"http://testserver/certificates/{loan.settlement_seal.code}/" in texts(response.content)


class TestPublicCheck:
    def test_a_genuine_certificate_shows_what_it_certifies_masked_and_nothing_more(self, client):
        account = depositor()
        certificate = issued(account)

        page = check_page(client, certificate.seal.code, headers=CHINESE)

        text = page.text
        assert page.status_code == 200
        assert 'data-status="GENUINE"' in text
        assert "张**" in text and mask_id_number(account.person.id_number) in text
        assert account.account_no in text and "14,400.00" in text
        assert account.person.id_number not in text
        assert "张三丰" not in text

    def test_says_genuine_in_words_in_english(self, client):
        certificate = issued(depositor())

        text = check_page(client, certificate.seal.code).text

        assert "Genuine certificate, in force" in text
        assert "Housing fund deposit certificate" in text

    def test_says_altered_and_repeats_nothing_once_the_stored_record_was_changed(self, client):
        certificate = issued(depositor())
        DepositCertificate.objects.filter(pk=certificate.pk).update(
            content={**certificate.content, "balance_fen": 99_000_000}
        )

        text = check_page(client, certificate.seal.code).text

        assert 'data-status="ALTERED"' in text and "altered" in text
        assert "990,000.00" not in text and "What it certifies" not in text

    def test_says_altered_once_the_seal_s_digest_was_changed(self, client):
        certificate = issued(depositor())
        ElectronicSeal.objects.filter(pk=certificate.seal.pk).update(digest="0" * 64)

        text = check_page(client, certificate.seal.code).text

        assert 'data-status="ALTERED"' in text

    def test_says_revoked_with_the_reason(self, client):
        certificate = issued(depositor())
        revoke_seal(code=certificate.seal.code, reason="出具有误", actor=section_chief())

        text = check_page(client, certificate.seal.code).text

        assert 'data-status="REVOKED"' in text and "Genuine certificate, but revoked" in text
        assert "出具有误" in text

    def test_an_unknown_code_is_not_found(self, client):
        page = check_page(client, "NOSUCHCODE00")

        assert page.status_code == 404
        assert "No certificate has the verification code NOSUCHCODE00" in page.text

    def test_a_code_typed_with_spaces_and_look_alike_letters_finds_the_certificate(self, client):
        certificate = issued(depositor())
        typed = f"{certificate.seal.code[:4].lower()} {certificate.seal.code[4:]}".replace("0", "O")

        found = client.get(reverse("web:certificate-find"), {"code": typed})

        assert found.url == reverse("web:certificate", args=[certificate.seal.code])

    def test_a_loan_settled_certificate_is_checked_here_too(self, client):
        loan = settled_loan()
        borrower = loan.application.applicant

        text = check_page(client, loan.settlement_seal.code).text

        assert 'data-status="GENUINE"' in text
        assert loan.account_no in text and "2026-01-20" in text
        assert mask_id_number(borrower.id_number) in text and borrower.id_number not in text

    def test_a_loan_approval_seal_is_not_a_certificate(self, client):
        loan = settled_loan()

        page = check_page(client, loan.application.approval_seal.code)

        assert page.status_code == 404


class TestRevoke:
    def test_a_section_chief_revokes_a_certificate_and_its_check_then_says_so(self, client):
        certificate = issued(depositor())
        chief = section_chief()
        client.force_login(chief)

        response = client.post(
            reverse("web:staff-certificate-revoke"),
            {"code": certificate.seal.code.lower(), "reason": "单位申报有误"},
        )

        assert response.status_code == 302
        assert response["Location"] == reverse("web:certificate", args=[certificate.seal.code])
        assert 'data-status="REVOKED"' in check_page(client, certificate.seal.code).text
        assert AuditEvent.objects.filter(action="audit.seal_revoked", actor=chief).exists()

    def test_the_check_page_offers_the_chief_the_revocation(self, client):
        certificate = issued(depositor())
        client.force_login(section_chief())

        text = check_page(client, certificate.seal.code).text

        assert f"{reverse('web:staff-certificate-revoke')}?code={certificate.seal.code}" in text

    def test_refuses_a_code_that_is_no_certificate(self, client):
        loan = settled_loan()
        client.force_login(section_chief())

        response = client.post(
            reverse("web:staff-certificate-revoke"),
            {"code": loan.application.approval_seal.code, "reason": "试一下"},
            headers=ENGLISH,
        )

        assert response.status_code == 400
        assert "No certificate has the verification code" in response.text
        assert not ElectronicSeal.objects.filter(revoked_at__isnull=False).exists()

    def test_refuses_a_certificate_revoked_before(self, client):
        certificate = issued(depositor())
        client.force_login(section_chief())
        form = {"code": certificate.seal.code, "reason": "出具有误"}
        client.post(reverse("web:staff-certificate-revoke"), form)

        response = client.post(reverse("web:staff-certificate-revoke"), form, headers=ENGLISH)

        assert response.status_code == 400
        assert "revoked before" in response.text

    def test_a_clerk_may_not(self, client):
        client.force_login(staff_user(username="clerk"))

        assert client.get(reverse("web:staff-certificate-revoke")).status_code == 403
