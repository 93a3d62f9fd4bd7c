"""Cross-city transfer in (转入): the person applies here, we write to the sending centre, and credit.

The conversation, each step idempotent and safe to repeat after a crash:

1. :func:`apply_incoming` records the request (``PENDING``) with our letter reference.
2. :func:`send_letter` sends the contact letter through the platform port, outside any
   transaction (a network call), then records the platform's reference (``SENT``). Sending
   again after a lost answer uses the same reference and gets the first receipt.
3. :func:`follow_letter` asks the platform where the letter stands and
   :func:`record_letter_status` records it: negotiating, refused (with the sender's reason),
   cancelled, failed, or completed — then the money is credited to the person's fund account
   (business type 08, debit BANK_SETTLEMENT, idempotency key from the platform reference) and the
   sending city's deposit months are kept as the merged months.

Every status change locks the transfer's row, checks the state it starts from, and writes its
audit event in the same transaction; the person is told of each step that matters.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import AccountStatus, CarriedDepositHistory, FundAccount, Person
from audit.services import record_event
from core.exceptions import DomainError
from integrations.transfer_platform import ports
from integrations.transfer_platform.registry import transfer_platform
from ledger.centre import BANK_SETTLEMENT
from ledger.models import BusinessType
from ledger.services import Line, centre_account, post_entry
from notifications.models import MessageKind
from notifications.services import notify
from notifications.text import yuan

from .models import OPEN_INCOMING_STATUSES, IncomingStatus, IncomingTransfer

logger = logging.getLogger(__name__)

SYSTEM = "system:transfers"
LINK = "/hall/"

_NEXT_STATUS = {
    ports.LETTER_REVIEWED: IncomingStatus.SENT,
    ports.LETTER_RECEIVED: IncomingStatus.SENT,
    ports.NEGOTIATING: IncomingStatus.NEGOTIATING,
    ports.REJECTED: IncomingStatus.REFUSED,
    ports.CANCELLED: IncomingStatus.CANCELLED,
    ports.FAILED: IncomingStatus.FAILED,
}
# What the person reads, rendered in their language when the message is written.
_NOTICES = {
    IncomingStatus.SENT: (
        _lazy("Transfer-in letter sent"),
        _lazy(
            "We have sent the transfer contact letter to the %(city)s housing fund centre; once it acts, "
            "the money will be transferred into your account automatically."
        ),
    ),
    IncomingStatus.NEGOTIATING: (
        _lazy("Transfer in under discussion"),
        _lazy("The %(city)s housing fund centre is discussing your transfer with us; you need do nothing."),
    ),
    IncomingStatus.REFUSED: (
        _lazy("Transfer in refused"),
        _lazy(
            "The %(city)s housing fund centre did not agree to transfer your fund out (reason code "
            "%(code)s). Contact that centre to resolve it, then apply again."
        ),
    ),
    IncomingStatus.CANCELLED: (
        _lazy("Transfer in cancelled"),
        _lazy("Your transfer of housing fund in from %(city)s has been cancelled."),
    ),
    IncomingStatus.FAILED: (
        _lazy("Transfer in failed"),
        _lazy("Your transfer of housing fund in from %(city)s could not be completed; call 12329 for help."),
    ),
    IncomingStatus.COMPLETED: (
        _lazy("Transfer in arrived"),
        _lazy(
            "The %(amount)s yuan of housing fund transferred from %(city)s has arrived, and its "
            "%(months)s months of deposits are counted together with yours."
        ),
    ),
}


class TransferError(DomainError):
    code = "TRANSFER_ERROR"


class NoActiveAccount(TransferError):
    code = "NO_ACTIVE_ACCOUNT"


class InvalidCity(TransferError):
    code = "INVALID_CITY"


class TransferAlreadyOpen(TransferError):
    code = "TRANSFER_ALREADY_OPEN"


def _timeout() -> float:
    return float(settings.TRANSFER_PLATFORM_TIMEOUT_S)


def _notify(transfer: IncomingTransfer, status: str) -> None:
    title, text = _NOTICES[status]
    amount = transfer.amount
    notify(
        person=transfer.person,
        kind=MessageKind.TRANSFER_IN,
        title=title,
        body=text,
        params={
            "city": transfer.sending_city_name,
            "code": transfer.refusal_code,
            "amount": yuan(amount) if amount is not None else "",
            "months": transfer.merged_months or 0,
        },
        link=LINK,
    )


def apply_incoming(
    *, person: Person, sending_city_code: str, sending_city_name: str, actor
) -> IncomingTransfer:
    """Ask to bring ``person``'s fund here from another city; the letter goes out after commit.

    Needs an active (01) account here (``NO_ACTIVE_ACCOUNT``), a 6-digit city code other than
    ours (``INVALID_CITY``), and no request already under way (``TRANSFER_ALREADY_OPEN``).
    """
    code = (sending_city_code or "").strip()
    if len(code) != 6 or not code.isdigit() or code == settings.FUND_CENTRE_CODE:
        raise InvalidCity(
            _("Name the sending city by its 6-digit code, another city than ours."), field="sending_city"
        )
    with transaction.atomic(durable=True):
        account = FundAccount.objects.select_for_update().filter(person=person).first()
        if account is None or account.status != AccountStatus.NORMAL:
            raise NoActiveAccount(_("A transfer in needs an active fund account here."))
        if IncomingTransfer.objects.filter(person=person, status__in=OPEN_INCOMING_STATUSES).exists():
            raise TransferAlreadyOpen(_("A transfer in is already under way."))
        try:
            with transaction.atomic():
                transfer = IncomingTransfer.objects.create(
                    person=person,
                    account=account,
                    sending_city_code=code,
                    sending_city_name=(sending_city_name or "").strip() or code,
                    letter_ref=f"TI{uuid.uuid4().hex[:24].upper()}",
                )
        except IntegrityError as exc:
            # The partial unique constraint: a concurrent request for the same person won.
            raise TransferAlreadyOpen(_("A transfer in is already under way.")) from exc
        record_event(
            actor=actor,
            actor_label=None if actor else SYSTEM,
            action="transfers.incoming_applied",
            target=transfer,
            summary=f"异地转入申请 {transfer.letter_ref}: {person.masked_id_number} 自 {code}",
            data={"sending_city_code": code, "account": account.account_no},
        )
        transaction.on_commit(lambda: _queue_send(transfer.pk), robust=True)
    return transfer


def _queue_send(transfer_id: int) -> None:
    from transfers.tasks import send_transfer_letter

    send_transfer_letter.delay(transfer_id=transfer_id)


def send_letter(*, transfer_id: int) -> IncomingTransfer:
    """Send the contact letter of a ``PENDING`` request; raises ``PlatformUnavailable`` to retry later."""
    transfer = IncomingTransfer.objects.select_related("person", "account").get(pk=transfer_id)
    if transfer.status != IncomingStatus.PENDING:
        return transfer
    letter = ports.ContactLetter(
        letter_ref=transfer.letter_ref,
        id_number=transfer.person.id_number,
        name=transfer.person.name,
        sending_city_code=transfer.sending_city_code,
        receiving_city_code=settings.FUND_CENTRE_CODE,
        receiving_account_no=transfer.account.account_no,
    )
    receipt = transfer_platform().send_contact_letter(letter=letter, timeout=_timeout())
    with transaction.atomic(durable=True):
        transfer = (
            IncomingTransfer.objects.select_for_update(of=("self",))
            .select_related("person")
            .get(pk=transfer_id)
        )
        if transfer.status != IncomingStatus.PENDING:
            return transfer  # a concurrent sender recorded the same receipt first
        transfer.status = IncomingStatus.SENT
        transfer.platform_status = ports.LETTER_REVIEWED
        transfer.platform_ref = receipt.platform_ref
        transfer.letter_sent_at = receipt.accepted_at
        transfer.updated_at = timezone.now()
        transfer.save(
            update_fields=["status", "platform_status", "platform_ref", "letter_sent_at", "updated_at"]
        )
        record_event(
            actor=None,
            actor_label=SYSTEM,
            action="transfers.incoming_letter_sent",
            target=transfer,
            summary=f"联系函已发出 {transfer.letter_ref} → {transfer.sending_city_code}",
            data={"platform_ref": receipt.platform_ref},
        )
        _notify(transfer, IncomingStatus.SENT)
    return transfer


def follow_letter(*, transfer_id: int) -> IncomingTransfer:
    """Ask the platform about a sent letter and record what it says (``PlatformUnavailable`` to retry)."""
    transfer = IncomingTransfer.objects.get(pk=transfer_id)
    if transfer.status not in (IncomingStatus.SENT, IncomingStatus.NEGOTIATING):
        return transfer
    status = transfer_platform().letter_status(letter_ref=transfer.letter_ref, timeout=_timeout())
    return record_letter_status(transfer_id=transfer_id, status=status)


def record_letter_status(*, transfer_id: int, status: ports.LetterStatus) -> IncomingTransfer:
    """Record the platform's status of our letter; a repeated or late status changes nothing.

    On COMPLETED the money is credited once: the row lock serialises concurrent recorders, the
    status check turns the later ones away, and the idempotency key would refuse a second posting.
    """
    if status.status not in ports.STATUSES:
        raise ports.LetterRejected(f"unknown platform status {status.status!r}")
    with transaction.atomic(durable=True):
        transfer = (
            IncomingTransfer.objects.select_for_update(of=("self",))
            .select_related("person", "account__ledger_account")
            .get(pk=transfer_id)
        )
        if transfer.status not in (IncomingStatus.SENT, IncomingStatus.NEGOTIATING):
            return transfer
        changed = True
        if status.status == ports.COMPLETED:
            if status.reply is None:
                logger.warning("transfer %s: completed without a reply; asking again later", transfer.pk)
                return transfer
            _credit(transfer, status)
        else:
            new_status = _NEXT_STATUS[status.status]
            if new_status == transfer.status and status.status == transfer.platform_status:
                return transfer
            changed = new_status != transfer.status
            transfer.status = new_status
            transfer.platform_status = status.status
            transfer.refusal_code = (
                (status.refusal_code or "") if new_status == IncomingStatus.REFUSED else ""
            )
        transfer.platform_status = status.status
        transfer.updated_at = timezone.now()
        transfer.save()
        record_event(
            actor=None,
            actor_label=SYSTEM,
            action="transfers.incoming_status",
            target=transfer,
            summary=f"异地转入 {transfer.letter_ref} 平台状态 {status.status} → {transfer.status}",
            data={
                "platform_status": status.status,
                "status": transfer.status,
                "refusal_code": transfer.refusal_code,
                "credited_entry": transfer.credited_entry_id,
            },
        )
        if transfer.status == IncomingStatus.COMPLETED or changed:
            _notify(transfer, transfer.status)
    return transfer


def _credit(transfer: IncomingTransfer, status: ports.LetterStatus) -> None:
    reply = status.reply
    on = status.arrived_on or timezone.localdate()
    entry = post_entry(
        lines=[
            # The money reached the centre's bank from the sending centre; spread by the transfer.
            Line(centre_account(BANK_SETTLEMENT, spread_by=transfer.pk), debit=reply.amount),
            Line(transfer.account.ledger_account, credit=reply.amount),
        ],
        business_type=BusinessType.TRANSFER_IN,
        business_on=on,
        idempotency_key=f"transfer-in:{transfer.platform_ref}",
        memo=f"外部转入 {transfer.sending_city_code} {transfer.platform_ref}",
    )
    transfer.status = IncomingStatus.COMPLETED
    transfer.principal = reply.principal
    transfer.interest = reply.interest
    transfer.sender_opened_on = reply.history.opened_on
    transfer.paid_up_to = reply.history.paid_up_to
    transfer.merged_months = reply.history.months_deposited
    transfer.last_six_continuous = reply.history.last_six_continuous
    transfer.credited_entry = entry
    transfer.credited_on = on
    # The deposit time merged (合并计算): the loan and withdrawal rules read it from the account.
    CarriedDepositHistory.objects.create(
        account=transfer.account,
        city_code=transfer.sending_city_code,
        city_name=transfer.sending_city_name,
        reference=transfer.platform_ref,
        opened_on=reply.history.opened_on,
        paid_up_to=reply.history.paid_up_to.replace(day=1),
        months=reply.history.months_deposited,
        last_six_continuous=reply.history.last_six_continuous,
        carried_on=on,
    )
