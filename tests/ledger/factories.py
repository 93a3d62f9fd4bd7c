"""Factories and small posting helpers for ledger tests."""

import datetime
import uuid

import factory

from ledger import services
from ledger.centre import BANK_SETTLEMENT, PAYOUT_CLEARING
from ledger.models import AccountKind, BusinessType, LedgerAccount

BUSINESS_DAY = datetime.date(2026, 6, 15)


class FundLedgerAccountFactory(factory.django.DjangoModelFactory):
    """An employee's fund account at zero; give it money with :func:`deposit`, never ``balance=``."""

    class Meta:
        model = LedgerAccount

    code = factory.Sequence(lambda n: f"FUND-{n:012d}")
    name = factory.LazyAttribute(lambda account: f"个人账户 {account.code}")
    kind = AccountKind.FUND


def new_key(prefix: str = "test") -> str:
    return f"{prefix}:{uuid.uuid4().hex}"


def deposit(account: LedgerAccount, amount: int, *, key: str | None = None, actor=None):
    """A 汇缴 of ``amount`` fen: debit the bank, credit the fund account. Needs an open transaction."""
    return services.post_entry(
        lines=[
            services.Line(services.centre_account(BANK_SETTLEMENT), debit=amount),
            services.Line(account, credit=amount),
        ],
        business_type=BusinessType.MONTHLY_DEPOSIT,
        business_on=BUSINESS_DAY,
        idempotency_key=key or new_key("deposit"),
        memo="汇缴",
        actor=actor,
    )


def withdraw(
    account: LedgerAccount, amount: int, *, key: str | None = None, clearing: LedgerAccount | None = None
):
    """A 部分提取 of ``amount`` fen into payout clearing (or ``clearing``, a part of it); in a transaction."""
    return services.post_entry(
        lines=[
            services.Line(account, debit=amount),
            services.Line(clearing or services.centre_account(PAYOUT_CLEARING), credit=amount),
        ],
        business_type=BusinessType.PARTIAL_WITHDRAWAL,
        business_on=BUSINESS_DAY,
        idempotency_key=key or new_key("withdraw"),
        memo="部分提取",
    )
