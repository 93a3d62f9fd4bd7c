"""Reads for the staff's cross-city transfer pages: both directions in one list, the counts per
state, one transfer with its ledger entries, and its audit trail — each in a fixed number of
queries whatever the number of rows.

The states a member of staff filters by (a transfer may be in more than one):

- ``negotiating``: a transfer in whose centres are negotiating (06);
- ``failed``: failed either way; ``refused``: refused either way (by the sending centre, or by us);
- ``stuck``: still open and unmoved for longer than :data:`STUCK_AFTER_WORKING_DAYS`;
- ``attention``: any of those four, the page's default: what needs a person's look;
- ``open``, ``finished`` (transferred, closed or cancelled), and ``all``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.utils import timezone

from audit.models import AuditEvent
from core.calendar import add_working_days, working_days_between
from ledger.models import JournalEntry

from .models import OPEN_INCOMING_STATUSES, IncomingStatus, IncomingTransfer, OutgoingStatus, OutgoingTransfer

# A healthy transfer moves within minutes: the sweep tries every step each minute and the
# sandbox's other centres answer in seconds. A whole working day without a status change means
# a platform that keeps failing, a letter it does not know, or another centre that has not acted:
# nothing the sweep will fix by itself, so a person should call or write. One working day (not
# 24 hours) so a letter sent on Friday afternoon is not flagged over the weekend or a holiday.
STUCK_AFTER_WORKING_DAYS = 1

INCOMING = "in"
OUTGOING = "out"
DIRECTIONS = (INCOMING, OUTGOING)

ATTENTION = "attention"
NEGOTIATING = "negotiating"
FAILED = "failed"
REFUSED = "refused"
STUCK = "stuck"
OPEN = "open"
FINISHED = "finished"
ALL = "all"
STATES = (ATTENTION, NEGOTIATING, FAILED, REFUSED, STUCK, OPEN, FINISHED, ALL)

OPEN_OUTGOING_STATUSES = (
    OutgoingStatus.RECEIVED,
    OutgoingStatus.REFUSING,
    OutgoingStatus.REPLYING,
    OutgoingStatus.REPLIED,
)
_NEVER = Q(pk__in=[])


def stuck_cutoff(now: datetime) -> datetime:
    """The moment :data:`STUCK_AFTER_WORKING_DAYS` working days before ``now``, at the same time of day.

    An open transfer whose last movement is before it is stuck. Two calendar queries.
    """
    today = timezone.localdate(now)
    # Long enough to hold the working days even across the Spring Festival's nine days off.
    start = today - timedelta(days=STUCK_AFTER_WORKING_DAYS * 7 // 5 + 21)
    working = working_days_between(start, today - timedelta(days=1))
    if working < STUCK_AFTER_WORKING_DAYS:
        day = today - timedelta(days=STUCK_AFTER_WORKING_DAYS)
    else:
        day = add_working_days(start, working - STUCK_AFTER_WORKING_DAYS + 1)
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(day, local.time().replace(tzinfo=None)))


def _state_filters(direction: str, cutoff: datetime) -> dict[str, Q]:
    if direction == INCOMING:
        open_statuses, negotiating = OPEN_INCOMING_STATUSES, Q(status=IncomingStatus.NEGOTIATING)
        failed, refused = Q(status=IncomingStatus.FAILED), Q(status=IncomingStatus.REFUSED)
        finished = Q(status__in=(IncomingStatus.COMPLETED, IncomingStatus.CANCELLED))
    else:
        # Only a transfer in negotiates: the sending centre (here, us) answers or refuses.
        open_statuses, negotiating = OPEN_OUTGOING_STATUSES, _NEVER
        failed, refused = Q(status=OutgoingStatus.FAILED), Q(status=OutgoingStatus.REFUSED)
        finished = Q(status=OutgoingStatus.CLOSED)
    stuck = Q(status__in=open_statuses, updated_at__lt=cutoff)
    return {
        ATTENTION: negotiating | failed | refused | stuck,
        NEGOTIATING: negotiating,
        FAILED: failed,
        REFUSED: refused,
        STUCK: stuck,
        OPEN: Q(status__in=open_statuses),
        FINISHED: finished,
        ALL: Q(),
    }


def _model(direction: str):
    return IncomingTransfer if direction == INCOMING else OutgoingTransfer


def _started(direction: str) -> str:
    return "created_at" if direction == INCOMING else "received_at"


def transfer_counts_query(*, direction: str | None, cutoff: datetime) -> dict[str, int]:
    """How many transfers are in each state (``STATES``), of one direction or both: a query each."""
    counts = dict.fromkeys(STATES, 0)
    for each in _directions(direction):
        filters = _state_filters(each, cutoff)
        found = _model(each).objects.aggregate(
            **{state: Count("pk", filter=q) if q else Count("pk") for state, q in filters.items()}
        )
        for state in STATES:
            counts[state] += found[state] or 0
    return counts


def _directions(direction: str | None) -> tuple[str, ...]:
    return (direction,) if direction in DIRECTIONS else DIRECTIONS


def staff_transfers_query(*, direction: str | None, state: str, cutoff: datetime) -> QuerySet:
    """One row per transfer, as ``(direction, id, started_at, moved_at)``, the latest movement first.

    Both directions are a UNION of the two tables, so the page can count and slice them as one
    list; :func:`transfers_by_key` then loads a page's rows with their person in one query per
    direction.
    """
    parts = []
    for each in _directions(direction):
        filters = _state_filters(each, cutoff)
        parts.append(
            _model(each)
            .objects.filter(filters.get(state, filters[ATTENTION]))
            .annotate(
                row_direction=Value(each, output_field=CharField()),
                row_id=F("pk"),
                started_at=F(_started(each)),
                moved_at=F("updated_at"),
            )
            .values_list("row_direction", "row_id", "started_at", "moved_at")
        )
    rows = parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)
    return rows.order_by("-moved_at", "-row_id")


def transfers_by_key(keys) -> dict[tuple[str, int], IncomingTransfer | OutgoingTransfer]:
    """The transfers behind ``(direction, id)`` keys, with their person: one query per direction."""
    found = {}
    for each in DIRECTIONS:
        ids = [pk for key_direction, pk in keys if key_direction == each]
        if ids:
            for transfer in _model(each).objects.select_related("person").filter(pk__in=ids):
                found[(each, transfer.pk)] = transfer
    return found


def incoming_transfer_query(*, transfer_id: int) -> IncomingTransfer:
    return IncomingTransfer.objects.select_related("person", "account").get(pk=transfer_id)


def outgoing_transfer_query(*, transfer_id: int) -> OutgoingTransfer:
    return OutgoingTransfer.objects.select_related("person", "account").get(pk=transfer_id)


def outgoing_entries_query(transfer: OutgoingTransfer) -> list[JournalEntry]:
    """Every ledger entry of a transfer out, by its idempotency keys: interest, out, settled, reversed."""
    ref = transfer.platform_ref
    keys = [f"transfer-out-interest:{ref}", f"transfer-out:{ref}", f"transfer-out-settle:{ref}"]
    keys.append(f"transfer-out-reverse:{ref}")
    return list(JournalEntry.objects.filter(idempotency_key__in=keys).order_by("posted_at", "pk"))


@dataclass(frozen=True)
class TrailEvent:
    occurred_at: datetime
    actor: str
    action: str
    summary: str
    data: dict = field(default_factory=dict)


def transfer_trail_query(transfer: IncomingTransfer | OutgoingTransfer) -> list[TrailEvent]:
    """The transfer's audit events, oldest first, in one query (the content type by name, joined)."""
    meta = transfer._meta
    events = (
        AuditEvent.objects.filter(
            target_type__app_label=meta.app_label,
            target_type__model=meta.model_name,
            target_id=str(transfer.pk),
        )
        .order_by("sequence")
        .values_list("occurred_at", "actor_label", "action", "summary", "data")
    )
    return [
        TrailEvent(occurred_at=at, actor=actor, action=action, summary=summary, data=data or {})
        for at, actor, action, summary, data in events
    ]
