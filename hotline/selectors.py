"""What the 12329 channels read that no other app's selector gives: the person a mobile is, the
last deposit, the latest application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from accounts.models import FundAccount, Person
from accounts.selectors import DEPOSIT_TYPES
from approvals.models import Application
from deposits.models import DepositList
from ledger.models import JournalLine
from loans.models import LoanApplication
from withdrawals.services import KIND as WITHDRAWAL


def person_by_mobile(mobile: str) -> Person | None:
    """The one person registered with ``mobile`` (normalised); None when nobody is, or several are.

    Two people sharing a number (a family phone) get nothing personal: the text cannot say whose
    account it asks about.
    """
    people = list(Person.objects.filter(mobile=mobile).order_by("pk")[:2])
    return people[0] if len(people) == 1 else None


@dataclass(frozen=True)
class LastDeposit:
    month: date  # the month paid for, its first day
    amount: int  # fen
    employer_name: str


def last_deposit(person: Person) -> LastDeposit | None:
    """The latest monthly deposit or back-payment credited to the person's account, not reversed."""
    account = FundAccount.objects.filter(person=person).select_related("employer").first()
    if account is None:
        return None
    line = (
        JournalLine.objects.filter(
            account_id=account.ledger_account_id,
            credit__gt=0,
            entry__business_type__in=DEPOSIT_TYPES,
            entry__reversed_by__isnull=True,
        )
        .select_related("entry")
        .order_by("-entry__business_on", "-entry_id")
        .first()
    )
    if line is None:
        return None
    # A list's posting names its month and unit; a deposit posted otherwise (taken over from the
    # old system) is dated in its month and was paid by the account's unit.
    paid_by = DepositList.objects.filter(journal_entry_id=line.entry_id).select_related("employer").first()
    if paid_by is not None:
        return LastDeposit(month=paid_by.period, amount=line.credit, employer_name=paid_by.employer.name)
    return LastDeposit(
        month=line.entry.business_on.replace(day=1),
        amount=line.credit,
        employer_name=account.employer.name if account.employer else "",
    )


@dataclass(frozen=True)
class LatestApplication:
    kind: str  # "withdrawal" or "loan"
    submitted_at: datetime
    withdrawal: Application | None = None
    loan: LoanApplication | None = None


def latest_application(person: Person) -> LatestApplication | None:
    """The person's most recently submitted withdrawal or loan application (as applicant)."""
    withdrawal = (
        Application.objects.filter(applicant=person, kind=WITHDRAWAL).order_by("-submitted_at", "-pk").first()
    )
    loan = LoanApplication.objects.filter(applicant=person).order_by("-submitted_at", "-pk").first()
    if loan is not None and (withdrawal is None or loan.submitted_at >= withdrawal.submitted_at):
        return LatestApplication(kind="loan", submitted_at=loan.submitted_at, loan=loan)
    if withdrawal is not None:
        return LatestApplication(
            kind="withdrawal", submitted_at=withdrawal.submitted_at, withdrawal=withdrawal
        )
    return None
