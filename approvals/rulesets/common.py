"""Rules and reasons shared by several rule sets: the withdrawal lock, account status, balance,
amounts, deposits."""

from approvals.engine import Reason, Verdict, failed, passed, refer, rule
from approvals.engine.text import en_yuan, zh_yuan
from approvals.rulesets.facts import ACCOUNT_CLOSED, ACCOUNT_FROZEN, ACCOUNT_NORMAL, ACCOUNT_SEALED

CITY_PREFIX = "city.local_region_prefix"

ACCOUNT_CLOSED_REASON = Reason(
    "ACCOUNT_CLOSED",
    "您的公积金账户已销户，无法办理此项业务。",
    "Your housing fund account has been closed, so this service is not available.",
)
ACCOUNT_FROZEN_REASON = Reason(
    "ACCOUNT_FROZEN",
    "您的公积金账户已被冻结，冻结期间不能办理此项业务，请联系公积金中心。",
    "Your housing fund account is frozen and this service is not available while it is; "
    "please contact the fund centre.",
)
ACCOUNT_STATUS_UNUSUAL_REASON = Reason(
    "ACCOUNT_STATUS_UNUSUAL",
    "您的公积金账户状态特殊，需由工作人员核实。",
    "Your housing fund account is in an unusual state, so staff need to check it.",
)
ACCOUNT_NOT_NORMAL_REASON = Reason(
    "ACCOUNT_NOT_NORMAL",
    "您的公积金账户不是正常缴存状态（例如已封存），此项业务需要账户正常缴存。",
    "Your housing fund account is not in normal paying status (for example it is sealed); "
    "this service needs an account that is being paid into.",
)
BALANCE_ZERO_REASON = Reason(
    "BALANCE_ZERO",
    "您的公积金账户余额为零，没有可提取的金额。",
    "Your housing fund account has a balance of zero, so there is nothing to withdraw.",
)
AMOUNT_NOT_POSITIVE_REASON = Reason(
    "AMOUNT_NOT_POSITIVE",
    "申请提取的金额必须大于零。",
    "The amount you apply to withdraw must be more than zero.",
)

WITHDRAWALS_LOCKED_REASON = Reason(
    "WITHDRAWALS_LOCKED",
    "您已锁定本人公积金账户的提取，锁定期间不能办理任何提取。如需提取，请先在网上服务大厅的"
    "“账户安全”页面申请解除锁定，解除在冷静期满后生效。",
    "You have locked withdrawals from your housing fund account, so no withdrawal can be made while "
    "the lock is on. To withdraw, first ask to unlock on the account security page of the online "
    "hall; the unlock takes effect after a cooling-off period.",
)


def account_status_verdict(status: str, allowed: tuple[str, ...], *, otherwise: Reason) -> Verdict:
    """PASS for the allowed statuses; closed and frozen accounts FAIL with their own reasons."""
    if status in allowed:
        return passed()
    if status in ACCOUNT_CLOSED:
        return failed(ACCOUNT_CLOSED_REASON)
    if status == ACCOUNT_FROZEN:
        return failed(ACCOUNT_FROZEN_REASON)
    if status in (ACCOUNT_NORMAL, ACCOUNT_SEALED):
        return failed(otherwise)
    return refer(ACCOUNT_STATUS_UNUSUAL_REASON)


@rule("WITHDRAWALS_NOT_LOCKED", on_fail=WITHDRAWALS_LOCKED_REASON)
def withdrawals_not_locked(facts, params):
    """The applicant's own lock refuses every withdrawal, whatever else the facts say."""
    return not facts.withdrawal_locked


@rule("ACCOUNT_OPEN")
def account_open(facts, params):
    """Withdrawals need an account that is normal or sealed: not closed, not frozen."""
    return account_status_verdict(
        facts.account_status, (ACCOUNT_NORMAL, ACCOUNT_SEALED), otherwise=ACCOUNT_STATUS_UNUSUAL_REASON
    )


@rule("ACCOUNT_NORMAL")
def account_normal(facts, params):
    return account_status_verdict(
        facts.account_status, (ACCOUNT_NORMAL,), otherwise=ACCOUNT_NOT_NORMAL_REASON
    )


@rule("BALANCE_POSITIVE", on_fail=BALANCE_ZERO_REASON)
def balance_positive(facts, params):
    return facts.balance > 0


def _over_balance(facts, params) -> Reason:
    return Reason(
        "AMOUNT_OVER_BALANCE",
        f"申请提取金额{zh_yuan(facts.requested_amount)}超过了您的账户余额{zh_yuan(facts.balance)}。",
        f"The amount applied for, {en_yuan(facts.requested_amount)}, is more than your account "
        f"balance of {en_yuan(facts.balance)}.",
    )


@rule("AMOUNT_WITHIN_BALANCE", on_fail=_over_balance)
def amount_within_balance(facts, params):
    """A stated amount is positive and at most the balance; no amount means the largest allowed."""
    if facts.requested_amount is None:
        return True
    if facts.requested_amount <= 0:
        return failed(AMOUNT_NOT_POSITIVE_REASON)
    return facts.requested_amount <= facts.balance


def _not_whole_balance(facts, params) -> Reason:
    return Reason(
        "AMOUNT_NOT_WHOLE_BALANCE",
        f"此项提取为销户提取，须一次提取全部余额{zh_yuan(facts.balance)}，不能只提取部分金额。",
        f"This withdrawal closes the account: the whole balance of {en_yuan(facts.balance)} is paid "
        "out, not part of it.",
    )


@rule("WHOLE_BALANCE", on_fail=_not_whole_balance)
def whole_balance(facts, params):
    """Closing withdrawals pay out the whole balance (interest to date is added at payout)."""
    return facts.requested_amount is None or facts.requested_amount == facts.balance


def deposited_consecutively(parameter: str):
    """Rule: at least ``params[parameter]`` consecutive months deposited up to now (own data)."""

    def too_few(facts, params) -> Reason:
        needed = params[parameter]
        months = facts.consecutive_deposit_months
        return Reason(
            "DEPOSIT_MONTHS_TOO_FEW",
            f"您已连续缴存{months}个月，不足{needed}个月。",
            f"You have paid in for {months} consecutive months; at least {needed} are needed.",
        )

    @rule("DEPOSITED_CONSECUTIVELY", on_fail=too_few)
    def check(facts, params):
        return facts.consecutive_deposit_months >= params[parameter]

    return check


def source_unknown(code: str, zh_source: str, en_source: str, zh_fact: str, en_fact: str) -> Reason:
    """The reason for a fact a data source could not supply: the case goes to staff, not refused."""
    return Reason(
        code,
        f"暂时无法从{zh_source}查询到{zh_fact}，您的申请已转人工审核，不会因此被拒绝。",
        f"We could not get {en_fact} from {en_source} just now; your application has been passed to "
        "staff for review and will not be refused because of this.",
    )


def in_city(region_code: str, params) -> bool:
    return region_code.startswith(params[CITY_PREFIX])
