import pytest

from approvals.engine import UNKNOWN, Outcome, rule_set
from tests.approvals.rulesets.builders import PARAMS, codes, decide, retirement_facts


class TestRetirement:
    def test_approves_a_recorded_retirement(self):
        evaluation = decide("RETIREMENT", retirement_facts())

        assert evaluation.outcome is Outcome.APPROVE

    def test_rejects_without_a_retirement_record(self):
        evaluation = decide("RETIREMENT", retirement_facts(retired=False))

        assert codes(evaluation) == ["NOT_RETIRED"]

    def test_refers_when_social_security_is_unreachable(self):
        evaluation = decide("RETIREMENT", retirement_facts(retired=UNKNOWN))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["RETIREMENT_UNKNOWN"])

    @pytest.mark.parametrize(("status", "code"), [("05", "ACCOUNT_CLOSED"), ("06", "ACCOUNT_FROZEN")])
    def test_rejects_an_account_that_cannot_pay_out(self, status, code):
        evaluation = decide("RETIREMENT", retirement_facts(account_status=status))

        assert codes(evaluation) == [code]

    def test_refers_an_account_in_the_other_status(self):
        evaluation = decide("RETIREMENT", retirement_facts(account_status="99"))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["ACCOUNT_STATUS_UNUSUAL"])

    def test_rejects_an_empty_account(self):
        evaluation = decide("RETIREMENT", retirement_facts(balance=0))

        assert codes(evaluation) == ["BALANCE_ZERO"]

    def test_allows_the_whole_balance(self):
        facts = retirement_facts()

        amount = rule_set("RETIREMENT").amount_limit(facts, PARAMS)

        assert amount == facts.balance


class TestLixiu:
    def test_approves_a_recorded_lixiu(self):
        evaluation = decide("LIXIU", retirement_facts(lixiu=True))

        assert evaluation.outcome is Outcome.APPROVE

    def test_rejects_an_ordinary_retiree(self):
        evaluation = decide("LIXIU", retirement_facts(lixiu=False))

        assert codes(evaluation) == ["NOT_LIXIU"]

    def test_refers_when_social_security_is_unreachable(self):
        evaluation = decide("LIXIU", retirement_facts(lixiu=UNKNOWN))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["LIXIU_UNKNOWN"])
