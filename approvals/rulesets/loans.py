"""The loan eligibility rule set (DOMAIN.md §7), version 2.

The quota is a calculation, not a yes/no rule, and lives with the loans app; this set decides
only whether the applicant may borrow at all, so ``max_amount`` is None.

Version 1 asked only the credit bureau. Version 2 adds 社保 (currently employed and insured),
不动产登记 (the home being bought is registered to the applicant or the spouse, at the stated
price; a declared first home is checked against the other homes they hold in the city) and 民政
(whose homes count). The registry keeps one rule set per name and replays every decision under
today's: the version-2 facts default to ``gov_checked`` False in records decided under version 1,
and the version-2 rules pass on those, so they replay as they were decided.

The 不动产 port answers by owner (``properties(id_number)``), not by contract number: "registered
and bought by the applicant or the spouse" is one look-up — the number is searched among their
homes only, so a contract in someone else's name reads as not found. A stated price that differs
from the registered one refers the application (staff check the contract) rather than refusing it
or silently using the registered price: the quota is computed from the stated one.
"""

from approvals.engine import (
    UNKNOWN,
    Reason,
    RuleSet,
    add_months,
    age_in_years,
    failed,
    passed,
    refer,
    register,
    rule,
    unknown,
)
from approvals.engine.text import en_date, en_yuan, zh_date, zh_yuan
from approvals.rulesets.common import (
    CITY_PREFIX,
    account_normal,
    deposited_consecutively,
    in_city,
    source_unknown,
)
from approvals.rulesets.facts import LOAN_FUND, LOAN_REPAYING, MARRIED, LoanEligibilityFacts

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


# Version 2: 社保, 不动产登记, 民政 --------------------------------------------------------------

LOAN_EMPLOYMENT_UNKNOWN = source_unknown(
    "LOAN_EMPLOYMENT_UNKNOWN", "社保部门", "social security", "您的在职参保信息", "your employment record"
)
LOAN_REAL_ESTATE_UNKNOWN = source_unknown(
    "LOAN_REAL_ESTATE_UNKNOWN",
    "不动产登记部门",
    "the real-estate registry",
    "您及配偶的房产及购房合同信息",
    "the homes and purchase contracts of you and your spouse",
)
LOAN_MARRIAGE_UNKNOWN = source_unknown(
    "LOAN_MARRIAGE_UNKNOWN", "民政部门", "civil affairs", "您的婚姻信息", "your marriage record"
)
NOT_EMPLOYED = Reason(
    "NOT_EMPLOYED",
    "社保部门没有查到您的在职参保记录。申请公积金贷款须在职并正常缴纳社会保险。",
    "Social security has no record of you being employed and insured; a housing fund loan needs "
    "an employment with social insurance paid.",
)
LOAN_SPOUSE_NOT_IDENTIFIED = Reason(
    "LOAN_SPOUSE_NOT_IDENTIFIED",
    "民政部门的婚姻记录中没有您配偶的身份信息，需由工作人员核实配偶名下住房情况。",
    "Your marriage record does not identify your spouse, so staff need to check the homes your spouse holds.",
)


def _gov_checked(body):
    """Version-2 rules pass on facts gathered before version 2 (see the module's docstring)."""

    def check(facts, params):
        if not facts.gov_checked:
            return passed()
        return body(facts, params)

    check.__name__ = body.__name__
    check.__doc__ = body.__doc__
    return check


@rule("EMPLOYED_AND_INSURED", on_unknown=LOAN_EMPLOYMENT_UNKNOWN)
@_gov_checked
def employed_and_insured(facts, params):
    """社保 records an employment that has not ended: the applicant is working and insured."""
    employment = facts.employment
    if employment is UNKNOWN:
        return UNKNOWN
    if employment is None:
        return failed(NOT_EMPLOYED)
    if employment.ended_on is None or employment.ended_on > facts.applied_on:
        return passed()
    return failed(
        Reason(
            "EMPLOYMENT_ENDED",
            f"社保部门记录您的在职参保已于{zh_date(employment.ended_on)}终止。"
            "申请公积金贷款须在职并正常缴纳社会保险。",
            f"Social security records that your insured employment ended on "
            f"{en_date(employment.ended_on)}; a housing fund loan needs a current employment with social "
            "insurance paid.",
        )
    )


@rule("PURCHASE_ON_REGISTER", on_unknown=LOAN_REAL_ESTATE_UNKNOWN)
@_gov_checked
def purchase_on_register(facts, params):
    """The contract or certificate named is registered to the applicant or the spouse."""
    if facts.purchase is UNKNOWN:
        return UNKNOWN
    if facts.purchase is not None:
        return passed()
    if facts.property_named:
        return failed(
            Reason(
                "PURCHASE_NOT_ON_REGISTER",
                "不动产登记部门没有查到您填写的购房合同或不动产权证书登记在您或配偶名下。"
                "请核对合同（证书）编号；如刚签订合同，请在合同备案后再申请。",
                "The real-estate registry has no filed purchase contract or title with the number you "
                "gave in your or your spouse's name. Please check the number; if you have just signed, "
                "apply once the contract is filed.",
            )
        )
    return failed(
        Reason(
            "NO_PURCHASE_ON_REGISTER",
            "不动产登记部门没有查到您或配偶在本市备案的购房合同或不动产权登记。如刚签订合同，请在合同备案后再申请。",
            "The real-estate registry has no filed purchase contract or title in this city in your or "
            "your spouse's name. If you have just signed, apply once the contract is filed.",
        )
    )


@rule("PRICE_AS_REGISTERED", on_unknown=LOAN_REAL_ESTATE_UNKNOWN)
@_gov_checked
def price_as_registered(facts, params):
    """The stated price is the registered one; a difference goes to staff (the quota uses it)."""
    purchase = facts.purchase
    if purchase is UNKNOWN:
        return UNKNOWN
    if purchase is None or facts.stated_price is None or facts.stated_price == purchase.price:
        return passed()
    return refer(
        Reason(
            "PRICE_DIFFERS_FROM_REGISTER",
            f"您填写的房屋总价{zh_yuan(facts.stated_price)}与不动产登记的成交价{zh_yuan(purchase.price)}"
            "不一致，需由工作人员核对购房合同。",
            f"The price you stated, {en_yuan(facts.stated_price)}, differs from the price on the register, "
            f"{en_yuan(purchase.price)}, so staff need to check the purchase contract.",
        )
    )


@rule("FIRST_HOME_AS_DECLARED")
@_gov_checked
def first_home_as_declared(facts, params):
    """A declared first home: neither the applicant nor the spouse holds another home in the city.

    Counts what is known; a known home fails even when the rest could not be looked up.
    """
    if not facts.first_home_declared:
        return passed()
    held = 0 if facts.self_home_regions is UNKNOWN else _in_city(facts.self_home_regions, params)
    spouse = facts.spouse_home_regions
    if spouse is not UNKNOWN and spouse is not None:
        held += _in_city(spouse, params)
    if held:
        return failed(
            Reason(
                "NOT_FIRST_HOME",
                f"不动产登记显示您及配偶在本市已有{held}套住房（不含本次所购住房），"
                "不能按首套住房申请，请改按第二套住房申请。",
                f"The real-estate registry shows you and your spouse already hold {held} home(s) in this "
                "city besides the one you are buying, so you cannot apply for a first home; please "
                "apply for a second home instead.",
            )
        )
    if facts.self_home_regions is UNKNOWN:
        return unknown(LOAN_REAL_ESTATE_UNKNOWN)
    if facts.marital_status is UNKNOWN:
        return unknown(LOAN_MARRIAGE_UNKNOWN)
    if facts.marital_status == MARRIED:
        if spouse is UNKNOWN:
            return unknown(LOAN_REAL_ESTATE_UNKNOWN)
        if spouse is None:
            return refer(LOAN_SPOUSE_NOT_IDENTIFIED)
    return passed()


def _in_city(regions, params) -> int:
    return sum(1 for region in regions if in_city(region, params))


LOAN_ELIGIBILITY = register(
    RuleSet(
        name="LOAN_ELIGIBILITY",
        version=2,
        facts_type=LoanEligibilityFacts,
        parameters=(
            MIN_DEPOSIT_MONTHS,
            OVERDUE_LOOKBACK_MONTHS,
            MAX_AGE_AT_END,
            MAX_TERM_MONTHS,
            CITY_PREFIX,
        ),
        rules=(
            account_normal,
            deposited_consecutively(MIN_DEPOSIT_MONTHS),
            no_fund_loan_in_repayment,
            no_recent_overdue,
            age_at_end_of_term,
            term_within_max,
            employed_and_insured,
            purchase_on_register,
            price_as_registered,
            first_home_as_declared,
        ),
    )
)
