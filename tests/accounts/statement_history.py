"""Posting a fund account's history through the ledger for statement tests, keeping the expected balances.

Every posting goes through ``ledger.services`` as the apps post them (business type, sides, memo),
and :class:`History` remembers each one's effect on the account independently of the ledger, so a
test can ask what the balance should be on any day.
"""

import random
from datetime import date, timedelta

from django.db import transaction

from ledger.centre import BANK_SETTLEMENT, INTEREST_EXPENSE, PAYOUT_CLEARING
from ledger.exceptions import InsufficientBalance
from ledger.models import BusinessType, JournalEntry
from ledger.services import Line, centre_account, open_loan_ledger_account, post_entry, reverse_entry
from tests.ledger.factories import new_key


class History:
    def __init__(self, account):
        self.account = account
        self.ledger = account.ledger_account
        self.effects: list[tuple[date, int]] = []

    def balance_on(self, day: date) -> int:
        """What the balance should be at the end of ``day``."""
        return sum(amount for on, amount in self.effects if on <= day)

    def _post(self, *, on, business_type, amount, into_fund: bool, other, memo="") -> JournalEntry:
        fund = Line(self.ledger, credit=amount) if into_fund else Line(self.ledger, debit=amount)
        counter = Line(other, debit=amount) if into_fund else Line(other, credit=amount)
        with transaction.atomic():
            entry = post_entry(
                lines=[counter, fund],
                business_type=business_type,
                business_on=on,
                idempotency_key=new_key("history"),
                memo=memo,
            )
        self.effects.append((on, amount if into_fund else -amount))
        return entry

    def deposit(self, on, amount, *, back_payment=False):
        kind = BusinessType.BACK_PAYMENT if back_payment else BusinessType.MONTHLY_DEPOSIT
        return self._post(
            on=on, business_type=kind, amount=amount, into_fund=True, other=centre_account(BANK_SETTLEMENT)
        )

    def interest(self, on, amount):
        return self._post(
            on=on,
            business_type=BusinessType.ANNUAL_INTEREST,
            amount=amount,
            into_fund=True,
            other=centre_account(INTEREST_EXPENSE),
            memo=f"年终结息 {on.year}",
        )

    def withdraw(self, on, amount, *, closing=False, memo="部分提取 RENT 申请 #1"):
        kind = BusinessType.CLOSING_WITHDRAWAL if closing else BusinessType.PARTIAL_WITHDRAWAL
        return self._post(
            on=on,
            business_type=kind,
            amount=amount,
            into_fund=False,
            other=centre_account(PAYOUT_CLEARING),
            memo=memo,
        )

    def transfer_in(self, on, amount):
        return self._post(
            on=on,
            business_type=BusinessType.TRANSFER_IN,
            amount=amount,
            into_fund=True,
            other=centre_account(BANK_SETTLEMENT),
            memo="外部转入 3301 T1",
        )

    def transfer_out(self, on, amount):
        return self._post(
            on=on,
            business_type=BusinessType.TRANSFER_OUT,
            amount=amount,
            into_fund=False,
            other=centre_account(PAYOUT_CLEARING),
            memo="外部转出 3301 T2",
        )

    def internal(self, on, amount, *, other_fund, incoming: bool):
        """06 内部转移 between this account and ``other_fund`` (a ledger account with money when outgoing)."""
        return self._post(
            on=on,
            business_type=BusinessType.INTERNAL_TRANSFER,
            amount=amount,
            into_fund=incoming,
            other=other_fund,
            memo="内部转移 合并账户",
        )

    def loan_offset(self, on, amount, *, loan_no="LN000001"):
        """A repayment offset from the fund into a loan account (loans.loan_book.receive)."""
        loan = open_loan_ledger_account(account_no=loan_no)
        if loan.balance < amount:
            with transaction.atomic():
                post_entry(
                    lines=[Line(loan, debit=amount), Line(centre_account(PAYOUT_CLEARING), credit=amount)],
                    business_type=BusinessType.INTERNAL_TRANSFER,
                    business_on=on,
                    idempotency_key=new_key("disburse"),
                    memo="贷款发放",
                )
        return self._post(
            on=on,
            business_type=BusinessType.PARTIAL_WITHDRAWAL,
            amount=amount,
            into_fund=False,
            other=loan,
            memo=f"正常还款 {loan_no}",
        )

    def reverse(self, entry: JournalEntry, on: date) -> JournalEntry | None:
        """Reverse ``entry`` on ``on``; None when the account has no longer the money to give back."""
        effect = sum(
            line.credit - line.debit for line in entry.lines.all() if line.account_id == self.ledger.pk
        )
        try:
            with transaction.atomic():
                mirror = reverse_entry(
                    entry=entry, business_on=on, idempotency_key=new_key("reverse"), memo="冲正"
                )
        except InsufficientBalance:
            return None
        self.effects.append((on, -effect))
        return mirror


def monthly_history(history: History, *, first_year: int, years: int, amount: int = 240_000) -> None:
    """A deposit on the 15th of every month and interest every 30 June, for ``years`` years."""
    for year in range(first_year, first_year + years):
        for month in range(1, 13):
            history.deposit(date(year, month, 15), amount)
            if month == 6:
                history.interest(date(year, 6, 30), amount // 10)


def random_history(history: History, *, seed: int, start: date, days: int, other_fund) -> None:
    """About eighty movements of every kind in date order, some reversed later; never overdrawn."""
    rng = random.Random(seed)
    posted: list[JournalEntry] = []
    for offset in sorted(rng.sample(range(days), 80)):
        on = start + timedelta(days=offset)
        balance = history.balance_on(on)
        choice = rng.random()
        if choice < 0.35 or balance < 10_000:
            entry = history.deposit(on, rng.randint(50_000, 400_000), back_payment=rng.random() < 0.2)
        elif choice < 0.45:
            entry = history.interest(on, rng.randint(1, 9_999))
        elif choice < 0.55:
            entry = history.withdraw(on, rng.randint(1, balance // 2))
        elif choice < 0.62:
            entry = history.transfer_in(on, rng.randint(10_000, 900_000))
        elif choice < 0.68:
            entry = history.transfer_out(on, rng.randint(1, balance // 3))
        elif choice < 0.76:
            entry = history.internal(on, rng.randint(1, 50_000), other_fund=other_fund, incoming=True)
        elif choice < 0.82:
            entry = history.internal(on, rng.randint(1, balance // 4), other_fund=other_fund, incoming=False)
        elif choice < 0.90:
            entry = history.loan_offset(on, rng.randint(1, balance // 4))
        else:
            if posted:
                history.reverse(posted.pop(rng.randrange(len(posted))), on)
            continue
        posted.append(entry)
