"""委托按月还贷 for a loan of this centre's own book: offset from the fund account, nothing paid out."""

from datetime import date

import pytest
from freezegun import freeze_time

from audit.models import AuditEvent
from loans.collection import collect_instalment
from loans.models import CollectionMode, InstalmentStatus, LoanAccount
from payouts.models import Payout
from tests.loans.factories_repayment import repaying_loan
from tests.withdrawals.factories import approved
from withdrawals import selectors
from withdrawals.services import end_standing_instruction, pay_monthly_instalment, set_up_standing_instruction

pytestmark = pytest.mark.django_db


def monthly_for(account: LoanAccount):
    """An approved LOAN_REPAYMENT_MONTHLY application of the loan's borrower, set up."""
    with freeze_time("2026-01-20 09:00:00+08:00"):
        application = approved(account.application.applicant, "LOAN_REPAYMENT_MONTHLY", amount_limit=None)
        return set_up_standing_instruction(application_id=application.pk)


class TestInstructionForABookedLoan:
    def test_switches_the_loan_to_fund_offset_without_asking_the_bureau(self):
        account = repaying_loan(fund_balance=1_000_000)

        instruction = monthly_for(account)

        account.refresh_from_db()
        assert account.collection_mode == CollectionMode.FUND_OFFSET
        assert (instruction.loan_account_no, instruction.monthly_amount, instruction.repayment_day) == (
            account.account_no,
            113_670,
            10,
        )
        assert AuditEvent.objects.filter(action="loans.collection_mode_changed").count() == 1

    def test_the_loan_book_collects_the_month_and_the_instruction_pays_nothing_out(self):
        account = repaying_loan(fund_balance=1_000_000)
        instruction = monthly_for(account)

        due = selectors.due_instalments(today=date(2026, 2, 10))
        paid_out = pay_monthly_instalment(
            instruction_id=instruction.pk, period=date(2026, 2, 1), today=date(2026, 2, 10)
        )
        repayment = collect_instalment(account_id=account.pk, today=date(2026, 2, 10))

        assert due == []
        assert paid_out is None
        assert Payout.objects.filter(purpose="loan_repayment").count() == 0
        assert repayment.channel == CollectionMode.FUND_OFFSET
        assert account.instalments.get(period=1).status == InstalmentStatus.PAID

    def test_ending_the_instruction_goes_back_to_the_bank_card(self):
        account = repaying_loan(fund_balance=1_000_000)
        instruction = monthly_for(account)

        end_standing_instruction(instruction=instruction, actor=None)

        account.refresh_from_db()
        assert account.collection_mode == CollectionMode.BANK_DEBIT
