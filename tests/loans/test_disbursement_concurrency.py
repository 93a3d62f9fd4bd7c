"""Disbursements raced on PostgreSQL: threads with their own connections, against committed data."""

import pytest

from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank
from ledger.models import JournalEntry
from ledger.selectors import balance_of
from loans.disbursement import disburse_loan
from loans.models import LoanAccount, LoanInstalment
from payouts.models import Payout
from tests.ledger.test_concurrency import race
from tests.loans.test_disbursement import signed_loan
from tests.policy import ensure_policy_parameters

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _parameters():
    ensure_policy_parameters()


@pytest.fixture(autouse=True)
def payment_bank():
    with use_payment_bank(FakePaymentBank(settle_at_once=False)) as fake:
        yield fake


class TestDisburseLoanConcurrently:
    def test_two_disbursements_of_one_loan_post_once_and_pay_once(self):
        loan = signed_loan(term_months=120)

        results, errors = race(2, lambda _i: disburse_loan(loan_id=loan.pk).pk)

        assert errors == []
        assert len(set(results)) == 1
        assert (
            JournalEntry.objects.filter(idempotency_key__startswith=f"loan-disbursement:{loan.pk}").count()
            == 1
        )
        assert Payout.objects.filter(source_ref__startswith=f"loan-disbursement:{loan.pk}").count() == 1
        account = LoanAccount.objects.get(application=loan)
        assert LoanInstalment.objects.filter(account=account).count() == 120
        assert balance_of(account.ledger_account) == loan.amount

    def test_two_loans_disbursed_at_once_are_both_paid(self):
        loans = [signed_loan(term_months=60), signed_loan(term_months=60)]

        results, errors = race(2, lambda i: disburse_loan(loan_id=loans[i].pk).application_id)

        assert errors == []
        assert sorted(results) == sorted(loan.pk for loan in loans)
        assert Payout.objects.filter(purpose="loan_disbursement").count() == 2
