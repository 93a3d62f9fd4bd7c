from datetime import date

import pytest

from approvals.engine import UNKNOWN, Outcome, rule_set
from tests.approvals.rulesets.builders import ELSEWHERE, PARAMS, XIAMEN, codes, decide, rent_facts


class TestRent:
    def test_approves_a_renter_without_a_home(self):
        evaluation = decide("RENT", rent_facts())

        assert evaluation.outcome is Outcome.APPROVE

    @pytest.mark.parametrize(("months", "outcome"), [(2, Outcome.REJECT), (3, Outcome.APPROVE)])
    def test_needs_three_consecutive_months_deposited(self, months, outcome):
        evaluation = decide("RENT", rent_facts(consecutive_deposit_months=months))

        assert evaluation.outcome is outcome

    def test_says_how_many_months_were_deposited(self):
        evaluation = decide("RENT", rent_facts(consecutive_deposit_months=2))

        assert codes(evaluation) == ["DEPOSIT_MONTHS_TOO_FEW"]
        assert evaluation.reasons[0].zh_hans == "您已连续缴存2个月，不足3个月。"

    def test_rejects_a_home_of_the_applicant_in_the_city(self):
        evaluation = decide("RENT", rent_facts(self_home_regions=(ELSEWHERE, XIAMEN)))

        assert codes(evaluation) == ["OWNS_HOME_IN_CITY"]

    def test_rejects_a_home_of_the_spouse_in_the_city(self):
        evaluation = decide("RENT", rent_facts(spouse_home_regions=(XIAMEN,)))

        assert codes(evaluation) == ["SPOUSE_OWNS_HOME_IN_CITY"]

    def test_approves_a_single_applicant_without_looking_for_a_spouse(self):
        evaluation = decide("RENT", rent_facts(marital_status="single", spouse_home_regions=None))

        assert evaluation.outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("changes", "code"),
        [
            ({"marital_status": UNKNOWN}, "MARRIAGE_UNKNOWN"),
            ({"spouse_home_regions": UNKNOWN}, "SPOUSE_REAL_ESTATE_UNKNOWN"),
            ({"spouse_home_regions": None}, "SPOUSE_NOT_IDENTIFIED"),
            ({"self_home_regions": UNKNOWN}, "REAL_ESTATE_UNKNOWN"),
        ],
    )
    def test_refers_when_the_homes_of_the_household_cannot_be_known(self, changes, code):
        evaluation = decide("RENT", rent_facts(**changes))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, [code])

    @pytest.mark.parametrize(
        ("period", "requested", "outcome"),
        [
            (1, 1_800_00, Outcome.APPROVE),
            (1, 1_800_01, Outcome.REJECT),
            (3, 5_400_00, Outcome.APPROVE),
            (3, 5_400_01, Outcome.REJECT),
        ],
    )
    def test_caps_the_amount_at_the_monthly_cap_times_the_months(self, period, requested, outcome):
        facts = rent_facts(period_months=period, requested_amount=requested)

        evaluation = decide("RENT", facts)

        assert evaluation.outcome is outcome
        assert codes(evaluation) == ([] if outcome is Outcome.APPROVE else ["AMOUNT_OVER_RENT_CAP"])

    @pytest.mark.parametrize("period", [0, 2, 6, 12])
    def test_rejects_a_period_other_than_a_month_or_a_quarter(self, period):
        evaluation = decide("RENT", rent_facts(period_months=period))

        assert "RENT_PERIOD_INVALID" in codes(evaluation)

    def test_rejects_a_sealed_account(self):
        evaluation = decide("RENT", rent_facts(account_status="02"))

        assert codes(evaluation) == ["ACCOUNT_NOT_NORMAL"]

    def test_rejects_a_period_already_withdrawn_for(self):
        evaluation = decide("RENT", rent_facts(rent_withdrawn_through=date(2026, 8, 31)))

        assert codes(evaluation) == ["RENT_ALREADY_WITHDRAWN"]

    def test_approves_once_the_earlier_period_has_passed(self):
        evaluation = decide("RENT", rent_facts(rent_withdrawn_through=date(2026, 7, 30)))

        assert evaluation.outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("period", "balance", "limit"),
        [(1, 2_000_000, 180_000), (3, 2_000_000, 540_000), (3, 300_000, 300_000)],
    )
    def test_allows_the_lesser_of_the_cap_and_the_balance(self, period, balance, limit):
        facts = rent_facts(period_months=period, balance=balance)

        amount = rule_set("RENT").amount_limit(facts, PARAMS)

        assert amount == limit
