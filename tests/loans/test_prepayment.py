"""Prepaying part of a running loan either way, and settling all of it with a sealed certificate."""

from datetime import date

import pytest
from freezegun import freeze_time

from audit.seals import verify_seal
from integrations.bank import ports
from integrations.bank.fakes import FakeCollectionBank
from integrations.bank.testing import use_bank
from ledger.centre import LOAN_INTEREST_INCOME
from ledger.selectors import balance_of
from ledger.services import centre_account
from loans import collection
from loans.collection import NotBorrower, collect_instalment, set_collection_mode
from loans.loan_book import settled_digest
from loans.models import (
    CollectionMode,
    InstalmentStatus,
    LoanAccountStatus,
    LoanMovement,
    LoanRepayment,
    LoanScheduleChange,
    RepaymentStatus,
    ScheduleChangeKind,
)
from loans.prepayment import (
    FundBalanceShort,
    InstalmentsUnpaid,
    RepaymentInProgress,
    prepay,
    quote_prepayment,
    quote_settlement,
    settle,
)
from loans.repayment_math import InvalidPrepayment
from loans.repayment_selectors import loan_position
from notifications.models import Message
from tests.accounts.factories import UserFactory
from tests.loans.factories_repayment import repaying_loan

pytestmark = pytest.mark.django_db

FUND, BANK = CollectionMode.FUND_OFFSET, CollectionMode.BANK_DEBIT
PREPAY_DAY = date(2026, 2, 20)
# After instalment 1 (paid 2026-02-10) of 120,000 yuan / 120 months / 2.6 %: 119,123.30 owed.
OWED_AFTER_FIRST = 11_912_330


def after_first_instalment(**fields):
    """The test loan with its first instalment paid from the fund account on its due day."""
    account = repaying_loan(fund_balance=5_000_000, **fields)
    set_collection_mode(account_id=account.pk, mode=FUND, actor=borrower_of(account))
    collect_instalment(account_id=account.pk, today=date(2026, 2, 10))
    return account


def borrower_of(account):
    return account.application.applicant.user


def schedule_in_force(account):
    return list(account.instalments.exclude(status=InstalmentStatus.SUPERSEDED).order_by("period"))


def prepay_20000(account, option, channel=FUND):
    return prepay(
        account_id=account.pk,
        prepaid=2_000_000,
        option=option,
        channel=channel,
        actor=borrower_of(account),
        today=PREPAY_DAY,
    )


class TestPrepaymentQuote:
    def test_charges_the_prepaid_parts_interest_since_the_last_due_date(self):
        account = after_first_instalment()

        quote = quote_prepayment(account=account, prepaid=2_000_000, on=PREPAY_DAY)

        # 20,000 × 2.6 % / 360 × 10 days (10 → 20 February) = 14.444… yuan → 14.44.
        assert (quote.since, quote.interest, quote.total) == (date(2026, 2, 10), 1_444, 2_001_444)
        assert quote.next_due_on == date(2026, 3, 10)

    def test_offers_both_ways_to_carry_on(self):
        account = after_first_instalment()

        plan = quote_prepayment(account=account, prepaid=2_000_000, on=PREPAY_DAY).plan

        # 99,123.30 left over 119 months: 99,123.30·r(1+r)^119 / ((1+r)^119 − 1) = 945.8589… → 945.86;
        # kept at about 1,136.70 a month, 97 months suffice (1,134.13; 96 would need 1,144.75).
        assert (plan.lower_payment.months, plan.lower_payment.first_payment) == (119, 94_586)
        assert (plan.shorten_term.months, plan.shorten_term.first_payment) == (97, 113_413)


class TestPrepayShortensTheTerm:
    def test_replaces_the_rest_of_the_schedule_with_a_shorter_one(self):
        account = after_first_instalment()

        repayment = prepay_20000(account, "SHORTEN_TERM")

        rows = schedule_in_force(account)
        assert (rows[0].period, rows[0].status, rows[1].period) == (1, InstalmentStatus.PAID, 2)
        assert len(rows) == 1 + 97
        assert (rows[1].due_on, rows[1].payment, rows[-1].due_on) == (
            date(2026, 3, 10),
            113_413,
            date(2034, 3, 10),
        )
        assert sum(row.principal for row in rows[1:]) == OWED_AFTER_FIRST - 2_000_000
        assert account.instalments.filter(status=InstalmentStatus.SUPERSEDED).count() == 119
        assert (repayment.status, repayment.movement) == (
            RepaymentStatus.SUCCEEDED,
            LoanMovement.FUND_REPAYMENT,
        )

    def test_the_ledger_owes_what_the_new_schedule_repays(self):
        account = after_first_instalment()
        income = balance_of(centre_account(LOAN_INTEREST_INCOME))

        prepay_20000(account, "SHORTEN_TERM")

        assert balance_of(account.ledger_account) == OWED_AFTER_FIRST - 2_000_000
        assert balance_of(centre_account(LOAN_INTEREST_INCOME)) - income == 1_444
        fund = account.application.applicant.fund_account
        assert balance_of(fund.ledger_account) == 5_000_000 - 113_670 - 2_001_444

    def test_records_the_change_and_tells_the_borrower(self):
        account = after_first_instalment()

        repayment = prepay_20000(account, "SHORTEN_TERM")

        change = LoanScheduleChange.objects.get(account=account)
        assert (change.kind, change.repayment, change.effective_on) == (
            ScheduleChangeKind.PREPAYMENT,
            repayment,
            PREPAY_DAY,
        )
        assert (change.old_months, change.new_months, change.old_payment, change.new_payment) == (
            119,
            97,
            113_670,
            113_413,
        )
        assert change.interest_change > 0
        assert Message.objects.filter(kind="loan_prepaid", person=account.application.applicant).count() == 1


class TestPrepayLowersThePayment:
    def test_keeps_the_months_and_lowers_each_payment(self):
        account = after_first_instalment()

        prepay_20000(account, "LOWER_PAYMENT")

        rows = schedule_in_force(account)[1:]
        assert (len(rows), rows[0].payment, rows[-1].due_on) == (119, 94_586, date(2036, 1, 10))
        assert sum(row.principal for row in rows) == OWED_AFTER_FIRST - 2_000_000
        assert rows[-1].remaining == 0

    def test_the_next_collection_takes_the_new_payment(self):
        account = after_first_instalment()
        prepay_20000(account, "LOWER_PAYMENT")

        repayment = collect_instalment(account_id=account.pk, today=date(2026, 3, 10))

        assert (repayment.instalment.period, repayment.amount) == (2, 94_586)
        assert balance_of(account.ledger_account) == OWED_AFTER_FIRST - 2_000_000 - repayment.principal


class TestPrepaymentRefusals:
    def test_refused_while_an_instalment_is_overdue(self):
        account = repaying_loan(fund_balance=5_000_000)

        with pytest.raises(InstalmentsUnpaid):
            prepay(
                account_id=account.pk,
                prepaid=1_000_000,
                option="SHORTEN_TERM",
                channel=FUND,
                actor=borrower_of(account),
                today=date(2026, 2, 15),
            )

        assert LoanRepayment.objects.count() == 0

    def test_refused_when_it_would_repay_everything(self):
        account = after_first_instalment()

        with pytest.raises(InvalidPrepayment):
            prepay(
                account_id=account.pk,
                prepaid=OWED_AFTER_FIRST,
                option="SHORTEN_TERM",
                channel=FUND,
                actor=borrower_of(account),
                today=PREPAY_DAY,
            )

    def test_refused_from_a_fund_account_that_cannot_pay_it(self):
        account = after_first_instalment()

        with pytest.raises(FundBalanceShort):
            prepay(
                account_id=account.pk,
                prepaid=4_900_000,
                option="SHORTEN_TERM",
                channel=FUND,
                actor=borrower_of(account),
                today=PREPAY_DAY,
            )

        assert account.instalments.filter(status=InstalmentStatus.SUPERSEDED).count() == 0

    def test_refused_to_anyone_but_the_borrower(self):
        account = after_first_instalment()

        with pytest.raises(NotBorrower):
            prepay(
                account_id=account.pk,
                prepaid=1_000_000,
                option="SHORTEN_TERM",
                channel=FUND,
                actor=UserFactory(),
                today=PREPAY_DAY,
            )


class TestPrepayByBankDebit:
    def test_the_schedule_changes_only_once_the_bank_has_paid(self):
        account = after_first_instalment()
        with use_bank(FakeCollectionBank(settle_at_once=False)) as bank:
            repayment = prepay_20000(account, "LOWER_PAYMENT", channel=BANK)
            collection.advance_repayment(repayment_id=repayment.pk)
            assert account.instalments.filter(status=InstalmentStatus.SUPERSEDED).count() == 0
            with pytest.raises(RepaymentInProgress):
                quote_settlement(account=account, on=PREPAY_DAY)

            bank.settle(repayment.order_ref, settled_on=PREPAY_DAY)
            collection.advance_repayment(repayment_id=repayment.pk)

        repayment.refresh_from_db()
        assert (repayment.status, repayment.movement) == (RepaymentStatus.SUCCEEDED, LoanMovement.PREPAYMENT)
        assert schedule_in_force(account)[1].payment == 94_586

    def test_a_failed_debit_changes_nothing(self):
        account = after_first_instalment()
        with use_bank(FakeCollectionBank(settle_at_once=False)) as bank:
            repayment = prepay_20000(account, "LOWER_PAYMENT", channel=BANK)
            collection.advance_repayment(repayment_id=repayment.pk)
            bank.settle(repayment.order_ref, failure_code=ports.INSUFFICIENT_FUNDS, settled_on=PREPAY_DAY)
            collection.advance_repayment(repayment_id=repayment.pk)

        assert LoanRepayment.objects.get(pk=repayment.pk).status == RepaymentStatus.FAILED
        assert balance_of(account.ledger_account) == OWED_AFTER_FIRST
        assert account.instalments.filter(status=InstalmentStatus.SUPERSEDED).count() == 0


class TestSettlement:
    def test_quotes_the_principal_owed_and_its_interest_since_the_last_due_date(self):
        account = after_first_instalment()

        quote = quote_settlement(account=account, on=PREPAY_DAY)

        # 119,123.30 × 2.6 % / 360 × 10 days = 86.0335… yuan → 86.03.
        assert (quote.principal, quote.interest, quote.days, quote.total) == (
            OWED_AFTER_FIRST,
            8_603,
            10,
            OWED_AFTER_FIRST + 8_603,
        )

    def test_settling_from_the_fund_closes_the_loan_with_a_sealed_certificate(self):
        account = repaying_loan(fund_balance=15_000_000)

        with freeze_time("2026-02-05 09:00:00+08:00"):
            repayment = settle(account_id=account.pk, channel=FUND, actor=borrower_of(account))

        account.refresh_from_db()
        assert (account.status, account.settled_on) == (LoanAccountStatus.SETTLED, date(2026, 2, 5))
        assert balance_of(account.ledger_account) == 0
        # 120,000 × 2.6 % / 360 × 26 days (10 January → 5 February) = 225.33… yuan.
        assert (repayment.principal, repayment.interest, repayment.movement) == (
            12_000_000,
            22_533,
            LoanMovement.SETTLEMENT,
        )
        assert account.instalments.exclude(status=InstalmentStatus.SUPERSEDED).count() == 0
        verdict = verify_seal(code=account.settlement_seal.code, digest=settled_digest(account))
        assert verdict.in_force
        assert Message.objects.filter(kind="loan_settled", person=account.application.applicant).count() == 1

    def test_nothing_is_collected_after_settlement(self):
        account = repaying_loan(fund_balance=15_000_000)
        with freeze_time("2026-02-05 09:00:00+08:00"):
            settle(account_id=account.pk, channel=FUND, actor=borrower_of(account))

        assert collect_instalment(account_id=account.pk, today=date(2026, 3, 10)) is None
        account.refresh_from_db()
        assert not loan_position(account, today=date(2026, 3, 10)).repaying

    def test_an_altered_settlement_no_longer_matches_its_seal(self):
        account = repaying_loan(fund_balance=15_000_000)
        with freeze_time("2026-02-05 09:00:00+08:00"):
            settle(account_id=account.pk, channel=FUND, actor=borrower_of(account))
        type(account).objects.filter(pk=account.pk).update(settled_on=date(2026, 1, 31))
        account.refresh_from_db()

        verdict = verify_seal(code=account.settlement_seal.code, digest=settled_digest(account))

        assert not verdict.genuine
