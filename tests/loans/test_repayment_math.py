"""Repaying a running loan (DOMAIN.md §7): prepayment, settlement, penalty, re-pricing, worked by hand."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import parse_yuan as yuan
from loans.calculators import (
    EQUAL_INSTALMENT,
    EQUAL_PRINCIPAL,
    InvalidLoanAmount,
    InvalidLoanRate,
    InvalidTerm,
    UnknownRepaymentMethod,
    repayment_schedule,
)
from loans.repayment_math import (
    LOWER_PAYMENT,
    SHORTEN_TERM,
    InvalidDates,
    InvalidDays,
    InvalidMultiplier,
    InvalidPrepayment,
    days_overdue,
    overdue_penalty,
    prepayment,
    reprice,
    repricing_due,
    settlement_amount,
)

RATE = Decimal("0.026")


def after_twelve_payments(method: str):
    """A 600,000-yuan loan at 2.6 % over 360 months, as it stands once 12 instalments are paid."""
    loan = repayment_schedule(
        principal=yuan("600,000"), annual_rate=RATE, months=360, method=method, max_term_months=360
    )
    return loan.instalments[11].remaining, loan.instalments[12].payment


def prepay(method: str, prepaid: int = yuan("100,000")):
    outstanding, current_payment = after_twelve_payments(method)
    return prepayment(
        outstanding=outstanding,
        annual_rate=RATE,
        months_remaining=348,
        method=method,
        current_payment=current_payment,
        prepaid=prepaid,
    )


class TestPrepaymentOfEqualInstalments:
    # r = 0.026 / 12 = 0.0021666…; the level payment on 600,000 over 360 months is
    # 600,000 × r × (1+r)^360 / ((1+r)^360 − 1) = 2,402.04 yuan. Twelve payments later the
    # schedule leaves 586,616.79 owed (month 13's interest is 586,616.79 × r = 1,271.00, so it
    # repays 2,402.04 − 1,271.00 = 1,131.04 of principal). Prepaying 100,000 leaves 486,616.79.

    def test_the_loan_before_the_prepayment_is_as_worked_out(self):
        assert after_twelve_payments(EQUAL_INSTALMENT) == (yuan("586,616.79"), yuan("2,402.04"))

    def test_shortening_the_term_keeps_the_payment_at_most_what_it_was(self):
        # On 486,616.79: 267 months need 486,616.79 × r × (1+r)^267 / ((1+r)^267 − 1) = 2,402.169… → 2,402.17,
        # one fen too many; 268 months need 2,395.548… → 2,395.55, the first at most 2,402.04.
        found = prepay(EQUAL_INSTALMENT).shorten_term

        assert found.option == SHORTEN_TERM
        assert found.months == 268
        assert found.first_payment == yuan("2,395.55")
        assert sum(row.principal for row in found.schedule.instalments) == yuan("486,616.79")

    def test_lowering_the_payment_keeps_the_348_months(self):
        # 486,616.79 × r × (1+r)^348 / ((1+r)^348 − 1) = 1,992.565… → 1,992.57 a month.
        found = prepay(EQUAL_INSTALMENT).lower_payment

        assert found.option == LOWER_PAYMENT
        assert found.months == 348
        assert found.first_payment == yuan("1,992.57")
        assert sum(row.principal for row in found.schedule.instalments) == yuan("486,616.79")


class TestPrepaymentOfEqualPrincipal:
    # 600,000 / 360 = 1,666.666… of principal a month; after 12 months exactly 20,000 is repaid
    # and 580,000 is owed, which over the 348 months left is again 1,666.666… a month.
    # Month 13 pays 1,666.67 + 580,000 × r (1,256.67) = 2,923.33. Prepaying 100,000 leaves 480,000.

    def test_the_loan_before_the_prepayment_is_as_worked_out(self):
        assert after_twelve_payments(EQUAL_PRINCIPAL) == (yuan("580,000"), yuan("2,923.33"))

    def test_shortening_the_term_keeps_the_monthly_principal(self):
        # 480,000 / 1,666.666… = 288 months; the first pays 1,666.67 + 480,000 × r (1,040.00) = 2,706.67.
        found = prepay(EQUAL_PRINCIPAL).shorten_term

        assert found.months == 288
        assert found.first_payment == yuan("2,706.67")
        assert found.schedule.instalments[0].principal == yuan("1,666.67")
        assert sum(row.principal for row in found.schedule.instalments) == yuan("480,000")

    def test_shortening_the_term_rounds_a_part_month_up(self):
        # 480,000.01 / 1,666.666… = 288.000006 months: a 289th month takes the last fen's share,
        # so the monthly principal (480,000.01 / 289 = 1,660.90) stays below the old one.
        found = prepay(EQUAL_PRINCIPAL, prepaid=yuan("99,999.99")).shorten_term

        assert found.months == 289
        assert found.schedule.instalments[0].principal == yuan("1,660.90")

    def test_lowering_the_payment_spreads_the_rest_over_the_348_months(self):
        # 480,000 / 348 = 1,379.310…; the first pays 1,379.31 + 1,040.00 = 2,419.31.
        found = prepay(EQUAL_PRINCIPAL).lower_payment

        assert found.months == 348
        assert found.first_payment == yuan("2,419.31")
        assert sum(row.principal for row in found.schedule.instalments) == yuan("480,000")


class TestInterestSaved:
    # Interest is what is paid less the principal repaid.
    # 等额本息: the old 348 months pay 347 × 2,402.04 + 2,401.11 = 835,908.99 on 586,616.79: 249,292.20;
    # shortened, 267 × 2,395.55 + 2,394.82 = 642,006.67 on 486,616.79: 155,389.88 (saving 93,902.32);
    # lowered, 347 × 1,992.57 + 1,989.89 = 693,411.68 on 486,616.79: 206,794.89 (saving 42,497.31).
    # 等额本金: interest over n months on P is P × r × (n + 1) / 2 to within the monthly rounding:
    # old 580,000 × r × 349 / 2 = 219,288.33; shortened 480,000 × r × 289 / 2 = 150,280.00
    # (saving 69,008.33); lowered 480,000 × r × 349 / 2 = 181,480.00 (saving 37,808.33).

    @pytest.mark.parametrize(
        ("method", "old_interest", "saved_shortening", "saved_lowering"),
        [
            (EQUAL_INSTALMENT, "249,292.20", "93,902.32", "42,497.31"),
            (EQUAL_PRINCIPAL, "219,288.33", "69,008.33", "37,808.33"),
        ],
    )
    def test_shortening_the_term_saves_more_than_lowering_the_payment(
        self, method, old_interest, saved_shortening, saved_lowering
    ):
        found = prepay(method)

        assert found.old_schedule.total_interest == yuan(old_interest)
        assert found.shorten_term.interest_saved == yuan(saved_shortening)
        assert found.lower_payment.interest_saved == yuan(saved_lowering)
        assert found.shorten_term.interest_saved > found.lower_payment.interest_saved > 0


class TestPrepaymentRefusals:
    @pytest.mark.parametrize("prepaid", [yuan("580,000"), yuan("580,000.01")])
    def test_refuses_a_prepayment_of_all_the_principal_or_more(self, prepaid):
        with pytest.raises(InvalidPrepayment) as refused:
            prepay(EQUAL_PRINCIPAL, prepaid=prepaid)

        assert refused.value.field == "prepaid"
        assert refused.value.code == "INVALID_PREPAYMENT"

    def test_refuses_a_prepayment_of_nothing(self):
        with pytest.raises(InvalidLoanAmount) as refused:
            prepay(EQUAL_PRINCIPAL, prepaid=0)

        assert refused.value.field == "prepaid"

    def test_refuses_no_months_remaining(self):
        with pytest.raises(InvalidTerm) as refused:
            prepayment(
                outstanding=yuan("1,000"),
                annual_rate=RATE,
                months_remaining=0,
                method=EQUAL_INSTALMENT,
                current_payment=yuan("100"),
                prepaid=yuan("100"),
            )

        assert refused.value.field == "months_remaining"

    def test_refuses_an_unknown_method(self):
        with pytest.raises(UnknownRepaymentMethod):
            prepayment(
                outstanding=yuan("1,000"),
                annual_rate=RATE,
                months_remaining=12,
                method="BALLOON",
                current_payment=yuan("100"),
                prepaid=yuan("100"),
            )


class TestSettlementAmount:
    def test_adds_the_interest_accrued_since_the_last_due_date(self):
        # 15 March to 9 April is 25 days: 500,000 × 0.026 / 360 × 25 = 902.777… → 902.78.
        found = settlement_amount(
            outstanding=yuan("500,000"), annual_rate=RATE, last_due_on=date(2026, 3, 15), on=date(2026, 4, 9)
        )

        assert found.days == 25
        assert found.interest == yuan("902.78")
        assert found.total == yuan("500,902.78")

    def test_is_the_principal_alone_on_the_due_date(self):
        found = settlement_amount(
            outstanding=yuan("500,000"), annual_rate=RATE, last_due_on=date(2026, 3, 15), on=date(2026, 3, 15)
        )

        assert found.total == yuan("500,000")

    def test_refuses_a_date_before_the_last_due_date(self):
        with pytest.raises(InvalidDates) as refused:
            settlement_amount(
                outstanding=yuan("500,000"),
                annual_rate=RATE,
                last_due_on=date(2026, 3, 15),
                on=date(2026, 3, 14),
            )

        assert refused.value.field == "on"


class TestOverduePenalty:
    def test_is_one_and_a_half_times_the_daily_interest_on_the_overdue_amount(self):
        # 2,402.04 × 0.026 = 62.45304; / 360 = 0.1734807; × 1.5 = 0.2602210 a day; × 10 days = 2.60221 → 2.60.
        assert overdue_penalty(overdue_amount=yuan("2,402.04"), annual_rate=RATE, days=10) == yuan("2.60")

    def test_rounds_half_a_fen_up(self):
        # 24 × 0.05 / 360 × 1.5 × 1 day = 0.005 yuan: exactly half a fen, which rounds up to 1 fen.
        assert overdue_penalty(overdue_amount=yuan("24"), annual_rate=Decimal("0.05"), days=1) == 1

    def test_takes_another_multiplier(self):
        # 3,600 × 0.05 / 360 × 2 × 3 = 3.00.
        assert overdue_penalty(
            overdue_amount=yuan("3,600"), annual_rate=Decimal("0.05"), days=3, multiplier=Decimal("2")
        ) == yuan("3.00")

    def test_is_nothing_on_the_due_date(self):
        assert overdue_penalty(overdue_amount=yuan("2,402.04"), annual_rate=RATE, days=0) == 0

    def test_refuses_negative_days(self):
        with pytest.raises(InvalidDays) as refused:
            overdue_penalty(overdue_amount=yuan("2,402.04"), annual_rate=RATE, days=-1)

        assert refused.value.field == "days"

    def test_refuses_a_multiplier_of_zero(self):
        with pytest.raises(InvalidMultiplier):
            overdue_penalty(overdue_amount=yuan("1"), annual_rate=RATE, days=1, multiplier=Decimal("0"))

    def test_refuses_a_rate_given_as_a_percent(self):
        with pytest.raises(InvalidLoanRate):
            overdue_penalty(overdue_amount=yuan("1"), annual_rate=Decimal("2.6"), days=1)


class TestDaysOverdue:
    def test_counts_the_days_after_the_due_date(self):
        assert days_overdue(date(2026, 2, 15), date(2026, 3, 1)) == 14

    def test_is_one_the_day_after_the_due_date(self):
        assert days_overdue(date(2026, 2, 15), date(2026, 2, 16)) == 1

    def test_is_zero_on_and_before_the_due_date(self):
        assert days_overdue(date(2026, 2, 15), date(2026, 2, 15)) == 0
        assert days_overdue(date(2026, 2, 15), date(2026, 2, 1)) == 0


def reprice_from_2_85_percent(method: str):
    """A first-home loan taken before 8 May 2025 at 2.85 %, 500,000 owed with 300 months left on
    1 January 2026, when the over-5-years rate is 2.6 %."""
    return reprice(
        outstanding=yuan("500,000"),
        previous_rate=Decimal("0.0285"),
        current_rate=RATE,
        months_remaining=300,
        method=method,
    )


class TestReprice:
    def test_a_lower_rate_lowers_the_equal_instalment(self):
        # At 2.85 %: 500,000 × 0.002375 × 1.002375^300 / (1.002375^300 − 1) = 2,332.23;
        # at 2.6 %: 500,000 × 0.0021666… × 1.0021666…^300 / (… − 1) = 2,268.35; 63.88 less a month.
        found = reprice_from_2_85_percent(EQUAL_INSTALMENT)

        assert found.old_schedule.instalments[0].payment == yuan("2,332.23")
        assert found.new_schedule.instalments[0].payment == yuan("2,268.35")
        assert found.payment_change == -yuan("63.88")
        assert found.new_schedule.months == 300
        assert sum(row.principal for row in found.new_schedule.instalments) == yuan("500,000")

    def test_a_lower_rate_lowers_the_first_equal_principal_payment(self):
        # 500,000 / 300 = 1,666.67 of principal; interest 500,000 × 0.0285 / 12 = 1,187.50 before,
        # 500,000 × 0.026 / 12 = 1,083.33 after: 2,854.17 → 2,750.00, 104.17 less.
        found = reprice_from_2_85_percent(EQUAL_PRINCIPAL)

        assert found.new_schedule.instalments[0].payment == yuan("2,750.00")
        assert found.payment_change == -yuan("104.17")

    def test_the_same_rate_changes_nothing(self):
        found = reprice(
            outstanding=yuan("500,000"),
            previous_rate=RATE,
            current_rate=RATE,
            months_remaining=300,
            method=EQUAL_INSTALMENT,
        )

        assert found.new_schedule == found.old_schedule
        assert found.payment_change == 0

    def test_is_due_only_when_the_rate_changed(self):
        assert repricing_due(Decimal("0.0285"), RATE)
        assert not repricing_due(RATE, Decimal("0.0260"))


class TestPrepaymentProperties:
    @settings(max_examples=60, deadline=None)
    @given(
        outstanding=st.integers(min_value=200, max_value=yuan("1,000,000")),
        share=st.fractions(min_value=0, max_value=1),
        annual_rate=st.decimals(min_value=Decimal("0"), max_value=Decimal("0.1"), places=4),
        months_remaining=st.integers(min_value=1, max_value=360),
        method=st.sampled_from([EQUAL_INSTALMENT, EQUAL_PRINCIPAL]),
    )
    def test_the_new_schedules_repay_the_new_principal_and_nothing_is_negative(
        self, outstanding, share, annual_rate, months_remaining, method
    ):
        prepaid = min(max(1, int(outstanding * share)), outstanding - 1)
        current_payment = (
            repayment_schedule(
                principal=outstanding,
                annual_rate=annual_rate,
                months=months_remaining,
                method=method,
                max_term_months=months_remaining,
            )
            .instalments[0]
            .payment
        )

        found = prepayment(
            outstanding=outstanding,
            annual_rate=annual_rate,
            months_remaining=months_remaining,
            method=method,
            current_payment=current_payment,
            prepaid=prepaid,
        )

        for option in (found.shorten_term, found.lower_payment):
            assert sum(row.principal for row in option.schedule.instalments) == outstanding - prepaid
            assert 1 <= option.months <= months_remaining
            assert all(
                row.payment >= 0 and row.principal >= 0 and row.interest >= 0 and row.remaining >= 0
                for row in option.schedule.instalments
            )
        assert found.shorten_term.months <= found.lower_payment.months
        if method == EQUAL_INSTALMENT:
            assert found.shorten_term.schedule.instalments[0].payment <= current_payment + 1
