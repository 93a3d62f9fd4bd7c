"""The centre's own ledger accounts: codes, names and kinds (seeded by migration 0002)."""

from ledger.models import AccountKind

BANK_SETTLEMENT = "BANK_SETTLEMENT"
INTEREST_EXPENSE = "INTEREST_EXPENSE"
PAYOUT_CLEARING = "PAYOUT_CLEARING"
LOAN_PRINCIPAL = "LOAN_PRINCIPAL"
DEPOSIT_SUSPENSE = "DEPOSIT_SUSPENSE"

CENTRE_ACCOUNTS: dict[str, tuple[str, str]] = {
    BANK_SETTLEMENT: ("银行存款-结算", AccountKind.ASSET),
    INTEREST_EXPENSE: ("利息支出", AccountKind.EXPENSE),
    PAYOUT_CLEARING: ("待付款清算", AccountKind.LIABILITY),
    LOAN_PRINCIPAL: ("委托贷款本金", AccountKind.ASSET),
    DEPOSIT_SUSPENSE: ("暂收款", AccountKind.LIABILITY),
}

FUND_CODE_PREFIX = "FUND-"
