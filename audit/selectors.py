"""Reading the audit log: the staff search (newest first, a page at a time) and one event's links.

The log holds millions of rows, so nothing here counts it: a page is the ``limit`` events just
before (or after) a sequence, found along the unique sequence index or the composite indexes
ending in the sequence (target, actor), never with an OFFSET or a COUNT(*).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.chain import GENESIS_HASH
from audit.models import AuditEvent
from audit.services import compute_hash

CHANNELS = ("web", "api", "sms", "ivr", "admin", "system")


@dataclass(frozen=True)
class AuditSearch:
    """What the staff search filters by; empty fields do not filter."""

    text: str = ""
    actor: str = ""
    action: str = ""
    target_type: str = ""  # "app_label.model"
    target_id: str = ""
    channel: str = ""
    source_ip: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_data(self) -> dict:
        """The non-empty filters as JSON-ready values (for the export's own audit event)."""
        return {key: str(value) for key, value in asdict(self).items() if value}


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    newer: int | None  # pass as ``after`` for the page of newer events, if there is one
    older: int | None  # pass as ``before`` for the page of older events, if there is one


@dataclass(frozen=True)
class EventCheck:
    """One event's place in the chain, as its detail page shows it."""

    hash_valid: bool
    link_valid: bool
    previous: int | None
    next: int | None


def audit_events_query(search: AuditSearch) -> QuerySet[AuditEvent]:
    """Every event matching ``search``, unordered (the caller orders by sequence)."""
    query = AuditEvent.objects.select_related("actor")
    if search.text:
        text = search.text
        query = query.filter(
            Q(action__icontains=text) | Q(summary__icontains=text) | Q(target_repr__icontains=text)
        )
    if search.actor:
        query = query.filter(actor_label=search.actor)
    if search.action:
        query = query.filter(action__startswith=search.action)
    if search.target_type:
        content_type = _content_type(search.target_type)
        query = query.filter(target_type=content_type) if content_type else query.none()
    if search.target_id:
        query = query.filter(target_id=search.target_id)
    if search.channel:
        query = query.filter(channel=search.channel)
    if search.source_ip:
        query = query.filter(source_ip=search.source_ip)
    if search.date_from:
        query = query.filter(occurred_at__gte=_start_of(search.date_from))
    if search.date_to:
        query = query.filter(occurred_at__lt=_start_of(search.date_to + timedelta(days=1)))
    return query


def audit_page_query(
    search: AuditSearch, *, before: int | None = None, after: int | None = None, limit: int = 50
) -> AuditPage:
    """One page, newest first: the ``limit`` events older than ``before``, or newer than ``after``,
    or the newest ones."""
    query = audit_events_query(search)
    if after is not None:
        # Newer events, taken oldest first from ``after`` then shown newest first.
        rows = list(query.filter(sequence__gt=after).order_by("sequence")[: limit + 1])
        more_newer = len(rows) > limit
        events = list(reversed(rows[:limit]))
        newer = events[0].sequence if more_newer and events else None
        older = events[-1].sequence if events else after + 1
        return AuditPage(events=events, newer=newer, older=older)
    if before is not None:
        query = query.filter(sequence__lt=before)
    rows = list(query.order_by("-sequence")[: limit + 1])
    events = rows[:limit]
    older = events[-1].sequence if len(rows) > limit else None
    newer = events[0].sequence if before is not None and events else None
    if before is not None and not events:
        newer = before - 1
    return AuditPage(events=events, newer=newer, older=older)


def audit_export_query(search: AuditSearch, *, limit: int) -> list[AuditEvent]:
    return list(audit_events_query(search).order_by("-sequence")[:limit])


def audit_event_query(*, sequence: int) -> AuditEvent:
    """The event with this sequence (``AuditEvent.DoesNotExist`` if none)."""
    return AuditEvent.objects.select_related("actor").get(sequence=sequence)


def event_check_query(event: AuditEvent) -> EventCheck:
    """Whether ``event``'s hash recomputes and links to its predecessor, and its neighbours."""
    previous = AuditEvent.objects.filter(sequence__lt=event.sequence).order_by("-sequence").first()
    later = AuditEvent.objects.filter(sequence__gt=event.sequence).order_by("sequence")
    following = later.values_list("sequence", flat=True).first()
    if previous is None:
        link_valid = event.sequence == 1 and event.prev_hash == GENESIS_HASH
    else:
        link_valid = previous.sequence == event.sequence - 1 and event.prev_hash == previous.hash
    return EventCheck(
        hash_valid=compute_hash(event) == event.hash,
        link_valid=link_valid,
        previous=previous.sequence if previous is not None else None,
        next=following,
    )


def target_types_query() -> list[tuple[str, str]]:
    """(``app_label.model``, readable name) of the models events may name, for the filter."""
    types = ContentType.objects.exclude(app_label__in=("admin", "contenttypes", "sessions")).order_by(
        "app_label", "model"
    )
    return [(f"{each.app_label}.{each.model}", f"{each.app_label} · {each.name}") for each in types]


def _content_type(name: str) -> ContentType | None:
    app_label, _, model = name.partition(".")
    return ContentType.objects.filter(app_label=app_label, model=model).first()


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
