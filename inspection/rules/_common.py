"""What the rules share: their thresholds from settings, the local day, and reading an event."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from audit.models import AuditEvent


def threshold(name: str, default):
    """``settings.INSPECTION_<name>`` when set, else ``default``: each rule's tunable number."""
    return getattr(settings, f"INSPECTION_{name}", default)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start of ``day`` and of the next day, both in the portal's time zone."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def events_of_day(day: date, actions):
    """The day's events with one of ``actions``, in chain order."""
    start, end = day_bounds(day)
    return AuditEvent.objects.filter(
        occurred_at__gte=start, occurred_at__lt=end, action__in=list(actions)
    ).order_by("sequence")


def target_pk(event: AuditEvent, model) -> int | None:
    """The primary key of the event's target when it is a ``model`` row, else None."""
    if event.target_type_id is None or not event.target_id:
        return None
    if event.target_type_id != ContentType.objects.get_for_model(model, for_concrete_model=False).pk:
        return None
    try:
        return int(event.target_id)
    except ValueError:
        return None


def has_event_field(name: str) -> bool:
    """Whether the audit trail stores ``name`` (``channel``, ``source_ip``) on each event."""
    return any(field.name == name for field in AuditEvent._meta.get_fields())


def channel_of(event: AuditEvent) -> str:
    """The channel the event came through; the action's app (``hotline``…) when none is stored."""
    if has_event_field("channel"):
        return event.channel
    return event.action.partition(".")[0]


def mask_reference(value: str) -> str:
    """A property certificate or house number with its middle hidden, as an ID number is."""
    text = (value or "").strip()
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]}{'*' * (len(text) - 8)}{text[-4:]}"
