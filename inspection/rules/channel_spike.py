"""Unusual spikes by channel or by source address (network, medium).

Each channel (web, api, sms, ivr, admin — ``core.request_context``) has its daily rhythm.
An hour with far more events than the same hour of the previous days (``MULTIPLE`` × their mean,
and above ``FLOOR`` so that a quiet channel's 3 → 20 is not news) suggests a script, scraping or
an attack; so does one source address writing more than ``IP_FLOOR`` events in an hour (a
counter or an office behind one NAT address stays well below it).

The rule hears every action (a burst of failed logins or of look-ups matters whatever its action).
Counting costs a query, so on events the check runs at most once a minute per channel: the first
event of each channel in each minute triggers it (and the address check, for that event's
address). The nightly sweep looks at every hour of the day and at every address. The ``system``
channel (tasks, commands, bank callbacks) is left out by default
(``INSPECTION_CHANNEL_SPIKE_IGNORED``): its volume follows the batches the centre runs — a large
unit's list posting thousands of events at once — not outsiders.
Where events carry no channel (an audit trail written before the field existed) the action's app
stands in for it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from inspection.rules._common import channel_of, day_bounds, has_event_field, threshold
from inspection.rules.base import MEDIUM, NETWORK, Finding

#: Every action: a spike of logins, look-ups or downloads is news whatever the action.
EVERY_ACTION = frozenset({"*"})
#: Remembered (channel, minute) pairs already checked by this instance, before it starts afresh.
MEMO_LIMIT = 10_000
BASELINE_DAYS = 7


def _settings():
    return (
        threshold("CHANNEL_SPIKE_MULTIPLE", 5),
        threshold("CHANNEL_SPIKE_FLOOR", 200),
        threshold("CHANNEL_SPIKE_IP_FLOOR", 300),
    )


def _ignored() -> tuple[str, ...]:
    return tuple(threshold("CHANNEL_SPIKE_IGNORED", ("system",)))


def _in_channel(queryset, channel: str):
    if has_event_field("channel"):
        return queryset.filter(channel=channel)
    return queryset.filter(action__startswith=f"{channel}.")


def _count(channel: str, start: datetime, end: datetime) -> int:
    return _in_channel(
        AuditEvent.objects.filter(occurred_at__gt=start, occurred_at__lte=end), channel
    ).count()


def _hour_key(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H")


class ChannelSpike:
    code = "channel_spike"
    family = NETWORK
    severity = MEDIUM
    actions = EVERY_ACTION

    def __init__(self):
        self._checked: set[tuple[str, str]] = set()

    def title(self) -> str:
        return _("Unusual spike of activity by channel or address")

    def on_event(self, event: AuditEvent) -> list[Finding]:
        channel = channel_of(event)
        if channel in _ignored():
            return []
        minute = event.occurred_at.replace(second=0, microsecond=0)
        # A list post writes thousands of events in one minute: ask the database once for them all.
        seen = (channel, minute.isoformat())
        if seen in self._checked:
            return []
        if len(self._checked) >= MEMO_LIMIT:
            self._checked.clear()
        self._checked.add(seen)
        earlier_this_minute = _in_channel(
            AuditEvent.objects.filter(
                occurred_at__gte=minute, occurred_at__lte=event.occurred_at, sequence__lt=event.sequence
            ),
            channel,
        )
        if earlier_this_minute.exists():
            return []
        findings = self._channel_hour(channel, end=event.occurred_at)
        source_ip = getattr(event, "source_ip", None)
        if source_ip:
            start = event.occurred_at - timedelta(hours=1)
            count = AuditEvent.objects.filter(
                source_ip=source_ip, occurred_at__gt=start, occurred_at__lte=event.occurred_at
            ).count()
            findings += self._ip_finding(source_ip, count, end=event.occurred_at)
        return findings

    def sweep(self, *, day: date) -> list[Finding]:
        start, end = day_bounds(day)
        events = AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        if has_event_field("channel"):
            channels = set(events.values_list("channel", flat=True).distinct())
        else:
            channels = {
                action.partition(".")[0] for action in events.values_list("action", flat=True).distinct()
            }
        findings = []
        for hour in range(24):
            hour_end = start + timedelta(hours=hour + 1)
            for channel in sorted(channels - set(_ignored())):
                findings += self._channel_hour(channel, end=hour_end)
        if has_event_field("source_ip"):
            # Counted by the database, hour by hour in local time: only busy addresses come back.
            busy = (
                events.exclude(source_ip=None)
                .annotate(hour=TruncHour("occurred_at"))
                .values("source_ip", "hour")
                .annotate(count=Count("pk"))
                .filter(count__gt=_settings()[2])
                .order_by("hour", "source_ip")
            )
            for row in busy:
                findings += self._ip_finding(
                    row["source_ip"], row["count"], end=row["hour"] + timedelta(hours=1)
                )
        return findings

    def _channel_hour(self, channel: str, *, end: datetime) -> list[Finding]:
        multiple, floor, _ip_floor = _settings()
        hour = timedelta(hours=1)
        now = _count(channel, end - hour, end)
        if now <= floor:
            return []
        past = [
            _count(channel, end - timedelta(days=d) - hour, end - timedelta(days=d))
            for d in range(1, BASELINE_DAYS + 1)
        ]
        mean = sum(past) / BASELINE_DAYS
        if now <= multiple * mean:
            return []
        evidence = {
            "channel": channel,
            "hour_ending": timezone.localtime(end).isoformat(),
            "events": now,
            "same_hour_previous_days": past,
            "mean": round(mean, 1),
            "multiple": multiple,
            "floor": floor,
        }
        title = _(
            "Channel %(channel)s: %(count)s events in an hour, against %(mean)s on the previous days"
        ) % {
            "channel": channel,
            "count": now,
            "mean": round(mean, 1),
        }
        subject = f"channel:{channel}:{_hour_key(end - timedelta(microseconds=1))}"
        return [
            Finding(rule=self.code, severity=self.severity, subject=subject, title=title, evidence=evidence)
        ]

    def _ip_finding(self, source_ip: str, count: int, *, end: datetime) -> list[Finding]:
        ip_floor = _settings()[2]
        if count <= ip_floor:
            return []
        title = _("Address %(ip)s wrote %(count)s events in an hour") % {"ip": source_ip, "count": count}
        evidence = {
            "source_ip": source_ip,
            "events": count,
            "floor": ip_floor,
            "hour_ending": timezone.localtime(end).isoformat(),
        }
        subject = f"ip:{source_ip}:{timezone.localtime(end).date().isoformat()}"
        return [
            Finding(rule=self.code, severity=self.severity, subject=subject, title=title, evidence=evidence)
        ]
