"""The contract's terms read from a case: masked parties and account, the schedule, the seal."""

from datetime import date

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.crypto import mask_id_number
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank
from loans.contract import loan_contract_pdf
from loans.contract_terms import contract_no, contract_terms, may_read_contract, repayment_day_for
from loans.disbursement import disburse_loan
from loans.models import LoanApplication
from tests.accounts.factories import UserFactory
from tests.loans.factories_approval import LoanApplicationFactory, clerk
from tests.loans.test_disbursement import SELLER_ACCOUNT, SELLER_NAME, approved_loan, borrower, signed_loan

pytestmark = pytest.mark.django_db

TODAY = "2026-11-26 10:00:00+08:00"
VERIFY_URL = "https://portal.example/seals/ABC/"


@freeze_time(TODAY)
class TestContractTerms:
    def test_names_the_borrowers_with_masked_id_numbers(self):
        loan = approved_loan(co_borrower=borrower())

        terms = contract_terms(loan, verify_url=VERIFY_URL)

        assert terms.borrower.name == loan.applicant.name
        assert terms.borrower.masked_id_number == mask_id_number(loan.applicant.id_number)
        assert terms.co_borrower.masked_id_number == mask_id_number(loan.co_borrower.id_number)
        assert loan.applicant.id_number not in repr(terms)

    def test_masks_the_sellers_account(self):
        loan = approved_loan()

        terms = contract_terms(loan, verify_url=VERIFY_URL)

        assert (terms.seller_name, terms.masked_seller_account) == (SELLER_NAME, "6222 **** **** 0123")
        assert SELLER_ACCOUNT not in repr(terms)

    def test_carries_the_full_schedule_the_seal_and_where_to_check_it(self):
        loan = approved_loan()

        terms = contract_terms(loan, verify_url=VERIFY_URL)

        assert len(terms.schedule.instalments) == 240
        assert sum(row.principal for row in terms.schedule.instalments) == loan.amount
        assert (terms.seal_code, terms.verify_url) == (loan.approval_seal.code, VERIFY_URL)
        assert terms.contract_no == f"JK20261126{loan.pk:08d}"
        assert terms.co_borrower is None

    def test_states_the_signing_in_local_time_and_before_whom(self):
        loan = approved_loan()
        officer = clerk(first_name="小红", last_name="林")
        with freeze_time("2026-11-26 23:30:00+08:00"):
            LoanApplication.objects.filter(pk=loan.pk).update(
                status="SIGNED", signed_at=timezone.now(), signed_by=officer
            )

        terms = contract_terms(LoanApplication.objects.get(pk=loan.pk), verify_url=VERIFY_URL)

        assert (terms.signed_at.date(), terms.signed_before) == (date(2026, 11, 26), officer.get_full_name())
        assert terms.repayment_day == 26

    def test_takes_the_repayment_day_of_the_loan_account_once_disbursed(self):
        loan = signed_loan()
        with (
            use_payment_bank(FakePaymentBank(settle_at_once=False)),
            freeze_time("2026-12-30 10:00:00+08:00"),
        ):
            disburse_loan(loan_id=loan.pk)

        terms = contract_terms(loan, verify_url=VERIFY_URL)

        assert terms.repayment_day == 28

    def test_lays_out_as_a_pdf(self):
        loan = approved_loan(term_months=12)

        document = loan_contract_pdf(contract_terms(loan, verify_url=VERIFY_URL))

        assert document.startswith(b"%PDF")


class TestRepaymentDay:
    @pytest.mark.parametrize(("day", "expected"), [(1, 1), (28, 28), (29, 28), (31, 28)])
    def test_is_the_day_of_the_disbursement_at_most_the_28th(self, day, expected):
        assert repayment_day_for(date(2027, 1, day)) == expected


@freeze_time(TODAY)
class TestMayReadContract:
    def test_the_borrowers_and_staff_may(self):
        loan = approved_loan(co_borrower=borrower())

        assert may_read_contract(loan=loan, user=loan.applicant.user)
        assert may_read_contract(loan=loan, user=loan.co_borrower.user)
        assert may_read_contract(loan=loan, user=clerk())

    def test_nobody_else_may(self):
        loan = approved_loan()

        assert not may_read_contract(loan=loan, user=borrower().user)
        assert not may_read_contract(loan=loan, user=UserFactory())

    def test_nobody_may_before_the_approval(self):
        loan = LoanApplicationFactory(applicant=borrower())

        assert not may_read_contract(loan=loan, user=loan.applicant.user)
        assert contract_no(loan).startswith("JK")
