"""The loan_repayer persona's loan in the centre's own loan book, as ``seed_demo`` opens and repays it."""

import json
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from audit.seals import verify_seal
from demo.city import plan_city
from demo.loan import FUND_OFFSET_INSTALMENTS, LATE_DAYS, LATE_PERIOD, seed_repayer_loan
from demo.models import Persona
from integrations.gov import ports
from integrations.models import SandboxLoan, SandboxProperty
from ledger.centre import LOAN_INTEREST_INCOME, LOAN_PENALTY_INCOME
from ledger.models import BusinessType, JournalLine
from ledger.selectors import balance_of
from loans.approval import approval_digest
from loans.models import (
    CollectionMode,
    InstalmentStatus,
    LoanAccount,
    LoanAccountStatus,
    LoanMovement,
    LoanStatus,
    RepaymentStatus,
)
from loans.repayment_selectors import loan_position
from tests.demo.conftest import seeded_city

PERSONS, EMPLOYERS, SEED = 120, 12, 11


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    with seeded_city(django_db_blocker, var_dir, persons=PERSONS, employers=EMPLOYERS, seed=SEED):
        yield {"walk_ins": json.loads((var_dir / "demo-try.json").read_text(encoding="utf-8"))}


@pytest.fixture
def account(city) -> LoanAccount:
    return LoanAccount.objects.select_related("application__applicant", "ledger_account").get(
        application__applicant__demo_persona__persona=Persona.LOAN_REPAYER
    )


def _paid(account):
    return list(account.instalments.filter(status=InstalmentStatus.PAID).order_by("period"))


@pytest.mark.usefixtures("db")
class TestTheRepayersLoan:
    def test_is_the_only_loan_and_is_repaying(self, account):
        assert LoanAccount.objects.count() == 1
        assert account.status == LoanAccountStatus.ACTIVE
        assert account.application.status == LoanStatus.DISBURSED
        assert account.payout.status == "PAID"

    def test_was_disbursed_over_a_year_ago(self, account):
        today = timezone.localdate()

        assert 380 <= (today - account.opened_on).days <= 460
        assert timezone.localdate(account.application.disbursed_at) == account.opened_on
        assert account.account_no == f"DK{account.opened_on:%Y%m%d}{account.application.pk:08d}"

    def test_has_every_past_instalment_paid_and_the_next_one_due_in_days(self, account):
        today = timezone.localdate()
        unpaid = account.instalments.exclude(status__in=[InstalmentStatus.PAID, InstalmentStatus.SUPERSEDED])

        assert len(_paid(account)) == 14
        assert all(row.due_on < today for row in _paid(account))
        assert not unpaid.filter(due_on__lte=today).exists()
        next_due = unpaid.order_by("period").first().due_on
        assert today + timedelta(days=3) <= next_due <= today + timedelta(days=62)

    def test_posts_every_paid_instalment_in_the_ledger(self, account):
        for instalment in _paid(account):
            received = instalment.repayments.get(status=RepaymentStatus.SUCCEEDED)
            lines = {line.account_id: line for line in received.entry.lines.all()}

            assert received.entry.business_on == instalment.paid_on
            assert lines[account.ledger_account_id].credit == instalment.principal
            assert received.amount == instalment.payment + instalment.penalty

    def test_owes_in_the_ledger_the_principal_the_schedule_has_left(self, account):
        last_paid = _paid(account)[-1]

        assert balance_of(account.ledger_account) == last_paid.remaining
        assert loan_position(account).outstanding == last_paid.remaining

    def test_shows_a_late_instalment_with_its_penalty_and_the_fund_offsets(self, account):
        late = account.instalments.get(period=LATE_PERIOD, status=InstalmentStatus.PAID)
        movements = list(
            account.repayments.filter(status=RepaymentStatus.SUCCEEDED)
            .order_by("instalment__period")
            .values_list("movement", flat=True)
        )

        assert late.paid_on == late.due_on + timedelta(days=LATE_DAYS)
        assert late.penalty > 0
        assert account.repayments.filter(instalment=late, status=RepaymentStatus.FAILED).count() == LATE_DAYS
        assert movements.count(LoanMovement.OVERDUE_REPAYMENT) == 1
        assert movements[-FUND_OFFSET_INSTALMENTS:] == [LoanMovement.FUND_REPAYMENT] * FUND_OFFSET_INSTALMENTS
        assert account.collection_mode == CollectionMode.FUND_OFFSET

    def test_credits_interest_and_penalty_income(self, account):
        paid = _paid(account)
        entries = [row.repayments.get(status=RepaymentStatus.SUCCEEDED).entry_id for row in paid]
        income = JournalLine.objects.filter(entry_id__in=entries, account__code__startswith="LOAN_")

        interest = income.filter(account__code=LOAN_INTEREST_INCOME).aggregate(total=Sum("credit"))["total"]
        penalty = income.filter(account__code=LOAN_PENALTY_INCOME).aggregate(total=Sum("credit"))["total"]
        assert interest == sum(row.interest for row in paid)
        assert penalty == sum(row.penalty for row in paid)

    def test_never_overdraws_the_fund_account_on_an_offset_day(self, account):
        fund = account.application.applicant.fund_account.ledger_account
        offsets = account.repayments.filter(
            channel=CollectionMode.FUND_OFFSET, status=RepaymentStatus.SUCCEEDED
        )

        assert offsets.count() == FUND_OFFSET_INSTALMENTS
        for offset in offsets.select_related("entry"):
            assert offset.entry.business_type == BusinessType.PARTIAL_WITHDRAWAL
            upto = JournalLine.objects.filter(account=fund, entry__business_on__lte=offset.entry.business_on)
            totals = upto.aggregate(credit=Sum("credit"), debit=Sum("debit"))
            assert totals["credit"] - totals["debit"] >= 0

    def test_carries_the_centres_approval_seal(self, account):
        loan = account.application

        verdict = verify_seal(code=loan.approval_seal.code, digest=approval_digest(loan))

        assert verdict.in_force
        assert loan.actions.count() >= 3

    def test_lets_the_borrower_prepay_or_settle_today(self, account):
        position = loan_position(account)

        assert position.may_prepay_or_settle
        assert not position.overdue


@pytest.mark.usefixtures("db")
class TestOneSourceWithTheCreditBureau:
    def test_the_bureau_records_the_same_loan(self, account):
        record = SandboxLoan.objects.get(
            id_number_index=account.application.applicant.id_number_index, kind=ports.FUND_LOAN
        )
        first = account.instalments.order_by("period", "pk").first()

        assert record.status == ports.REPAYING
        assert record.lender == "厦门市住房公积金管理中心"
        assert (record.principal, record.opened_on) == (account.principal, account.opened_on)
        assert record.monthly_payment == first.payment

    def test_the_register_holds_the_home_it_was_lent_on(self, account):
        loan = account.application
        home = SandboxProperty.objects.get(property_id=loan.property_ref)

        assert (home.price, home.loan_amount, home.address) == (
            loan.house_price,
            loan.amount,
            loan.property_address,
        )
        assert home.contract_on < timezone.localdate(loan.submitted_at)

    def test_the_try_file_names_the_loan(self, account, city):
        (row,) = city["walk_ins"]["loans_in_repayment"]

        assert row["persona"] == Persona.LOAN_REPAYER
        assert row["account_no"] == account.account_no


@pytest.mark.usefixtures("db")
class TestSeedingAgain:
    def test_adds_nothing(self, account, city):
        plan = plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=timezone.localdate())
        before = (account.repayments.count(), account.instalments.count(), balance_of(account.ledger_account))

        again = seed_repayer_loan(plan)

        assert again.pk == account.pk
        assert (
            account.repayments.count(),
            account.instalments.count(),
            balance_of(account.ledger_account),
        ) == before
