"""``GET /certificates/{code}``: a bank or a landlord checks a deposit or loan-settled certificate
without logging in, and sees what it certifies masked."""

from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from audit.models import ElectronicSeal
from audit.seals import revoke_seal
from core.crypto import mask_id_number, mask_name
from deposits.models import DepositCertificate
from loans.models import LoanAccount
from tests.approvals.factories import staff_user
from tests.deposits.factories_certificate import depositor, issued
from tests.loans.test_certificate import settled_loan

pytestmark = pytest.mark.django_db


def checked(code: str, **headers):
    return APIClient().get(reverse("api:certificate", args=[code]), headers=headers or None)


@pytest.fixture
def certificate() -> DepositCertificate:
    with freeze_time("2026-03-20 10:15:00+08:00"):
        return issued(depositor())


class TestDepositCertificate:
    def test_a_genuine_one_says_what_it_certifies_masked_as_of_its_issue_date(self, certificate):
        account = certificate.account

        response = checked(certificate.seal.code)

        assert response.status_code == 200
        body = response.json()
        assert (body["code"], body["kind"], body["status"]) == (
            certificate.seal.code,
            "DEPOSIT_CERTIFICATE",
            "GENUINE",
        )
        assert (body["signer"], body["issued_at"]) == (
            "住房公积金管理中心缴存证明专用章",
            "2026-03-20T10:15:00+08:00",
        )
        assert (body["revoked_at"], body["revoke_reason"]) == (None, "")
        assert body["certifies"] == {
            "holder": "张**",
            "holder_id": mask_id_number(account.person.id_number),
            "account_no": account.account_no,
            "employer": account.employer.name,
            "balance": "14400.00",
            "months_deposited": 6,
            "continuous_months": 4,
            "paid_up_to": "2026-03",
            "as_of": "2026-03-20",
        }
        assert account.person.id_number not in response.content.decode()

    def test_names_its_kind_in_the_request_language(self, certificate):
        chinese = checked(certificate.seal.code, **{"accept-language": "zh-hans"}).json()
        english = checked(certificate.seal.code, **{"accept-language": "en"}).json()

        assert (chinese["kind_label"], english["kind_label"]) == (
            "住房公积金缴存证明",
            "Housing fund deposit certificate (缴存证明)",
        )

    def test_is_altered_and_certifies_nothing_once_its_stored_record_was_changed(self, certificate):
        DepositCertificate.objects.filter(pk=certificate.pk).update(
            content={**certificate.content, "balance_fen": 99_000_000}
        )

        body = checked(certificate.seal.code).json()

        assert (body["status"], body["certifies"]) == ("ALTERED", None)

    def test_is_altered_once_the_seal_s_digest_was_changed(self, certificate):
        ElectronicSeal.objects.filter(pk=certificate.seal.pk).update(digest="0" * 64)

        body = checked(certificate.seal.code).json()

        assert (body["status"], body["certifies"]) == ("ALTERED", None)

    def test_is_revoked_with_the_reason_once_the_centre_withdrew_it(self, certificate):
        revoke_seal(code=certificate.seal.code, reason="单位申报有误", actor=staff_user(username="chief"))

        body = checked(certificate.seal.code).json()

        assert (body["status"], body["revoke_reason"]) == ("REVOKED", "单位申报有误")
        assert body["revoked_at"] is not None
        assert body["certifies"]["account_no"] == certificate.account.account_no

    def test_needs_no_login_even_with_a_bad_token(self, certificate):
        response = checked(certificate.seal.code, authorization="Bearer not-a-token")

        assert response.status_code == 200


class TestLoanSettledCertificate:
    def test_a_settled_loan_s_certificate_is_checked_here_too(self):
        loan = settled_loan()
        borrower = loan.application.applicant

        body = checked(loan.settlement_seal.code).json()

        assert (body["kind"], body["status"]) == ("LOAN_SETTLED", "GENUINE")
        assert body["certifies"] == {
            "holder": mask_name(borrower.name),
            "holder_id": mask_id_number(borrower.id_number),
            "account_no": loan.account_no,
            "settled_on": "2026-01-20",
        }

    def test_is_altered_once_the_loan_record_no_longer_says_it_was_settled_that_day(self):
        loan = settled_loan()
        LoanAccount.objects.filter(pk=loan.pk).update(settled_on=date(2026, 1, 21))

        body = checked(loan.settlement_seal.code).json()

        assert (body["status"], body["certifies"]) == ("ALTERED", None)


class TestNotFound:
    def test_an_unknown_code_is_404_in_the_error_shape(self):
        response = checked("NOSUCHCODE00", **{"accept-language": "en"})

        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
        assert response.json()["detail"] == "No certificate has the verification code NOSUCHCODE00."

    def test_a_loan_approval_seal_is_not_a_certificate(self):
        loan = settled_loan()

        response = checked(loan.application.approval_seal.code)

        assert response.status_code == 404
