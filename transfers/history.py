"""A fund account's deposit history as a transfer reply states it (DOMAIN.md §8).

The months paid are the months of the account's deposit postings (汇缴 01 and 补缴 02), as the
loan and withdrawal rules count them (``approvals.providers``).
"""

from __future__ import annotations

from datetime import date

from accounts.models import FundAccount
from approvals.providers import account_deposit_months, carried_deposit_time, consecutive_deposit_months
from integrations.transfer_platform.ports import DepositHistory

CONTINUOUS_MONTHS = 6


def deposit_months(account: FundAccount) -> frozenset[date]:
    """The months (their first day) in which a deposit reached ``account`` or an account merged into it."""
    return account_deposit_months(account)


def deposit_history(account: FundAccount) -> DepositHistory:
    """Opening date, the last month paid, how many months were paid and whether the last six ran on.

    Deposit time carried in from other cities is part of it: the next centre merges it too.
    """
    months = deposit_months(account)
    carried = carried_deposit_time(account)
    last_paid = [max(months)] if months else []
    last_paid += [history.paid_up_to for history in carried]
    paid_up_to = max(last_paid) if last_paid else account.opened_on.replace(day=1)
    run = consecutive_deposit_months(months, on=paid_up_to, carried=carried) if last_paid else 0
    return DepositHistory(
        opened_on=account.opened_on,
        paid_up_to=paid_up_to,
        months_deposited=len(months) + sum(history.months for history in carried),
        last_six_continuous=run >= CONTINUOUS_MONTHS,
    )
