"""The minute sweep: every cross-city transfer moves one step further if it can.

Each step is its own service call with its own transaction and network call, each idempotent;
a platform that does not answer leaves the step for the next sweep, a refusal of one transfer
does not stop the others. Safe to run twice at once: every recording locks its row first. The
steps and the statuses they start from are ``transfers.advance``'s tables, which staff use to
take one transfer's next step at once.
"""

from __future__ import annotations

import logging

from core.exceptions import DomainError
from integrations.transfer_platform.ports import PlatformUnavailable

from . import outgoing
from .advance import INCOMING_STEPS, OUTGOING_STEPS
from .models import IncomingTransfer, OutgoingTransfer

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
    for statuses, step in INCOMING_STEPS:
        for pk in _ids(IncomingTransfer, statuses):
            _step(step, transfer_id=pk)
    _step(outgoing.receive_letters)
    for statuses, step in OUTGOING_STEPS:
        for pk in _ids(OutgoingTransfer, statuses):
            _step(step, transfer_id=pk)
