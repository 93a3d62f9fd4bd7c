import pytest

from approvals.engine import Outcome, rule_set
from approvals.rulesets.withdrawals import STAFF_REVIEW_REASONS
from tests.approvals.rulesets.builders import PARAMS, codes, decide, staff_review_facts


@pytest.mark.parametrize("name", sorted(STAFF_REVIEW_REASONS))
class TestStaffReviewReasons:
    def test_refer_every_application_for_documents(self, name):
        evaluation = decide(name, staff_review_facts())

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["NEEDS_DOCUMENT_REVIEW"])

    def test_name_the_reason_in_the_message(self, name):
        evaluation = decide(name, staff_review_facts())

        assert STAFF_REVIEW_REASONS[name][0] in evaluation.reasons[0].zh_hans
        assert STAFF_REVIEW_REASONS[name][1] in evaluation.reasons[0].en

    def test_reject_a_closed_account(self, name):
        evaluation = decide(name, staff_review_facts(account_status="05"))

        assert codes(evaluation) == ["ACCOUNT_CLOSED"]

    def test_reject_more_than_the_balance(self, name):
        evaluation = decide(name, staff_review_facts(balance=100, requested_amount=101))

        assert codes(evaluation) == ["AMOUNT_OVER_BALANCE"]

    def test_allow_up_to_the_balance(self, name):
        amount = rule_set(name).amount_limit(staff_review_facts(balance=100), PARAMS)

        assert amount == 100
