"""A member of staff changing many things outside working hours (network, high).

Staff do decide a case at 19:00 now and then; dozens of changes in one hour at night or on a
holiday look like a script, a borrowed login or work nobody is meant to see. Working days are
the centre's calendar (``core.calendar``: holidays off, 调休 weekend days on); working hours are
``INSPECTION_WORKING_HOURS`` (default 08:00–18:00, wider than the counters' hours so that
ordinary overtime stays quiet). Reading (opening a document, downloading a statement) does not
count: the rule is about changes.

The rule hears every action and answers most at once: a process's event, a read, an event in
working hours, a citizen's (whether an actor is staff is asked once per actor and engine run).
Only a member of staff's change at night costs a query: their changes in the hour before.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from core.calendar import is_working_day
from inspection.rules._common import day_bounds, threshold
from inspection.rules.base import HIGH, NETWORK, Finding

#: Every action: whatever a member of staff changes at night counts.
EVERY_ACTION = frozenset({"*"})
#: Working days and staff flags remembered by one instance (one engine run), before it starts afresh.
MEMO_LIMIT = 10_000
#: Reads, never counted as changes.
READ_SUFFIXES = ("_downloaded", "_opened", "_query")


def _working_hours() -> tuple[time, time]:
    start, end = threshold("WORKING_HOURS", ("08:00", "18:00"))
    return time.fromisoformat(start), time.fromisoformat(end)


def _outside_hours(moment: datetime, working_days: dict[date, bool]) -> bool:
    local = timezone.localtime(moment)
    day = local.date()
    if day not in working_days:
        working_days[day] = is_working_day(day)
    start, end = _working_hours()
    return not working_days[day] or not (start <= local.time() < end)


def _is_change(action: str) -> bool:
    return not action.endswith(READ_SUFFIXES)


class StaffOutOfHoursBulk:
    code = "staff_out_of_hours_bulk"
    family = NETWORK
    severity = HIGH
    actions = EVERY_ACTION

    def __init__(self):
        self._working_days: dict[date, bool] = {}
        self._staff: dict[int, bool] = {}

    def title(self) -> str:
        return _("Staff acting in bulk outside working hours")

    def on_event(self, event: AuditEvent) -> list[Finding]:
        # Cheapest first: most events are a process's, or in working hours, or a citizen's.
        if event.actor_id is None or not _is_change(event.action):
            return []
        if len(self._working_days) + len(self._staff) >= MEMO_LIMIT:
            self._working_days.clear()
            self._staff.clear()
        working_days = self._working_days
        if not _outside_hours(event.occurred_at, working_days):
            return []
        if event.actor_id not in self._staff:
            self._staff[event.actor_id] = bool(event.actor.is_staff)
        if not self._staff[event.actor_id]:
            return []
        actor = event.actor
        window = timedelta(minutes=threshold("OUT_OF_HOURS_WINDOW_MINUTES", 60))
        events = list(
            AuditEvent.objects.filter(
                actor=actor, occurred_at__gt=event.occurred_at - window, occurred_at__lte=event.occurred_at
            )
            .order_by("sequence")
            .only("sequence", "occurred_at", "action", "actor_label")
        )
        counted = [e for e in events if _is_change(e.action) and _outside_hours(e.occurred_at, working_days)]
        return self._judge(actor.pk, event.actor_label, counted)

    def sweep(self, *, day: date) -> list[Finding]:
        start, end = day_bounds(day)
        working_days: dict[date, bool] = {}
        by_actor: dict[int, list[AuditEvent]] = {}
        events = (
            AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end, actor__is_staff=True)
            .order_by("sequence")
            .only("sequence", "occurred_at", "action", "actor_id", "actor_label")
        )
        for event in events.iterator(chunk_size=2000):
            if _is_change(event.action) and _outside_hours(event.occurred_at, working_days):
                by_actor.setdefault(event.actor_id, []).append(event)
        window = timedelta(minutes=threshold("OUT_OF_HOURS_WINDOW_MINUTES", 60))
        findings = []
        for actor_id, actor_events in by_actor.items():
            # The busiest window: a sliding hour over the actor's events in time order.
            best, first = [], 0
            for last, event in enumerate(actor_events):
                while actor_events[first].occurred_at <= event.occurred_at - window:
                    first += 1
                if last - first + 1 > len(best):
                    best = actor_events[first : last + 1]
            findings += self._judge(actor_id, actor_events[0].actor_label, best)
        return findings

    def _judge(self, actor_id: int, label: str, events: list[AuditEvent]) -> list[Finding]:
        limit = threshold("OUT_OF_HOURS_MAX_CHANGES", 20)
        if len(events) <= limit:
            return []
        first_at = timezone.localtime(events[0].occurred_at)
        evidence = {
            "staff": label,
            "staff_user": actor_id,
            "changes": len(events),
            "limit": limit,
            "from": first_at.isoformat(),
            "to": timezone.localtime(events[-1].occurred_at).isoformat(),
            "actions": dict(Counter(event.action for event in events).most_common()),
            "first_event": events[0].sequence,
            "last_event": events[-1].sequence,
        }
        title = _("%(staff)s made %(count)s changes within an hour outside working hours") % {
            "staff": label,
            "count": len(events),
        }
        subject = f"staff:{actor_id}:{first_at.date().isoformat()}"
        return [
            Finding(rule=self.code, severity=self.severity, subject=subject, title=title, evidence=evidence)
        ]
