"""The running loan's book: money received, the schedule replaced, the account settled.

Helpers for :mod:`loans.collection`, :mod:`loans.prepayment` and :mod:`loans.repricing`; each
needs the caller's transaction with the :class:`~loans.models.LoanAccount` row locked first
(:func:`lock_account`), so one loan's collections, prepayments and re-pricing never interleave.

Posting a receipt (:func:`receive`), in one balanced entry:

- debit the source: the borrower's FUND account (a fund-account offset, business type 11
  部分提取: it is a withdrawal for repaying a housing loan, reason 06) or the part of
  BANK_SETTLEMENT the loan's id falls on (a bank debit: money came into the centre's bank);
- credit ``LOAN-<no>`` with the principal, LOAN_INTEREST_INCOME with the interest and
  LOAN_PENALTY_INCOME with the overdue penalty.

A bank debit moves no member's fund account, so like the disbursement it carries business type
06 (see :mod:`loans.disbursement`); its loan movement (DOMAIN.md §2: 02 正常还款 … 06 结清) is
recorded on the :class:`~loans.models.LoanRepayment`, which is the loan's own statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CLOSED_STATUSES, AccountStatus, FundAccount
from audit.seals import document_digest, seal_document
from audit.services import record_event
from core.crypto import mask_id_number
from core.money import format_yuan
from ledger.centre import BANK_SETTLEMENT, LOAN_INTEREST_INCOME, LOAN_PENALTY_INCOME
from ledger.models import BusinessType, JournalEntry, LedgerAccount
from ledger.services import Line, centre_account, post_entry
from loans.calculators import Schedule
from loans.contract_terms import contract_no
from loans.disbursement import DISBURSEMENT_BUSINESS_TYPE, account_link
from loans.models import (
    UNPAID_INSTALMENT_STATUSES,
    CollectionMode,
    InstalmentStatus,
    LoanAccount,
    LoanAccountStatus,
    LoanInstalment,
    LoanMovement,
    LoanRepayment,
    LoanScheduleChange,
    RepaymentKind,
    RepaymentStatus,
)
from notifications.text import Day

SYSTEM = "system:loans"
#: What the ledger calls a bank-debited repayment (see the module docstring).
BANK_REPAYMENT_BUSINESS_TYPE = DISBURSEMENT_BUSINESS_TYPE
FUND_REPAYMENT_BUSINESS_TYPE = BusinessType.PARTIAL_WITHDRAWAL
SETTLED_SEAL_KIND = "LOAN_SETTLED"
#: Who seals a settlement: no person acts (the last payment closes the loan), the centre's seal does.
SETTLED_SEAL_SIGNER = "住房公积金管理中心贷款结清专用章"
#: A fund account in these states cannot pay a loan: frozen, or closed.
FUND_CANNOT_PAY = frozenset({AccountStatus.FROZEN, *CLOSED_STATUSES})


def lock_account(account_id: int) -> LoanAccount | None:
    """The loan account's row, locked until commit: every change to one loan queues here first."""
    return (
        LoanAccount.objects.select_for_update(of=("self",))
        .select_related("application", "ledger_account")
        .filter(pk=account_id)
        .first()
    )


def unpaid_instalments(account: LoanAccount):
    """The instalments still owed, oldest first."""
    return account.instalments.filter(status__in=UNPAID_INSTALMENT_STATUSES).order_by("period")


def in_flight(account: LoanAccount) -> LoanRepayment | None:
    """The bank debit being collected for this loan, if any (at most one: a constraint says so)."""
    return account.repayments.filter(status=RepaymentStatus.COLLECTING).first()


def last_due_on(account: LoanAccount, on: date) -> date:
    """The latest due date on or before ``on`` of the schedule in force (the disbursement date if none).

    Interest for a prepayment or the settlement runs from this day.
    """
    latest = (
        account.instalments.exclude(status=InstalmentStatus.SUPERSEDED)
        .filter(due_on__lte=on)
        .aggregate(latest=Max("due_on"))["latest"]
    )
    return latest or account.opened_on


def borrower_fund_account(account: LoanAccount, *, lock: bool) -> FundAccount | None:
    """The main borrower's fund account (locked if asked): what a fund-account offset draws on."""
    accounts = FundAccount.objects.select_related("ledger_account").filter(
        person_id=account.application.applicant_id
    )
    return (accounts.select_for_update(of=("self",)) if lock else accounts).first()


@dataclass(frozen=True)
class Parts:
    principal: int
    interest: int
    penalty: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalty


def movement_for(*, kind: str, channel: str, overdue: bool) -> str:
    """The loan movement (DOMAIN.md §2) a repayment is recorded under."""
    if kind == RepaymentKind.SETTLEMENT:
        return LoanMovement.SETTLEMENT
    if channel == CollectionMode.FUND_OFFSET:
        return LoanMovement.FUND_REPAYMENT
    if kind == RepaymentKind.PREPAYMENT:
        return LoanMovement.PREPAYMENT
    return LoanMovement.OVERDUE_REPAYMENT if overdue else LoanMovement.REPAYMENT


_MEMO_KIND = {
    RepaymentKind.INSTALMENT: "贷款还款",
    RepaymentKind.PREPAYMENT: "提前部分还款",
    RepaymentKind.SETTLEMENT: "贷款结清",
}


def memo_for(repayment: LoanRepayment) -> str:
    what = _MEMO_KIND[repayment.kind]
    if repayment.instalment_id is not None:
        what = f"{what} 第{repayment.instalment.period}期"
    return f"{what} {repayment.account.account_no}"


def receive(*, repayment: LoanRepayment, source: LedgerAccount, on: date) -> JournalEntry:
    """Post the repayment's money into the loan (see the module docstring); mark it SUCCEEDED.

    The posting's idempotency key is the repayment's reference, so a replay posts nothing twice.
    """
    account = repayment.account
    lines = [Line(source, debit=repayment.amount)]
    if repayment.principal:
        lines.append(Line(account.ledger_account, credit=repayment.principal))
    if repayment.interest:
        lines.append(Line(centre_account(LOAN_INTEREST_INCOME), credit=repayment.interest))
    if repayment.penalty:
        lines.append(Line(centre_account(LOAN_PENALTY_INCOME), credit=repayment.penalty))
    fund = repayment.channel == CollectionMode.FUND_OFFSET
    entry = post_entry(
        lines=lines,
        business_type=FUND_REPAYMENT_BUSINESS_TYPE if fund else BANK_REPAYMENT_BUSINESS_TYPE,
        business_on=on,
        idempotency_key=repayment.order_ref,
        memo=memo_for(repayment),
    )
    repayment.status, repayment.entry, repayment.settled_on = RepaymentStatus.SUCCEEDED, entry, on
    repayment.save(update_fields=["status", "entry", "settled_on"])
    record_event(
        actor=repayment.requested_by,
        actor_label=None if repayment.requested_by_id else SYSTEM,
        action="loans.repayment_received",
        target=repayment,
        summary=(
            f"{memo_for(repayment)} {format_yuan(repayment.amount)} 元 "
            f"(本金 {format_yuan(repayment.principal)}, 利息 {format_yuan(repayment.interest)}, "
            f"罚息 {format_yuan(repayment.penalty)}), 分录 #{entry.pk}"
        ),
        data={
            "account": account.pk,
            "kind": repayment.kind,
            "channel": repayment.channel,
            "movement": repayment.movement,
            "amount_fen": repayment.amount,
            "entry": entry.pk,
        },
    )
    return entry


def bank_source(account: LoanAccount) -> LedgerAccount:
    return centre_account(BANK_SETTLEMENT, spread_by=account.pk)


# The schedule ---------------------------------------------------------------------------------


def monthly_dates(first: date, *, count: int) -> list[date]:
    """``first`` and the same day of each following month, ``count`` dates (the day is ≤ 28)."""
    dates = []
    for offset in range(count):
        year, month = divmod(first.month - 1 + offset, 12)
        dates.append(date(first.year + year, month + 1, first.day))
    return dates


def principal_before(replaced: list[LoanInstalment]) -> int:
    """The principal the replaced instalments would have repaid: what a new schedule spreads."""
    return replaced[0].principal + replaced[0].remaining


def replace_schedule(
    *,
    account: LoanAccount,
    replaced: list[LoanInstalment],
    schedule: Schedule | None,
    kind: str,
    effective_on: date,
    new_rate: Decimal,
    repayment: LoanRepayment | None = None,
) -> LoanScheduleChange:
    """Mark ``replaced`` SUPERSEDED and put ``schedule`` (None: nothing more to pay) in their place.

    The new instalments take the replaced ones' numbers and due dates from the first replaced
    one on, a month apart; the change is recorded with the payment, months and interest before
    and after.
    """
    first = replaced[0]
    old_interest = sum(row.interest for row in replaced)
    LoanInstalment.objects.filter(pk__in=[row.pk for row in replaced]).update(
        status=InstalmentStatus.SUPERSEDED
    )
    new_rows = schedule.instalments if schedule is not None else ()
    LoanInstalment.objects.bulk_create(
        [
            LoanInstalment(
                account=account,
                period=first.period + index,
                due_on=due_on,
                payment=row.payment,
                principal=row.principal,
                interest=row.interest,
                remaining=row.remaining,
            )
            for index, (row, due_on) in enumerate(
                zip(new_rows, monthly_dates(first.due_on, count=len(new_rows)), strict=True)
            )
        ]
    )
    return LoanScheduleChange.objects.create(
        account=account,
        kind=kind,
        effective_on=effective_on,
        repayment=repayment,
        old_rate=account.annual_rate,
        new_rate=new_rate,
        old_months=len(replaced),
        new_months=len(new_rows),
        old_payment=first.payment,
        new_payment=new_rows[0].payment if new_rows else 0,
        interest_change=old_interest - sum(row.interest for row in new_rows),
    )


# Settling -------------------------------------------------------------------------------------


def settled_record(account: LoanAccount) -> dict:
    """What the loan-settled certificate says, as sealed: the seal's digest is this record's."""
    loan = account.application
    co_borrower = loan.co_borrower
    return {
        "certificate": "住房公积金贷款结清证明",
        "account_no": account.account_no,
        "contract_no": contract_no(loan),
        "borrower": loan.applicant.name,
        "borrower_id": mask_id_number(loan.applicant.id_number),
        # Both borrowers owed the loan; the certificate discharges both.
        "co_borrower": co_borrower.name if co_borrower else "",
        "co_borrower_id": mask_id_number(co_borrower.id_number) if co_borrower else "",
        "principal_fen": account.principal,
        "opened_on": account.opened_on.isoformat(),
        "settled_on": account.settled_on.isoformat(),
    }


def settled_digest(account: LoanAccount) -> str:
    return document_digest(settled_record(account))


def close_account(*, account: LoanAccount, on: date) -> LoanAccount:
    """The loan is repaid: mark it SETTLED, seal its loan-settled certificate, tell the borrowers."""
    account.status, account.settled_on = LoanAccountStatus.SETTLED, on
    account.settlement_seal = seal_document(
        kind=SETTLED_SEAL_KIND,
        subject=f"loan-account:{account.pk}",
        digest=settled_digest(account),
        signer=None,
        signer_label=SETTLED_SEAL_SIGNER,
    )
    account.save(update_fields=["status", "settled_on", "settlement_seal"])
    record_event(
        actor=None,
        actor_label=SYSTEM,
        action="loans.account_settled",
        target=account,
        summary=f"贷款账户 {account.account_no} 结清 {on:%Y-%m-%d}, 结清证明 {account.settlement_seal.code}",
        data={"account": account.pk, "settled_on": on.isoformat(), "seal": account.settlement_seal.code},
    )
    notify_borrowers(
        account,
        kind="loan_settled",
        title=_("Housing fund loan settled"),
        body=_(
            "Your housing fund loan (account %(account)s) was fully settled on %(day)s. The loan-settled "
            "certificate can be downloaded in the online service hall; its check code is %(code)s."
        ),
        co_borrower=True,
        account=account.account_no,
        day=Day(on),
        code=account.settlement_seal.code,
    )
    return account


def notify_borrowers(
    account: LoanAccount, /, *, kind: str, title, body, co_borrower: bool = False, **params
) -> None:
    """Tell the applicant (and with ``co_borrower`` the co-borrower): message ids with ``params``,
    rendered in each one's language."""
    from accounts.models import Person
    from notifications.services import notify

    loan = account.application
    people = [loan.applicant_id] + ([loan.co_borrower_id] if co_borrower and loan.co_borrower_id else [])
    for person in Person.objects.filter(pk__in=people).order_by("pk"):
        notify(person=person, kind=kind, title=title, body=body, params=params, link=account_link(loan.pk))


def today() -> date:
    return timezone.localdate()
