from datetime import date

import pytest

from approvals.engine import UNKNOWN, Outcome, rule_set
from tests.approvals.rulesets.builders import (
    PARAMS,
    bureau_loan,
    codes,
    decide,
    repayment_annual_facts,
    repayment_monthly_facts,
)


class TestLoanRepaymentAnnual:
    def test_approves_a_loan_of_this_centre_in_repayment(self):
        evaluation = decide("LOAN_REPAYMENT_ANNUAL", repayment_annual_facts())

        assert evaluation.outcome is Outcome.APPROVE

    @pytest.mark.parametrize("kind", ["fund", "commercial"])
    def test_approves_a_loan_in_repayment_found_by_the_credit_bureau(self, kind):
        facts = repayment_annual_facts(centre_loan_repaying=False, bureau_loans=(bureau_loan(kind=kind),))

        evaluation = decide("LOAN_REPAYMENT_ANNUAL", facts)

        assert evaluation.outcome is Outcome.APPROVE

    def test_approves_a_loan_of_this_centre_without_the_credit_bureau(self):
        evaluation = decide("LOAN_REPAYMENT_ANNUAL", repayment_annual_facts(bureau_loans=UNKNOWN))

        assert evaluation.outcome is Outcome.APPROVE

    def test_rejects_when_every_loan_is_settled(self):
        facts = repayment_annual_facts(
            centre_loan_repaying=False, bureau_loans=(bureau_loan(status="settled"),)
        )

        evaluation = decide("LOAN_REPAYMENT_ANNUAL", facts)

        assert codes(evaluation) == ["NO_LOAN_IN_REPAYMENT"]

    def test_refers_when_only_the_credit_bureau_could_tell(self):
        facts = repayment_annual_facts(centre_loan_repaying=False, bureau_loans=UNKNOWN)

        evaluation = decide("LOAN_REPAYMENT_ANNUAL", facts)

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["CREDIT_REPORT_UNKNOWN"])

    def test_refers_when_neither_the_centre_loan_nor_the_credit_report_is_known(self):
        facts = repayment_annual_facts(
            centre_loan_repaying=UNKNOWN, bureau_loans=UNKNOWN, repaid_last_12_months=UNKNOWN
        )

        evaluation = decide("LOAN_REPAYMENT_ANNUAL", facts)

        assert (evaluation.outcome, codes(evaluation)) == (
            Outcome.REFER,
            ["CREDIT_REPORT_UNKNOWN", "REPAYMENTS_UNKNOWN"],
        )

    def test_an_unknown_centre_loan_refers_unless_another_loan_is_in_repayment(self):
        settled = repayment_annual_facts(
            centre_loan_repaying=UNKNOWN, bureau_loans=(bureau_loan(status="settled"),)
        )
        repaying = repayment_annual_facts(centre_loan_repaying=UNKNOWN, bureau_loans=(bureau_loan(),))

        assert decide("LOAN_REPAYMENT_ANNUAL", settled).outcome is Outcome.REFER
        assert decide("LOAN_REPAYMENT_ANNUAL", repaying).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("last", "outcome"),
        [(date(2025, 7, 31), Outcome.APPROVE), (date(2025, 8, 1), Outcome.REJECT), (None, Outcome.APPROVE)],
    )
    def test_allows_one_withdrawal_every_twelve_months(self, last, outcome):
        evaluation = decide(
            "LOAN_REPAYMENT_ANNUAL", repayment_annual_facts(last_repayment_withdrawal_on=last)
        )

        assert evaluation.outcome is outcome

    def test_says_from_when_to_apply_again(self):
        facts = repayment_annual_facts(last_repayment_withdrawal_on=date(2025, 12, 10))

        evaluation = decide("LOAN_REPAYMENT_ANNUAL", facts)

        assert codes(evaluation) == ["REPAYMENT_WITHDRAWN_RECENTLY"]
        assert "2026年12月10日" in evaluation.reasons[0].zh_hans

    @pytest.mark.parametrize(
        ("requested", "outcome"), [(5_400_000, Outcome.APPROVE), (5_400_001, Outcome.REJECT)]
    )
    def test_limits_the_amount_to_the_last_twelve_months_repayments(self, requested, outcome):
        evaluation = decide("LOAN_REPAYMENT_ANNUAL", repayment_annual_facts(requested_amount=requested))

        assert evaluation.outcome is outcome

    def test_rejects_without_repayments_to_refund(self):
        evaluation = decide("LOAN_REPAYMENT_ANNUAL", repayment_annual_facts(repaid_last_12_months=0))

        assert codes(evaluation) == ["NO_RECENT_REPAYMENTS"]

    def test_refers_when_the_repayments_are_unknown(self):
        evaluation = decide("LOAN_REPAYMENT_ANNUAL", repayment_annual_facts(repaid_last_12_months=UNKNOWN))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["REPAYMENTS_UNKNOWN"])

    @pytest.mark.parametrize(("balance", "limit"), [(9_000_000, 5_400_000), (3_000_000, 3_000_000)])
    def test_allows_the_lesser_of_repayments_and_balance(self, balance, limit):
        amount = rule_set("LOAN_REPAYMENT_ANNUAL").amount_limit(
            repayment_annual_facts(balance=balance), PARAMS
        )

        assert amount == limit


class TestLoanRepaymentMonthly:
    def test_approves_a_loan_of_this_centre_in_repayment(self):
        evaluation = decide("LOAN_REPAYMENT_MONTHLY", repayment_monthly_facts())

        assert evaluation.outcome is Outcome.APPROVE

    @pytest.mark.parametrize("status", [None, "settled"])
    def test_rejects_without_a_loan_of_this_centre_in_repayment(self, status):
        evaluation = decide("LOAN_REPAYMENT_MONTHLY", repayment_monthly_facts(centre_loan_status=status))

        assert codes(evaluation) == ["NO_CENTRE_LOAN_IN_REPAYMENT"]

    def test_refers_when_the_credit_bureau_could_not_say(self):
        facts = repayment_monthly_facts(centre_loan_status=UNKNOWN, overdue_months=UNKNOWN)

        evaluation = decide("LOAN_REPAYMENT_MONTHLY", facts)

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["CREDIT_REPORT_UNKNOWN"])

    def test_refers_overdue_months_in_the_credit_report_to_staff_quoting_them(self):
        evaluation = decide("LOAN_REPAYMENT_MONTHLY", repayment_monthly_facts(overdue_months=2))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["RECENT_OVERDUE_TO_CHECK"])
        assert "近24个月内有2个月" in evaluation.reasons[0].zh_hans

    def test_without_a_centre_loan_rejects_whatever_the_overdue_months(self):
        facts = repayment_monthly_facts(centre_loan_status=None, overdue_months=UNKNOWN)

        evaluation = decide("LOAN_REPAYMENT_MONTHLY", facts)

        assert codes(evaluation) == ["NO_CENTRE_LOAN_IN_REPAYMENT"]

    def test_rejects_a_deduction_already_set_up(self):
        evaluation = decide("LOAN_REPAYMENT_MONTHLY", repayment_monthly_facts(entrusted_deduction=True))

        assert codes(evaluation) == ["MONTHLY_DEDUCTION_ALREADY_SET_UP"]

    def test_has_no_lump_sum(self):
        amount = rule_set("LOAN_REPAYMENT_MONTHLY").amount_limit(repayment_monthly_facts(), PARAMS)

        assert amount is None
