"""委托按月还贷: the loan of this centre on the credit report gives the instalment and its day."""

from contextlib import ExitStack
from datetime import date

import pytest
from django.conf import settings
from freezegun import freeze_time

from integrations.gov import ports
from integrations.gov.fakes import FakeCreditBureau
from integrations.gov.testing import all_fakes, use_fakes
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from notifications.models import Message
from payouts.models import Payout
from payouts.services import record_payment_result
from tests.withdrawals.factories import account_with, approved
from withdrawals import selectors, tasks
from withdrawals.models import HeldCode, InstalmentPayment, InstalmentStatus, InstructionStatus
from withdrawals.services import (
    InstalmentNotDue,
    LoanNotFound,
    after_decision,
    end_standing_instruction,
    pay_monthly_instalment,
    set_up_standing_instruction,
)

pytestmark = pytest.mark.django_db

INSTALMENT = 312_345
NOVEMBER = date(2026, 11, 1)
DECEMBER = date(2026, 12, 1)


def loan_report(person, *, status=ports.REPAYING, centre=None):
    loan = ports.CreditLoan(
        kind=ports.FUND_LOAN,
        lender="中国建设银行厦门分行",
        principal=60_000_000,
        monthly_payment=INSTALMENT,
        status=status,
        opened_on=date(2024, 3, 20),
        centre=centre or settings.FUND_CENTRE_CODE,
    )
    return FakeCreditBureau(
        reports={
            person.id_number: ports.CreditReport(loans=(loan,), overdue_months_last_24=0, monthly_debt=0)
        }
    )


@pytest.fixture
def bureau():
    """``bureau(fake)``: every government source a fake, the credit bureau this one."""
    with ExitStack() as stack:
        yield lambda fake: stack.enter_context(use_fakes(all_fakes(credit_bureau=fake)))


@pytest.fixture
def instruction(bureau):
    account = account_with(balance=1_000_000)
    bureau(loan_report(account.person))
    with freeze_time("2026-11-10 09:00:00+08:00"):
        application = approved(account.person, "LOAN_REPAYMENT_MONTHLY", amount_limit=None)
        return set_up_standing_instruction(application_id=application.pk)


class TestSetUpStandingInstruction:
    def test_takes_the_instalment_and_day_from_the_centres_loan(self, instruction):
        assert (instruction.monthly_amount, instruction.repayment_day, instruction.first_period) == (
            INSTALMENT,
            20,
            NOVEMBER,
        )
        assert instruction.status == InstructionStatus.ACTIVE

    def test_starts_next_month_when_this_months_day_has_passed(self, bureau):
        account = account_with()
        bureau(loan_report(account.person))

        with freeze_time("2026-11-26 09:00:00+08:00"):
            application = approved(account.person, "LOAN_REPAYMENT_MONTHLY", amount_limit=None)
            instruction = set_up_standing_instruction(application_id=application.pk)

        assert instruction.first_period == DECEMBER

    def test_is_set_up_once(self, instruction):
        again = set_up_standing_instruction(application_id=instruction.application_id)

        assert again.pk == instruction.pk

    def test_refuses_without_a_loan_of_this_centre_in_repayment(self, bureau):
        account = account_with()
        bureau(loan_report(account.person, centre="110000"))
        application = approved(account.person, "LOAN_REPAYMENT_MONTHLY", amount_limit=None)

        with pytest.raises(LoanNotFound):
            set_up_standing_instruction(application_id=application.pk)

    def test_the_decision_hook_sets_it_up_and_posts_nothing(self, bureau):
        account = account_with(balance=1_000_000)
        bureau(loan_report(account.person))
        application = approved(account.person, "LOAN_REPAYMENT_MONTHLY", amount_limit=None)

        after_decision(application=application, decision=application.decisions.get())

        assert application.standing_instruction.monthly_amount == INSTALMENT
        assert balance_of(account.ledger_account) == 1_000_000


class TestSweepSetsUpInstructions:
    def test_sets_up_an_instruction_the_hook_missed(self, bureau):
        account = account_with()
        bureau(loan_report(account.person))
        application = approved(account.person, "LOAN_REPAYMENT_MONTHLY", amount_limit=None)

        tasks.pay_approved_withdrawals()

        assert application.standing_instruction.monthly_amount == INSTALMENT

    def test_asks_the_bureau_about_a_hopeless_case_once_an_hour(self, bureau):
        account = account_with()
        bureau(loan_report(account.person, centre="110000"))
        application = approved(account.person, "LOAN_REPAYMENT_MONTHLY", amount_limit=None)
        with pytest.raises(LoanNotFound):
            set_up_standing_instruction(application_id=application.pk)

        pending = selectors.unset_instruction_ids(decided_since=application.decided_at)

        assert pending == []


class TestPayMonthlyInstalment:
    def test_pays_the_instalment_once_in_the_month(self, instruction, django_capture_on_commit_callbacks):
        with freeze_time("2026-11-20 06:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            first = pay_monthly_instalment(instruction_id=instruction.pk, period=NOVEMBER)
            again = pay_monthly_instalment(instruction_id=instruction.pk, period=NOVEMBER)
            tasks.pay_due_instalments()

        key = f"loan-repayment:{instruction.pk}:2026-11"
        entry = JournalEntry.objects.get(idempotency_key=key)
        payout = Payout.objects.get(source_ref=key)
        assert again.pk == first.pk
        assert (first.status, first.amount) == (InstalmentStatus.PAYING, INSTALMENT)
        assert (entry.business_type, entry.amount) == (BusinessType.PARTIAL_WITHDRAWAL, INSTALMENT)
        assert (payout.purpose, payout.amount) == ("loan_repayment", INSTALMENT)
        assert (
            balance_of(instruction.application.applicant.fund_account.ledger_account)
            == 1_000_000 - INSTALMENT
        )

    @pytest.mark.parametrize(("paid", "kind"), [(True, "payout_paid"), (False, "payout_failed")])
    def test_the_sweep_records_a_settled_instalment_whose_hook_was_lost_once(
        self, instruction, paid, kind, django_capture_on_commit_callbacks
    ):
        with freeze_time("2026-11-20 06:00:00+08:00"):
            with django_capture_on_commit_callbacks(execute=True):
                pay_monthly_instalment(instruction_id=instruction.pk, period=NOVEMBER)
            # The result commits; its after-commit hook never runs (the worker died in between).
            with django_capture_on_commit_callbacks(execute=False):
                record_payment_result(
                    reference=Payout.objects.get().reference,
                    paid=paid,
                    failure_code=None if paid else "CARD_INVALID",
                    bank_ref="B-1",
                )

            for _sweep in range(2):
                with django_capture_on_commit_callbacks(execute=True):
                    tasks.pay_approved_withdrawals()

        instalment = InstalmentPayment.objects.get(instruction=instruction)
        person = instruction.application.applicant
        assert instalment.payout_outcome == ("PAID" if paid else "FAILED")
        assert Message.objects.filter(person=person, kind=kind).count() == 1

    def test_pays_each_month_on_its_day(self, instruction, django_capture_on_commit_callbacks):
        with freeze_time("2026-11-20 06:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            tasks.pay_due_instalments()
        with freeze_time("2026-12-19 06:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            tasks.pay_due_instalments()
            assert InstalmentPayment.objects.count() == 1
        with freeze_time("2026-12-20 06:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            tasks.pay_due_instalments()
            tasks.pay_due_instalments()

        assert list(InstalmentPayment.objects.order_by("period").values_list("period", flat=True)) == [
            NOVEMBER,
            DECEMBER,
        ]
        assert Payout.objects.count() == 2

    def test_refuses_before_the_repayment_day(self, instruction):
        with freeze_time("2026-11-19 06:00:00+08:00"), pytest.raises(InstalmentNotDue):
            pay_monthly_instalment(instruction_id=instruction.pk, period=NOVEMBER)

        assert not InstalmentPayment.objects.exists()

    def test_pays_at_most_the_balance(self, bureau):
        account = account_with(balance=100_000)
        bureau(loan_report(account.person))
        with freeze_time("2026-11-10 09:00:00+08:00"):
            application = approved(account.person, "LOAN_REPAYMENT_MONTHLY", amount_limit=None)
            instruction = set_up_standing_instruction(application_id=application.pk)

        with freeze_time("2026-11-20 06:00:00+08:00"):
            instalment = pay_monthly_instalment(instruction_id=instruction.pk, period=NOVEMBER)

        assert instalment.amount == 100_000
        assert balance_of(account.ledger_account) == 0

    def test_an_empty_account_skips_the_month_and_says_why(self, bureau):
        account = account_with(balance=0)
        bureau(loan_report(account.person))
        with freeze_time("2026-11-10 09:00:00+08:00"):
            application = approved(account.person, "LOAN_REPAYMENT_MONTHLY", amount_limit=None)
            instruction = set_up_standing_instruction(application_id=application.pk)

        with freeze_time("2026-11-20 06:00:00+08:00"):
            instalment = pay_monthly_instalment(instruction_id=instruction.pk, period=NOVEMBER)
            tasks.pay_due_instalments()

        assert (instalment.status, instalment.skipped_code) == (
            InstalmentStatus.SKIPPED,
            HeldCode.BALANCE_ZERO,
        )
        assert InstalmentPayment.objects.count() == 1
        assert not Payout.objects.exists()

    def test_an_ended_instruction_pays_nothing(self, instruction):
        end_standing_instruction(instruction=instruction, actor=None)

        with freeze_time("2026-11-20 06:00:00+08:00"):
            result = pay_monthly_instalment(instruction_id=instruction.pk, period=NOVEMBER)

        assert result is None
        assert selectors.due_instalments(today=date(2026, 11, 20)) == []
