"""Collecting a running loan's instalments: from the fund account or the bank card, and overdue ones."""

from datetime import date

import pytest
from freezegun import freeze_time

from accounts.models import FundAccount
from audit.models import AuditEvent
from integrations.bank import ports
from integrations.bank.fakes import FakeCollectionBank
from integrations.bank.testing import use_bank
from ledger.centre import BANK_SETTLEMENT, LOAN_INTEREST_INCOME, LOAN_PENALTY_INCOME, SPLIT_WAYS, part_code
from ledger.models import BusinessType
from ledger.selectors import balance_of
from ledger.services import centre_account
from loans import collection, tasks
from loans.collection import (
    FundAccountCannotPay,
    NotBorrower,
    collect_instalment,
    mark_overdue,
    set_collection_mode,
)
from loans.models import (
    CollectionMode,
    InstalmentStatus,
    LoanAccountStatus,
    LoanMovement,
    LoanRepayment,
    RepaymentStatus,
)
from notifications.models import Message
from tests.accounts.factories import UserFactory
from tests.loans.factories_repayment import repaying_loan

pytestmark = pytest.mark.django_db

FIRST_DUE = date(2026, 2, 10)
# 120,000 yuan over 120 months at 2.6 %, equal instalments: M = P·r·(1+r)^n / ((1+r)^n − 1) with
# r = 0.026 / 12 gives 1,136.7038…, so 1,136.70 a month; month 1's interest is 120,000 × r = 260.00.
PAYMENT, FIRST_INTEREST, FIRST_PRINCIPAL = 113_670, 26_000, 87_670


@pytest.fixture
def bank():
    with use_bank(FakeCollectionBank()) as fake:
        yield fake


def fund_offset(account):
    return set_collection_mode(
        account_id=account.pk, mode=CollectionMode.FUND_OFFSET, actor=account.application.applicant.user
    )


def first_instalment(account):
    return account.instalments.get(
        period=1, status__in=[InstalmentStatus.DUE, InstalmentStatus.OVERDUE, "PAID"]
    )


class TestFundOffset:
    def test_pays_the_instalment_from_the_fund_account_on_its_day(self):
        account = repaying_loan(fund_balance=500_000)
        fund_offset(account)

        repayment = collect_instalment(account_id=account.pk, today=FIRST_DUE)

        assert (repayment.status, repayment.channel, repayment.movement) == (
            RepaymentStatus.SUCCEEDED,
            CollectionMode.FUND_OFFSET,
            LoanMovement.FUND_REPAYMENT,
        )
        assert (repayment.amount, repayment.principal, repayment.interest, repayment.penalty) == (
            PAYMENT,
            FIRST_PRINCIPAL,
            FIRST_INTEREST,
            0,
        )
        instalment = first_instalment(account)
        assert (instalment.status, instalment.paid_on) == (InstalmentStatus.PAID, FIRST_DUE)

    def test_moves_the_money_from_the_fund_into_the_loan_and_income(self):
        account = repaying_loan(fund_balance=500_000)
        fund_offset(account)
        income_before = balance_of(centre_account(LOAN_INTEREST_INCOME))

        repayment = collect_instalment(account_id=account.pk, today=FIRST_DUE)

        fund = account.application.applicant.fund_account
        assert balance_of(fund.ledger_account) == 500_000 - PAYMENT
        assert balance_of(account.ledger_account) == 12_000_000 - FIRST_PRINCIPAL
        assert balance_of(centre_account(LOAN_INTEREST_INCOME)) - income_before == FIRST_INTEREST
        assert repayment.entry.business_type == BusinessType.PARTIAL_WITHDRAWAL

    def test_falls_back_to_the_bank_card_when_the_balance_is_short(self, bank):
        account = repaying_loan(fund_balance=100_000)
        fund_offset(account)

        repayment = collect_instalment(account_id=account.pk, today=FIRST_DUE)

        assert (repayment.channel, repayment.status) == (
            CollectionMode.BANK_DEBIT,
            RepaymentStatus.COLLECTING,
        )
        fund = account.application.applicant.fund_account
        assert balance_of(fund.ledger_account) == 100_000
        assert AuditEvent.objects.filter(action="loans.fund_offset_short").count() == 1

    def test_only_the_borrower_chooses_it(self):
        account = repaying_loan(fund_balance=500_000)

        with pytest.raises(NotBorrower):
            set_collection_mode(account_id=account.pk, mode=CollectionMode.FUND_OFFSET, actor=UserFactory())

    def test_a_frozen_fund_account_cannot_be_chosen(self):
        account = repaying_loan(fund_balance=500_000)
        FundAccount.objects.filter(person=account.application.applicant).update(status="06")

        with pytest.raises(FundAccountCannotPay):
            fund_offset(account)


class TestBankDebit:
    def test_debits_the_card_and_posts_when_the_bank_has_paid(self, bank, django_capture_on_commit_callbacks):
        account = repaying_loan()

        with django_capture_on_commit_callbacks(execute=True):
            collect_instalment(account_id=account.pk, today=FIRST_DUE)

        repayment = LoanRepayment.objects.get()
        assert (repayment.status, repayment.movement) == (RepaymentStatus.SUCCEEDED, LoanMovement.REPAYMENT)
        order = bank.orders[repayment.order_ref]
        assert (order.amount, order.payer_account_no, order.payer_name) == (
            PAYMENT,
            "6222021234567890123",
            account.application.applicant.name,
        )
        settlement_part = part_code(BANK_SETTLEMENT, account.pk % SPLIT_WAYS)
        lines = {line.account.code: (line.debit, line.credit) for line in repayment.entry.lines.all()}
        assert lines[settlement_part] == (PAYMENT, 0)
        assert lines[f"LOAN-{account.account_no}"] == (0, FIRST_PRINCIPAL)
        assert first_instalment(account).status == InstalmentStatus.PAID

    def test_a_result_recorded_twice_posts_once(self, bank):
        bank.settle_at_once = False
        account = repaying_loan()
        repayment = collect_instalment(account_id=account.pk, today=FIRST_DUE)
        collection.advance_repayment(repayment_id=repayment.pk)

        for _ in range(2):
            collection.record_repayment_result(
                order_ref=repayment.order_ref, succeeded=True, failure_code=None, settled_on=FIRST_DUE
            )

        assert balance_of(account.ledger_account) == 12_000_000 - FIRST_PRINCIPAL
        assert LoanRepayment.objects.get().status == RepaymentStatus.SUCCEEDED

    def test_nothing_more_starts_while_a_debit_is_in_flight(self, bank):
        bank.settle_at_once = False
        account = repaying_loan()
        collect_instalment(account_id=account.pk, today=FIRST_DUE)

        again = collect_instalment(account_id=account.pk, today=date(2026, 3, 10))

        assert again is None
        assert LoanRepayment.objects.count() == 1

    def test_a_failed_debit_tells_the_borrower_and_leaves_the_instalment_owed(self):
        account = repaying_loan()
        with use_bank(FakeCollectionBank()) as bank:
            repayment = collect_instalment(account_id=account.pk, today=FIRST_DUE)
            bank.failures[repayment.order_ref] = ports.INSUFFICIENT_FUNDS
            collection.advance_repayment(repayment_id=repayment.pk)

        repayment.refresh_from_db()
        assert (repayment.status, repayment.failure_code) == (
            RepaymentStatus.FAILED,
            ports.INSUFFICIENT_FUNDS,
        )
        assert first_instalment(account).status == InstalmentStatus.DUE
        assert balance_of(account.ledger_account) == 12_000_000
        message = Message.objects.get(kind="loan_repayment_failed")
        assert "余额不足" in message.body

    def test_without_a_verified_card_the_attempt_fails_at_once(self, bank):
        account = repaying_loan(card=False)

        repayment = collect_instalment(account_id=account.pk, today=FIRST_DUE)

        assert (repayment.status, repayment.failure_code) == (
            RepaymentStatus.FAILED,
            collection.NO_VERIFIED_CARD,
        )
        assert bank.orders == {}

    def test_the_morning_run_tries_each_instalment_once_a_day(self, bank):
        bank.failures = {}
        account = repaying_loan()
        with use_bank(FakeCollectionBank()) as failing:
            first = collect_instalment(account_id=account.pk, today=FIRST_DUE)
            failing.failures[first.order_ref] = ports.INSUFFICIENT_FUNDS
            collection.advance_repayment(repayment_id=first.pk)

        assert collect_instalment(account_id=account.pk, today=FIRST_DUE) is None

    def test_the_borrower_may_try_again_the_same_day(self, bank):
        account = repaying_loan()
        with use_bank(FakeCollectionBank()) as failing:
            first = collect_instalment(account_id=account.pk, today=FIRST_DUE)
            failing.failures[first.order_ref] = ports.INSUFFICIENT_FUNDS
            collection.advance_repayment(repayment_id=first.pk)

        again = collect_instalment(
            account_id=account.pk, today=FIRST_DUE, actor=account.application.applicant.user
        )

        assert again.order_ref == f"{first.order_ref.removesuffix(':bank')}.2:bank"
        collection.advance_repayment(repayment_id=again.pk)
        assert first_instalment(account).status == InstalmentStatus.PAID


class TestOverdue:
    def test_an_unpaid_instalment_is_overdue_the_day_after_and_the_borrower_is_told_once(self):
        account = repaying_loan()

        assert mark_overdue(today=FIRST_DUE) == 0
        assert mark_overdue(today=date(2026, 2, 11)) == 1
        assert mark_overdue(today=date(2026, 2, 12)) == 0

        instalment = first_instalment(account)
        assert (instalment.status, instalment.overdue_since) == (InstalmentStatus.OVERDUE, FIRST_DUE)
        assert Message.objects.filter(kind="loan_overdue", person=account.application.applicant).count() == 1

    def test_an_overdue_instalment_is_collected_with_its_penalty(self, bank):
        account = repaying_loan()
        mark_overdue(today=date(2026, 2, 20))
        income_before = balance_of(centre_account(LOAN_PENALTY_INCOME))

        with freeze_time("2026-02-20 05:30:00+08:00"):
            repayment = collect_instalment(account_id=account.pk, today=date(2026, 2, 20))
            collection.advance_repayment(repayment_id=repayment.pk)

        # 10 days late: 1,136.70 × 2.6 % / 360 × 1.5 × 10 = 1.2314… yuan → 1.23.
        repayment.refresh_from_db()
        assert (repayment.penalty, repayment.amount, repayment.movement) == (
            123,
            PAYMENT + 123,
            LoanMovement.OVERDUE_REPAYMENT,
        )
        instalment = first_instalment(account)
        assert (instalment.status, instalment.penalty, instalment.paid_on) == (
            InstalmentStatus.PAID,
            123,
            date(2026, 2, 20),
        )
        assert balance_of(centre_account(LOAN_PENALTY_INCOME)) - income_before == 123

    def test_one_day_late_costs_one_days_penalty(self, bank):
        account = repaying_loan()

        repayment = collect_instalment(account_id=account.pk, today=date(2026, 2, 11))

        # 113,670 × 0.026 / 360 × 1.5 = 12.31… fen → 12.
        assert repayment.penalty == 12

    def test_an_instalment_the_bank_is_still_collecting_is_not_overdue(self):
        account = repaying_loan()
        with use_bank(FakeCollectionBank(settle_at_once=False)):
            collect_instalment(account_id=account.pk, today=FIRST_DUE)

        assert mark_overdue(today=date(2026, 2, 11)) == 0
        assert first_instalment(account).status == InstalmentStatus.DUE

    def test_oldest_instalment_first(self, bank):
        account = repaying_loan()

        repayment = collect_instalment(account_id=account.pk, today=date(2026, 3, 10))

        assert repayment.instalment.period == 1


class TestDailyRun:
    def test_marks_overdue_and_collects_every_loan_due(self, bank, django_capture_on_commit_callbacks):
        due = repaying_loan()
        not_yet = repaying_loan(disbursed_on=date(2026, 1, 20))

        with freeze_time("2026-02-10 05:30:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            tasks.run_daily_repayments()

        assert first_instalment(due).status == InstalmentStatus.PAID
        assert first_instalment(not_yet).status == InstalmentStatus.DUE

    def test_a_fund_offset_brings_a_loan_months_behind_up_to_date_in_one_morning(self):
        account = repaying_loan(fund_balance=1_000_000)
        fund_offset(account)

        paid = collection.collect_due(account_id=account.pk, today=date(2026, 4, 10))

        assert [repayment.instalment.period for repayment in paid] == [1, 2, 3]
        assert [repayment.movement for repayment in paid] == [LoanMovement.FUND_REPAYMENT] * 3
        assert account.instalments.filter(status=InstalmentStatus.PAID).count() == 3

    def test_the_minute_sweep_asks_the_bank_about_debits_in_flight(self, bank):
        bank.settle_at_once = False
        account = repaying_loan()
        repayment = collect_instalment(account_id=account.pk, today=FIRST_DUE)
        tasks.sweep_repayments()
        bank.settle(repayment.order_ref, settled_on=FIRST_DUE)

        with freeze_time("2026-02-10 05:31:00+08:00"):
            tasks.sweep_repayments()

        assert first_instalment(account).status == InstalmentStatus.PAID

    def test_the_last_instalment_settles_the_loan(self, bank):
        account = repaying_loan(amount=300_000, term_months=2)

        for day in (FIRST_DUE, date(2026, 3, 10)):
            with freeze_time(f"{day} 05:30:00+08:00"):
                repayment = collect_instalment(account_id=account.pk, today=day)
                collection.advance_repayment(repayment_id=repayment.pk)

        account.refresh_from_db()
        assert (account.status, account.settled_on) == (LoanAccountStatus.SETTLED, date(2026, 3, 10))
        assert balance_of(account.ledger_account) == 0
        assert account.settlement_seal.kind == "LOAN_SETTLED"
