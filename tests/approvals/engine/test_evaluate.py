import json
import logging
from dataclasses import dataclass
from datetime import date

import pytest

from approvals.engine import (
    RULE_SETS,
    UNKNOWN,
    Facts,
    Outcome,
    Reason,
    Rule,
    RuleResult,
    RuleSet,
    Status,
    Unknown,
    evaluate,
    failed,
    refer,
    rule,
    rule_set,
)


@dataclass(frozen=True, kw_only=True)
class ToyFacts(Facts):
    applied_on: date
    count: int | Unknown


TOO_FEW = Reason("TOO_FEW", "数量不足。", "Too few.")
COUNT_UNKNOWN = Reason("COUNT_UNKNOWN", "暂时无法查询数量。", "The count could not be looked up.")
NEEDS_EYES = Reason("NEEDS_EYES", "需人工审核。", "Staff need to look.")


@rule("ENOUGH", needs=("count",), on_fail=TOO_FEW, on_unknown=COUNT_UNKNOWN)
def enough(facts, params):
    return facts.count >= params["toy.min"]


@rule("ALSO_ENOUGH", needs=("count",), on_fail=TOO_FEW, on_unknown=COUNT_UNKNOWN)
def also_enough(facts, params):
    return facts.count >= params["toy.min"]


@rule("LOOKED_AT")
def looked_at(facts, params):
    return refer(NEEDS_EYES)


@rule("CARELESS")
def careless(facts, params):
    return facts.count > 0  # raises TypeError on UNKNOWN instead of deciding


@rule("BROKEN")
def broken(facts, params):
    return 1 / 0


@rule("GREEDY")
def greedy(facts, params):
    return params["toy.undeclared"] > 0


def toy_set(*rules, parameters=("toy.min",)) -> RuleSet:
    return RuleSet(name="TOY", version=1, facts_type=ToyFacts, parameters=parameters, rules=rules)


def toy_facts(count=5) -> ToyFacts:
    return ToyFacts(applied_on=date(2026, 7, 31), count=count)


PARAMS = {"toy.min": 3, "toy.undeclared": 1}


class TestEvaluate:
    def test_approves_when_every_rule_passes(self):
        evaluation = evaluate(toy_set(enough), toy_facts(count=3), PARAMS)

        assert (evaluation.outcome, evaluation.reasons) == (Outcome.APPROVE, ())

    def test_rejects_with_the_failing_rules_reasons(self):
        evaluation = evaluate(toy_set(enough, looked_at), toy_facts(count=2), PARAMS)

        assert (evaluation.outcome, evaluation.reasons) == (Outcome.REJECT, (TOO_FEW,))

    def test_tells_a_reason_shared_by_several_failing_rules_once(self):
        evaluation = evaluate(toy_set(enough, also_enough), toy_facts(count=2), PARAMS)

        assert evaluation.reasons == (TOO_FEW,)

    def test_refers_when_a_fact_is_unknown(self):
        evaluation = evaluate(toy_set(enough), toy_facts(count=UNKNOWN), PARAMS)

        assert (evaluation.outcome, evaluation.reasons) == (Outcome.REFER, (COUNT_UNKNOWN,))

    def test_refers_when_a_rule_asks_for_a_person(self):
        evaluation = evaluate(toy_set(enough, looked_at), toy_facts(), PARAMS)

        assert (evaluation.outcome, evaluation.reasons) == (Outcome.REFER, (NEEDS_EYES,))

    def test_keeps_every_rules_result_in_order(self):
        evaluation = evaluate(toy_set(looked_at, enough), toy_facts(count=2), PARAMS)

        assert evaluation.results == (
            RuleResult("LOOKED_AT", Status.REFER, NEEDS_EYES),
            RuleResult("ENOUGH", Status.FAIL, TOO_FEW),
        )

    def test_refuses_facts_of_another_type(self):
        with pytest.raises(TypeError, match="ToyFacts"):
            evaluate(toy_set(enough), object(), PARAMS)

    def test_serialises_to_json(self):
        evaluation = evaluate(toy_set(enough), toy_facts(count=2), PARAMS)

        data = json.loads(json.dumps(evaluation.to_json()))

        assert data["outcome"] == "REJECT"
        assert data["results"] == [
            {
                "rule": "ENOUGH",
                "status": "FAIL",
                "reason": {"code": "TOO_FEW", "zh_hans": "数量不足。", "en": "Too few."},
            }
        ]


class TestEvaluateWhenARuleRaises:
    def test_refers_with_rule_error_naming_the_exception(self, caplog):
        with caplog.at_level(logging.ERROR):
            evaluation = evaluate(toy_set(enough, broken), toy_facts(), PARAMS)

        assert evaluation.outcome is Outcome.REFER
        assert [reason.code for reason in evaluation.reasons] == ["RULE_ERROR"]
        assert "ZeroDivisionError" in evaluation.reasons[0].zh_hans
        assert "ZeroDivisionError" in evaluation.reasons[0].en
        assert "BROKEN" in caplog.text

    def test_refers_rather_than_decides_when_a_rule_tests_an_unknown_fact_as_a_boolean(self):
        evaluation = evaluate(toy_set(careless), toy_facts(count=UNKNOWN), PARAMS)

        assert (evaluation.outcome, evaluation.reasons[0].code) == (Outcome.REFER, "RULE_ERROR")

    def test_still_rejects_on_another_rules_failure(self):
        evaluation = evaluate(toy_set(broken, enough), toy_facts(count=1), PARAMS)

        assert (evaluation.outcome, evaluation.reasons) == (Outcome.REJECT, (TOO_FEW,))

    def test_refers_when_a_rule_reads_a_parameter_its_set_does_not_declare(self):
        evaluation = evaluate(toy_set(greedy), toy_facts(), PARAMS)

        assert evaluation.outcome is Outcome.REFER
        assert "UndeclaredParameter" in evaluation.reasons[0].en

    def test_refers_when_a_declared_parameter_is_missing(self):
        evaluation = evaluate(toy_set(enough), toy_facts(), {})

        assert (evaluation.outcome, evaluation.reasons[0].code) == (Outcome.REFER, "RULE_ERROR")

    def test_refers_when_a_check_returns_something_else_than_a_result(self):
        odd = Rule("ODD", lambda facts, params: "yes")

        evaluation = evaluate(toy_set(odd), toy_facts(), PARAMS)

        assert (evaluation.outcome, evaluation.reasons[0].code) == (Outcome.REFER, "RULE_ERROR")


class TestRuleDecorator:
    def test_makes_a_rule_named_as_given(self):
        made = enough

        assert (made.name, made.check.__name__) == ("ENOUGH", "enough")

    def test_builds_a_failure_reason_from_the_facts_when_given_a_function(self):
        @rule(
            "QUOTED",
            on_fail=lambda facts, params: Reason("LOW", f"只有{facts.count}。", f"Only {facts.count}."),
        )
        def quoted(facts, params):
            return False

        result = quoted.check(toy_facts(count=2), PARAMS)

        assert result == RuleResult("QUOTED", Status.FAIL, Reason("LOW", "只有2。", "Only 2."))

    def test_passes_a_verdict_through(self):
        @rule("EXPLICIT")
        def explicit(facts, params):
            return failed(TOO_FEW)

        result = explicit.check(toy_facts(), PARAMS)

        assert result == RuleResult("EXPLICIT", Status.FAIL, TOO_FEW)

    def test_refuses_an_answer_it_cannot_read(self):
        @rule("VAGUE")
        def vague(facts, params):
            return 1

        with pytest.raises(TypeError, match="VAGUE"):
            vague.check(toy_facts(), PARAMS)


class TestRuleSetRegistry:
    def test_finds_a_rule_set_by_name(self):
        found = rule_set("RENT")

        assert (found.name, found.version) == ("RENT", 2)

    def test_holds_every_withdrawal_reason_and_loan_eligibility(self):
        rule_set("RENT")

        assert set(RULE_SETS) == {
            "LEAVING_CITY",
            "RETIREMENT",
            "LIXIU",
            "PURCHASE_IN_CITY",
            "RENT",
            "LOAN_REPAYMENT_ANNUAL",
            "LOAN_REPAYMENT_MONTHLY",
            "PURCHASE_ELSEWHERE",
            "BUILD_RENOVATE",
            "COMMERCIAL_LOAN_REPAYMENT",
            "EMIGRATION",
            "INCAPACITY",
            "DEATH",
            "SERIOUS_ILLNESS",
            "DISASTER",
            "ELEVATOR",
            "LOAN_ELIGIBILITY",
        }

    def test_raises_for_an_unknown_name(self):
        with pytest.raises(KeyError, match="NO_SUCH"):
            rule_set("NO_SUCH")


class TestAmountLimit:
    def test_reads_only_declared_parameters(self):
        greedy_limit = RuleSet(
            name="TOY",
            version=1,
            facts_type=ToyFacts,
            parameters=(),
            rules=(),
            max_amount=lambda facts, params: params["toy.min"],
        )

        amount = greedy_limit.amount_limit(toy_facts(), PARAMS)

        assert amount is None

    def test_gives_the_largest_amount_the_rule_set_computes(self):
        counted = RuleSet(
            name="TOY",
            version=1,
            facts_type=ToyFacts,
            parameters=("toy.min",),
            rules=(),
            max_amount=lambda facts, params: facts.count * params["toy.min"],
        )

        amount = counted.amount_limit(toy_facts(count=4), PARAMS)

        assert amount == 12
