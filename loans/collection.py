"""Collecting a running loan's instalments every month, and marking the unpaid ones overdue.

Each morning (``loans.tasks.run_daily_repayments``):

1. :func:`mark_overdue`: an instalment unpaid after its due date becomes OVERDUE, and the
   borrower is told once;
2. :func:`collect_instalment` for every loan owing an instalment due by today, oldest first, one
   at a time per loan:

   - the borrower chose 委托按月还贷 (:attr:`CollectionMode.FUND_OFFSET`) and the fund account
     holds enough: the instalment is posted from it at once;
   - otherwise the borrower's verified bank card is debited through the entrusted-collection
     bank (the port deposits use): a :class:`LoanRepayment` COLLECTING, whose order the bank
     settles later (:func:`advance_repayment`, queued after commit and swept every minute).

An overdue instalment is collected with its penalty (DOMAIN.md §7: overdue amount × annual rate
/ 360 × ``loan.overdue_penalty_multiplier`` per day, from the day after the due date to the
collection day). A failed debit leaves the instalment unpaid; the next morning tries again, once
a day, with the penalty grown by a day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from audit.services import record_event
from core.exceptions import DomainError
from core.money import format_yuan
from core.policy import policy_value
from integrations.bank import ports
from integrations.bank.registry import collection_bank
from ledger.selectors import balance_of
from loans import loan_book
from loans.models import CollectionMode as Mode
from loans.models import (
    InstalmentStatus,
    LoanAccount,
    LoanAccountStatus,
    LoanInstalment,
    LoanRepayment,
    RepaymentKind,
    RepaymentStatus,
)
from loans.repayment_math import days_overdue, overdue_penalty
from notifications.text import Both, Day, yuan

logger = logging.getLogger(__name__)

REF_PREFIX = "loan-repay"
NO_VERIFIED_CARD = "NO_VERIFIED_CARD"
#: The payer's bank as the collection order names it: the centre knows the card, not its bank.
PAYER_BANK = "借款人还款银行卡"

# Outcomes of one conversation step with the bank.
PENDING = "PENDING"
SETTLED = "SETTLED"
NOTHING_TO_DO = "NOTHING_TO_DO"


class NotBorrower(DomainError):
    code = "NOT_BORROWER"
    http_status = 403


class LoanNotRepaying(DomainError):
    code = "LOAN_NOT_REPAYING"
    http_status = 409


class FundAccountCannotPay(DomainError):
    code = "FUND_ACCOUNT_CANNOT_PAY"
    http_status = 409


class UnknownCollectionMode(DomainError):
    code = "UNKNOWN_COLLECTION_MODE"


def repayment_ref(account: LoanAccount, what: str, on: date) -> str:
    """``loan-repay:<account>:<what>:<YYYYMMDD>``: one attempt a day for each thing owed."""
    return f"{REF_PREFIX}:{account.pk}:{what}:{on:%Y%m%d}"


def attempt_ref(account: LoanAccount, what: str, on: date) -> tuple[str, int]:
    """A fresh reference for another attempt at ``what`` today, and how many were made before."""
    ref = repayment_ref(account, what, on)
    tried = LoanRepayment.objects.filter(order_ref__startswith=ref).count()
    return (ref if not tried else f"{ref}.{tried + 1}"), tried


def penalty_on(instalment: LoanInstalment, *, annual_rate, on: date) -> int:
    """The overdue penalty owed on ``instalment`` if it is paid on ``on`` (0 on or before its due date)."""
    days = days_overdue(instalment.due_on, on)
    if days == 0:
        return 0
    multiplier = policy_value("loan.overdue_penalty_multiplier", on=on)
    return overdue_penalty(
        overdue_amount=instalment.payment, annual_rate=annual_rate, days=days, multiplier=multiplier
    )


# Choosing how to pay --------------------------------------------------------------------------


def is_borrower(*, account: LoanAccount, user) -> bool:
    person = Person.objects.filter(user=user).only("pk").first() if user.is_authenticated else None
    return person is not None and person.pk == account.application.applicant_id


def set_collection_mode(*, account_id: int, mode: str, actor) -> LoanAccount:
    """The borrower chooses bank debit or 委托按月还贷 from the fund account, from the next collection on."""
    if mode not in Mode.values:
        raise UnknownCollectionMode(_("Choose BANK_DEBIT or FUND_OFFSET."), field="mode")
    with transaction.atomic(durable=True):
        account = loan_book.lock_account(account_id)
        if account is None or not is_borrower(account=account, user=actor):
            raise NotBorrower(_("Only the borrower can choose how the loan is repaid."))
        return _change_mode(account, mode, actor=actor, why="借款人选择")


def change_collection_mode_for(*, account_id: int, fund_offset: bool, reason: str) -> LoanAccount:
    """Switch the loan to (or off) 委托按月还贷 for another part of the portal: an approved
    LOAN_REPAYMENT_MONTHLY withdrawal, or its end. A helper: needs the caller's transaction."""
    account = loan_book.lock_account(account_id)
    return _change_mode(account, Mode.FUND_OFFSET if fund_offset else Mode.BANK_DEBIT, actor=None, why=reason)


def _change_mode(account: LoanAccount, mode: str, *, actor, why: str) -> LoanAccount:
    if account.status != LoanAccountStatus.ACTIVE:
        raise LoanNotRepaying(_("This loan is not being repaid."))
    if mode == Mode.FUND_OFFSET:
        fund = loan_book.borrower_fund_account(account, lock=False)
        if fund is None or fund.status in loan_book.FUND_CANNOT_PAY:
            raise FundAccountCannotPay(
                _("Your fund account is frozen or closed, so it cannot repay the loan."), field="mode"
            )
    if account.collection_mode == mode:
        return account
    before, account.collection_mode = account.collection_mode, mode
    account.save(update_fields=["collection_mode"])
    record_event(
        actor=actor,
        actor_label=None if actor is not None else loan_book.SYSTEM,
        action="loans.collection_mode_changed",
        target=account,
        summary=f"贷款账户 {account.account_no} 还款方式 {before} → {mode} ({why})",
        data={"account": account.pk, "before": before, "after": mode},
    )
    return account


# Overdue --------------------------------------------------------------------------------------


def mark_overdue(*, today: date) -> int:
    """Mark every instalment unpaid after its due date OVERDUE and tell its borrower; returns how many."""
    marked = 0
    due = (
        LoanInstalment.objects.filter(
            status=InstalmentStatus.DUE, due_on__lt=today, account__status=LoanAccountStatus.ACTIVE
        )
        .order_by("account_id", "period")
        .values_list("account_id", flat=True)
        .distinct()
    )
    for account_id in list(due):
        with transaction.atomic(durable=True):
            account = loan_book.lock_account(account_id)
            # An instalment whose bank debit the bank has not answered yet is not late: the
            # borrower paid on time if it succeeds (its amount, without penalty, is fixed).
            rows = list(
                account.instalments.filter(status=InstalmentStatus.DUE, due_on__lt=today)
                .exclude(repayments__status=RepaymentStatus.COLLECTING)
                .order_by("period")
            )
            for row in rows:
                row.status, row.overdue_since = InstalmentStatus.OVERDUE, row.due_on
            LoanInstalment.objects.bulk_update(rows, ["status", "overdue_since"])
            if not rows:
                continue
            marked += len(rows)
            periods = "、".join(str(row.period) for row in rows)
            record_event(
                actor=None,
                actor_label=loan_book.SYSTEM,
                action="loans.instalments_overdue",
                target=account,
                summary=f"贷款账户 {account.account_no} 第{periods}期 逾期",
                data={"account": account.pk, "periods": [row.period for row in rows]},
            )
            first = rows[0]
            loan_book.notify_borrowers(
                account,
                kind="loan_overdue",
                title=_("Housing fund loan repayment overdue"),
                body=_(
                    "Instalment %(periods)s of your housing fund loan (%(amount)s yuan due on %(due)s) has "
                    "not been paid and is overdue. A penalty is charged for each day overdue and the centre "
                    "will try to collect again every day: make sure your repayment card or fund account "
                    "holds enough, or repay at once in the online service hall."
                ),
                co_borrower=True,
                periods=Both(
                    "、".join(str(row.period) for row in rows), ", ".join(str(row.period) for row in rows)
                ),
                amount=yuan(first.payment),
                due=Day(first.due_on),
            )
    return marked


# Collecting -----------------------------------------------------------------------------------


def accounts_owing(*, today: date) -> list[int]:
    """The ids of repaying loans with an instalment due by ``today`` not yet paid."""
    return list(
        LoanInstalment.objects.filter(
            status__in=(InstalmentStatus.DUE, InstalmentStatus.OVERDUE),
            due_on__lte=today,
            account__status=LoanAccountStatus.ACTIVE,
        )
        .order_by("account_id")
        .values_list("account_id", flat=True)
        .distinct()
    )


def collect_instalment(*, account_id: int, today: date, actor=None) -> LoanRepayment | None:
    """Start collecting the oldest instalment due by ``today``; None when there is none to collect now.

    Nothing starts while a bank debit of this loan is in flight. The morning run (``actor`` None)
    tries each instalment once a day (a failed debit is tried again tomorrow); the borrower
    (``actor``) may ask again the same day, after topping up the card.
    """
    with transaction.atomic(durable=True):
        account = loan_book.lock_account(account_id)
        if account is not None and actor is not None and not is_borrower(account=account, user=actor):
            raise NotBorrower(_("Only the borrower can pay the loan from the hall."))
        if account is None or account.status != LoanAccountStatus.ACTIVE or loan_book.in_flight(account):
            return None
        instalment = loan_book.unpaid_instalments(account).filter(due_on__lte=today).first()
        if instalment is None:
            return None
        ref, tried = attempt_ref(account, f"p{instalment.period}", today)
        if tried and actor is None:
            return None
        penalty = penalty_on(instalment, annual_rate=account.annual_rate, on=today)
        attempt = Attempt(
            account=account,
            kind=RepaymentKind.INSTALMENT,
            parts=loan_book.Parts(
                principal=instalment.principal, interest=instalment.interest, penalty=penalty
            ),
            ref=ref,
            today=today,
            actor=actor,
            overdue=today > instalment.due_on,
            instalment=instalment,
        )
        if account.collection_mode == Mode.FUND_OFFSET:
            paid = _offset_from_fund(attempt)
            if paid is not None:
                return paid
        return start_bank_debit(attempt)


def collect_due(*, account_id: int, today: date) -> list[LoanRepayment]:
    """The morning's collection for one loan: every instalment due by ``today``, oldest first.

    Instalments paid at once (from the fund account) are followed by the next one due, so a loan
    months behind is brought up to date in one morning when the balance allows; a bank debit
    stops the run for this loan until the bank answers (one debit in flight per loan).
    """
    started = []
    while True:
        repayment = collect_instalment(account_id=account_id, today=today)
        if repayment is None:
            return started
        started.append(repayment)
        if repayment.status != RepaymentStatus.SUCCEEDED:
            return started


@dataclass(frozen=True)
class Attempt:
    """One try at taking ``parts`` in for a loan, whichever way it is paid."""

    account: LoanAccount
    kind: str
    parts: loan_book.Parts
    #: Today's reference for this try; the channel's suffix (``:fund``, ``:bank``) is added to it.
    ref: str
    today: date
    actor: object = None
    overdue: bool = False
    instalment: LoanInstalment | None = None
    option: str = ""

    def repayment(self, channel: str) -> LoanRepayment:
        return LoanRepayment(
            account=self.account,
            kind=self.kind,
            channel=channel,
            movement=loan_book.movement_for(kind=self.kind, channel=channel, overdue=self.overdue),
            instalment=self.instalment,
            option=self.option,
            amount=self.parts.total,
            principal=self.parts.principal,
            interest=self.parts.interest,
            penalty=self.parts.penalty,
            status=RepaymentStatus.COLLECTING,
            order_ref=f"{self.ref}:{'fund' if channel == Mode.FUND_OFFSET else 'bank'}",
            requested_by=self.actor,
        )


def pay_from_fund(attempt: Attempt) -> LoanRepayment | None:
    """Post the attempt from the borrower's fund account at once; None when the account cannot pay it all.

    Needs the caller's transaction with the loan account locked.
    """
    fund = loan_book.borrower_fund_account(attempt.account, lock=True)
    if fund is None or fund.status in loan_book.FUND_CANNOT_PAY:
        return None
    if balance_of(fund.ledger_account) < attempt.parts.total:
        return None
    repayment = attempt.repayment(Mode.FUND_OFFSET)
    repayment.save(force_insert=True)
    loan_book.receive(repayment=repayment, source=fund.ledger_account, on=attempt.today)
    return repayment


def _offset_from_fund(attempt: Attempt) -> LoanRepayment | None:
    repayment = pay_from_fund(attempt)
    if repayment is None:
        account, instalment = attempt.account, attempt.instalment
        record_event(
            actor=None,
            actor_label=loan_book.SYSTEM,
            action="loans.fund_offset_short",
            target=account,
            summary=(
                f"贷款账户 {account.account_no} 第{instalment.period}期 公积金账户余额不足 "
                f"{format_yuan(attempt.parts.total)} 元, 改从还款银行卡扣款"
            ),
            data={"account": account.pk, "period": instalment.period, "amount_fen": attempt.parts.total},
        )
        return None
    _instalment_paid(repayment, attempt.today)
    return repayment


def start_bank_debit(attempt: Attempt) -> LoanRepayment:
    """Record a bank debit of the attempt and queue its order after commit (FAILED at once without a card).

    Needs the caller's transaction with the loan account locked.
    """
    repayment = attempt.repayment(Mode.BANK_DEBIT)
    borrower = attempt.account.application.applicant
    if not (borrower.bank_card and borrower.bank_card_verified_at):
        repayment.status, repayment.failure_code = RepaymentStatus.FAILED, NO_VERIFIED_CARD
        repayment.save(force_insert=True)
        _tell_failed(repayment)
        return repayment
    repayment.save(force_insert=True)
    record_event(
        actor=attempt.actor,
        actor_label=None if attempt.actor is not None else loan_book.SYSTEM,
        action="loans.repayment_collecting",
        target=repayment,
        summary=(
            f"{loan_book.memo_for(repayment)} 银行扣款 {format_yuan(repayment.amount)} 元 "
            f"{repayment.order_ref}"
        ),
        data={
            "account": attempt.account.pk,
            "amount_fen": repayment.amount,
            "order_ref": repayment.order_ref,
        },
    )
    transaction.on_commit(lambda: _queue_advance(repayment.pk))
    return repayment


def _queue_advance(repayment_id: int) -> None:
    from loans.tasks import advance_repayment

    try:
        advance_repayment.delay(repayment_id)
    except Exception:  # the broker is down: the minute sweep picks it up
        logger.warning("could not queue loan repayment %s; the sweep will", repayment_id, exc_info=True)


def _instalment_paid(repayment: LoanRepayment, on: date) -> None:
    instalment = repayment.instalment
    instalment.status, instalment.paid_on, instalment.penalty = InstalmentStatus.PAID, on, repayment.penalty
    instalment.save(update_fields=["status", "paid_on", "penalty"])
    account = repayment.account
    if not loan_book.unpaid_instalments(account).exists():
        loan_book.close_account(account=account, on=on)
        return
    loan_book.notify_borrowers(
        account,
        kind="loan_repayment_collected",
        title=_("Housing fund loan instalment repaid"),
        body=_(
            "Instalment %(period)s of your housing fund loan, %(amount)s yuan, was collected from %(source)s "
            "on %(day)s."
        ),
        period=instalment.period,
        amount=yuan(repayment.amount),
        source=_COLLECTED_FROM.get(repayment.channel, _COLLECTED_FROM[Mode.BANK_DEBIT]),
        day=Day(on),
    )


_COLLECTED_FROM = {
    Mode.FUND_OFFSET: _("your housing fund account"),
    Mode.BANK_DEBIT: _("your repayment bank card"),
}


# The bank's side ------------------------------------------------------------------------------


def collection_order(repayment: LoanRepayment) -> ports.CollectionOrder:
    borrower = repayment.account.application.applicant
    return ports.CollectionOrder(
        order_ref=repayment.order_ref,
        payer_account_no=borrower.bank_card,
        payer_bank_name=PAYER_BANK,
        payer_name=borrower.name,
        amount=repayment.amount,
        same_bank=False,
        memo=f"住房公积金{loan_book.memo_for(repayment)}",
    )


def advance_repayment(*, repayment_id: int) -> str:
    """One step of a bank debit's conversation, safe to repeat; raises ``ports.BankUnavailable``."""
    repayment = (
        LoanRepayment.objects.select_related("account__application__applicant", "instalment")
        .filter(pk=repayment_id)
        .first()
    )
    if repayment is None or repayment.status != RepaymentStatus.COLLECTING:
        return NOTHING_TO_DO
    bank = collection_bank()
    timeout = settings.BANK_TIMEOUT_S
    if repayment.order_accepted_at is None:
        receipt = bank.submit_collection(order=collection_order(repayment), timeout=timeout)
        LoanRepayment.objects.filter(pk=repayment.pk, order_accepted_at__isnull=True).update(
            order_accepted_at=receipt.accepted_at, bank_ref=receipt.bank_ref[:64]
        )
    try:
        result = bank.collection_result(order_ref=repayment.order_ref, timeout=timeout)
    except ports.UnknownOrder:
        LoanRepayment.objects.filter(pk=repayment.pk).update(order_accepted_at=None)
        return PENDING
    if result is None:
        return PENDING
    record_repayment_result(
        order_ref=result.order_ref,
        succeeded=result.status == ports.SUCCEEDED,
        failure_code=result.failure_code,
        settled_on=result.settled_on,
    )
    return SETTLED


def record_repayment_result(
    *, order_ref: str, succeeded: bool, failure_code: str | None, settled_on: date
) -> None:
    """Apply the bank's settled result exactly once: post and apply the repayment, or record the failure."""
    account_id = (
        LoanRepayment.objects.filter(order_ref=order_ref).values_list("account_id", flat=True).first()
    )
    if account_id is None:
        logger.warning("bank result for unknown loan repayment %s", order_ref)
        return
    with transaction.atomic(durable=True):
        account = loan_book.lock_account(account_id)
        repayment = LoanRepayment.objects.select_related("instalment").get(order_ref=order_ref)
        repayment.account = account
        if repayment.status != RepaymentStatus.COLLECTING:
            return
        if not succeeded:
            repayment.status, repayment.failure_code = RepaymentStatus.FAILED, (failure_code or "")[:32]
            repayment.save(update_fields=["status", "failure_code"])
            record_event(
                actor=None,
                actor_label=loan_book.SYSTEM,
                action="loans.repayment_failed",
                target=repayment,
                summary=f"{loan_book.memo_for(repayment)} 银行扣款失败 {repayment.failure_code}",
                data={"account": account.pk, "order_ref": order_ref, "failure_code": repayment.failure_code},
            )
            _tell_failed(repayment)
            return
        loan_book.receive(repayment=repayment, source=loan_book.bank_source(account), on=settled_on)
        if repayment.kind == RepaymentKind.INSTALMENT:
            _instalment_paid(repayment, settled_on)
        else:
            from loans.prepayment import apply_received

            apply_received(repayment, settled_on)


_FAILED_TEXT = {
    RepaymentKind.INSTALMENT: _(
        "This instalment of %(amount)s yuan could not be collected from your repayment bank card (%(why)s). "
        "The centre will try again tomorrow; a penalty is charged for each day overdue."
    ),
    RepaymentKind.PREPAYMENT: _(
        "The prepayment of %(amount)s yuan could not be collected from your repayment bank card (%(why)s); "
        "your repayment plan is unchanged."
    ),
    RepaymentKind.SETTLEMENT: _(
        "The settlement of %(amount)s yuan could not be collected from your repayment bank card (%(why)s); "
        "the loan is not settled."
    ),
}
_FAILED_WHY = {
    NO_VERIFIED_CARD: _(
        "no verified bank card is bound: first bind your own bank card in the online service hall"
    ),
    ports.INSUFFICIENT_FUNDS: _("not enough money on the card"),
    ports.ACCOUNT_FROZEN: _("the bank account is frozen"),
    ports.ACCOUNT_CLOSED: _("the bank account is closed"),
}


def _tell_failed(repayment: LoanRepayment) -> None:
    why = _FAILED_WHY.get(repayment.failure_code, repayment.failure_code or _("the bank gave no reason"))
    loan_book.notify_borrowers(
        repayment.account,
        kind="loan_repayment_failed",
        title=_("Housing fund loan collection failed"),
        body=_FAILED_TEXT[repayment.kind],
        amount=yuan(repayment.amount),
        why=why,
    )


def open_bank_debits() -> list[int]:
    """Bank debits still being collected, oldest first: what the minute sweep advances."""
    return list(
        LoanRepayment.objects.filter(status=RepaymentStatus.COLLECTING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
