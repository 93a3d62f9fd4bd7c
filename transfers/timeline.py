"""Each cross-city transfer's steps as the person follows them, read from its audit events.

Every status change of a transfer writes an audit event in the same transaction (``incoming``,
``outgoing``), so the events are the transfer's history: one query reads them for any number of
transfers. A transfer in: applied → letter sent (platform 01) → received by the sending centre
(02) → negotiating (06) → refused (13, with the reason) / cancelled (05) / failed (40) /
completed (00: the amount credited, the deposit months merged). A transfer out: letter received
from the other city → checked (passed, or refused with the reason) → answered → transferred out
and the account closed, or failed and the money back in the account.

The steps still to come are only named (``*_steps_to_come``): when they happen is the platform's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEvent
from integrations.transfer_platform import ports

from .models import IncomingStatus, IncomingTransfer, OutgoingStatus, OutgoingTransfer

# Step codes of a transfer in.
APPLIED = "APPLIED"
LETTER_SENT = "LETTER_SENT"
LETTER_RECEIVED = "LETTER_RECEIVED"
NEGOTIATING = "NEGOTIATING"
REFUSED = "REFUSED"
CANCELLED = "CANCELLED"
FAILED = "FAILED"
COMPLETED = "COMPLETED"
INCOMING_STEPS = (APPLIED, LETTER_SENT, LETTER_RECEIVED, NEGOTIATING, REFUSED, CANCELLED, FAILED, COMPLETED)

# Step codes of a transfer out (LETTER_RECEIVED and FAILED as above).
CHECKED = "CHECKED"
ANSWERED = "ANSWERED"
TRANSFERRED_OUT = "TRANSFERRED_OUT"
OUTGOING_STEPS = (LETTER_RECEIVED, CHECKED, ANSWERED, TRANSFERRED_OUT, FAILED)

# Outcomes of a check and of an answer.
PASSED = "PASSED"
REPLIED = "REPLIED"

_INCOMING_ACTIONS = (
    "transfers.incoming_applied",
    "transfers.incoming_letter_sent",
    "transfers.incoming_status",
)
_OUTGOING_ACTIONS = (
    "transfers.outgoing_letter_received",
    "transfers.outgoing_checked",
    "transfers.outgoing_answered",
    "transfers.outgoing_confirmed",
)
_INCOMING_STEP_OF_STATUS = {
    IncomingStatus.NEGOTIATING: NEGOTIATING,
    IncomingStatus.REFUSED: REFUSED,
    IncomingStatus.CANCELLED: CANCELLED,
    IncomingStatus.FAILED: FAILED,
    IncomingStatus.COMPLETED: COMPLETED,
}


@dataclass(frozen=True)
class TransferStep:
    """One step that happened: amounts in fen, ``outcome`` PASSED/REFUSED or REPLIED/REFUSED."""

    step: str
    at: datetime
    platform_status: str = ""
    outcome: str = ""
    refusal_code: str = ""
    amount: int | None = None
    interest: int | None = None
    merged_months: int | None = None


def _events_of(model, ids: list[int], actions: tuple[str, ...]) -> dict[int, list[AuditEvent]]:
    """The events of each row, oldest first, in one query (the content type is cached)."""
    events: dict[int, list[AuditEvent]] = {pk: [] for pk in ids}
    if not ids:
        return events
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    rows = (
        AuditEvent.objects.filter(
            action__in=actions, target_type=content_type, target_id__in=[str(pk) for pk in ids]
        )
        .order_by("sequence")
        .only("occurred_at", "action", "target_id", "data")
    )
    for event in rows:
        events[int(event.target_id)].append(event)
    return events


# --- transfers in ----------------------------------------------------------------------------


def _incoming_step(transfer: IncomingTransfer, event: AuditEvent) -> TransferStep | None:
    data = event.data or {}
    if event.action == "transfers.incoming_applied":
        return TransferStep(step=APPLIED, at=event.occurred_at)
    if event.action == "transfers.incoming_letter_sent":
        return TransferStep(step=LETTER_SENT, at=event.occurred_at, platform_status=ports.LETTER_REVIEWED)
    status = data.get("status")
    platform_status = data.get("platform_status", "")
    if status == IncomingStatus.SENT:
        step = LETTER_RECEIVED if platform_status == ports.LETTER_RECEIVED else LETTER_SENT
        return TransferStep(step=step, at=event.occurred_at, platform_status=platform_status)
    step = _INCOMING_STEP_OF_STATUS.get(status)
    if step is None:
        return None
    if step == COMPLETED:
        return TransferStep(
            step=COMPLETED,
            at=event.occurred_at,
            platform_status=platform_status,
            amount=transfer.amount,
            interest=transfer.interest,
            merged_months=transfer.merged_months,
        )
    return TransferStep(
        step=step,
        at=event.occurred_at,
        platform_status=platform_status,
        outcome=REFUSED if step == REFUSED else "",
        refusal_code=data.get("refusal_code") or "",
    )


def incoming_timelines(transfers: Iterable[IncomingTransfer]) -> dict[int, tuple[TransferStep, ...]]:
    """:func:`incoming_timeline` of each transfer, by id, in one query however many there are."""
    transfers = list(transfers)
    events = _events_of(IncomingTransfer, [transfer.pk for transfer in transfers], _INCOMING_ACTIONS)
    timelines = {}
    for transfer in transfers:
        steps = (_incoming_step(transfer, event) for event in events[transfer.pk])
        timelines[transfer.pk] = tuple(step for step in steps if step is not None)
    return timelines


def incoming_timeline(transfer: IncomingTransfer) -> tuple[TransferStep, ...]:
    """The steps a transfer in has taken, oldest first."""
    return incoming_timelines([transfer])[transfer.pk]


def incoming_steps_to_come(transfer: IncomingTransfer) -> tuple[str, ...]:
    """The steps an open transfer in still expects; none once it has ended."""
    if transfer.status == IncomingStatus.PENDING:
        return (LETTER_SENT, COMPLETED)
    if transfer.status == IncomingStatus.SENT and transfer.platform_status == ports.LETTER_REVIEWED:
        return (LETTER_RECEIVED, COMPLETED)
    if transfer.status in (IncomingStatus.SENT, IncomingStatus.NEGOTIATING):
        return (COMPLETED,)
    return ()


# --- transfers out ---------------------------------------------------------------------------


def _sum(principal, interest) -> int | None:
    return None if principal is None else principal + (interest or 0)


def _outgoing_step(transfer: OutgoingTransfer, event: AuditEvent) -> TransferStep | None:
    data = event.data or {}
    if event.action == "transfers.outgoing_letter_received":
        return TransferStep(step=LETTER_RECEIVED, at=event.occurred_at)
    if event.action == "transfers.outgoing_checked":
        code = data.get("refusal_code") or ""
        return TransferStep(
            step=CHECKED,
            at=event.occurred_at,
            outcome=REFUSED if code else PASSED,
            refusal_code=code,
            amount=None if code else _sum(data.get("principal"), data.get("interest")),
            interest=None if code else data.get("interest"),
        )
    if event.action == "transfers.outgoing_answered":
        refused = data.get("status") == OutgoingStatus.REFUSED
        return TransferStep(
            step=ANSWERED,
            at=event.occurred_at,
            outcome=REFUSED if refused else REPLIED,
            refusal_code=transfer.refusal_code if refused else "",
            amount=None if refused else transfer.amount,
            interest=None if refused else transfer.interest,
        )
    if event.action == "transfers.outgoing_confirmed":
        closed = data.get("status") == OutgoingStatus.CLOSED
        return TransferStep(
            step=TRANSFERRED_OUT if closed else FAILED,
            at=event.occurred_at,
            platform_status=data.get("platform_status", ""),
            amount=transfer.amount,
            interest=transfer.interest,
        )
    return None


def outgoing_timelines(transfers: Iterable[OutgoingTransfer]) -> dict[int, tuple[TransferStep, ...]]:
    """:func:`outgoing_timeline` of each transfer, by id, in one query however many there are."""
    transfers = list(transfers)
    events = _events_of(OutgoingTransfer, [transfer.pk for transfer in transfers], _OUTGOING_ACTIONS)
    timelines = {}
    for transfer in transfers:
        steps = (_outgoing_step(transfer, event) for event in events[transfer.pk])
        timelines[transfer.pk] = tuple(step for step in steps if step is not None)
    return timelines


def outgoing_timeline(transfer: OutgoingTransfer) -> tuple[TransferStep, ...]:
    """The steps a transfer out has taken, oldest first."""
    return outgoing_timelines([transfer])[transfer.pk]


def outgoing_steps_to_come(transfer: OutgoingTransfer) -> tuple[str, ...]:
    """The steps an open transfer out still expects; none once it has ended."""
    return {
        OutgoingStatus.RECEIVED: (CHECKED, ANSWERED, TRANSFERRED_OUT),
        OutgoingStatus.REFUSING: (ANSWERED,),
        OutgoingStatus.REPLYING: (ANSWERED, TRANSFERRED_OUT),
        OutgoingStatus.REPLIED: (TRANSFERRED_OUT,),
    }.get(transfer.status, ())
