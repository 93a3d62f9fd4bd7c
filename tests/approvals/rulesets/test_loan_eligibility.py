import pytest

from approvals.engine import UNKNOWN, Outcome
from tests.approvals.rulesets.builders import bureau_loan, codes, decide, loan_eligibility_facts


class TestLoanEligibility:
    def test_approves_a_regular_depositor_without_a_fund_loan(self):
        evaluation = decide("LOAN_ELIGIBILITY", loan_eligibility_facts())

        assert evaluation.outcome is Outcome.APPROVE

    @pytest.mark.parametrize("status", ["02", "06"])
    def test_rejects_an_account_not_in_normal_status(self, status):
        evaluation = decide("LOAN_ELIGIBILITY", loan_eligibility_facts(account_status=status))

        assert evaluation.outcome is Outcome.REJECT

    @pytest.mark.parametrize(("months", "outcome"), [(5, Outcome.REJECT), (6, Outcome.APPROVE)])
    def test_needs_six_consecutive_months_deposited(self, months, outcome):
        evaluation = decide("LOAN_ELIGIBILITY", loan_eligibility_facts(consecutive_deposit_months=months))

        assert evaluation.outcome is outcome

    def test_rejects_a_fund_loan_of_this_centre_in_repayment(self):
        evaluation = decide(
            "LOAN_ELIGIBILITY", loan_eligibility_facts(centre_loan_repaying=True, bureau_loans=UNKNOWN)
        )

        assert codes(evaluation) == ["FUND_LOAN_IN_REPAYMENT"]

    def test_rejects_a_fund_loan_of_another_centre_in_repayment(self):
        facts = loan_eligibility_facts(bureau_loans=(bureau_loan(centre="福州"),))

        evaluation = decide("LOAN_ELIGIBILITY", facts)

        assert codes(evaluation) == ["FUND_LOAN_IN_REPAYMENT"]

    def test_approves_a_settled_fund_loan(self):
        facts = loan_eligibility_facts(bureau_loans=(bureau_loan(status="settled"),))

        evaluation = decide("LOAN_ELIGIBILITY", facts)

        assert evaluation.outcome is Outcome.APPROVE

    def test_rejects_an_overdue_in_the_lookback(self):
        evaluation = decide("LOAN_ELIGIBILITY", loan_eligibility_facts(overdue_months=1))

        assert codes(evaluation) == ["OVERDUE_IN_LOOKBACK"]
        assert "近24个月内有1个月" in evaluation.reasons[0].zh_hans

    @pytest.mark.parametrize(
        ("fact", "code"),
        [("bureau_loans", "CREDIT_REPORT_UNKNOWN"), ("overdue_months", "CREDIT_REPORT_UNKNOWN")],
    )
    def test_refers_when_the_credit_bureau_is_unreachable(self, fact, code):
        evaluation = decide("LOAN_ELIGIBILITY", loan_eligibility_facts(**{fact: UNKNOWN}))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, [code])

    def test_refers_when_the_credit_bureau_could_not_say_whether_a_centre_loan_is_repaid(self):
        facts = loan_eligibility_facts(
            centre_loan_repaying=UNKNOWN, bureau_loans=UNKNOWN, overdue_months=UNKNOWN
        )

        evaluation = decide("LOAN_ELIGIBILITY", facts)

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["CREDIT_REPORT_UNKNOWN"])

    @pytest.mark.parametrize(
        ("loans", "outcome"),
        [((bureau_loan(centre="福州"),), Outcome.REJECT), ((bureau_loan(kind="commercial"),), Outcome.REFER)],
    )
    def test_an_unknown_centre_loan_refers_unless_another_fund_loan_is_known(self, loans, outcome):
        facts = loan_eligibility_facts(centre_loan_repaying=UNKNOWN, bureau_loans=loans)

        evaluation = decide("LOAN_ELIGIBILITY", facts)

        assert evaluation.outcome is outcome

    @pytest.mark.parametrize(
        ("birth_year", "birth_month", "term", "outcome"),
        [
            (1991, 8, 360, Outcome.APPROVE),  # ends 2056-07, aged 64
            (1991, 7, 360, Outcome.APPROVE),  # ends 2056-07, turns 65 that month
            (1990, 8, 360, Outcome.APPROVE),  # ends 2056-07, 65 and 11 months
            (1990, 7, 360, Outcome.REJECT),  # ends 2056-07, turns 66
            (1990, 7, 359, Outcome.APPROVE),  # ends 2056-06, 65 and 11 months
        ],
    )
    def test_limits_age_at_the_end_of_the_term_to_sixty_five(self, birth_year, birth_month, term, outcome):
        facts = loan_eligibility_facts(birth_year=birth_year, birth_month=birth_month, term_months=term)

        evaluation = decide("LOAN_ELIGIBILITY", facts)

        assert evaluation.outcome is outcome

    def test_says_the_age_at_the_end(self):
        facts = loan_eligibility_facts(birth_year=1970, birth_month=1, term_months=240)

        evaluation = decide("LOAN_ELIGIBILITY", facts)

        assert codes(evaluation) == ["AGE_AT_END_TOO_HIGH"]
        assert "年满76周岁" in evaluation.reasons[0].zh_hans

    @pytest.mark.parametrize(
        ("term", "outcome"), [(360, Outcome.APPROVE), (361, Outcome.REJECT), (0, Outcome.REJECT)]
    )
    def test_limits_the_term_to_thirty_years(self, term, outcome):
        facts = loan_eligibility_facts(birth_year=2000, term_months=term)

        evaluation = decide("LOAN_ELIGIBILITY", facts)

        assert evaluation.outcome is outcome
        assert codes(evaluation) == ([] if outcome is Outcome.APPROVE else ["TERM_OUT_OF_RANGE"])
