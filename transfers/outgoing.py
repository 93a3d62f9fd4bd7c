"""Cross-city transfer out (转出): another centre's letter about one of our account holders.

The conversation, each step idempotent and safe to repeat after a crash:

1. :func:`receive_letters` fetches the platform's letters to us and :func:`record_letter` keeps
   each once (a letter delivered again is recognised by its platform reference).
2. :func:`check_letter` runs the checks (account sealed, no unsettled loan as borrower or
   co-borrower, no open withdrawal application). A failed check becomes a refusal with a reason
   code (``REFUSING``). Otherwise, in the same transaction, the interest to date is paid into
   the account (``ledger.interest.pay_interest_to_date``: type 09 dated today, so the next 30 June
   settlement restarts from today and no day is paid twice) and the whole balance moves to
   PAYOUT_CLEARING (type 07): the principal + interest the reply states (``REPLYING``).
3. :func:`send_answer` sends the refusal or the reply (with the deposit history); the platform
   accepts the same answer again, so a lost answer is simply sent again.
4. :func:`confirm_transfer` asks the platform until the receiving centre has the money: then
   the clearing moves to BANK_SETTLEMENT (type 07) and the account closes as 04 in the same
   transaction. A transfer the platform reports failed or cancelled is reversed: the money goes
   back to the (still sealed) account.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountStatus, FundAccount, Person
from accounts.services import close_account_in_transaction
from approvals.models import OPEN_APPLICATION_STATUSES, Application
from audit.services import record_event
from core.crypto import blind_index
from integrations.transfer_platform import ports
from integrations.transfer_platform.registry import transfer_platform
from ledger.centre import BANK_SETTLEMENT, PAYOUT_CLEARING
from ledger.interest import pay_interest_to_date
from ledger.models import BusinessType, JournalLine
from ledger.selectors import balance_of
from ledger.services import Line, centre_account, post_entry, reverse_entry
from notifications.models import MessageKind
from notifications.services import notify
from notifications.text import yuan

from .history import deposit_history
from .incoming import LINK, SYSTEM
from .models import OutgoingStatus, OutgoingTransfer

WITHDRAWAL_KIND = "withdrawal"
# Loan statuses that leave a loan unsettled (loans.models.LoanAccountStatus).
UNSETTLED_LOAN_STATUSES = ("DISBURSING", "ACTIVE")

# What the person reads, rendered in their language when the message is written.
_NOTICES = {
    OutgoingStatus.REFUSED: (
        _("Transfer out not possible yet"),
        _(
            "The %(city)s housing fund centre asked to take over your housing fund, but it cannot be "
            "transferred out yet because %(reason)s. Once that is resolved, the receiving centre can "
            "send its letter again."
        ),
    ),
    OutgoingStatus.REPLIED: (
        _("Transfer out under way"),
        _(
            "Your housing fund principal and interest of %(amount)s yuan is being transferred to the "
            "%(city)s housing fund centre; once its arrival is confirmed your account here will be closed."
        ),
    ),
    OutgoingStatus.CLOSED: (
        _("Transfer out completed"),
        _(
            "Your housing fund has been transferred to the %(city)s housing fund centre, and your account "
            "here has been closed as transferred out."
        ),
    ),
    OutgoingStatus.FAILED: (
        _("Transfer out not completed"),
        _(
            "The transfer of your housing fund to %(city)s could not be completed; the money is back in "
            "your account. Call 12329 for help."
        ),
    ),
}
_REASONS = {
    ports.ACCOUNT_NOT_SEALED: _("your account is not sealed"),
    ports.LOAN_UNSETTLED: _("you have a fund loan or guarantee not yet settled"),
    ports.WITHDRAWAL_OPEN: _("you have a withdrawal application in progress"),
    ports.NO_ACCOUNT: _("no fund account of yours was found"),
    ports.NO_BALANCE: _("the account has no balance"),
}


def _timeout() -> float:
    return float(settings.TRANSFER_PLATFORM_TIMEOUT_S)


def _notify(transfer: OutgoingTransfer, status: str) -> None:
    if transfer.person is None:
        return
    title, text = _NOTICES[status]
    notify(
        person=transfer.person,
        kind=MessageKind.TRANSFER_OUT,
        title=title,
        body=text,
        params={
            "city": transfer.receiving_city_name or transfer.receiving_city_code,
            "reason": _REASONS.get(transfer.refusal_code, _("of a reason it did not give")),
            "amount": yuan(transfer.amount or 0),
        },
        link=LINK,
    )


def _audit(transfer: OutgoingTransfer, action: str, summary: str, **data) -> None:
    record_event(
        actor=None,
        actor_label=SYSTEM,
        action=f"transfers.{action}",
        target=transfer,
        summary=summary,
        data={"platform_ref": transfer.platform_ref, "status": transfer.status, **data},
    )


def receive_letters() -> list[OutgoingTransfer]:
    """Fetch the letters to us and record the new ones (``PlatformUnavailable`` to retry later)."""
    letters = transfer_platform().poll_incoming_letters(timeout=_timeout())
    return [record_letter(letter=letter) for letter in letters]


def record_letter(*, letter: ports.IncomingLetter) -> OutgoingTransfer:
    """Keep one row per platform reference; a letter delivered again returns the first row."""
    known = OutgoingTransfer.objects.filter(platform_ref=letter.platform_ref).first()
    if known is not None:
        return known
    index = blind_index(letter.id_number)
    person = Person.objects.filter(id_number_index=index).first()
    try:
        with transaction.atomic(durable=True):
            transfer = OutgoingTransfer.objects.create(
                platform_ref=letter.platform_ref,
                id_number_index=index,
                person=person,
                account=FundAccount.objects.filter(person=person).first() if person else None,
                receiving_city_code=letter.receiving_city_code,
                receiving_city_name=letter.receiving_city_name,
            )
            _audit(
                transfer,
                "outgoing_letter_received",
                f"收到 {letter.receiving_city_code} 转移联系函 {letter.platform_ref}",
                person=person.pk if person else None,
            )
    except IntegrityError:
        # A concurrent sweep recorded the same letter first (the unique platform reference).
        return OutgoingTransfer.objects.get(platform_ref=letter.platform_ref)
    return transfer


def _refusal(account: FundAccount | None) -> tuple[str, dict]:
    """The first failed check's code ("" when all pass) and every check's outcome."""
    if account is None:
        return ports.NO_ACCOUNT, {"account": False}
    person_id = account.person_id
    # Loans sit in the same import layer as transfers: read their rows by the app registry.
    loan_accounts = apps.get_model("loans", "LoanAccount")
    checks = {
        "account": True,
        "sealed": account.status == AccountStatus.SEALED,
        "no_unsettled_loan": not loan_accounts.objects.filter(status__in=UNSETTLED_LOAN_STATUSES)
        .filter(Q(application__applicant_id=person_id) | Q(application__co_borrower_id=person_id))
        .exists(),
        "no_open_withdrawal": not Application.objects.filter(
            applicant_id=person_id, kind=WITHDRAWAL_KIND, status__in=OPEN_APPLICATION_STATUSES
        ).exists(),
    }
    for check, code in (
        ("sealed", ports.ACCOUNT_NOT_SEALED),
        ("no_unsettled_loan", ports.LOAN_UNSETTLED),
        ("no_open_withdrawal", ports.WITHDRAWAL_OPEN),
    ):
        if not checks[check]:
            return code, checks
    return "", checks


def check_letter(*, transfer_id: int) -> OutgoingTransfer:
    """Check a received letter and either refuse it or move the money out (module docstring)."""
    with transaction.atomic(durable=True):
        transfer = OutgoingTransfer.objects.select_for_update().get(pk=transfer_id)
        if transfer.status != OutgoingStatus.RECEIVED:
            return transfer
        # The account's lock: no seal, unseal or closing changes it between the checks and the posting.
        account = (
            FundAccount.objects.select_for_update()
            .select_related("ledger_account")
            .get(pk=transfer.account_id)
            if transfer.account_id
            else None
        )
        code, checks = _refusal(account)
        transfer.checks = checks
        today = timezone.localdate()
        if not code:
            ledger_account = account.ledger_account
            paid = pay_interest_to_date(
                account=ledger_account,
                on=today,
                idempotency_key=f"transfer-out-interest:{transfer.platform_ref}",
                memo=f"外部转出结息 {transfer.platform_ref}",
            )
            interest = (
                JournalLine.objects.filter(entry__in=paid, account=ledger_account).aggregate(
                    total=Sum("credit")
                )["total"]
                or 0
            )
            total = balance_of(ledger_account)
            if total <= 0:
                code = ports.NO_BALANCE
        if code:
            transfer.status = OutgoingStatus.REFUSING
            transfer.refusal_code = code
        else:
            history = deposit_history(account)
            transfer.paid_entry = post_entry(
                lines=[
                    Line(ledger_account, debit=total),
                    Line(centre_account(PAYOUT_CLEARING, spread_by=transfer.pk), credit=total),
                ],
                business_type=BusinessType.TRANSFER_OUT,
                business_on=today,
                idempotency_key=f"transfer-out:{transfer.platform_ref}",
                memo=f"外部转出 {transfer.receiving_city_code} {transfer.platform_ref}",
            )
            transfer.status = OutgoingStatus.REPLYING
            transfer.principal = total - interest
            transfer.interest = interest
            transfer.opened_on = history.opened_on
            transfer.paid_up_to = history.paid_up_to
            transfer.months_deposited = history.months_deposited
            transfer.last_six_continuous = history.last_six_continuous
        transfer.updated_at = timezone.now()
        transfer.save()
        _audit(
            transfer,
            "outgoing_checked",
            f"转移联系函 {transfer.platform_ref} 审核: {code or '通过'}",
            checks=checks,
            refusal_code=code,
            principal=transfer.principal,
            interest=transfer.interest,
        )
    return transfer


def _answer(transfer: OutgoingTransfer) -> ports.TransferReply | ports.Refusal:
    if transfer.status == OutgoingStatus.REFUSING:
        return ports.Refusal(reason_code=transfer.refusal_code)
    return ports.TransferReply(
        principal=transfer.principal,
        interest=transfer.interest,
        history=ports.DepositHistory(
            opened_on=transfer.opened_on,
            paid_up_to=transfer.paid_up_to,
            months_deposited=transfer.months_deposited,
            last_six_continuous=transfer.last_six_continuous,
        ),
    )


def send_answer(*, transfer_id: int) -> OutgoingTransfer:
    """Send a decided refusal or reply to the platform (``PlatformUnavailable`` to retry later)."""
    transfer = OutgoingTransfer.objects.get(pk=transfer_id)
    if transfer.status not in (OutgoingStatus.REFUSING, OutgoingStatus.REPLYING):
        return transfer
    transfer_platform().reply_to_letter(
        platform_ref=transfer.platform_ref, answer=_answer(transfer), timeout=_timeout()
    )
    with transaction.atomic(durable=True):
        transfer = (
            OutgoingTransfer.objects.select_for_update(of=("self",))
            .select_related("person")
            .get(pk=transfer_id)
        )
        if transfer.status not in (OutgoingStatus.REFUSING, OutgoingStatus.REPLYING):
            return transfer
        transfer.status = (
            OutgoingStatus.REFUSED if transfer.status == OutgoingStatus.REFUSING else OutgoingStatus.REPLIED
        )
        transfer.reply_sent_at = transfer.updated_at = timezone.now()
        transfer.save(update_fields=["status", "reply_sent_at", "updated_at"])
        _audit(transfer, "outgoing_answered", f"转移联系函 {transfer.platform_ref} 已答复: {transfer.status}")
        _notify(transfer, transfer.status)
    return transfer


def confirm_transfer(*, transfer_id: int) -> OutgoingTransfer:
    """Ask whether the receiving centre has the money; close the account, or reverse on failure."""
    transfer = OutgoingTransfer.objects.get(pk=transfer_id)
    if transfer.status != OutgoingStatus.REPLIED:
        return transfer
    status = transfer_platform().confirm_transfer_out(platform_ref=transfer.platform_ref, timeout=_timeout())
    return record_confirmation(transfer_id=transfer_id, status=status)


def record_confirmation(*, transfer_id: int, status: str) -> OutgoingTransfer:
    """Record the platform's word on a replied transfer; anything but a final status changes nothing."""
    if status not in (ports.COMPLETED, ports.FAILED, ports.CANCELLED, ports.REJECTED):
        return OutgoingTransfer.objects.get(pk=transfer_id)
    with transaction.atomic(durable=True):
        transfer = (
            OutgoingTransfer.objects.select_for_update(of=("self",))
            .select_related("person", "paid_entry")
            .get(pk=transfer_id)
        )
        if transfer.status != OutgoingStatus.REPLIED:
            return transfer
        today = timezone.localdate()
        if status == ports.COMPLETED:
            amount = transfer.amount
            post_entry(
                lines=[
                    Line(centre_account(PAYOUT_CLEARING, spread_by=transfer.pk), debit=amount),
                    Line(centre_account(BANK_SETTLEMENT, spread_by=transfer.pk), credit=amount),
                ],
                business_type=BusinessType.TRANSFER_OUT,
                business_on=today,
                idempotency_key=f"transfer-out-settle:{transfer.platform_ref}",
                memo=f"外部转出划款 {transfer.receiving_city_code} {transfer.platform_ref}",
            )
            close_account_in_transaction(
                account=transfer.account, status=AccountStatus.TRANSFERRED_OUT, closed_on=today, actor=None
            )
            transfer.status = OutgoingStatus.CLOSED
            transfer.closed_at = timezone.now()
        else:
            reverse_entry(
                entry=transfer.paid_entry,
                business_on=today,
                idempotency_key=f"transfer-out-reverse:{transfer.platform_ref}",
                memo=f"外部转出失败退回 {transfer.platform_ref}",
            )
            transfer.status = OutgoingStatus.FAILED
        transfer.updated_at = timezone.now()
        transfer.save(update_fields=["status", "closed_at", "updated_at"])
        _audit(
            transfer,
            "outgoing_confirmed",
            f"转移 {transfer.platform_ref} 平台状态 {status}",
            platform_status=status,
        )
        _notify(transfer, transfer.status)
    return transfer
