"""The calculators with the policy parameters in force on a date (the seeded loan rates and limits)."""

from datetime import date
from decimal import Decimal

import pytest

from core.models import PolicyParameter
from core.money import parse_yuan as yuan
from core.policy import UnknownPolicyParameter
from loans.calculators import CITY_CAP, EQUAL_INSTALMENT, InvalidTerm, QuotaInputs
from loans.selectors import applicable_loan_rate, loan_quota_estimate, loan_schedule

pytestmark = pytest.mark.django_db

DAY_BEFORE_THE_2025_CUT = date(2025, 5, 7)
DAY_OF_THE_2025_CUT = date(2025, 5, 8)


def inputs(**overrides) -> QuotaInputs:
    stated = {
        "balance": yuan("100,000"),
        "co_borrower_balance": 0,
        "monthly_income": yuan("30,000"),
        "other_monthly_debt": 0,
        "house_price": yuan("3,000,000"),
        "first_home": True,
        "term_months": 360,
        "has_co_borrower": False,
    }
    return QuotaInputs(**{**stated, **overrides})


class TestApplicableLoanRate:
    def test_is_the_old_first_home_rate_the_day_before_the_2025_cut(self):
        rate = applicable_loan_rate(first_home=True, term_months=360, on=DAY_BEFORE_THE_2025_CUT)

        assert rate.annual == Decimal("0.0285")
        assert rate.effective_from == date(2024, 5, 18)

    def test_is_the_new_first_home_rate_from_the_day_of_the_2025_cut(self):
        rate = applicable_loan_rate(first_home=True, term_months=360, on=DAY_OF_THE_2025_CUT)

        assert rate.annual == Decimal("0.026")
        assert rate.effective_from == DAY_OF_THE_2025_CUT
        assert rate.key == "loan.rate.first.over_5y"

    def test_is_the_up_to_five_years_rate_for_sixty_months(self):
        rate = applicable_loan_rate(first_home=True, term_months=60, on=DAY_OF_THE_2025_CUT)

        assert rate.annual == Decimal("0.021")
        assert rate.band == "upto_5y"

    def test_is_the_over_five_years_rate_for_sixty_one_months(self):
        rate = applicable_loan_rate(first_home=True, term_months=61, on=DAY_OF_THE_2025_CUT)

        assert rate.annual == Decimal("0.026")
        assert rate.band == "over_5y"

    @pytest.mark.parametrize(
        ("term_months", "on", "expected"),
        [
            (60, DAY_BEFORE_THE_2025_CUT, "0.02775"),
            (61, DAY_BEFORE_THE_2025_CUT, "0.03325"),
            (60, DAY_OF_THE_2025_CUT, "0.02525"),
            (61, DAY_OF_THE_2025_CUT, "0.03075"),
        ],
    )
    def test_is_the_second_home_rate_for_a_second_home(self, term_months, on, expected):
        rate = applicable_loan_rate(first_home=False, term_months=term_months, on=on)

        assert rate.annual == Decimal(expected)
        assert not rate.first_home

    def test_is_unknown_before_the_first_rate_the_portal_holds(self):
        with pytest.raises(UnknownPolicyParameter):
            applicable_loan_rate(first_home=True, term_months=360, on=date(2023, 1, 1))


class TestLoanQuotaEstimate:
    def test_uses_the_rate_in_force_on_the_date(self):
        before = loan_quota_estimate(inputs(monthly_income=yuan("6,000")), on=DAY_BEFORE_THE_2025_CUT)
        after = loan_quota_estimate(inputs(monthly_income=yuan("6,000")), on=DAY_OF_THE_2025_CUT)

        assert before.rate.annual == Decimal("0.0285")
        assert after.rate.annual == Decimal("0.026")
        # A lower rate lets the same 3,000 a month repay more.
        assert after.limits["repayment_ability"] > before.limits["repayment_ability"]

    def test_uses_the_seeded_limits(self):
        found = loan_quota_estimate(inputs(), on=DAY_OF_THE_2025_CUT)

        assert found.binding == CITY_CAP
        assert found.quota == yuan("600,000")
        assert found.limits["balance_multiple"] == yuan("1,500,000")
        assert found.limits["price_ratio"] == yuan("2,400,000")

    def test_follows_a_new_version_of_a_parameter_from_its_date(self):
        PolicyParameter.objects.create(
            key="loan.cap.single", value=70_000_000, effective_from=date(2026, 1, 1)
        )

        found = loan_quota_estimate(inputs(), on=date(2026, 1, 1))

        assert found.quota == yuan("700,000")

    def test_refuses_a_term_beyond_the_longest(self):
        with pytest.raises(InvalidTerm):
            loan_quota_estimate(inputs(term_months=361), on=DAY_OF_THE_2025_CUT)


class TestLoanSchedule:
    def test_limits_the_term_to_the_longest_in_force(self):
        with pytest.raises(InvalidTerm) as refused:
            loan_schedule(
                principal=yuan("1,000"), annual_rate=Decimal("0.026"), months=361, method=EQUAL_INSTALMENT
            )

        assert refused.value.field == "months"

    def test_computes_the_schedule(self):
        found = loan_schedule(
            principal=yuan("1,000"), annual_rate=Decimal("0.12"), months=3, method=EQUAL_INSTALMENT
        )

        assert found.total_interest == yuan("20.07")
