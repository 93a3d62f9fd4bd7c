"""A fund account's deposit history as a transfer reply states it (DOMAIN.md §8).

The months paid are the months of the account's deposit postings (汇缴 01 and 补缴 02), as the
loan and withdrawal rules count them (``approvals.providers``).
"""

from __future__ import annotations

from datetime import date

from accounts.models import FundAccount
from integrations.transfer_platform.ports import DepositHistory
from ledger.models import BusinessType, JournalLine

DEPOSIT_TYPES = (BusinessType.MONTHLY_DEPOSIT, BusinessType.BACK_PAYMENT)
CONTINUOUS_MONTHS = 6


def _previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def deposit_months(account: FundAccount) -> frozenset[date]:
    """The months (their first day) in which a deposit reached ``account``."""
    days = JournalLine.objects.filter(
        account_id=account.ledger_account_id, credit__gt=0, entry__business_type__in=DEPOSIT_TYPES
    ).values_list("entry__business_on", flat=True)
    return frozenset(day.replace(day=1) for day in days)


def deposit_history(account: FundAccount) -> DepositHistory:
    """Opening date, the last month paid, how many months were paid and whether the last six ran on."""
    months = deposit_months(account)
    paid_up_to = max(months) if months else account.opened_on.replace(day=1)
    month, continuous = paid_up_to, bool(months)
    for _step in range(CONTINUOUS_MONTHS):
        continuous = continuous and month in months
        month = _previous_month(month)
    return DepositHistory(
        opened_on=account.opened_on,
        paid_up_to=paid_up_to,
        months_deposited=len(months),
        last_six_continuous=continuous,
    )
