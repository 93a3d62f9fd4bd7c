"""The applicant's own withdrawal lock refuses every withdrawal, and old records still decode."""

from dataclasses import replace

import pytest

from approvals.engine import Outcome, Status, evaluate, rule_set
from approvals.rulesets import WITHDRAWAL_REASONS
from approvals.rulesets.common import WITHDRAWALS_LOCKED_REASON
from tests.approvals.rulesets import builders as b


class TestWithdrawalsNotLocked:
    @pytest.mark.parametrize("name", WITHDRAWAL_REASONS)
    def test_rejects_every_withdrawal_while_the_applicant_has_locked_them(self, name):
        facts = replace(b.approving_facts(name), withdrawal_locked=True)

        evaluation = evaluate(rule_set(name), facts, b.PARAMS)

        assert evaluation.outcome is Outcome.REJECT
        assert WITHDRAWALS_LOCKED_REASON in evaluation.reasons

    @pytest.mark.parametrize("name", WITHDRAWAL_REASONS)
    def test_passes_when_they_are_not_locked(self, name):
        facts = b.approving_facts(name)

        evaluation = evaluate(rule_set(name), facts, b.PARAMS)

        (lock,) = [result for result in evaluation.results if result.rule == "WITHDRAWALS_NOT_LOCKED"]
        assert lock.status is Status.PASS

    def test_explains_itself_in_chinese_and_english(self):
        assert "锁定" in WITHDRAWALS_LOCKED_REASON.zh_hans
        assert "locked withdrawals" in WITHDRAWALS_LOCKED_REASON.en

    def test_does_not_apply_to_loan_eligibility(self):
        rules = [each.name for each in rule_set("LOAN_ELIGIBILITY").rules]

        assert "WITHDRAWALS_NOT_LOCKED" not in rules


class TestRecordedFactsWithoutTheLock:
    @pytest.mark.parametrize("name", WITHDRAWAL_REASONS)
    def test_decode_as_not_locked(self, name):
        chosen = rule_set(name)
        recorded = b.approving_facts(name).to_json()
        recorded.pop("withdrawal_locked")

        facts = chosen.facts_type.from_json(recorded)

        assert facts.withdrawal_locked is False
