"""The loan eligibility rule set (DOMAIN.md §7), version 1.

The quota is a calculation, not a yes/no rule, and lives with the loans app; this set decides
only whether the applicant may borrow at all, so ``max_amount`` is None.
"""

from approvals.engine import (
    UNKNOWN,
    Reason,
    RuleSet,
    add_months,
    age_in_years,
    failed,
    passed,
    register,
    rule,
)
from approvals.rulesets.common import account_normal, deposited_consecutively, source_unknown
from approvals.rulesets.facts import LOAN_FUND, LOAN_REPAYING, LoanEligibilityFacts

MIN_DEPOSIT_MONTHS = "loan.min_deposit_months"
MAX_AGE_AT_END = "loan.max_age_at_end"
MAX_TERM_MONTHS = "loan.max_term_months"
OVERDUE_LOOKBACK_MONTHS = "loan.overdue_lookback_months"

CREDIT_REPORT_UNKNOWN = source_unknown(
    "CREDIT_REPORT_UNKNOWN", "银行征信系统", "the credit bureau", "您的征信信息", "your credit report"
)
FUND_LOAN_IN_REPAYMENT = Reason(
    "FUND_LOAN_IN_REPAYMENT",
    "您尚有未还清的公积金贷款（本中心或其他公积金中心），还清后才能再次申请公积金贷款。",
    "You are still repaying a housing fund loan (of this or another fund centre); you can apply "
    "for a new fund loan once it is repaid.",
)


@rule("NO_FUND_LOAN_IN_REPAYMENT", on_fail=FUND_LOAN_IN_REPAYMENT, on_unknown=CREDIT_REPORT_UNKNOWN)
def no_fund_loan_in_repayment(facts, params):
    """No fund loan of this centre or any other centre in repayment (both from the credit report
    until the centre keeps its own loans).

    Commercial loans do not block eligibility; they reduce the quota through the monthly debt.
    """
    if facts.centre_loan_repaying is True:
        return False
    if facts.bureau_loans is UNKNOWN:
        return UNKNOWN
    if any(loan.kind == LOAN_FUND and loan.status == LOAN_REPAYING for loan in facts.bureau_loans):
        return False
    return UNKNOWN if facts.centre_loan_repaying is UNKNOWN else True


@rule("NO_RECENT_OVERDUE", needs=("overdue_months",), on_unknown=CREDIT_REPORT_UNKNOWN)
def no_recent_overdue(facts, params):
    lookback = params[OVERDUE_LOOKBACK_MONTHS]
    if facts.overdue_months == 0:
        return passed()
    return failed(
        Reason(
            "OVERDUE_IN_LOOKBACK",
            f"征信记录显示您近{lookback}个月内有{facts.overdue_months}个月存在逾期还款，暂不符合公积金贷款条件。",
            f"Your credit report shows overdue payments in {facts.overdue_months} of the last {lookback} "
            "months, so you cannot take a housing fund loan for now.",
        )
    )


@rule("AGE_AT_END_OF_TERM")
def age_at_end_of_term(facts, params):
    """Age (周岁, by birth month) on the month the term ends is at most the maximum: age + term ≤ 65."""
    max_age = params[MAX_AGE_AT_END]
    ends_on = add_months(facts.applied_on, facts.term_months)
    age = age_in_years(birth_year=facts.birth_year, birth_month=facts.birth_month, on=ends_on)
    if age <= max_age:
        return passed()
    return failed(
        Reason(
            "AGE_AT_END_TOO_HIGH",
            f"贷款到期时您将年满{age}周岁，超过{max_age}周岁的上限，请缩短贷款期限。",
            f"You would be {age} when the loan ends, older than the limit of {max_age}; please choose a "
            "shorter term.",
        )
    )


@rule("TERM_WITHIN_MAX")
def term_within_max(facts, params):
    max_term = params[MAX_TERM_MONTHS]
    if 1 <= facts.term_months <= max_term:
        return passed()
    return failed(
        Reason(
            "TERM_OUT_OF_RANGE",
            f"贷款期限须在1至{max_term}个月（{max_term // 12}年）之间，"
            f"您申请的期限为{facts.term_months}个月。",
            f"The loan term must be between 1 and {max_term} months ({max_term // 12} years); you applied "
            f"for {facts.term_months} months.",
        )
    )


LOAN_ELIGIBILITY = register(
    RuleSet(
        name="LOAN_ELIGIBILITY",
        version=1,
        facts_type=LoanEligibilityFacts,
        parameters=(MIN_DEPOSIT_MONTHS, OVERDUE_LOOKBACK_MONTHS, MAX_AGE_AT_END, MAX_TERM_MONTHS),
        rules=(
            account_normal,
            deposited_consecutively(MIN_DEPOSIT_MONTHS),
            no_fund_loan_in_repayment,
            no_recent_overdue,
            age_at_end_of_term,
            term_within_max,
        ),
    )
)
