"""The loan book agrees with the ledger: what an auditor checks at month end (``verify_loans``).

For every lent loan account (repaying or settled):

- the principal still owed in the ledger (the balance of ``LOAN-<no>``) equals the principal of
  the schedule's instalments not yet repaid (SUPERSEDED rows are not the schedule any more);
- a settled loan owes nothing and has nothing left to pay;
- every received repayment is posted, and its posting credits the loan with exactly the
  repayment's principal; a repayment not received has no posting;
- the schedule in force has one row per instalment number and, while repaying, ends at zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery, Sum

from core.money import format_yuan
from ledger.models import JournalLine
from loans.models import (
    UNPAID_INSTALMENT_STATUSES,
    InstalmentStatus,
    LoanAccount,
    LoanAccountStatus,
    LoanInstalment,
    LoanRepayment,
    RepaymentStatus,
)

LENT = (LoanAccountStatus.ACTIVE, LoanAccountStatus.SETTLED)


@dataclass
class LoanBookReport:
    accounts: int = 0
    repayments: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.violations


def verify_loan_book() -> LoanBookReport:
    report = LoanBookReport()
    accounts = (
        LoanAccount.objects.filter(status__in=LENT)
        .select_related("ledger_account")
        .annotate(
            unpaid=Sum(
                "instalments__principal", filter=Q(instalments__status__in=UNPAID_INSTALMENT_STATUSES)
            ),
            in_force=Count("instalments", filter=~Q(instalments__status=InstalmentStatus.SUPERSEDED)),
            numbers=Count(
                "instalments__period",
                filter=~Q(instalments__status=InstalmentStatus.SUPERSEDED),
                distinct=True,
            ),
            last_remaining=Subquery(
                LoanInstalment.objects.filter(account=OuterRef("pk"))
                .exclude(status=InstalmentStatus.SUPERSEDED)
                .order_by("-period")
                .values("remaining")[:1]
            ),
        )
        .order_by("pk")
    )
    for account in accounts:
        report.accounts += 1
        owed, unpaid = account.ledger_account.balance, account.unpaid or 0
        name = account.account_no
        if owed != unpaid:
            report.violations.append(
                f"{name}: ledger owes {format_yuan(owed)} but the schedule has {format_yuan(unpaid)} unpaid"
            )
        if account.status == LoanAccountStatus.SETTLED and (owed or unpaid):
            report.violations.append(f"{name}: settled but {format_yuan(max(owed, unpaid))} still owed")
        if account.in_force != account.numbers:
            report.violations.append(f"{name}: the schedule in force repeats an instalment number")
        # A settlement supersedes what was left, so only a repaying loan's schedule must reach zero.
        last = account.last_remaining
        if account.status == LoanAccountStatus.ACTIVE and last is not None and last != 0:
            report.violations.append(f"{name}: the last instalment leaves {format_yuan(last)} owed")
    credits = dict(
        JournalLine.objects.filter(account__code__startswith="LOAN-", credit__gt=0)
        .values_list("entry_id")
        .annotate(total=Sum("credit"))
    )
    for repayment in LoanRepayment.objects.select_related("account").order_by("pk"):
        report.repayments += 1
        name = f"{repayment.account.account_no} {repayment.order_ref}"
        received = repayment.status == RepaymentStatus.SUCCEEDED
        if received and repayment.entry_id is None:
            report.violations.append(f"{name}: received but not posted")
        elif not received and repayment.entry_id is not None:
            report.violations.append(f"{name}: posted but not received")
        elif received and credits.get(repayment.entry_id, 0) != repayment.principal:
            report.violations.append(
                f"{name}: posting credits the loan {format_yuan(credits.get(repayment.entry_id, 0))}, "
                f"the repayment says {format_yuan(repayment.principal)}"
            )
    return report
