"""Reading a running loan for its pages and the API: where it stands today, its statement, the overdue book.

Amounts are fen; penalties are what paying on ``today`` would cost (they grow by the day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q

from ledger.selectors import balance_of
from loans import loan_book
from loans.collection import penalty_on
from loans.models import (
    InstalmentStatus,
    LoanAccount,
    LoanAccountStatus,
    LoanInstalment,
    LoanRepayment,
    LoanScheduleChange,
)
from loans.repayment_math import days_overdue


@dataclass(frozen=True)
class OverdueInstalment:
    instalment: LoanInstalment
    days: int
    penalty: int

    @property
    def total(self) -> int:
        return self.instalment.payment + self.penalty


@dataclass(frozen=True)
class LoanPosition:
    """A repaying loan as of ``today``: what is owed, what comes next, what the borrower may do."""

    account: LoanAccount
    today: date
    outstanding: int
    overdue: list[OverdueInstalment] = field(default_factory=list)
    #: The first unpaid instalment not yet late (due today or later); None once all are paid.
    next_instalment: LoanInstalment | None = None
    in_flight: LoanRepayment | None = None
    #: Instalments left to pay, overdue ones included.
    months_left: int = 0

    @property
    def overdue_total(self) -> int:
        return sum(row.total for row in self.overdue)

    @property
    def repaying(self) -> bool:
        return self.account.status == LoanAccountStatus.ACTIVE

    @property
    def due_today(self) -> bool:
        return self.next_instalment is not None and self.next_instalment.due_on == self.today

    @property
    def may_prepay_or_settle(self) -> bool:
        """Nothing due unpaid and nothing being collected (see :mod:`loans.prepayment`)."""
        return self.repaying and not self.overdue and not self.due_today and self.in_flight is None

    @property
    def may_pay_now(self) -> bool:
        """An instalment is late or due today, and no debit is in flight: the borrower can pay it now."""
        return self.repaying and (bool(self.overdue) or self.due_today) and self.in_flight is None


def loan_position(account: LoanAccount, *, today: date | None = None) -> LoanPosition:
    today = today or loan_book.today()
    unpaid = list(loan_book.unpaid_instalments(account))
    late = [row for row in unpaid if row.due_on < today]
    upcoming = [row for row in unpaid if row.due_on >= today]
    return LoanPosition(
        account=account,
        today=today,
        outstanding=balance_of(account.ledger_account),
        overdue=[
            OverdueInstalment(
                instalment=row,
                days=days_overdue(row.due_on, today),
                penalty=penalty_on(row, annual_rate=account.annual_rate, on=today),
            )
            for row in late
        ],
        next_instalment=upcoming[0] if upcoming else None,
        in_flight=loan_book.in_flight(account),
        months_left=len(unpaid),
    )


def next_payment(account: LoanAccount) -> int | None:
    """The payment (fen) of the oldest instalment still owed, or None once all are paid."""
    first = loan_book.unpaid_instalments(account).first()
    return first.payment if first is not None else None


def repayments_of(account: LoanAccount) -> list[LoanRepayment]:
    """The loan's statement: every repayment attempt, newest first."""
    return list(account.repayments.select_related("instalment").order_by("-created_at", "-pk"))


def schedule_changes_of(account: LoanAccount) -> list[LoanScheduleChange]:
    return list(account.schedule_changes.select_related("repayment").order_by("-effective_on", "-pk"))


def superseded_instalments(account: LoanAccount) -> list[LoanInstalment]:
    """The instalments earlier schedules had and a later one replaced, by number."""
    return list(account.instalments.filter(status=InstalmentStatus.SUPERSEDED).order_by("period", "pk"))


@dataclass(frozen=True)
class OverdueLoan:
    account: LoanAccount
    instalments: int
    oldest_due_on: date
    days: int
    amount: int
    penalty: int


def overdue_loans(*, today: date | None = None) -> list[OverdueLoan]:
    """Every repaying loan with an instalment unpaid after its due date, the longest overdue first."""
    today = today or loan_book.today()
    late = LoanInstalment.objects.filter(
        status__in=(InstalmentStatus.DUE, InstalmentStatus.OVERDUE), due_on__lt=today
    ).order_by("period")
    accounts = (
        LoanAccount.objects.filter(status=LoanAccountStatus.ACTIVE, pk__in=late.values("account_id"))
        .select_related("application__applicant")
        .prefetch_related(Prefetch("instalments", queryset=late, to_attr="late"))
    )
    rows = []
    for account in accounts:
        penalties = [penalty_on(row, annual_rate=account.annual_rate, on=today) for row in account.late]
        oldest = account.late[0].due_on
        rows.append(
            OverdueLoan(
                account=account,
                instalments=len(account.late),
                oldest_due_on=oldest,
                days=days_overdue(oldest, today),
                amount=sum(row.payment for row in account.late),
                penalty=sum(penalties),
            )
        )
    return sorted(rows, key=lambda row: (row.oldest_due_on, row.account.pk))


def repaying_account_of(person_id: int) -> LoanAccount | None:
    """The person's loan of this centre in repayment, as main borrower (the latest), or None."""
    return (
        LoanAccount.objects.filter(status=LoanAccountStatus.ACTIVE, application__applicant_id=person_id)
        .order_by("-opened_on", "-pk")
        .first()
    )


#: A loan account the borrowers can see: lent (repaying) or settled.
LENT_STATUSES = (LoanAccountStatus.ACTIVE, LoanAccountStatus.SETTLED)


def lent_accounts_of(person):
    """The person's lent loan accounts, as borrower or co-borrower."""
    return (
        LoanAccount.objects.select_related(
            "application__applicant", "application__co_borrower", "ledger_account", "settlement_seal"
        )
        .filter(status__in=LENT_STATUSES)
        .filter(Q(application__applicant=person) | Q(application__co_borrower=person))
    )
