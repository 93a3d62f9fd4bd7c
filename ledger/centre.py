"""The centre's own ledger accounts: codes, names and kinds (seeded by migrations 0002 and 0007)."""

from ledger.models import AccountKind

BANK_SETTLEMENT = "BANK_SETTLEMENT"
INTEREST_EXPENSE = "INTEREST_EXPENSE"
PAYOUT_CLEARING = "PAYOUT_CLEARING"
LOAN_PRINCIPAL = "LOAN_PRINCIPAL"
DEPOSIT_SUSPENSE = "DEPOSIT_SUSPENSE"
LOAN_INTEREST_INCOME = "LOAN_INTEREST_INCOME"
LOAN_PENALTY_INCOME = "LOAN_PENALTY_INCOME"

CENTRE_ACCOUNTS: dict[str, tuple[str, str]] = {
    BANK_SETTLEMENT: ("银行存款-结算", AccountKind.ASSET),
    INTEREST_EXPENSE: ("利息支出", AccountKind.EXPENSE),
    PAYOUT_CLEARING: ("待付款清算", AccountKind.LIABILITY),
    LOAN_PRINCIPAL: ("委托贷款本金", AccountKind.ASSET),
    DEPOSIT_SUSPENSE: ("暂收款", AccountKind.LIABILITY),
    LOAN_INTEREST_INCOME: ("贷款利息收入", AccountKind.INCOME),
    LOAN_PENALTY_INCOME: ("贷款罚息收入", AccountKind.INCOME),
}

FUND_CODE_PREFIX = "FUND-"

# 热点账户拆分: every withdrawal posts to PAYOUT_CLEARING (and a closing one to INTEREST_EXPENSE),
# every bank result to BANK_SETTLEMENT. Posting locks the account's row until commit, so on one
# row concurrent withdrawals would be paid one after another. These accounts are therefore held
# as SPLIT_WAYS rows — the account itself is part 0, parts 1… are "<CODE>.01"… — and a posting
# that names a spreading key lands on one part; the account's balance is the sum of its parts.
SPLIT_ACCOUNTS = frozenset({BANK_SETTLEMENT, INTEREST_EXPENSE, PAYOUT_CLEARING})
SPLIT_WAYS = 16


def part_code(code: str, part: int) -> str:
    """The code of part ``part`` (0 … SPLIT_WAYS − 1) of split account ``code``."""
    return code if part == 0 else f"{code}.{part:02d}"


def part_codes(code: str) -> list[str]:
    """Every row that holds some of centre account ``code``: itself, and its parts if split."""
    if code not in SPLIT_ACCOUNTS:
        return [code]
    return [part_code(code, part) for part in range(SPLIT_WAYS)]
