from datetime import date

import pytest

from approvals.engine import UNKNOWN, Outcome, rule_set
from approvals.rulesets.facts import Employment
from tests.approvals.rulesets.builders import PARAMS, XIAMEN, codes, decide, leaving_city_facts


class TestLeavingCity:
    def test_approves_a_non_local_leaver_sealed_six_months(self):
        evaluation = decide("LEAVING_CITY", leaving_city_facts())

        assert evaluation.outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("sealed_on", "applied_on", "outcome"),
        [
            (date(2026, 1, 31), date(2026, 7, 30), Outcome.REJECT),
            (date(2026, 1, 31), date(2026, 7, 31), Outcome.APPROVE),
            (date(2026, 8, 31), date(2027, 2, 27), Outcome.REJECT),
            (date(2026, 8, 31), date(2027, 2, 28), Outcome.APPROVE),
            (date(2026, 3, 1), date(2026, 8, 31), Outcome.REJECT),
            (date(2026, 3, 1), date(2026, 9, 1), Outcome.APPROVE),
        ],
    )
    def test_needs_six_whole_months_sealed(self, sealed_on, applied_on, outcome):
        facts = leaving_city_facts(sealed_on=sealed_on, applied_on=applied_on)

        evaluation = decide("LEAVING_CITY", facts)

        assert evaluation.outcome is outcome

    def test_says_when_sealed_and_from_when_to_apply(self):
        facts = leaving_city_facts(sealed_on=date(2026, 3, 1), applied_on=date(2026, 7, 31))

        evaluation = decide("LEAVING_CITY", facts)

        (reason,) = evaluation.reasons
        assert reason.code == "SEALED_TOO_RECENTLY"
        assert reason.zh_hans == "您的账户封存未满6个月（封存于2026年3月1日），可于2026年9月1日起申请。"
        assert reason.en == (
            "Your account has been sealed for less than 6 months (sealed on 1 March 2026); "
            "you can apply from 1 September 2026."
        )

    def test_reads_the_months_from_the_policy_parameter(self):
        facts = leaving_city_facts(sealed_on=date(2026, 3, 1), applied_on=date(2026, 7, 31))

        evaluation = decide("LEAVING_CITY", facts, PARAMS | {"withdrawal.leaving.sealed_months": 3})

        assert evaluation.outcome is Outcome.APPROVE

    def test_rejects_a_local_hukou(self):
        evaluation = decide("LEAVING_CITY", leaving_city_facts(hukou_region=XIAMEN))

        assert codes(evaluation) == ["HUKOU_IN_CITY"]

    def test_refers_when_no_hukou_record_is_found(self):
        evaluation = decide("LEAVING_CITY", leaving_city_facts(hukou_region=None))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["HUKOU_NO_RECORD"])

    def test_rejects_an_account_that_is_not_sealed(self):
        facts = leaving_city_facts(account_status="01", sealed_on=None)

        evaluation = decide("LEAVING_CITY", facts)

        assert codes(evaluation) == ["ACCOUNT_NOT_SEALED"]

    def test_refers_a_sealed_account_without_a_sealing_date(self):
        evaluation = decide("LEAVING_CITY", leaving_city_facts(sealed_on=None))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["SEAL_DATE_MISSING"])

    def test_rejects_a_closed_account(self):
        evaluation = decide("LEAVING_CITY", leaving_city_facts(account_status="05"))

        assert codes(evaluation) == ["ACCOUNT_CLOSED"]

    def test_rejects_current_employment_in_the_city(self):
        facts = leaving_city_facts(employment=Employment(since=date(2026, 5, 1), ended_on=None))

        evaluation = decide("LEAVING_CITY", facts)

        assert codes(evaluation) == ["EMPLOYED_IN_CITY"]
        assert "2026年5月1日" in evaluation.reasons[0].zh_hans

    def test_rejects_employment_that_ends_only_after_the_application(self):
        facts = leaving_city_facts(employment=Employment(since=date(2020, 1, 1), ended_on=date(2026, 8, 31)))

        evaluation = decide("LEAVING_CITY", facts)

        assert codes(evaluation) == ["EMPLOYED_IN_CITY"]

    def test_approves_without_any_employment_record(self):
        evaluation = decide("LEAVING_CITY", leaving_city_facts(employment=None))

        assert evaluation.outcome is Outcome.APPROVE

    def test_rejects_a_deposit_since_sealing(self):
        evaluation = decide("LEAVING_CITY", leaving_city_facts(deposited_since_sealing=True))

        assert codes(evaluation) == ["DEPOSITED_SINCE_SEALING"]

    def test_rejects_an_empty_account(self):
        evaluation = decide("LEAVING_CITY", leaving_city_facts(balance=0))

        assert codes(evaluation) == ["BALANCE_ZERO"]

    def test_rejects_part_of_the_balance_because_the_account_closes(self):
        evaluation = decide("LEAVING_CITY", leaving_city_facts(requested_amount=100_00))

        assert codes(evaluation) == ["AMOUNT_NOT_WHOLE_BALANCE"]

    def test_approves_the_whole_balance_stated(self):
        facts = leaving_city_facts(requested_amount=leaving_city_facts().balance)

        evaluation = decide("LEAVING_CITY", facts)

        assert evaluation.outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("fact", "code"), [("hukou_region", "HUKOU_UNKNOWN"), ("employment", "EMPLOYMENT_UNKNOWN")]
    )
    def test_refers_when_a_source_is_unreachable(self, fact, code):
        evaluation = decide("LEAVING_CITY", leaving_city_facts(**{fact: UNKNOWN}))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, [code])

    def test_allows_the_whole_balance_at_most(self):
        facts = leaving_city_facts()

        amount = rule_set("LEAVING_CITY").amount_limit(facts, PARAMS)

        assert amount == facts.balance
