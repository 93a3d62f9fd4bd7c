"""Turning an approved withdrawal into money on its way to the employee's card: the only writer here.

``pay_withdrawal`` runs after the decision commits (the approvals hook) and again from the
minute sweep, so it is written to be repeated: under the application's row lock it finds the
payment record of an earlier run and returns it; the ledger entry is keyed
``withdrawal:<application id>`` and the payout's ``source_ref`` is the same string, so even a
run that lost its record could post or pay nothing twice. One durable transaction holds the
interest to date, the withdrawal entry, the closing of the account and the payout (the payouts
app's outbox: its relay sends it after commit), so either all of it happens or none does.

An approved withdrawal that cannot be paid yet (no verified card in the applicant's own name, a
frozen account, a balance below the approved amount) is *held*: recorded with its reason, the
applicant told once, and tried again by the sweep until it clears. Nothing is posted while held.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import AccountStatus, FundAccount, Person
from accounts.selectors import withdrawals_locked
from accounts.services import close_account_in_transaction, reopen_closed_account_in_transaction
from approvals.models import Application, ApplicationStatus, DecisionRecord, Outcome
from audit.services import record_event
from core.exceptions import DomainError
from core.money import format_yuan
from ledger.centre import INTEREST_EXPENSE, PAYOUT_CLEARING
from ledger.interest import pay_interest_to_date
from ledger.models import BusinessType, LedgerAccount
from ledger.selectors import balance_of
from ledger.services import Line, centre_account, post_entry
from notifications.text import yuan
from withdrawals import gateways
from withdrawals.models import (
    HeldCode,
    InstalmentPayment,
    InstalmentStatus,
    InstructionStatus,
    PaymentStatus,
    PayoutOutcome,
    StandingInstruction,
    WithdrawalPayment,
)

logger = logging.getLogger(__name__)

KIND = "withdrawal"
SYSTEM = "system:withdrawals"
WITHDRAWAL_PURPOSE = "withdrawal"
LOAN_REPAYMENT_PURPOSE = "loan_repayment"
MONTHLY_REASON = "LOAN_REPAYMENT_MONTHLY"
# The query-log purpose under which a standing instruction asks the credit bureau (+ application id).
INSTRUCTION_PURPOSE = "standing-instruction:"
# Where a message sends the employee: their applications with the timelines.
LINK = "/hall/applications/"

#: Reasons that pay out the whole balance with interest to date and close the account (销户提取,
#: business type 12): DOMAIN.md §6 and the 住房公积金管理条例 art. 24 — retirement, 离休, total
#: incapacity, settling abroad, leaving the city, death.
CLOSING_REASONS = frozenset({"LEAVING_CITY", "RETIREMENT", "LIXIU", "INCAPACITY", "EMIGRATION", "DEATH"})

_ACCOUNT_HELD = {
    AccountStatus.FROZEN: HeldCode.ACCOUNT_FROZEN,
    AccountStatus.MERGED: HeldCode.ACCOUNT_CLOSED,
    AccountStatus.TRANSFERRED_OUT: HeldCode.ACCOUNT_CLOSED,
    AccountStatus.CLOSED_BY_WITHDRAWAL: HeldCode.ACCOUNT_CLOSED,
    AccountStatus.OTHER: HeldCode.ACCOUNT_FROZEN,
}


class WithdrawalsError(DomainError):
    code = "WITHDRAWALS_ERROR"


class NotAWithdrawal(WithdrawalsError):
    code = "NOT_A_WITHDRAWAL"
    http_status = 400


class NotApproved(WithdrawalsError):
    code = "NOT_APPROVED"
    http_status = 409


class InstalmentNotDue(WithdrawalsError):
    code = "INSTALMENT_NOT_DUE"
    http_status = 409


class LoanNotFound(WithdrawalsError):
    code = "LOAN_NOT_FOUND"
    http_status = 409


def withdrawal_ref(application_id: int) -> str:
    """The ledger key and payout reference of an application's withdrawal."""
    return f"withdrawal:{application_id}"


def instalment_ref(instruction_id: int, period: date) -> str:
    return f"loan-repayment:{instruction_id}:{period:%Y-%m}"


# What the applicant reads when an approved withdrawal waits: message ids, rendered in the
# applicant's language when the message is written (notifications.text).
_HELD_TEXT = {
    HeldCode.NO_VERIFIED_CARD: _lazy(
        "Your withdrawal application has been approved, but it cannot be paid yet: you have no bank card "
        "of your own verified by the bank. Add your bank card in the online service hall; once the bank "
        "verifies it, the money will be paid automatically."
    ),
    HeldCode.NO_ACCOUNT: _lazy(
        "Your withdrawal application has been approved, but no fund account to pay from was found. "
        "Call 12329 for help."
    ),
    HeldCode.ACCOUNT_CLOSED: _lazy(
        "Your withdrawal application has been approved, but your fund account is closed and cannot be "
        "paid from. Call 12329 for help."
    ),
    HeldCode.ACCOUNT_FROZEN: _lazy(
        "Your withdrawal application has been approved, but your fund account is frozen; it will be "
        "paid automatically once unfrozen. Contact the fund centre."
    ),
    HeldCode.AMOUNT_UNKNOWN: _lazy(
        "Your withdrawal application has been approved, but the amount has not been set; staff will "
        "contact you."
    ),
    HeldCode.WITHDRAWALS_LOCKED: _lazy(
        "Your withdrawal application has been approved, but you have locked withdrawals from this "
        "account; it will be paid automatically once the unlock takes effect. If this was not you, keep "
        "the lock and call 12329."
    ),
    HeldCode.BALANCE_TOO_LOW: _lazy(
        "Your withdrawal application has been approved, but the balance is now below the approved "
        "amount; staff will contact you."
    ),
    HeldCode.BALANCE_ZERO: _lazy(
        "Your withdrawal application has been approved, but the balance is zero: there is nothing to pay."
    ),
}
_HELD_TITLE = _lazy("Withdrawal approved, not paid yet")
_REOPENED_TEXT = _lazy(
    "Because the money came back, your fund account is sealed again and the money is still in it. "
    "Check and update your bank card, then apply for the withdrawal again."
)
_SKIPPED_TITLE = _lazy("Monthly loan repayment not taken this month")
_SKIPPED_TEXT = _lazy(
    "This month's entrusted loan repayment could not be taken from your fund account (%(why)s). Repay "
    "the full amount yourself on time so the loan does not fall overdue."
)
_SKIPPED_WHY = {
    HeldCode.NO_VERIFIED_CARD: _lazy("no verified bank card of your own"),
    HeldCode.NO_ACCOUNT: _lazy("no fund account found"),
    HeldCode.ACCOUNT_CLOSED: _lazy("the account is closed"),
    HeldCode.ACCOUNT_FROZEN: _lazy("the account is frozen"),
    HeldCode.AMOUNT_UNKNOWN: _lazy("the amount is not set"),
    HeldCode.WITHDRAWALS_LOCKED: _lazy("withdrawals are locked"),
    HeldCode.BALANCE_TOO_LOW: _lazy("the balance is too low"),
    HeldCode.BALANCE_ZERO: _lazy("the balance is zero"),
}
_INSTALMENT_PAID_TITLE = _lazy("Monthly loan repayment taken")
_INSTALMENT_PAID = _lazy(
    "This month's entrusted loan repayment of %(amount)s yuan has been taken from your fund account "
    "and paid to your repayment card."
)
_INSTALMENT_FAILED_TITLE = _lazy("Monthly loan repayment returned")
_INSTALMENT_FAILED = _lazy(
    "This month's entrusted loan repayment of %(amount)s yuan could not be paid into your repayment card "
    "and is back in your fund account. Repay on time yourself so the loan does not fall overdue."
)


# --- after a decision --------------------------------------------------------------------------


def after_decision(*, application: Application, decision: DecisionRecord) -> None:
    """The approvals hook (after the decision commits): pay an approved withdrawal at once.

    A failure here is logged, never raised: the decision has committed and its request must not
    fail; the minute sweep (``tasks.pay_approved_withdrawals``) pays it instead.
    """
    if decision.outcome != Outcome.APPROVE:
        return
    try:
        if application.reason == MONTHLY_REASON:
            set_up_standing_instruction(application_id=application.pk)
        else:
            pay_withdrawal(application_id=application.pk)
    except Exception:
        logger.exception("paying approved application %s failed; the sweep tries again", application.pk)


def _approving_decision(application: Application) -> DecisionRecord | None:
    return (
        DecisionRecord.objects.filter(application=application, outcome=Outcome.APPROVE)
        .order_by("-decided_at", "-pk")
        .first()
    )


def approved_amount(application: Application, decision: DecisionRecord | None) -> int | None:
    """A partial withdrawal's amount: the amount applied for, else the largest the rules allowed."""
    requested = (application.payload or {}).get("amount")
    limit = decision.amount_limit if decision is not None else None
    if isinstance(requested, int) and not isinstance(requested, bool) and requested > 0:
        return requested if limit is None else min(requested, limit)
    return limit if limit else None


def _lock_ledger(*accounts: LedgerAccount) -> None:
    # Every ledger row this transaction will post to, in primary-key order as ledger.services
    # locks: the fund account's lock is taken before the interest is computed from its lines,
    # and a refund or a deposit over the same rows queues instead of deadlocking.
    list(
        LedgerAccount.objects.select_for_update()
        .filter(pk__in=[account.pk for account in accounts])
        .order_by("pk")
        .values_list("pk")
    )


def _verified_card(person: Person) -> bool:
    return bool(person.bank_card) and person.bank_card_verified_at is not None


def pay_withdrawal(*, application_id: int) -> WithdrawalPayment:
    """Pay approved withdrawal application ``application_id``; safe to call any number of times.

    Returns the payment record: PAYING once the withdrawal is posted and its payout created (a
    repeat returns it unchanged), or HELD with the reason it cannot be paid yet. Raises
    :class:`NotAWithdrawal` and :class:`NotApproved`.
    """
    with transaction.atomic(durable=True):
        # The application's lock serialises every run for it: the hook, the sweep, a retry.
        application = Application.objects.select_for_update().get(pk=application_id)
        if application.kind != KIND or application.reason == MONTHLY_REASON:
            raise NotAWithdrawal(
                _("Application %(id)s is not a one-off withdrawal.") % {"id": application_id}
            )
        payment = WithdrawalPayment.objects.filter(application=application).first()
        if payment is not None and payment.status == PaymentStatus.PAYING:
            return payment
        if application.status != ApplicationStatus.APPROVED:
            raise NotApproved(_("Application %(id)s has not been approved.") % {"id": application_id})
        return _pay(application, payment)


def _pay(application: Application, payment: WithdrawalPayment | None) -> WithdrawalPayment:
    person = Person.objects.get(pk=application.applicant_id)
    account = (
        FundAccount.objects.select_for_update().select_related("ledger_account").filter(person=person).first()
    )
    closing = application.reason in CLOSING_REASONS
    if account is None:
        return _hold(application, payment, None, HeldCode.NO_ACCOUNT, closing)
    if account.status in _ACCOUNT_HELD:
        return _hold(application, payment, account, _ACCOUNT_HELD[account.status], closing)
    if withdrawals_locked(person):
        # The employee locked withdrawals after applying: nothing leaves until they unlock.
        return _hold(application, payment, account, HeldCode.WITHDRAWALS_LOCKED, closing)
    if not _verified_card(person):
        return _hold(application, payment, account, HeldCode.NO_VERIFIED_CARD, closing)
    ledger_account = account.ledger_account
    # Spread by application: concurrent withdrawals post to different rows of the clearing account.
    clearing = centre_account(PAYOUT_CLEARING, spread_by=application.pk)
    today = timezone.localdate()
    interest = 0
    if closing:
        _lock_ledger(ledger_account, clearing, centre_account(INTEREST_EXPENSE, spread_by=ledger_account.pk))
        interest_entries = pay_interest_to_date(
            account=ledger_account,
            on=today,
            idempotency_key=f"withdrawal-interest:{application.pk}",
            memo=f"销户结息 至 {today.isoformat()}",
        )
        interest = sum(entry.amount for entry in interest_entries)
        amount = balance_of(ledger_account)
        if amount == 0:
            return _hold(application, payment, account, HeldCode.BALANCE_ZERO, closing)
    else:
        _lock_ledger(ledger_account, clearing)
        amount = approved_amount(application, _approving_decision(application))
        if amount is None:
            return _hold(application, payment, account, HeldCode.AMOUNT_UNKNOWN, closing)
        if amount > balance_of(ledger_account):
            return _hold(application, payment, account, HeldCode.BALANCE_TOO_LOW, closing)
    ref = withdrawal_ref(application.pk)
    business_type = BusinessType.CLOSING_WITHDRAWAL if closing else BusinessType.PARTIAL_WITHDRAWAL
    entry = post_entry(
        lines=[Line(ledger_account, debit=amount), Line(clearing, credit=amount)],
        business_type=business_type,
        business_on=today,
        idempotency_key=ref,
        memo=f"{'销户提取' if closing else '部分提取'} {application.reason} 申请 #{application.pk}",
    )
    if closing:
        close_account_in_transaction(
            account=account, status=AccountStatus.CLOSED_BY_WITHDRAWAL, closed_on=today, actor=None
        )
    gateways.create_payout(
        person=person,
        amount_fen=amount,
        card_no=person.bank_card,
        holder_name=person.name,
        purpose=WITHDRAWAL_PURPOSE,
        source_ref=ref,
        debit_entry=entry,
        application=application,
        actor=None,
    )
    gateways.notify_payout_sent(person=person, amount=amount, card=person.bank_card, link=LINK)
    payment = payment or WithdrawalPayment(application=application)
    payment.account = account
    payment.status = PaymentStatus.PAYING
    payment.held_code = ""
    payment.closing = closing
    payment.amount = amount
    payment.interest = interest
    payment.entry = entry
    payment.source_ref = ref
    payment.posted_on = today
    payment.save()
    record_event(
        actor=None,
        actor_label=SYSTEM,
        action="withdrawals.withdrawal_paid",
        target=application,
        summary=(
            f"{'销户提取' if closing else '部分提取'} {format_yuan(amount)} 元 "
            f"(利息 {format_yuan(interest)} 元), 申请 #{application.pk}, 分录 #{entry.pk}"
        ),
        data={
            "application": application.pk,
            "amount_fen": amount,
            "interest_fen": interest,
            "entry": entry.pk,
            "closing": closing,
            "source_ref": ref,
        },
    )
    return payment


def _hold(application, payment, account, code: str, closing: bool) -> WithdrawalPayment:
    """Record why the withdrawal waits; tell the applicant once per reason."""
    if payment is not None and payment.held_code == code:
        return payment
    payment = payment or WithdrawalPayment(application=application)
    payment.account = account
    payment.status = PaymentStatus.HELD
    payment.held_code = code
    payment.closing = closing
    payment.held_at = timezone.now()
    payment.save()
    gateways.notify(
        person=application.applicant,
        kind="withdrawal_held",
        title=_HELD_TITLE,
        body=_HELD_TEXT[code],
        link=LINK,
    )
    record_event(
        actor=None,
        actor_label=SYSTEM,
        action="withdrawals.withdrawal_held",
        target=application,
        summary=f"申请 #{application.pk} 暂缓支付: {code}",
        data={"application": application.pk, "code": code},
    )
    return payment


# --- payout results -----------------------------------------------------------------------------


def record_payout_paid(*, source_ref: str) -> None:
    """The payouts hook on PAID: tell the employee (the ledger is the payouts app's business)."""
    with transaction.atomic(durable=True):
        payment = WithdrawalPayment.objects.select_for_update().filter(source_ref=source_ref).first()
        if payment is None:
            return _instalment_result(source_ref, PayoutOutcome.PAID)
        if payment.payout_outcome:
            return None  # a repeated hook
        payment.payout_outcome = PayoutOutcome.PAID
        payment.settled_at = timezone.now()
        payment.save(update_fields=["payout_outcome", "settled_at"])
        gateways.notify_payout_paid(payout_ref=source_ref, person=payment.application.applicant, link=LINK)
    return None


def record_payout_failed(*, source_ref: str) -> None:
    """The payouts hook on FAILED, after the payouts app returned the money to the fund account.

    A closing withdrawal closed the account: it is re-opened as sealed (封存), keeping its
    original sealing date, so it holds the returned money and the employee can apply again once
    their card is corrected — what a centre's counter does when the bank returns a payment.
    """
    with transaction.atomic(durable=True):
        payment = (
            WithdrawalPayment.objects.select_for_update()
            .select_related("application")
            .filter(source_ref=source_ref)
            .first()
        )
        if payment is None:
            return _instalment_result(source_ref, PayoutOutcome.FAILED)
        if payment.payout_outcome:
            return None
        payment.payout_outcome = PayoutOutcome.FAILED
        payment.settled_at = timezone.now()
        fields = ["payout_outcome", "settled_at"]
        reopened = False
        if payment.closing and payment.account is not None:
            account = FundAccount.objects.select_for_update().get(pk=payment.account_id)
            if account.status == AccountStatus.CLOSED_BY_WITHDRAWAL:
                reopen_closed_account_in_transaction(
                    account=account, reopened_on=timezone.localdate(), actor=None
                )
                payment.reopened_on = timezone.localdate()
                fields.append("reopened_on")
                reopened = True
        payment.save(update_fields=fields)
        gateways.notify_payout_failed(
            payout_ref=source_ref,
            person=payment.application.applicant,
            link=LINK,
            extra=_REOPENED_TEXT if reopened else "",
        )
        record_event(
            actor=None,
            actor_label=SYSTEM,
            action="withdrawals.payout_failed",
            target=payment.application,
            summary=f"申请 #{payment.application_id} 付款失败, 款项退回账户"
            + (", 账户重新封存" if reopened else ""),
            data={"application": payment.application_id, "source_ref": source_ref, "reopened": reopened},
        )
    return None


def _instalment_result(source_ref: str, outcome: str) -> None:
    instalment = (
        InstalmentPayment.objects.select_for_update()
        .select_related("instruction__person")
        .filter(source_ref=source_ref)
        .first()
    )
    if instalment is None or instalment.payout_outcome:
        return
    instalment.payout_outcome = outcome
    instalment.save(update_fields=["payout_outcome"])
    amount = yuan(instalment.amount)
    paid = outcome == PayoutOutcome.PAID
    gateways.notify(
        person=instalment.instruction.person,
        kind="payout_paid" if paid else "payout_failed",
        title=_INSTALMENT_PAID_TITLE if paid else _INSTALMENT_FAILED_TITLE,
        body=_INSTALMENT_PAID if paid else _INSTALMENT_FAILED,
        params={"amount": amount},
        link=LINK,
    )


# --- 委托按月还贷: the standing instruction ------------------------------------------------------


def repayment_due_on(period: date, repayment_day: int) -> date:
    """The repayment day of month ``period`` (a short month's last day stands in for 29–31)."""
    last = calendar.monthrange(period.year, period.month)[1]
    return period.replace(day=min(repayment_day, last))


def _next_month(period: date) -> date:
    return date(period.year + (period.month == 12), period.month % 12 + 1, 1)


def set_up_standing_instruction(*, application_id: int) -> StandingInstruction:
    """Turn an approved LOAN_REPAYMENT_MONTHLY application into a standing instruction; idempotent.

    When the loan is in this centre's own loan book (the loans app), the instruction records the
    consent and switches that loan to fund-account offset: the loans app then takes each
    instalment from the fund account itself and nothing is paid out to the card.

    Otherwise the instalment and its day come from this centre's loan in the credit report (a
    loan from before the loan book): asked here, outside any transaction. Raises
    :class:`LoanNotFound` when the report shows no such loan in repayment, and the port's
    unavailability error when the bureau does not answer (the sweep asks again).
    """
    existing = StandingInstruction.objects.filter(application_id=application_id).first()
    if existing is not None:
        return existing
    application = Application.objects.select_related("applicant").get(pk=application_id)
    if application.kind != KIND or application.reason != MONTHLY_REASON:
        raise NotAWithdrawal(
            _("Application %(id)s is not a monthly loan repayment.") % {"id": application_id}
        )
    if application.status != ApplicationStatus.APPROVED:
        raise NotApproved(_("Application %(id)s has not been approved.") % {"id": application_id})
    booked = gateways.loan_book_account(application.applicant_id)
    if booked is not None:
        return _offset_booked_loan(application, booked)
    loan = gateways.centre_loan_in_repayment(
        application.applicant.id_number, purpose=f"{INSTRUCTION_PURPOSE}{application_id}", requested_by=SYSTEM
    )
    if loan is None:
        raise LoanNotFound(_("The credit report shows no loan of this centre in repayment."))
    with transaction.atomic(durable=True):
        Application.objects.select_for_update().get(pk=application_id)
        existing = StandingInstruction.objects.filter(application_id=application_id).first()
        if existing is not None:
            return existing
        decided_on = timezone.localdate(application.decided_at)
        first = decided_on.replace(day=1)
        if repayment_due_on(first, loan.opened_on.day) < decided_on:
            first = _next_month(first)
        instruction = StandingInstruction.objects.create(
            application=application,
            person=application.applicant,
            monthly_amount=loan.monthly_payment,
            repayment_day=loan.opened_on.day,
            lender=loan.lender[:100],
            loan_opened_on=loan.opened_on,
            first_period=first,
        )
        record_event(
            actor=None,
            actor_label=SYSTEM,
            action="withdrawals.standing_instruction_set_up",
            target=instruction,
            summary=(
                f"委托按月还贷 每月{instruction.repayment_day}日 "
                f"{format_yuan(instruction.monthly_amount)} 元, 自 {first:%Y-%m}"
            ),
            data={"application": application_id, "monthly_amount_fen": instruction.monthly_amount},
        )
    return instruction


def _offset_booked_loan(application: Application, booked) -> StandingInstruction:
    """The instruction for a loan of this centre's loan book: the loans app offsets it from the fund."""
    with transaction.atomic(durable=True):
        Application.objects.select_for_update().get(pk=application.pk)
        existing = StandingInstruction.objects.filter(application_id=application.pk).first()
        if existing is not None:
            return existing
        payment = gateways.next_loan_payment(booked)
        decided_on = timezone.localdate(application.decided_at)
        instruction = StandingInstruction.objects.create(
            application=application,
            person=application.applicant,
            monthly_amount=payment or 1,
            repayment_day=booked.repayment_day,
            lender="本中心公积金贷款",
            loan_opened_on=booked.opened_on,
            first_period=decided_on.replace(day=1),
            loan_account_no=booked.account_no,
        )
        gateways.offset_loan_from_fund(
            account_id=booked.pk, on=True, reason=f"委托按月还贷申请 #{application.pk}"
        )
        record_event(
            actor=None,
            actor_label=SYSTEM,
            action="withdrawals.standing_instruction_set_up",
            target=instruction,
            summary=f"委托按月还贷 本中心贷款 {booked.account_no} 改由公积金账户按月冲还",
            data={"application": application.pk, "loan_account_no": booked.account_no},
        )
    return instruction


def end_standing_instruction(*, instruction: StandingInstruction, actor) -> StandingInstruction:
    """Stop the monthly deduction (the loan is settled, or the employee asked)."""
    with transaction.atomic(durable=True):
        instruction = StandingInstruction.objects.select_for_update().get(pk=instruction.pk)
        if instruction.status == InstructionStatus.ENDED:
            return instruction
        instruction.status = InstructionStatus.ENDED
        instruction.ended_at = timezone.now()
        instruction.save(update_fields=["status", "ended_at"])
        if instruction.loan_account_no:
            _stop_offset(instruction)
        record_event(
            actor=actor,
            actor_label=None if actor is not None else SYSTEM,
            action="withdrawals.standing_instruction_ended",
            target=instruction,
            summary=f"委托按月还贷 #{instruction.pk} 终止",
            data={"application": instruction.application_id},
        )
    return instruction


def _stop_offset(instruction: StandingInstruction) -> None:
    booked = gateways.loan_book_account(instruction.person_id)
    if booked is not None and booked.account_no == instruction.loan_account_no:
        gateways.offset_loan_from_fund(
            account_id=booked.pk, on=False, reason=f"委托按月还贷 #{instruction.pk} 终止"
        )


def pay_monthly_instalment(
    *, instruction_id: int, period: date, today: date | None = None
) -> InstalmentPayment | None:
    """Withdraw month ``period``'s instalment (at most the balance) and pay it towards the loan.

    Once per instruction and month (the unique month row, the ledger key and the payout
    reference are all ``loan-repayment:<instruction>:<YYYY-MM>``). None when the instruction has
    ended or starts later; a month that cannot be paid (no verified card, an empty or closed
    account) is recorded SKIPPED with its reason and the employee told. Raises
    :class:`InstalmentNotDue` before the month's repayment day.
    """
    today = today or timezone.localdate()
    period = period.replace(day=1)
    with transaction.atomic(durable=True):
        # The instruction's lock serialises the month's runs; the unique row backs it up.
        instruction = (
            StandingInstruction.objects.select_for_update().select_related("person").get(pk=instruction_id)
        )
        done = InstalmentPayment.objects.filter(instruction=instruction, period=period).first()
        if done is not None:
            return done
        if instruction.status != InstructionStatus.ACTIVE or period < instruction.first_period:
            return None
        if instruction.loan_account_no:
            return None  # the loans app offsets a loan of its own book from the fund itself
        if today < repayment_due_on(period, instruction.repayment_day):
            raise InstalmentNotDue(_("This month's instalment is not due yet."))
        person = instruction.person
        account = (
            FundAccount.objects.select_for_update()
            .select_related("ledger_account")
            .filter(person=person)
            .first()
        )
        if account is None:
            return _skip(instruction, period, HeldCode.NO_ACCOUNT)
        if account.status in _ACCOUNT_HELD:
            return _skip(instruction, period, _ACCOUNT_HELD[account.status])
        if not _verified_card(person):
            return _skip(instruction, period, HeldCode.NO_VERIFIED_CARD)
        clearing = centre_account(PAYOUT_CLEARING, spread_by=instruction.pk)
        _lock_ledger(account.ledger_account, clearing)
        amount = min(instruction.monthly_amount, balance_of(account.ledger_account))
        if amount == 0:
            return _skip(instruction, period, HeldCode.BALANCE_ZERO)
        ref = instalment_ref(instruction.pk, period)
        entry = post_entry(
            lines=[Line(account.ledger_account, debit=amount), Line(clearing, credit=amount)],
            business_type=BusinessType.PARTIAL_WITHDRAWAL,
            business_on=today,
            idempotency_key=ref,
            memo=f"委托按月还贷 {period:%Y-%m} 申请 #{instruction.application_id}",
        )
        gateways.create_payout(
            person=person,
            amount_fen=amount,
            card_no=person.bank_card,
            holder_name=person.name,
            purpose=LOAN_REPAYMENT_PURPOSE,
            source_ref=ref,
            debit_entry=entry,
            application=instruction.application,
            actor=None,
        )
        instalment = InstalmentPayment.objects.create(
            instruction=instruction,
            period=period,
            status=InstalmentStatus.PAYING,
            amount=amount,
            entry=entry,
            source_ref=ref,
        )
        record_event(
            actor=None,
            actor_label=SYSTEM,
            action="withdrawals.instalment_paid",
            target=instruction,
            summary=f"委托按月还贷 {period:%Y-%m} {format_yuan(amount)} 元, 分录 #{entry.pk}",
            data={"instruction": instruction.pk, "period": period.isoformat(), "amount_fen": amount},
        )
    return instalment


def _skip(instruction: StandingInstruction, period: date, code: str) -> InstalmentPayment:
    instalment = InstalmentPayment.objects.create(
        instruction=instruction, period=period, status=InstalmentStatus.SKIPPED, skipped_code=code
    )
    gateways.notify(
        person=instruction.person,
        kind="loan_repayment_skipped",
        title=_SKIPPED_TITLE,
        body=_SKIPPED_TEXT,
        params={"why": _SKIPPED_WHY[code]},
        link=LINK,
    )
    record_event(
        actor=None,
        actor_label=SYSTEM,
        action="withdrawals.instalment_skipped",
        target=instruction,
        summary=f"委托按月还贷 {period:%Y-%m} 未扣: {code}",
        data={"instruction": instruction.pk, "period": period.isoformat(), "code": code},
    )
    return instalment


__all__ = [
    "CLOSING_REASONS",
    "after_decision",
    "approved_amount",
    "end_standing_instruction",
    "pay_monthly_instalment",
    "pay_withdrawal",
    "record_payout_failed",
    "record_payout_paid",
    "repayment_due_on",
    "set_up_standing_instruction",
]
