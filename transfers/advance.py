"""The next step of one cross-city transfer, taken now: what the minute sweep would do for it next.

The step tables name, for each status a transfer waits in, the service that moves it on. The
sweep walks them for every transfer; staff take one step for one transfer ("ask the platform
now") with :func:`advance_incoming` / :func:`advance_outgoing`. The step itself writes its own
audit event when it changes the transfer; the staff request is recorded as well, with what came
of it (done, the platform did not answer, refused), so the trail shows who asked and when even
when nothing moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from audit.services import record_event
from core.exceptions import DomainError
from integrations.transfer_platform.ports import PlatformUnavailable

from . import incoming, outgoing
from .models import IncomingStatus, IncomingTransfer, OutgoingStatus, OutgoingTransfer

Step = Callable[..., Model]

# In the order the sweep takes them: a letter sent in this sweep is followed in the same sweep.
INCOMING_STEPS: tuple[tuple[tuple[str, ...], Step], ...] = (
    ((IncomingStatus.PENDING,), incoming.send_letter),
    ((IncomingStatus.SENT, IncomingStatus.NEGOTIATING), incoming.follow_letter),
)
OUTGOING_STEPS: tuple[tuple[tuple[str, ...], Step], ...] = (
    ((OutgoingStatus.RECEIVED,), outgoing.check_letter),
    ((OutgoingStatus.REFUSING, OutgoingStatus.REPLYING), outgoing.send_answer),
    ((OutgoingStatus.REPLIED,), outgoing.confirm_transfer),
)

DONE = "done"
UNAVAILABLE = "unavailable"


class NothingToAdvance(DomainError):
    code = "TRANSFER_FINISHED"


@dataclass(frozen=True)
class Advanced:
    """One step taken: which service ran, and the transfer's status before and after it."""

    step: str
    status_before: str
    transfer: IncomingTransfer | OutgoingTransfer

    @property
    def moved(self) -> bool:
        return self.transfer.status != self.status_before


def next_step(steps, status: str) -> Step | None:
    """The service that moves a transfer on from ``status``; ``None`` once it has finished."""
    for statuses, step in steps:
        if status in statuses:
            return step
    return None


def advance_incoming(*, transfer_id: int, actor) -> Advanced:
    """Take the next step of one transfer in now (``PlatformUnavailable`` when the platform is silent)."""
    return _advance(IncomingTransfer, INCOMING_STEPS, "incoming", transfer_id=transfer_id, actor=actor)


def advance_outgoing(*, transfer_id: int, actor) -> Advanced:
    """Take the next step of one transfer out now (``PlatformUnavailable`` when the platform is silent)."""
    return _advance(OutgoingTransfer, OUTGOING_STEPS, "outgoing", transfer_id=transfer_id, actor=actor)


def _advance(model, steps, direction: str, *, transfer_id: int, actor) -> Advanced:
    transfer = model.objects.get(pk=transfer_id)
    step = next_step(steps, transfer.status)
    if step is None:
        raise NothingToAdvance(_("This transfer has finished: there is no step left to take."))
    before = transfer.status
    # The step makes its network call outside any transaction and records in its own; the
    # request is recorded after it, so a silent platform never holds a lock or an open transaction.
    try:
        after = step(transfer_id=transfer_id)
    except PlatformUnavailable:
        _record(transfer, direction, actor, step, before, transfer.status, UNAVAILABLE)
        raise
    except DomainError as error:
        _record(transfer, direction, actor, step, before, transfer.status, error.code)
        raise
    _record(after, direction, actor, step, before, after.status, DONE)
    return Advanced(step=step.__name__, status_before=before, transfer=after)


def _record(transfer, direction: str, actor, step: Step, before: str, after: str, outcome: str) -> None:
    ref = transfer.letter_ref if direction == "incoming" else transfer.platform_ref
    with transaction.atomic(durable=True):
        record_event(
            actor=actor,
            action=f"transfers.{direction}_asked_now",
            target=transfer,
            summary=f"工作人员立即办理 {ref}: {step.__name__} {before} → {after} ({outcome})",
            data={"step": step.__name__, "status_before": before, "status_after": after, "outcome": outcome},
        )


def receive_letters_now(*, actor) -> list[OutgoingTransfer]:
    """Fetch the letters other centres wrote to us now, rather than at the next sweep.

    Returns the transfers the platform offered (new and already known); each new one is audited
    by ``record_letter``; the request is recorded too, with how many letters came.
    """
    try:
        transfers = outgoing.receive_letters()
    except PlatformUnavailable:
        _record_fetch(actor, UNAVAILABLE, 0)
        raise
    _record_fetch(actor, DONE, len(transfers))
    return transfers


def _record_fetch(actor, outcome: str, letters: int) -> None:
    with transaction.atomic(durable=True):
        record_event(
            actor=actor,
            action="transfers.outgoing_fetched_now",
            summary=f"工作人员立即接收转移联系函: {letters} 件 ({outcome})",
            data={"outcome": outcome, "letters": letters},
        )
