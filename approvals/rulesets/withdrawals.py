"""Withdrawal rule sets (DOMAIN.md §6); names are the withdrawal reasons of CONTRACT.md.

秒批 sets decide from shared government data and the centre's own data; the staff-review sets
refer every application to staff (documents are needed), failing only on a hard contradiction
such as a closed account.

Every withdrawal rule set begins with ``WITHDRAWALS_NOT_LOCKED`` (the applicant's own lock, see
``accounts.WithdrawalLock``); adding it made version 2 of each (3 of LOAN_REPAYMENT_MONTHLY).
"""

from approvals.engine import (
    UNKNOWN,
    Reason,
    RuleSet,
    failed,
    passed,
    refer,
    register,
    rule,
    unknown,
    whole_months_between,
)
from approvals.engine.dates import add_months
from approvals.engine.text import en_date, en_yuan, zh_date, zh_yuan
from approvals.rulesets.common import (
    CITY_PREFIX,
    account_normal,
    account_open,
    account_status_verdict,
    amount_within_balance,
    balance_positive,
    deposited_consecutively,
    in_city,
    source_unknown,
    whole_balance,
    withdrawals_not_locked,
)
from approvals.rulesets.facts import (
    ACCOUNT_SEALED,
    LOAN_REPAYING,
    MARRIED,
    PROPERTY_RESALE,
    RELATION_SELF,
    RELATION_SPOUSE,
    LeavingCityFacts,
    LoanRepaymentAnnualFacts,
    LoanRepaymentMonthlyFacts,
    PurchaseInCityFacts,
    RentFacts,
    RetirementFacts,
    StaffReviewFacts,
)

SEALED_MONTHS = "withdrawal.leaving.sealed_months"
RENT_MIN_DEPOSIT_MONTHS = "withdrawal.rent.min_deposit_months"
RENT_MONTHLY_CAP = "withdrawal.rent.monthly_cap"
RESALE_MONTHS_AFTER_TITLE = "withdrawal.purchase.resale_min_months_after_title"
REPAYMENT_INTERVAL_MONTHS = "withdrawal.loan_repayment.interval_months"

RENT_PERIODS = (1, 3)


def _closing_amount(facts, params) -> int:
    return facts.balance


# LEAVING_CITY 离职离厦 --------------------------------------------------------------------------

ACCOUNT_NOT_SEALED = Reason(
    "ACCOUNT_NOT_SEALED",
    "您的公积金账户未封存。离职离厦提取需要账户已封存（离职后由原单位办理封存）。",
    "Your housing fund account is not sealed. Withdrawing on leaving the city needs a sealed "
    "account (your former employer seals it when you leave).",
)
SEAL_DATE_MISSING = Reason(
    "SEAL_DATE_MISSING",
    "您的账户已封存，但系统中没有封存日期，需由工作人员核实。",
    "Your account is sealed but its sealing date is missing from our records, so staff need to check it.",
)
HUKOU_UNKNOWN = source_unknown(
    "HUKOU_UNKNOWN", "公安部门", "the public security bureau", "您的户籍信息", "your hukou record"
)
HUKOU_NO_RECORD = Reason(
    "HUKOU_NO_RECORD",
    "公安部门未查到您的户籍记录，需由工作人员核实您的户籍所在地。",
    "The public security bureau holds no hukou record for you, so staff need to check where your "
    "hukou is registered.",
)
EMPLOYMENT_UNKNOWN = source_unknown(
    "EMPLOYMENT_UNKNOWN", "社保部门", "social security", "您的就业参保信息", "your employment record"
)
DEPOSITED_SINCE_SEALING = Reason(
    "DEPOSITED_SINCE_SEALING",
    "您的账户封存后又有新的缴存记录，说明您仍在本市缴存公积金，不符合离职离厦提取条件。",
    "Money has been paid into your account since it was sealed, which shows you are still paying "
    "into the fund in this city, so you cannot withdraw on leaving the city.",
)


@rule("ACCOUNT_SEALED", on_fail=ACCOUNT_NOT_SEALED)
def account_sealed(facts, params):
    return account_status_verdict(facts.account_status, (ACCOUNT_SEALED,), otherwise=ACCOUNT_NOT_SEALED)


def _sealed_too_recently(facts, params) -> Reason:
    months = params[SEALED_MONTHS]
    sealed_on = facts.sealed_on
    from_on = add_months(sealed_on, months)
    return Reason(
        "SEALED_TOO_RECENTLY",
        f"您的账户封存未满{months}个月（封存于{zh_date(sealed_on)}），可于{zh_date(from_on)}起申请。",
        f"Your account has been sealed for less than {months} months (sealed on {en_date(sealed_on)}); "
        f"you can apply from {en_date(from_on)}.",
    )


@rule("SEALED_LONG_ENOUGH", on_fail=_sealed_too_recently)
def sealed_long_enough(facts, params):
    """Sealed at least N whole calendar months before applying (month ends clamp, see engine.dates)."""
    if facts.sealed_on is None:
        return (
            refer(SEAL_DATE_MISSING) if facts.account_status == ACCOUNT_SEALED else failed(ACCOUNT_NOT_SEALED)
        )
    return whole_months_between(facts.sealed_on, facts.applied_on) >= params[SEALED_MONTHS]


@rule("HUKOU_OUTSIDE_CITY", needs=("hukou_region",), on_unknown=HUKOU_UNKNOWN)
def hukou_outside_city(facts, params):
    if facts.hukou_region is None:
        return refer(HUKOU_NO_RECORD)
    if in_city(facts.hukou_region, params):
        return failed(
            Reason(
                "HUKOU_IN_CITY",
                "您的户籍在本市，离职离厦提取仅适用于非本市户籍职工。",
                "Your hukou is registered in this city; withdrawing on leaving the city is only for "
                "employees whose hukou is elsewhere.",
            )
        )
    return passed()


@rule("NOT_EMPLOYED_IN_CITY", needs=("employment",), on_unknown=EMPLOYMENT_UNKNOWN)
def not_employed_in_city(facts, params):
    """社保 shows no employment in the city on the application date (none, or ended by then)."""
    employment = facts.employment
    if employment is None or (employment.ended_on is not None and employment.ended_on <= facts.applied_on):
        return passed()
    return failed(
        Reason(
            "EMPLOYED_IN_CITY",
            f"社保记录显示您自{zh_date(employment.since)}起在本市就业参保，尚未终止，"
            "不符合离职离厦提取条件。",
            f"Social security records show you have been employed in this city since "
            f"{en_date(employment.since)} and still are, so you cannot withdraw on leaving the city.",
        )
    )


@rule("NO_DEPOSIT_SINCE_SEALING", on_fail=DEPOSITED_SINCE_SEALING)
def no_deposit_since_sealing(facts, params):
    return not facts.deposited_since_sealing


LEAVING_CITY = register(
    RuleSet(
        name="LEAVING_CITY",
        version=2,
        facts_type=LeavingCityFacts,
        parameters=(SEALED_MONTHS, CITY_PREFIX),
        rules=(
            withdrawals_not_locked,
            account_sealed,
            sealed_long_enough,
            hukou_outside_city,
            not_employed_in_city,
            no_deposit_since_sealing,
            balance_positive,
            whole_balance,
        ),
        max_amount=_closing_amount,
    )
)


# RETIREMENT 退休, LIXIU 离休 ---------------------------------------------------------------------

RETIREMENT_UNKNOWN = source_unknown(
    "RETIREMENT_UNKNOWN", "社保部门", "social security", "您的退休信息", "your retirement record"
)
NOT_RETIRED = Reason(
    "NOT_RETIRED",
    "社保部门没有您的退休记录。办理退休手续后即可申请退休提取。",
    "Social security has no record of your retirement. You can apply once your retirement has "
    "been registered.",
)
LIXIU_UNKNOWN = source_unknown(
    "LIXIU_UNKNOWN", "社保部门", "social security", "您的离休信息", "your lixiu record"
)
NOT_LIXIU = Reason(
    "NOT_LIXIU",
    "社保部门没有您的离休记录，离休提取仅适用于离休干部。如您已退休，请选择退休提取。",
    "Social security has no record of you as a lixiu (pre-1949 veteran) retiree. If you have "
    "retired, please apply for a retirement withdrawal instead.",
)


@rule("RETIREMENT_RECORDED", needs=("retired",), on_fail=NOT_RETIRED, on_unknown=RETIREMENT_UNKNOWN)
def retirement_recorded(facts, params):
    return facts.retired is True


@rule("LIXIU_RECORDED", needs=("lixiu",), on_fail=NOT_LIXIU, on_unknown=LIXIU_UNKNOWN)
def lixiu_recorded(facts, params):
    return facts.lixiu is True


RETIREMENT = register(
    RuleSet(
        name="RETIREMENT",
        version=2,
        facts_type=RetirementFacts,
        parameters=(),
        rules=(withdrawals_not_locked, account_open, retirement_recorded, balance_positive, whole_balance),
        max_amount=_closing_amount,
    )
)

LIXIU = register(
    RuleSet(
        name="LIXIU",
        version=2,
        facts_type=RetirementFacts,
        parameters=(),
        rules=(withdrawals_not_locked, account_open, lixiu_recorded, balance_positive, whole_balance),
        max_amount=_closing_amount,
    )
)


# PURCHASE_IN_CITY 本市购房 ----------------------------------------------------------------------

REAL_ESTATE_UNKNOWN = source_unknown(
    "REAL_ESTATE_UNKNOWN",
    "不动产登记部门",
    "the real-estate registry",
    "您的购房登记信息",
    "your home purchase record",
)
NO_REGISTERED_PURCHASE = Reason(
    "NO_REGISTERED_PURCHASE",
    "不动产登记部门没有查到您或配偶在本市的购房合同备案或不动产权登记。如刚签订合同，请在备案后再申请。",
    "The real-estate registry has no registered purchase contract or title for you or your spouse "
    "in this city. If you have just signed, please apply once the contract is registered.",
)
KINSHIP_NEEDS_REVIEW = Reason(
    "KINSHIP_NEEDS_REVIEW",
    "为父母或子女购房提取，需由工作人员核实亲属关系。",
    "Withdrawing for a home bought by your parents or children needs staff to confirm the family "
    "relationship.",
)
PROPERTY_NOT_IN_CITY = Reason(
    "PROPERTY_NOT_IN_CITY",
    "所购住房不在本市，请改为申请外地购房提取。",
    "The home is not in this city; please apply for a withdrawal for a purchase elsewhere instead.",
)
ALREADY_WITHDRAWN_FOR_PROPERTY = Reason(
    "ALREADY_WITHDRAWN_FOR_PROPERTY",
    "您已就这套住房办理过购房提取，同一套住房只能提取一次。",
    "You have already withdrawn for this home; each home allows one purchase withdrawal.",
)
RESALE_TITLE_MISSING = Reason(
    "RESALE_TITLE_MISSING",
    "全款购买二手房须在取得不动产权证书后申请，目前尚未查到该住房的产权登记。",
    "For a second-hand home bought outright you can apply only after the title is registered; the "
    "registry has no title for this home yet.",
)


def _property_check(body):
    """Answer for the property fact's three states before looking inside it."""

    def check(facts, params):
        if facts.property is UNKNOWN:
            return UNKNOWN
        if facts.property is None:
            return failed(NO_REGISTERED_PURCHASE)
        return body(facts.property, facts, params)

    check.__name__ = body.__name__
    check.__doc__ = body.__doc__
    return check


@rule("PURCHASE_REGISTERED", on_unknown=REAL_ESTATE_UNKNOWN)
@_property_check
def purchase_registered(home, facts, params):
    """A purchase contract or title of the applicant's household is registered."""
    return passed()


@rule("BUYER_IS_SELF_OR_SPOUSE", on_unknown=REAL_ESTATE_UNKNOWN)
@_property_check
def buyer_is_self_or_spouse(home, facts, params):
    """Self or spouse decide automatically; parents and children go to staff.

    Kinship (parents, children) has no data source in the ports yet, so staff confirm it.
    """
    if home.relation in (RELATION_SELF, RELATION_SPOUSE):
        return passed()
    return refer(KINSHIP_NEEDS_REVIEW)


@rule("PROPERTY_IN_CITY", on_fail=PROPERTY_NOT_IN_CITY, on_unknown=REAL_ESTATE_UNKNOWN)
@_property_check
def property_in_city(home, facts, params):
    return in_city(home.region_code, params)


@rule("NOT_WITHDRAWN_FOR_PROPERTY", on_fail=ALREADY_WITHDRAWN_FOR_PROPERTY, on_unknown=REAL_ESTATE_UNKNOWN)
@_property_check
def not_withdrawn_for_property(home, facts, params):
    return home.applicant_withdrawals == 0


@rule("RESALE_TITLE_OLD_ENOUGH", on_unknown=REAL_ESTATE_UNKNOWN)
@_property_check
def resale_title_old_enough(home, facts, params):
    """A second-hand home bought outright: only N whole months after the title (against sham sales)."""
    months = params[RESALE_MONTHS_AFTER_TITLE]
    if home.kind != PROPERTY_RESALE or not home.full_payment:
        return passed()
    if home.title_on is None:
        return failed(RESALE_TITLE_MISSING)
    if whole_months_between(home.title_on, facts.applied_on) >= months:
        return passed()
    from_on = add_months(home.title_on, months)
    return failed(
        Reason(
            "RESALE_TITLE_TOO_RECENT",
            f"全款购买二手房须在取得不动产权证书满{months}个月后申请（登记于{zh_date(home.title_on)}），"
            f"可于{zh_date(from_on)}起申请。",
            f"For a second-hand home bought outright you can apply {months} months after the title was "
            f"registered (on {en_date(home.title_on)}): from {en_date(from_on)}.",
        )
    )


def purchase_limit(home) -> int:
    """Price less loans and what has already been withdrawn for the home (never below zero)."""
    return max(0, home.price - home.loan_amount - home.total_withdrawals)


@rule("AMOUNT_WITHIN_PURCHASE_LIMIT", on_unknown=REAL_ESTATE_UNKNOWN)
@_property_check
def amount_within_purchase_limit(home, facts, params):
    limit = purchase_limit(home)
    if limit == 0:
        return failed(
            Reason(
                "NOTHING_LEFT_FOR_PROPERTY",
                "这套住房的房价已由贷款和此前的提取全部覆盖，没有可再提取的金额。",
                "The price of this home is already covered by loans and earlier withdrawals, so "
                "nothing more can be withdrawn for it.",
            )
        )
    if facts.requested_amount is None or facts.requested_amount <= limit:
        return passed()
    return failed(
        Reason(
            "AMOUNT_OVER_PURCHASE_LIMIT",
            f"申请金额{zh_yuan(facts.requested_amount)}超过可提取上限{zh_yuan(limit)}"
            "（房价减去贷款和此前已提取的金额）。",
            f"The amount applied for, {en_yuan(facts.requested_amount)}, is more than the limit of "
            f"{en_yuan(limit)} (the price less loans and earlier withdrawals).",
        )
    )


def _purchase_max(facts, params) -> int | None:
    if facts.property is UNKNOWN or facts.property is None:
        return None
    return max(0, min(facts.balance, purchase_limit(facts.property)))


PURCHASE_IN_CITY = register(
    RuleSet(
        name="PURCHASE_IN_CITY",
        version=2,
        facts_type=PurchaseInCityFacts,
        parameters=(RESALE_MONTHS_AFTER_TITLE, CITY_PREFIX),
        rules=(
            withdrawals_not_locked,
            account_open,
            balance_positive,
            purchase_registered,
            buyer_is_self_or_spouse,
            property_in_city,
            not_withdrawn_for_property,
            resale_title_old_enough,
            amount_within_purchase_limit,
            amount_within_balance,
        ),
        max_amount=_purchase_max,
    )
)


# RENT 租房 ---------------------------------------------------------------------------------------

SELF_REAL_ESTATE_UNKNOWN = source_unknown(
    "REAL_ESTATE_UNKNOWN",
    "不动产登记部门",
    "the real-estate registry",
    "您的住房信息",
    "your home ownership record",
)
MARRIAGE_UNKNOWN = source_unknown(
    "MARRIAGE_UNKNOWN", "民政部门", "civil affairs", "您的婚姻信息", "your marriage record"
)
SPOUSE_REAL_ESTATE_UNKNOWN = source_unknown(
    "SPOUSE_REAL_ESTATE_UNKNOWN",
    "不动产登记部门",
    "the real-estate registry",
    "您配偶的住房信息",
    "your spouse's home ownership record",
)
SPOUSE_NOT_IDENTIFIED = Reason(
    "SPOUSE_NOT_IDENTIFIED",
    "民政部门的婚姻记录中没有您配偶的身份信息，需由工作人员核实配偶名下住房情况。",
    "Your marriage record does not identify your spouse, so staff need to check whether your "
    "spouse owns a home.",
)


@rule(
    "NO_HOME_OF_SELF",
    needs=("self_home_regions",),
    on_unknown=SELF_REAL_ESTATE_UNKNOWN,
    on_fail=Reason(
        "OWNS_HOME_IN_CITY",
        "不动产登记显示您在本市有住房，租房提取仅适用于本人及配偶在本市无房的职工。",
        "The real-estate registry shows you own a home in this city; the rent withdrawal is only for "
        "employees who, with their spouse, own no home here.",
    ),
)
def no_home_of_self(facts, params):
    return not any(in_city(region, params) for region in facts.self_home_regions)


@rule("NO_HOME_OF_SPOUSE", needs=("marital_status",), on_unknown=MARRIAGE_UNKNOWN)
def no_home_of_spouse(facts, params):
    if facts.marital_status != MARRIED:
        return passed()
    regions = facts.spouse_home_regions
    if regions is UNKNOWN:
        return unknown(SPOUSE_REAL_ESTATE_UNKNOWN)
    if regions is None:
        return refer(SPOUSE_NOT_IDENTIFIED)
    if any(in_city(region, params) for region in regions):
        return failed(
            Reason(
                "SPOUSE_OWNS_HOME_IN_CITY",
                "不动产登记显示您的配偶在本市有住房，租房提取仅适用于本人及配偶在本市无房的职工。",
                "The real-estate registry shows your spouse owns a home in this city; the rent "
                "withdrawal is only for employees who, with their spouse, own no home here.",
            )
        )
    return passed()


@rule(
    "RENT_PERIOD_VALID",
    on_fail=Reason(
        "RENT_PERIOD_INVALID",
        "租房提取按月或按季办理，每次提取1个月或3个月。",
        "Rent withdrawals are monthly or quarterly: 1 or 3 months at a time.",
    ),
)
def rent_period_valid(facts, params):
    return facts.period_months in RENT_PERIODS


@rule("RENT_PERIOD_NOT_WITHDRAWN")
def rent_period_not_withdrawn(facts, params):
    """Earlier rent withdrawals must not already cover the application date."""
    through = facts.rent_withdrawn_through
    if through is None or through < facts.applied_on:
        return passed()
    return failed(
        Reason(
            "RENT_ALREADY_WITHDRAWN",
            f"您此前的租房提取已覆盖至{zh_date(through)}，请在此日期之后再申请。",
            f"Your earlier rent withdrawals already cover the period up to {en_date(through)}; please "
            "apply after that date.",
        )
    )


def rent_limit(facts, params) -> int:
    return params[RENT_MONTHLY_CAP] * facts.period_months


@rule("AMOUNT_WITHIN_RENT_CAP")
def amount_within_rent_cap(facts, params):
    limit = rent_limit(facts, params)
    if facts.requested_amount is None or facts.requested_amount <= limit:
        return passed()
    cap = params[RENT_MONTHLY_CAP]
    return failed(
        Reason(
            "AMOUNT_OVER_RENT_CAP",
            f"租房提取每人每月最多{zh_yuan(cap)}，{facts.period_months}个月最多{zh_yuan(limit)}，"
            f"申请金额{zh_yuan(facts.requested_amount)}超出上限。",
            f"Rent withdrawals are at most {en_yuan(cap)} a month, {en_yuan(limit)} for "
            f"{facts.period_months} month(s); {en_yuan(facts.requested_amount)} is more than that.",
        )
    )


def _rent_max(facts, params) -> int | None:
    if facts.period_months not in RENT_PERIODS:
        return None
    return max(0, min(facts.balance, rent_limit(facts, params)))


RENT = register(
    RuleSet(
        name="RENT",
        version=2,
        facts_type=RentFacts,
        parameters=(RENT_MIN_DEPOSIT_MONTHS, RENT_MONTHLY_CAP, CITY_PREFIX),
        rules=(
            withdrawals_not_locked,
            account_normal,
            balance_positive,
            deposited_consecutively(RENT_MIN_DEPOSIT_MONTHS),
            no_home_of_self,
            no_home_of_spouse,
            rent_period_valid,
            rent_period_not_withdrawn,
            amount_within_rent_cap,
            amount_within_balance,
        ),
        max_amount=_rent_max,
    )
)


# LOAN_REPAYMENT_ANNUAL 偿还贷款按年提取, LOAN_REPAYMENT_MONTHLY 委托按月还贷 ----------------------

CREDIT_REPORT_UNKNOWN = source_unknown(
    "CREDIT_REPORT_UNKNOWN", "银行征信系统", "the credit bureau", "您的贷款信息", "your loan records"
)
REPAYMENTS_UNKNOWN = source_unknown(
    "REPAYMENTS_UNKNOWN",
    "银行征信系统",
    "the credit bureau",
    "您近12个月的还款金额",
    "your repayments of the last 12 months",
)
NO_LOAN_IN_REPAYMENT = Reason(
    "NO_LOAN_IN_REPAYMENT",
    "没有查到您正在偿还的住房贷款。",
    "We found no home loan that you are currently repaying.",
)


@rule("LOAN_IN_REPAYMENT", on_fail=NO_LOAN_IN_REPAYMENT, on_unknown=CREDIT_REPORT_UNKNOWN)
def loan_in_repayment(facts, params):
    """A loan of this centre in repayment suffices; otherwise any loan in repayment in the credit report."""
    if facts.centre_loan_repaying is True:
        return True
    if facts.bureau_loans is UNKNOWN:
        return UNKNOWN
    if any(loan.status == LOAN_REPAYING for loan in facts.bureau_loans):
        return True
    return UNKNOWN if facts.centre_loan_repaying is UNKNOWN else False


@rule("ANNUAL_INTERVAL")
def annual_interval(facts, params):
    months = params[REPAYMENT_INTERVAL_MONTHS]
    last = facts.last_repayment_withdrawal_on
    if last is None or whole_months_between(last, facts.applied_on) >= months:
        return passed()
    from_on = add_months(last, months)
    return failed(
        Reason(
            "REPAYMENT_WITHDRAWN_RECENTLY",
            f"偿还贷款提取每{months}个月可办理一次，您上次提取于{zh_date(last)}，可于{zh_date(from_on)}起再次申请。",
            f"A loan-repayment withdrawal can be made once every {months} months; your last one was on "
            f"{en_date(last)}, so you can apply again from {en_date(from_on)}.",
        )
    )


@rule("AMOUNT_WITHIN_REPAYMENTS", needs=("repaid_last_12_months",), on_unknown=REPAYMENTS_UNKNOWN)
def amount_within_repayments(facts, params):
    repaid = facts.repaid_last_12_months
    if repaid <= 0:
        return failed(
            Reason(
                "NO_RECENT_REPAYMENTS",
                "近12个月没有查到您的还款记录，没有可提取的金额。",
                "We found no loan repayments by you in the last 12 months, so there is nothing to withdraw.",
            )
        )
    if facts.requested_amount is None or facts.requested_amount <= repaid:
        return passed()
    return failed(
        Reason(
            "AMOUNT_OVER_REPAYMENTS",
            f"申请金额{zh_yuan(facts.requested_amount)}超过您近12个月实际还款额{zh_yuan(repaid)}。",
            f"The amount applied for, {en_yuan(facts.requested_amount)}, is more than you repaid in the "
            f"last 12 months ({en_yuan(repaid)}).",
        )
    )


def _repayment_max(facts, params) -> int | None:
    if facts.repaid_last_12_months is UNKNOWN:
        return None
    return max(0, min(facts.balance, facts.repaid_last_12_months))


LOAN_REPAYMENT_ANNUAL = register(
    RuleSet(
        name="LOAN_REPAYMENT_ANNUAL",
        version=2,
        facts_type=LoanRepaymentAnnualFacts,
        parameters=(REPAYMENT_INTERVAL_MONTHS,),
        rules=(
            withdrawals_not_locked,
            account_open,
            balance_positive,
            loan_in_repayment,
            annual_interval,
            amount_within_repayments,
            amount_within_balance,
        ),
        max_amount=_repayment_max,
    )
)


@rule(
    "CENTRE_LOAN_IN_REPAYMENT",
    needs=("centre_loan_status",),
    on_fail=Reason(
        "NO_CENTRE_LOAN_IN_REPAYMENT",
        "委托按月还贷仅适用于正在偿还的本中心公积金贷款，没有查到您的此类贷款。",
        "Monthly repayment from your fund account is only for a housing fund loan of this centre "
        "that you are repaying, and we found none.",
    ),
    on_unknown=CREDIT_REPORT_UNKNOWN,
)
def centre_loan_in_repayment(facts, params):
    return facts.centre_loan_status == LOAN_REPAYING


@rule("LOAN_NOT_OVERDUE", needs=("overdue_months",), on_unknown=CREDIT_REPORT_UNKNOWN)
def loan_not_overdue(facts, params):
    """No overdue month in the credit report's last 24 months.

    The report counts months with an overdue payment on any loan, not what is overdue on this
    loan now (a late payment since made good still counts): a count above zero goes to staff.
    """
    if facts.overdue_months == 0:
        return passed()
    return refer(
        Reason(
            "RECENT_OVERDUE_TO_CHECK",
            f"征信记录显示您近24个月内有{facts.overdue_months}个月存在逾期还款，"
            "需由工作人员核实您的公积金贷款目前是否仍有逾期欠款。",
            f"Your credit report shows overdue payments in {facts.overdue_months} of the last 24 months, "
            "so staff need to check whether anything is still overdue on your housing fund loan.",
        )
    )


@rule(
    "NOT_ALREADY_ENTRUSTED",
    on_fail=Reason(
        "MONTHLY_DEDUCTION_ALREADY_SET_UP",
        "您已签订委托按月还贷，无需重复申请。",
        "Monthly repayment from your fund account is already set up; there is no need to apply again.",
    ),
)
def not_already_entrusted(facts, params):
    return not facts.entrusted_deduction


# Version 2: the centre's loan and its overdue months come from the credit report (version 1 read
# an overdue amount from a loan book the portal does not have). Version 3: the withdrawal lock.
LOAN_REPAYMENT_MONTHLY = register(
    RuleSet(
        name="LOAN_REPAYMENT_MONTHLY",
        version=3,
        facts_type=LoanRepaymentMonthlyFacts,
        parameters=(),
        rules=(
            withdrawals_not_locked,
            account_open,
            centre_loan_in_repayment,
            loan_not_overdue,
            not_already_entrusted,
        ),
    )
)


# Staff-review reasons -----------------------------------------------------------------------------

STAFF_REVIEW_REASONS = {
    "PURCHASE_ELSEWHERE": ("外地购房", "a home purchase outside the city"),
    "BUILD_RENOVATE": ("建造、翻建、大修自住住房", "building or renovating your own home"),
    "COMMERCIAL_LOAN_REPAYMENT": ("偿还商业住房贷款", "repaying a commercial home loan"),
    "EMIGRATION": ("出境定居", "settling abroad"),
    "INCAPACITY": ("完全丧失劳动能力", "total incapacity for work"),
    "DEATH": ("职工死亡", "the death of the account holder"),
    "SERIOUS_ILLNESS": ("重大疾病", "a serious illness"),
    "DISASTER": ("遭受自然灾害", "a natural disaster"),
    "ELEVATOR": ("既有住宅加装电梯", "installing a lift in an existing building"),
}


def _needs_document_review(zh_title: str, en_title: str):
    @rule("DOCUMENTS_REVIEWED")
    def documents_reviewed(facts, params):
        return refer(
            Reason(
                "NEEDS_DOCUMENT_REVIEW",
                f"{zh_title}提取需要工作人员审核相关材料，审核通过后款项将转入您本人的银行卡。",
                f"A withdrawal for {en_title} needs staff to review your documents; once approved, the "
                "money is paid to your own bank card.",
            )
        )

    return documents_reviewed


def _balance_max(facts, params) -> int:
    return facts.balance


def staff_review_rule_set(name: str, zh_title: str, en_title: str) -> RuleSet:
    return RuleSet(
        name=name,
        version=2,
        facts_type=StaffReviewFacts,
        parameters=(),
        rules=(
            withdrawals_not_locked,
            account_open,
            balance_positive,
            amount_within_balance,
            _needs_document_review(zh_title, en_title),
        ),
        max_amount=_balance_max,
    )


STAFF_REVIEW_RULE_SETS = {
    name: register(staff_review_rule_set(name, zh_title, en_title))
    for name, (zh_title, en_title) in STAFF_REVIEW_REASONS.items()
}
