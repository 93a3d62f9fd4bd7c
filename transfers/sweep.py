"""The minute sweep: every cross-city transfer moves one step further if it can.

Each step is its own service call with its own transaction and network call, each idempotent;
a platform that does not answer leaves the step for the next sweep, a refusal of one transfer
does not stop the others. Safe to run twice at once: every recording locks its row first.
"""

from __future__ import annotations

import logging

from core.exceptions import DomainError
from integrations.transfer_platform.ports import PlatformUnavailable

from . import incoming, outgoing
from .models import IncomingStatus, IncomingTransfer, OutgoingStatus, OutgoingTransfer

logger = logging.getLogger(__name__)


def _step(step, **kwargs) -> bool:
    try:
        step(**kwargs)
    except PlatformUnavailable as exc:
        logger.info("transfer step %s %s: platform unavailable (%s)", step.__name__, kwargs, exc)
        return False
    except DomainError as exc:
        logger.warning("transfer step %s %s refused: %s", step.__name__, kwargs, exc)
        return False
    return True


def _ids(model, status) -> list[int]:
    return list(model.objects.filter(status__in=status).order_by("pk").values_list("pk", flat=True))


def sweep_transfers() -> None:
    for pk in _ids(IncomingTransfer, [IncomingStatus.PENDING]):
        _step(incoming.send_letter, transfer_id=pk)
    for pk in _ids(IncomingTransfer, [IncomingStatus.SENT, IncomingStatus.NEGOTIATING]):
        _step(incoming.follow_letter, transfer_id=pk)
    _step(outgoing.receive_letters)
    for pk in _ids(OutgoingTransfer, [OutgoingStatus.RECEIVED]):
        _step(outgoing.check_letter, transfer_id=pk)
    for pk in _ids(OutgoingTransfer, [OutgoingStatus.REFUSING, OutgoingStatus.REPLYING]):
        _step(outgoing.send_answer, transfer_id=pk)
    for pk in _ids(OutgoingTransfer, [OutgoingStatus.REPLIED]):
        _step(outgoing.confirm_transfer, transfer_id=pk)
