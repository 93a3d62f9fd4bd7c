from datetime import date

import pytest

from approvals.engine import UNKNOWN, Outcome, rule_set
from tests.approvals.rulesets.builders import (
    ELSEWHERE,
    PARAMS,
    codes,
    decide,
    purchase_facts,
    purchased_property,
)


def resale(title_on) -> object:
    return purchased_property(kind="resale", full_payment=True, loan_amount=0, title_on=title_on)


class TestPurchaseInCity:
    def test_approves_a_fresh_contract_of_the_applicant(self):
        evaluation = decide("PURCHASE_IN_CITY", purchase_facts())

        assert evaluation.outcome is Outcome.APPROVE

    def test_approves_a_purchase_of_the_spouse(self):
        facts = purchase_facts(property=purchased_property(relation="spouse"))

        evaluation = decide("PURCHASE_IN_CITY", facts)

        assert evaluation.outcome is Outcome.APPROVE

    @pytest.mark.parametrize("relation", ["parent", "child"])
    def test_refers_a_purchase_of_parents_or_children_to_staff(self, relation):
        facts = purchase_facts(property=purchased_property(relation=relation))

        evaluation = decide("PURCHASE_IN_CITY", facts)

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["KINSHIP_NEEDS_REVIEW"])

    def test_rejects_when_no_purchase_is_registered(self):
        evaluation = decide("PURCHASE_IN_CITY", purchase_facts(property=None))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REJECT, ["NO_REGISTERED_PURCHASE"])

    def test_refers_when_the_registry_is_unreachable(self):
        evaluation = decide("PURCHASE_IN_CITY", purchase_facts(property=UNKNOWN))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["REAL_ESTATE_UNKNOWN"])

    def test_rejects_a_home_outside_the_city(self):
        facts = purchase_facts(property=purchased_property(region_code=ELSEWHERE))

        evaluation = decide("PURCHASE_IN_CITY", facts)

        assert codes(evaluation) == ["PROPERTY_NOT_IN_CITY"]

    def test_rejects_a_second_withdrawal_for_the_same_home(self):
        home = purchased_property(applicant_withdrawals=50_000_00, total_withdrawals=50_000_00)

        evaluation = decide("PURCHASE_IN_CITY", purchase_facts(property=home))

        assert codes(evaluation) == ["ALREADY_WITHDRAWN_FOR_PROPERTY"]

    @pytest.mark.parametrize(
        ("title_on", "outcome"),
        [(date(2026, 1, 31), Outcome.APPROVE), (date(2026, 2, 1), Outcome.REJECT), (None, Outcome.REJECT)],
    )
    def test_allows_a_full_payment_resale_only_six_months_after_title(self, title_on, outcome):
        facts = purchase_facts(property=resale(title_on))

        evaluation = decide("PURCHASE_IN_CITY", facts)

        assert evaluation.outcome is outcome

    def test_says_from_when_a_recent_resale_may_apply(self):
        facts = purchase_facts(property=resale(date(2026, 2, 1)))

        evaluation = decide("PURCHASE_IN_CITY", facts)

        assert codes(evaluation) == ["RESALE_TITLE_TOO_RECENT"]
        assert "2026年8月1日" in evaluation.reasons[0].zh_hans
        assert "1 August 2026" in evaluation.reasons[0].en

    def test_does_not_wait_for_a_resale_bought_with_a_loan(self):
        home = purchased_property(kind="resale", full_payment=False, title_on=date(2026, 7, 1))

        evaluation = decide("PURCHASE_IN_CITY", purchase_facts(property=home))

        assert evaluation.outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("requested", "outcome"), [(70_000_00, Outcome.APPROVE), (70_000_01, Outcome.REJECT)]
    )
    def test_limits_the_amount_to_price_less_loans_and_earlier_withdrawals(self, requested, outcome):
        home = purchased_property(price=300_000_00, loan_amount=200_000_00, total_withdrawals=30_000_00)
        facts = purchase_facts(property=home, balance=100_000_00, requested_amount=requested)

        evaluation = decide("PURCHASE_IN_CITY", facts)

        assert evaluation.outcome is outcome
        assert codes(evaluation) == ([] if outcome is Outcome.APPROVE else ["AMOUNT_OVER_PURCHASE_LIMIT"])

    def test_rejects_when_loans_and_withdrawals_cover_the_price(self):
        home = purchased_property(price=300_000_00, loan_amount=240_000_00, total_withdrawals=60_000_00)

        evaluation = decide("PURCHASE_IN_CITY", purchase_facts(property=home))

        assert codes(evaluation) == ["NOTHING_LEFT_FOR_PROPERTY"]

    def test_rejects_more_than_the_balance(self):
        facts = purchase_facts(balance=50_000_00, requested_amount=50_000_01)

        evaluation = decide("PURCHASE_IN_CITY", facts)

        assert codes(evaluation) == ["AMOUNT_OVER_BALANCE"]

    @pytest.mark.parametrize(("balance", "limit"), [(50_000_00, 50_000_00), (90_000_00, 70_000_00)])
    def test_allows_the_lesser_of_balance_and_purchase_limit(self, balance, limit):
        home = purchased_property(price=300_000_00, loan_amount=200_000_00, total_withdrawals=30_000_00)
        facts = purchase_facts(property=home, balance=balance)

        amount = rule_set("PURCHASE_IN_CITY").amount_limit(facts, PARAMS)

        assert amount == limit

    def test_knows_no_limit_without_the_registry(self):
        amount = rule_set("PURCHASE_IN_CITY").amount_limit(purchase_facts(property=UNKNOWN), PARAMS)

        assert amount is None
