"""The loan calculators' arithmetic (DOMAIN.md §7), checked against sums worked by hand."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import parse_yuan as yuan
from loans.calculators import (
    BALANCE_MULTIPLE,
    CITY_CAP,
    EQUAL_INSTALMENT,
    EQUAL_PRINCIPAL,
    PRICE_RATIO,
    REPAYMENT_ABILITY,
    CoBorrowerBalanceWithoutCoBorrower,
    InvalidLoanAmount,
    InvalidLoanRate,
    InvalidTerm,
    LoanRate,
    QuotaInputs,
    QuotaParameters,
    UnknownRepaymentMethod,
    affordable_payment,
    estimate_quota,
    rate_key,
    repayment_ability,
    repayment_schedule,
)

#: The seeded defaults (core/migrations/0003_seed_policy.py).
SEEDED = QuotaParameters(
    balance_multiple=15,
    income_ratio=Decimal("0.50"),
    price_ratio_first=Decimal("0.80"),
    price_ratio_second=Decimal("0.70"),
    cap_single=60_000_000,
    cap_with_co_borrower=80_000_000,
    quota_rounding_unit=100_000,
    max_term_months=360,
)
FIRST_HOME_OVER_5Y = LoanRate(
    annual=Decimal("0.026"), first_home=True, band="over_5y", effective_from=date(2025, 5, 8)
)
# 12 % a year is 1 % a month: round numbers for sums worked by hand.
ONE_PERCENT_A_MONTH = LoanRate(
    annual=Decimal("0.12"), first_home=True, band="upto_5y", effective_from=date(2025, 5, 8)
)


def inputs(**overrides) -> QuotaInputs:
    """A single borrower buying a first home over 30 years, none of whose limits is near the others."""
    stated = {
        "balance": yuan("100,000"),  # × 15 = 1,500,000
        "co_borrower_balance": 0,
        "monthly_income": yuan("30,000"),  # 15,000 a month repays about 3.7 million
        "other_monthly_debt": 0,
        "house_price": yuan("3,000,000"),  # × 80 % = 2,400,000
        "first_home": True,
        "term_months": 360,
        "has_co_borrower": False,
    }
    return QuotaInputs(**{**stated, **overrides})


def schedule(principal: int, annual_rate: str, months: int, method: str):
    return repayment_schedule(
        principal=principal,
        annual_rate=Decimal(annual_rate),
        months=months,
        method=method,
        max_term_months=360,
    )


def rows(found) -> list[tuple[int, int, int, int, int]]:
    return [(r.period, r.payment, r.principal, r.interest, r.remaining) for r in found.instalments]


class TestRateKey:
    def test_a_term_of_sixty_months_takes_the_up_to_five_years_rate(self):
        assert rate_key(first_home=True, term_months=60) == "loan.rate.first.upto_5y"

    def test_a_term_of_sixty_one_months_takes_the_over_five_years_rate(self):
        assert rate_key(first_home=True, term_months=61) == "loan.rate.first.over_5y"

    def test_a_second_home_takes_the_second_home_rate(self):
        assert rate_key(first_home=False, term_months=360) == "loan.rate.second.over_5y"


class TestLoanRate:
    def test_reads_as_a_percent_with_every_decimal_of_the_announcement(self):
        rate = LoanRate(
            annual=Decimal("0.02525"), first_home=False, band="upto_5y", effective_from=date.today()
        )

        assert rate.percent == "2.525"

    def test_reads_a_whole_percent_without_an_exponent(self):
        rate = LoanRate(annual=Decimal("0.10"), first_home=False, band="upto_5y", effective_from=date.today())

        assert rate.percent == "10"


class TestAffordablePayment:
    def test_is_half_the_income_less_the_other_debt(self):
        assert affordable_payment(
            monthly_income=yuan("9,000"), other_monthly_debt=yuan("1,500"), income_ratio=Decimal("0.50")
        ) == yuan("3,000")

    def test_rounds_half_a_fen_of_income_down(self):
        # 100.01 yuan × 50 % = 50.005 yuan: the borrower can count on 50.00.
        assert affordable_payment(
            monthly_income=yuan("100.01"), other_monthly_debt=0, income_ratio=Decimal("0.50")
        ) == yuan("50.00")


class TestRepaymentAbility:
    def test_is_the_principal_a_payment_repays_at_the_rate(self):
        # A = 1,000 yuan, r = 1 %, n = 3: A·((1.01)^3 − 1) / (0.01·(1.01)^3)
        #   = 1,000 × 0.030301 / 0.01030301 = 2,940.985… yuan, down to the fen: 2,940.98.
        found = repayment_ability(payment=yuan("1,000"), annual_rate=Decimal("0.12"), months=3)

        assert found == yuan("2,940.98")

    def test_is_the_payment_times_the_months_without_interest(self):
        assert repayment_ability(payment=yuan("1,000"), annual_rate=Decimal("0"), months=12) == yuan("12,000")

    def test_is_zero_when_nothing_is_left_to_repay_with(self):
        assert repayment_ability(payment=0, annual_rate=Decimal("0.026"), months=360) == 0
        assert repayment_ability(payment=-yuan("500"), annual_rate=Decimal("0.026"), months=360) == 0


class TestEstimateQuota:
    def test_the_balance_multiple_binds_for_a_small_balance(self):
        # 20,000 × 15 = 300,000, below ability (~3.7 million), price (2.4 million) and cap (600,000).
        found = estimate_quota(inputs(balance=yuan("20,000")), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y)

        assert found.binding == BALANCE_MULTIPLE
        assert found.limits[BALANCE_MULTIPLE] == yuan("300,000")
        assert found.quota == yuan("300,000")

    def test_the_balance_multiple_counts_the_co_borrower_s_balance(self):
        found = estimate_quota(
            inputs(balance=yuan("20,000"), co_borrower_balance=yuan("10,000"), has_co_borrower=True),
            parameters=SEEDED,
            rate=FIRST_HOME_OVER_5Y,
        )

        assert found.limits[BALANCE_MULTIPLE] == yuan("450,000")

    def test_the_repayment_ability_binds_for_a_small_income(self):
        # Income 2,000 × 50 % = 1,000 a month; at 1 % a month over 3 months that repays
        # 2,940.98 yuan (see TestRepaymentAbility), which rounds down to a quota of 2,000.
        found = estimate_quota(
            inputs(monthly_income=yuan("2,000"), term_months=3), parameters=SEEDED, rate=ONE_PERCENT_A_MONTH
        )

        assert found.binding == REPAYMENT_ABILITY
        assert found.affordable_payment == yuan("1,000")
        assert found.limits[REPAYMENT_ABILITY] == yuan("2,940.98")
        assert found.quota == yuan("2,000")

    def test_the_price_ratio_binds_for_a_cheap_first_home(self):
        found = estimate_quota(
            inputs(house_price=yuan("500,000")), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y
        )

        assert found.binding == PRICE_RATIO
        assert found.limits[PRICE_RATIO] == yuan("400,000")
        assert found.quota == yuan("400,000")
        assert found.parameters["loan.price_ratio.first"] == Decimal("0.80")

    def test_the_price_ratio_of_a_second_home_is_seventy_percent(self):
        found = estimate_quota(
            inputs(house_price=yuan("500,000"), first_home=False), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y
        )

        assert found.limits[PRICE_RATIO] == yuan("350,000")
        assert "loan.price_ratio.first" not in found.parameters
        assert found.parameters["loan.price_ratio.second"] == Decimal("0.70")

    def test_the_city_cap_binds_for_a_well_off_single_borrower(self):
        found = estimate_quota(inputs(), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y)

        assert found.binding == CITY_CAP
        assert found.limits[CITY_CAP] == yuan("600,000")
        assert found.quota == yuan("600,000")
        assert found.parameters["loan.cap.single"] == yuan("600,000")

    def test_the_city_cap_is_higher_with_a_co_borrower(self):
        found = estimate_quota(inputs(has_co_borrower=True), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y)

        assert found.binding == CITY_CAP
        assert found.quota == yuan("800,000")
        assert found.parameters["loan.cap.with_co_borrower"] == yuan("800,000")

    def test_is_zero_when_other_debt_takes_half_the_income(self):
        found = estimate_quota(
            inputs(monthly_income=yuan("8,000"), other_monthly_debt=yuan("4,000")),
            parameters=SEEDED,
            rate=FIRST_HOME_OVER_5Y,
        )

        assert found.affordable_payment == 0
        assert found.limits[REPAYMENT_ABILITY] == 0
        assert found.binding == REPAYMENT_ABILITY
        assert found.quota == 0

    def test_is_zero_when_other_debt_takes_more_than_half_the_income(self):
        found = estimate_quota(
            inputs(monthly_income=yuan("8,000"), other_monthly_debt=yuan("5,000")),
            parameters=SEEDED,
            rate=FIRST_HOME_OVER_5Y,
        )

        assert found.affordable_payment == -yuan("1,000")
        assert found.limits[REPAYMENT_ABILITY] == 0
        assert found.quota == 0

    def test_rounds_the_least_limit_down_to_a_thousand_yuan(self):
        # 8,230.45 × 15 = 123,456.75 yuan: a quota of 123,000, never 124,000.
        found = estimate_quota(inputs(balance=yuan("8,230.45")), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y)

        assert found.limits[BALANCE_MULTIPLE] == yuan("123,456.75")
        assert found.quota == yuan("123,000")

    def test_rounds_a_limit_of_fractions_of_a_fen_down(self):
        # 500,000.01 × 70 % = 350,000.007 yuan: the limit is 350,000.00.
        found = estimate_quota(
            inputs(house_price=yuan("500,000.01"), first_home=False),
            parameters=SEEDED,
            rate=FIRST_HOME_OVER_5Y,
        )

        assert found.limits[PRICE_RATIO] == yuan("350,000")

    def test_names_the_first_listed_limit_when_two_are_equal(self):
        # 40,000 × 15 = 600,000, the single borrower's cap.
        found = estimate_quota(inputs(balance=yuan("40,000")), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y)

        assert found.limits[BALANCE_MULTIPLE] == found.limits[CITY_CAP]
        assert found.binding == BALANCE_MULTIPLE

    def test_records_the_rate_and_the_parameters_it_used(self):
        found = estimate_quota(inputs(), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y)

        assert found.rate == FIRST_HOME_OVER_5Y
        assert found.parameters == {
            "loan.balance_multiple": 15,
            "loan.income_ratio": Decimal("0.50"),
            "loan.price_ratio.first": Decimal("0.80"),
            "loan.cap.single": 60_000_000,
            "loan.quota_rounding_unit": 100_000,
            "loan.max_term_months": 360,
            "loan.rate.first.over_5y": Decimal("0.026"),
        }

    @pytest.mark.parametrize("term_months", [0, -12, 361])
    def test_refuses_a_term_outside_one_to_the_longest(self, term_months):
        with pytest.raises(InvalidTerm) as refused:
            estimate_quota(inputs(term_months=term_months), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y)

        assert refused.value.field == "term_months"
        assert refused.value.code == "INVALID_TERM"
        assert "360" in str(refused.value.message)

    def test_accepts_the_longest_term(self):
        found = estimate_quota(inputs(term_months=360), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y)

        assert found.quota > 0

    def test_refuses_a_house_price_of_zero(self):
        with pytest.raises(InvalidLoanAmount) as refused:
            estimate_quota(inputs(house_price=0), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y)

        assert refused.value.field == "house_price"

    def test_refuses_a_negative_balance(self):
        with pytest.raises(InvalidLoanAmount) as refused:
            estimate_quota(inputs(balance=-1), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y)

        assert refused.value.field == "balance"

    def test_refuses_a_co_borrower_s_balance_without_a_co_borrower(self):
        with pytest.raises(CoBorrowerBalanceWithoutCoBorrower) as refused:
            estimate_quota(
                inputs(co_borrower_balance=yuan("1,000")), parameters=SEEDED, rate=FIRST_HOME_OVER_5Y
            )

        assert refused.value.field == "co_borrower_balance"


class TestEqualInstalmentSchedule:
    def test_matches_the_sum_worked_by_hand(self):
        # P = 1,000 yuan, r = 12 % / 12 = 1 %, n = 3.
        # M = 1,000 × 0.01 × 1.01³ / (1.01³ − 1) = 10.30301 / 0.030301 = 340.0221… → 340.02.
        # 1: interest 1,000.00 × 1 % = 10.00;  principal 330.02; remaining 669.98.
        # 2: interest   669.98 × 1 % = 6.6998 → 6.70; principal 333.32; remaining 336.66.
        # 3: the last pays what is left, 336.66, and its interest 3.3666 → 3.37: 340.03.
        found = schedule(yuan("1,000"), "0.12", 3, EQUAL_INSTALMENT)

        assert rows(found) == [
            (1, yuan("340.02"), yuan("330.02"), yuan("10.00"), yuan("669.98")),
            (2, yuan("340.02"), yuan("333.32"), yuan("6.70"), yuan("336.66")),
            (3, yuan("340.03"), yuan("336.66"), yuan("3.37"), 0),
        ]
        assert found.total_interest == yuan("20.07")
        assert found.total_payment == yuan("1,020.07")

    def test_the_last_instalment_absorbs_the_rounding(self):
        found = schedule(yuan("1,000"), "0.12", 3, EQUAL_INSTALMENT)

        level, last = found.instalments[0].payment, found.instalments[-1].payment
        assert last - level == 1  # the fen that rounding M down to 340.02 left unpaid

    def test_gives_the_banks_monthly_payment_for_six_hundred_thousand_over_thirty_years(self):
        # 600,000 at 2.6 % over 360 months: 2,402.04 a month, as every bank's calculator says.
        found = schedule(yuan("600,000"), "0.026", 360, EQUAL_INSTALMENT)

        assert {row.payment for row in found.instalments[:-1]} == {yuan("2,402.04")}
        assert found.instalments[0].interest == yuan("1,300.00")  # 600,000 × 2.6 % / 12
        assert found.total_interest == found.total_payment - yuan("600,000")

    def test_divides_the_principal_evenly_without_interest(self):
        # 1.00 yuan over 3 months at 0 %: 0.33, 0.33 and the last takes the rest, 0.34.
        found = schedule(100, "0", 3, EQUAL_INSTALMENT)

        assert rows(found) == [(1, 33, 33, 0, 67), (2, 33, 33, 0, 34), (3, 34, 34, 0, 0)]
        assert found.total_interest == 0


class TestEqualPrincipalSchedule:
    def test_matches_the_sum_worked_by_hand(self):
        # P = 1,000 yuan, r = 1 %, n = 3; P/n = 333.333…
        # 1: 333.333… + 1,000.00 × 1 % = 343.333… → 343.33; interest 10.00; principal 333.33.
        # 2: 333.333… + 666.666… × 1 % = 340.00; interest 6.666… → 6.67; principal 333.33.
        # 3: the last pays what is left, 333.34, and interest 333.333… × 1 % = 3.333… → 3.33.
        found = schedule(yuan("1,000"), "0.12", 3, EQUAL_PRINCIPAL)

        assert rows(found) == [
            (1, yuan("343.33"), yuan("333.33"), yuan("10.00"), yuan("666.67")),
            (2, yuan("340.00"), yuan("333.33"), yuan("6.67"), yuan("333.34")),
            (3, yuan("336.67"), yuan("333.34"), yuan("3.33"), 0),
        ]
        assert found.total_interest == yuan("20.00")

    def test_the_last_instalment_absorbs_the_rounding(self):
        found = schedule(yuan("1,000"), "0.12", 3, EQUAL_PRINCIPAL)

        assert [row.principal for row in found.instalments] == [
            yuan("333.33"),
            yuan("333.33"),
            yuan("333.34"),
        ]

    def test_pays_less_each_month_as_the_principal_falls(self):
        found = schedule(yuan("600,000"), "0.026", 360, EQUAL_PRINCIPAL)

        payments = [row.payment for row in found.instalments]
        assert payments[0] == yuan("2,966.67")  # 1,666.666… + 1,300.00
        assert payments == sorted(payments, reverse=True)

    def test_divides_the_principal_evenly_without_interest(self):
        found = schedule(100, "0", 3, EQUAL_PRINCIPAL)

        assert rows(found) == [(1, 33, 33, 0, 67), (2, 33, 33, 0, 34), (3, 34, 34, 0, 0)]


class TestEverySchedule:
    @settings(max_examples=150, deadline=None)
    @given(
        principal=st.integers(min_value=1, max_value=10**11),
        annual_rate=st.decimals(min_value=0, max_value=Decimal("0.2"), places=5),
        months=st.integers(min_value=1, max_value=360),
        method=st.sampled_from([EQUAL_INSTALMENT, EQUAL_PRINCIPAL]),
    )
    def test_repays_the_principal_exactly_and_never_owes_less_than_nothing(
        self, principal, annual_rate, months, method
    ):
        found = repayment_schedule(
            principal=principal, annual_rate=annual_rate, months=months, method=method, max_term_months=360
        )

        assert sum(row.principal for row in found.instalments) == principal
        assert [row.period for row in found.instalments] == list(range(1, months + 1))
        assert all(row.payment == row.principal + row.interest for row in found.instalments)
        assert all(row.principal >= 0 and row.interest >= 0 for row in found.instalments)
        remaining = [row.remaining for row in found.instalments]
        assert remaining == sorted(remaining, reverse=True)
        assert remaining[-1] == 0
        assert found.total_payment == principal + found.total_interest

    def test_refuses_an_unknown_method(self):
        with pytest.raises(UnknownRepaymentMethod) as refused:
            schedule(yuan("1,000"), "0.12", 3, "BALLOON")

        assert refused.value.field == "method"

    @pytest.mark.parametrize("months", [0, 361])
    def test_refuses_a_term_outside_one_to_the_longest(self, months):
        with pytest.raises(InvalidTerm) as refused:
            schedule(yuan("1,000"), "0.12", months, EQUAL_INSTALMENT)

        assert refused.value.field == "months"

    def test_refuses_a_principal_of_zero(self):
        with pytest.raises(InvalidLoanAmount) as refused:
            schedule(0, "0.12", 3, EQUAL_INSTALMENT)

        assert refused.value.field == "principal"

    @pytest.mark.parametrize("annual_rate", ["1", "-0.01", "NaN"])
    def test_refuses_a_rate_that_is_not_a_fraction_below_one(self, annual_rate):
        with pytest.raises(InvalidLoanRate) as refused:
            schedule(yuan("1,000"), annual_rate, 3, EQUAL_INSTALMENT)

        assert refused.value.field == "annual_rate"
