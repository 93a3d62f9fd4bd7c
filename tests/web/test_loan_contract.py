"""The contract PDF, the staff's sign-and-disburse pages and the borrower's loan account page."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts import roles
from audit.models import AuditEvent
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank
from loans.contract_terms import contract_no
from loans.disbursement import disburse_loan
from loans.models import LoanApplication, LoanStatus
from payouts.models import Payout, PayoutStatus
from tests.loans.factories_approval import LoanApplicationFactory, clerk, staff
from tests.loans.test_disbursement import SELLER_ACCOUNT, approved_loan, borrower, settle, signed_loan

pytestmark = pytest.mark.django_db

TODAY = "2026-11-26 10:00:00+08:00"
ENGLISH = {"accept-language": "en"}
CHINESE = {"accept-language": "zh-hans"}


@pytest.fixture(autouse=True)
def payment_bank():
    with use_payment_bank(FakePaymentBank(settle_at_once=False)) as fake:
        yield fake


def disbursed_loan(capture, **fields) -> LoanApplication:
    loan = signed_loan(term_months=24, **fields)
    with capture(execute=True):
        account = disburse_loan(loan_id=loan.pk)
    with capture(execute=True):
        settle(account.payout, paid=True)
    return LoanApplication.objects.get(pk=loan.pk)


def failed_loan(capture) -> LoanApplication:
    loan = signed_loan(term_months=24)
    with capture(execute=True):
        account = disburse_loan(loan_id=loan.pk)
    with capture(execute=True):
        settle(account.payout, paid=False, failure_code="ACCOUNT_FROZEN")
    return LoanApplication.objects.get(pk=loan.pk)


@freeze_time(TODAY)
class TestContractDownload:
    def test_the_applicant_downloads_the_pdf_named_by_the_contract_number(self, client):
        loan = approved_loan(term_months=24)
        client.force_login(loan.applicant.user)

        response = client.get(reverse("web:loan-contract-pdf", args=[loan.pk]))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="loan-contract-{contract_no(loan)}.pdf"'
        )
        assert response.content.startswith(b"%PDF")
        assert not AuditEvent.objects.filter(action="loans.contract_downloaded").exists()

    def test_the_co_borrower_downloads_it_too(self, client):
        loan = approved_loan(term_months=24, co_borrower=borrower())
        client.force_login(loan.co_borrower.user)

        response = client.get(reverse("web:loan-contract-pdf", args=[loan.pk]))

        assert response.status_code == 200

    def test_a_download_by_staff_is_audited(self, client):
        loan = approved_loan(term_months=24)
        officer = clerk()
        client.force_login(officer)

        response = client.get(reverse("web:loan-contract-pdf", args=[loan.pk]))

        assert response.status_code == 200
        assert AuditEvent.objects.filter(action="loans.contract_downloaded", actor=officer).count() == 1

    def test_anybody_else_finds_nothing(self, client):
        loan = approved_loan(term_months=24)
        client.force_login(borrower().user)

        response = client.get(reverse("web:loan-contract-pdf", args=[loan.pk]))

        assert response.status_code == 404

    def test_a_visitor_is_sent_to_log_in(self, client):
        loan = approved_loan(term_months=24)

        response = client.get(reverse("web:loan-contract-pdf", args=[loan.pk]))

        assert response.status_code == 302
        assert reverse("web:login") in response["Location"]

    def test_there_is_no_contract_before_the_approval(self, client):
        loan = LoanApplicationFactory(applicant=borrower())
        client.force_login(loan.applicant.user)

        response = client.get(reverse("web:loan-contract-pdf", args=[loan.pk]))

        assert response.status_code == 404


@freeze_time(TODAY)
class TestStaffContractPage:
    def test_shows_the_contract_and_the_signing_button_in_chinese(self, client):
        loan = approved_loan(term_months=24)
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-contract", args=[loan.pk]), headers=CHINESE)

        text = response.content.decode()
        assert response.status_code == 200
        assert "登记签约并放款" in text
        assert contract_no(loan) in text
        assert "核验通过" in text
        assert "申请人尚未预约。" in text
        assert SELLER_ACCOUNT not in text
        assert SELLER_ACCOUNT[-4:] in text

    def test_shows_it_in_english_when_asked(self, client):
        loan = approved_loan(term_months=24)
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-contract", args=[loan.pk]), headers=ENGLISH)

        text = response.content.decode()
        assert "Record the signing and disburse" in text
        assert "Download the contract (PDF)" in text

    def test_records_the_signing_and_shows_the_payment_sent(self, client, django_capture_on_commit_callbacks):
        loan = approved_loan(term_months=24)
        officer = clerk()
        client.force_login(officer)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("web:staff-loan-contract-sign", args=[loan.pk]), headers=ENGLISH)
        page = client.get(reverse("web:staff-loan-contract", args=[loan.pk]), headers=ENGLISH)

        loan.refresh_from_db()
        assert response.status_code == 302
        assert (loan.status, loan.signed_by) == (LoanStatus.SIGNED, officer)
        assert Payout.objects.get().status == PayoutStatus.SENT
        text = page.content.decode()
        assert "Sent to the bank" in text
        assert 'id="sign-contract"' not in text
        assert 'id="retry-disbursement"' not in text

    def test_shows_a_refusal_without_signing(self, client):
        loan = approved_loan(term_months=24)
        LoanApplication.objects.filter(pk=loan.pk).update(amount=loan.amount + 100)
        client.force_login(clerk())

        response = client.post(
            reverse("web:staff-loan-contract-sign", args=[loan.pk]), headers=ENGLISH, follow=True
        )

        assert "APPROVAL_SEAL_INVALID" in response.content.decode()
        assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.APPROVED

    def test_a_failed_payment_offers_a_retry_that_pays_again(
        self, client, django_capture_on_commit_callbacks
    ):
        loan = failed_loan(django_capture_on_commit_callbacks)
        client.force_login(clerk())
        page = client.get(reverse("web:staff-loan-contract", args=[loan.pk]), headers=CHINESE)

        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("web:staff-loan-contract-disburse", args=[loan.pk]))

        text = page.content.decode()
        assert 'id="retry-disbursement"' in text
        assert "ACCOUNT_FROZEN" in text
        assert "放款失败" in text
        assert Payout.objects.filter(source_ref=f"loan-disbursement:{loan.pk}:2").exists()

    def test_the_auditor_reads_but_may_not_sign(self, client):
        loan = approved_loan(term_months=24)
        client.force_login(staff(roles.STAFF_AUDITOR))

        page = client.get(reverse("web:staff-loan-contract", args=[loan.pk]), headers=ENGLISH)
        response = client.post(reverse("web:staff-loan-contract-sign", args=[loan.pk]))

        assert page.status_code == 200
        assert 'id="sign-contract"' not in page.content.decode()
        assert response.status_code == 302
        assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.APPROVED

    def test_is_closed_to_employees(self, client):
        loan = approved_loan(term_months=24)
        client.force_login(loan.applicant.user)

        response = client.get(reverse("web:staff-loan-contract", args=[loan.pk]))

        assert response.status_code == 403

    def test_lists_the_cases_to_sign(self, client):
        loan = approved_loan(term_months=24)
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-contracts"), headers=CHINESE)

        text = response.content.decode()
        assert reverse("web:staff-loan-contract", args=[loan.pk]) in text
        assert "待签约及放款的贷款" in text


@freeze_time(TODAY)
class TestLoanAccountPage:
    def test_lists_every_instalment_in_chinese(self, client, django_capture_on_commit_callbacks):
        loan = disbursed_loan(django_capture_on_commit_callbacks)
        client.force_login(loan.applicant.user)

        response = client.get(reverse("web:hall-loan-account", args=[loan.pk]), headers=CHINESE)

        text = response.content.decode()
        assert response.status_code == 200
        assert "我的贷款账户" in text
        assert "300,000.00" in text  # the principal owed
        assert text.count("<td>2026-12-26</td>") == 1
        assert "<td>2028-11-26</td>" in text
        assert response.context["instalments"][-1].period == 24
        assert reverse("web:loan-contract-pdf", args=[loan.pk]) in text

    def test_reads_in_english_when_asked(self, client, django_capture_on_commit_callbacks):
        loan = disbursed_loan(django_capture_on_commit_callbacks, co_borrower=borrower())
        client.force_login(loan.co_borrower.user)

        response = client.get(reverse("web:hall-loan-account", args=[loan.pk]), headers=ENGLISH)

        text = response.content.decode()
        assert "My loan account" in text
        assert "Principal remaining (yuan)" in text
        assert "repaid on day 26 of each month" in text

    def test_says_when_the_loan_is_not_paid_yet(self, client):
        loan = signed_loan(term_months=24)
        client.force_login(loan.applicant.user)

        response = client.get(reverse("web:hall-loan-account", args=[loan.pk]), headers=ENGLISH)

        text = response.content.decode()
        assert 'id="not-disbursed"' in text
        assert 'id="instalments"' not in text

    def test_nobody_else_sees_it(self, client, django_capture_on_commit_callbacks):
        loan = disbursed_loan(django_capture_on_commit_callbacks)
        client.force_login(borrower().user)

        response = client.get(reverse("web:hall-loan-account", args=[loan.pk]))

        assert response.status_code == 404


@freeze_time(TODAY)
class TestLinksFromTheLoanPage:
    def test_an_approved_loan_offers_the_contract_but_no_account_yet(self, client):
        loan = approved_loan(term_months=24)
        client.force_login(loan.applicant.user)

        page = client.get(
            reverse("web:hall-loan", args=[loan.pk]), headers={"accept-language": "en"}
        ).content.decode()

        assert reverse("web:loan-contract-pdf", args=[loan.pk]) in page
        assert reverse("web:hall-loan-account", args=[loan.pk]) not in page

    def test_a_disbursed_loan_offers_the_contract_and_the_loan_account(
        self, client, django_capture_on_commit_callbacks
    ):
        loan = disbursed_loan(django_capture_on_commit_callbacks)
        client.force_login(loan.applicant.user)

        page = client.get(
            reverse("web:hall-loan", args=[loan.pk]), headers={"accept-language": "en"}
        ).content.decode()

        assert reverse("web:loan-contract-pdf", args=[loan.pk]) in page
        assert reverse("web:hall-loan-account", args=[loan.pk]) in page

    def test_staff_reach_signing_from_the_approval_case(self, client):
        loan = approved_loan(term_months=24)
        client.force_login(clerk())

        page = client.get(
            reverse("web:staff-loan-case", args=[loan.pk]), headers={"accept-language": "en"}
        ).content.decode()

        assert reverse("web:staff-loan-contract", args=[loan.pk]) in page
