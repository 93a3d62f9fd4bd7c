"""The rule sets (pure Python) and their facts; importing this package registers every rule set."""

from approvals.engine import RULE_SETS, rule_set
from approvals.rulesets import loans, withdrawals
from approvals.rulesets.facts import (
    BureauLoan,
    Employment,
    LeavingCityFacts,
    LoanEligibilityFacts,
    LoanRepaymentAnnualFacts,
    LoanRepaymentMonthlyFacts,
    PurchasedProperty,
    PurchaseInCityFacts,
    RentFacts,
    RetirementFacts,
    StaffReviewFacts,
)

WITHDRAWAL_REASONS = (
    "LEAVING_CITY",
    "RETIREMENT",
    "LIXIU",
    "PURCHASE_IN_CITY",
    "RENT",
    "LOAN_REPAYMENT_ANNUAL",
    "LOAN_REPAYMENT_MONTHLY",
    *withdrawals.STAFF_REVIEW_REASONS,
)

__all__ = [
    "RULE_SETS",
    "WITHDRAWAL_REASONS",
    "BureauLoan",
    "Employment",
    "LeavingCityFacts",
    "LoanEligibilityFacts",
    "LoanRepaymentAnnualFacts",
    "LoanRepaymentMonthlyFacts",
    "PurchaseInCityFacts",
    "PurchasedProperty",
    "RentFacts",
    "RetirementFacts",
    "StaffReviewFacts",
    "loans",
    "rule_set",
    "withdrawals",
]
