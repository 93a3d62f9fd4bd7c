"""Re-pricing running loans on 1 January when the policy rate of their band changed."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from loans import repricing
from loans.models import InstalmentStatus, LoanScheduleChange, ScheduleChangeKind
from notifications.models import Message
from tests.loans.factories_repayment import repaying_loan

pytestmark = pytest.mark.django_db

NEW_YEAR = date(2026, 1, 1)
# Rates for a first home over 5 years: 2.85 % from 2024-05-18, 2.6 % from 2025-05-08.
OLD_RATE, NEW_RATE = Decimal("0.0285"), Decimal("0.026")


def loan_before_the_cut():
    """120,000 yuan over 120 months at 2.85 %, disbursed 2025-03-10: 1,150.44 a month."""
    return repaying_loan(annual_rate=OLD_RATE, disbursed_on=date(2025, 3, 10))


def in_force(account):
    return list(account.instalments.exclude(status=InstalmentStatus.SUPERSEDED).order_by("period"))


class TestRepricing:
    def test_recomputes_the_instalments_after_1_january_at_the_new_rate(self):
        account = loan_before_the_cut()

        changed = repricing.reprice_loans(today=NEW_YEAR)

        assert changed == 1
        account.refresh_from_db()
        assert account.annual_rate == NEW_RATE
        rows = in_force(account)
        # Instalments 1–9 (April–December 2025) keep 2.85 %; from the 10th (2026-01-10) the
        # 112,136.62 left after the 9th is spread over 111 months at 2.6 %:
        # 112,136.62 · r(1+r)^111 / ((1+r)^111 − 1), r = 0.026 / 12, = 1,137.6746… → 1,137.67.
        assert [row.payment for row in rows[:9]] == [115_044] * 9
        assert (rows[9].period, rows[9].due_on, rows[9].payment) == (10, date(2026, 1, 10), 113_767)
        assert len(rows) == 120
        assert sum(row.principal for row in rows[9:]) == 11_213_662
        assert rows[-1].remaining == 0

    def test_records_the_change_and_tells_the_borrower(self):
        account = loan_before_the_cut()

        repricing.reprice_loans(today=NEW_YEAR)

        change = LoanScheduleChange.objects.get(account=account)
        assert (change.kind, change.effective_on, change.old_rate, change.new_rate) == (
            ScheduleChangeKind.REPRICING,
            NEW_YEAR,
            OLD_RATE,
            NEW_RATE,
        )
        assert (change.old_payment, change.new_payment, change.old_months, change.new_months) == (
            115_044,
            113_767,
            111,
            111,
        )
        assert change.interest_change > 0
        message = Message.objects.get(kind="loan_repriced", person=account.application.applicant)
        assert "2.85%" in message.body and "2.6%" in message.body

    def test_re_prices_once_however_often_the_job_runs(self):
        account = loan_before_the_cut()

        repricing.reprice_loans(today=NEW_YEAR)
        again = repricing.reprice_loans(today=date(2026, 1, 2))

        assert again == 0
        assert LoanScheduleChange.objects.filter(account=account).count() == 1
        assert account.instalments.filter(status=InstalmentStatus.SUPERSEDED).count() == 111

    def test_a_late_run_leaves_the_instalments_already_due_at_the_old_rate(self):
        account = loan_before_the_cut()

        repricing.reprice_loans(today=date(2026, 1, 20))

        rows = in_force(account)
        # The 10th (due 2026-01-10, before the run) stays at 2.85 %; the 111,252.50 left after it
        # is spread over 110 months at 2.6 %: 1,137.7829… → 1,137.78 from 2026-02-10.
        assert (rows[9].due_on, rows[9].payment) == (date(2026, 1, 10), 115_044)
        assert (rows[10].due_on, rows[10].payment) == (date(2026, 2, 10), 113_778)
        assert sum(row.principal for row in rows) == 12_000_000

    def test_leaves_a_loan_already_at_the_rate_in_force(self):
        account = repaying_loan(annual_rate=NEW_RATE, disbursed_on=date(2025, 6, 10))

        assert repricing.reprice_loans(today=NEW_YEAR) == 0
        assert not LoanScheduleChange.objects.filter(account=account).exists()

    def test_re_prices_a_loan_applied_for_last_year_and_disbursed_after_1_january(self):
        account = repaying_loan(
            annual_rate=OLD_RATE,
            disbursed_on=date(2026, 1, 10),
            submitted_at=datetime(2025, 12, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
        )

        changed = repricing.reprice_loans(today=date(2026, 1, 11))

        account.refresh_from_db()
        assert (changed, account.annual_rate) == (1, NEW_RATE)
        assert in_force(account)[0].due_on == date(2026, 2, 10)

    def test_leaves_a_loan_applied_for_this_year(self):
        account = repaying_loan(annual_rate=OLD_RATE, disbursed_on=date(2026, 1, 10))

        assert repricing.reprice_account(account_id=account.pk, today=date(2026, 1, 20)) is None
        account.refresh_from_db()
        assert account.annual_rate == OLD_RATE

    def test_a_second_home_loan_takes_its_own_bands_rate(self):
        account = repaying_loan(
            annual_rate=Decimal("0.03325"), disbursed_on=date(2025, 3, 10), first_home=False
        )

        repricing.reprice_loans(today=NEW_YEAR)

        account.refresh_from_db()
        assert account.annual_rate == Decimal("0.03075")
