"""Facts that approve by default, and the seeded policy parameters; tests override what they test."""

from dataclasses import replace
from datetime import date

from approvals.rulesets.facts import (
    BureauLoan,
    Employment,
    LeavingCityFacts,
    LoanEligibilityFacts,
    LoanPurchase,
    LoanRepaymentAnnualFacts,
    LoanRepaymentMonthlyFacts,
    PurchasedProperty,
    PurchaseInCityFacts,
    RentFacts,
    RetirementFacts,
    StaffReviewFacts,
)

PARAMS = {
    "withdrawal.leaving.sealed_months": 6,
    "withdrawal.rent.monthly_cap": 180000,
    "withdrawal.rent.min_deposit_months": 3,
    "withdrawal.purchase.resale_min_months_after_title": 6,
    "withdrawal.loan_repayment.interval_months": 12,
    "loan.min_deposit_months": 6,
    "loan.max_age_at_end": 65,
    "loan.max_term_months": 360,
    "loan.overdue_lookback_months": 24,
    "city.local_region_prefix": "3502",
}

APPLIED_ON = date(2026, 7, 31)
ELSEWHERE = "350102"  # Fuzhou
XIAMEN = "350203"


def leaving_city_facts(**changes) -> LeavingCityFacts:
    facts = LeavingCityFacts(
        applied_on=APPLIED_ON,
        account_status="02",
        balance=5_432_100,
        sealed_on=date(2026, 1, 31),
        deposited_since_sealing=False,
        hukou_region=ELSEWHERE,
        employment=Employment(since=date(2020, 3, 1), ended_on=date(2026, 1, 15)),
    )
    return replace(facts, **changes)


def retirement_facts(**changes) -> RetirementFacts:
    facts = RetirementFacts(
        applied_on=APPLIED_ON, account_status="02", balance=12_345_600, retired=True, lixiu=False
    )
    return replace(facts, **changes)


def purchased_property(**changes) -> PurchasedProperty:
    home = PurchasedProperty(
        relation="self",
        region_code=XIAMEN,
        kind="new",
        contract_on=date(2026, 6, 20),
        title_on=None,
        price=300_000_000,
        loan_amount=200_000_000,
        full_payment=False,
        applicant_withdrawals=0,
        total_withdrawals=0,
    )
    return replace(home, **changes)


def purchase_facts(**changes) -> PurchaseInCityFacts:
    facts = PurchaseInCityFacts(
        applied_on=APPLIED_ON, account_status="01", balance=8_000_000, property=purchased_property()
    )
    return replace(facts, **changes)


def rent_facts(**changes) -> RentFacts:
    facts = RentFacts(
        applied_on=APPLIED_ON,
        account_status="01",
        balance=2_000_000,
        consecutive_deposit_months=12,
        period_months=1,
        self_home_regions=(),
        marital_status="married",
        spouse_home_regions=(ELSEWHERE,),
    )
    return replace(facts, **changes)


def bureau_loan(**changes) -> BureauLoan:
    loan = BureauLoan(
        kind="fund", status="repaying", monthly_payment=450_000, opened_on=date(2020, 5, 1), centre="厦门"
    )
    return replace(loan, **changes)


def repayment_annual_facts(**changes) -> LoanRepaymentAnnualFacts:
    facts = LoanRepaymentAnnualFacts(
        applied_on=APPLIED_ON,
        account_status="01",
        balance=9_000_000,
        centre_loan_repaying=True,
        bureau_loans=(bureau_loan(),),
        last_repayment_withdrawal_on=date(2025, 7, 31),
        repaid_last_12_months=5_400_000,
    )
    return replace(facts, **changes)


def repayment_monthly_facts(**changes) -> LoanRepaymentMonthlyFacts:
    facts = LoanRepaymentMonthlyFacts(
        applied_on=APPLIED_ON,
        account_status="01",
        balance=900_000,
        centre_loan_status="repaying",
        overdue_months=0,
        entrusted_deduction=False,
    )
    return replace(facts, **changes)


def staff_review_facts(**changes) -> StaffReviewFacts:
    facts = StaffReviewFacts(applied_on=APPLIED_ON, account_status="01", balance=3_000_000)
    return replace(facts, **changes)


def loan_eligibility_facts(**changes) -> LoanEligibilityFacts:
    facts = LoanEligibilityFacts(
        applied_on=APPLIED_ON,
        account_status="01",
        consecutive_deposit_months=24,
        birth_year=1990,
        birth_month=5,
        term_months=240,
        centre_loan_repaying=False,
        bureau_loans=(bureau_loan(kind="commercial", centre=None),),
        overdue_months=0,
    )
    return replace(facts, **changes)


def loan_purchase(**changes) -> LoanPurchase:
    purchase = LoanPurchase(relation="self", region_code=XIAMEN, price=300_000_000, titled=False)
    return replace(purchase, **changes)


def checked_loan_facts(**changes) -> LoanEligibilityFacts:
    """Version-2 facts that approve: employed, single, a first home registered at the stated price."""
    facts = loan_eligibility_facts(
        gov_checked=True,
        employment=Employment(since=date(2019, 3, 1), ended_on=None),
        marital_status="single",
        purchase=loan_purchase(),
        property_named=True,
        stated_price=300_000_000,
        first_home_declared=True,
        self_home_regions=(),
        spouse_home_regions=None,
    )
    return replace(facts, **changes)


def approving_facts(name: str):
    """For each rule set, facts it approves (or, for staff-review sets, refers for documents)."""
    from approvals.rulesets.withdrawals import STAFF_REVIEW_REASONS

    if name in STAFF_REVIEW_REASONS:
        return staff_review_facts()
    return {
        "LEAVING_CITY": leaving_city_facts,
        "RETIREMENT": retirement_facts,
        "LIXIU": lambda: retirement_facts(lixiu=True),
        "PURCHASE_IN_CITY": purchase_facts,
        "RENT": rent_facts,
        "LOAN_REPAYMENT_ANNUAL": repayment_annual_facts,
        "LOAN_REPAYMENT_MONTHLY": repayment_monthly_facts,
        "LOAN_ELIGIBILITY": loan_eligibility_facts,
    }[name]()


def decide(name: str, facts, params=PARAMS):
    from approvals.engine import evaluate, rule_set

    return evaluate(rule_set(name), facts, params)


def codes(evaluation) -> list[str]:
    return [reason.code for reason in evaluation.reasons]
