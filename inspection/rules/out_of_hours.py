"""A member of staff changing many things outside working hours (network, high).

Staff do decide a case at 19:00 now and then; dozens of changes in one hour at night or on a
holiday look like a script, a borrowed login or work nobody is meant to see. Working days are
the centre's calendar (``core.calendar``: holidays off, 调休 weekend days on); working hours are
``INSPECTION_WORKING_HOURS`` (default 08:00–18:00, wider than the counters' hours so that
ordinary overtime stays quiet). Reading (opening a document, downloading a statement) does not
count: the rule is about changes.
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

#: What staff change, as the services record it; the nightly sweep looks at every action anyway.
STAFF_CHANGES = frozenset(
    {
        "approvals.case_claim",
        "approvals.case_release",
        "approvals.case_approve",
        "approvals.case_reject",
        "loans.approval_approve",
        "loans.approval_return",
        "loans.approval_reject",
        "loans.delegation_created",
        "loans.delegation_revoked",
        "loans.disbursement_sent",
        "loans.repriced",
        "loans.collection_mode_changed",
        "accounts.person_registered",
        "accounts.bank_card_set",
        "accounts.account_opened",
        "accounts.account_sealed",
        "accounts.account_unsealed",
        "accounts.account_moved",
        "accounts.account_closed",
        "accounts.account_reopened",
        "accounts.base_changed",
        "accounts.employer_rates_changed",
        "accounts.credit_code_confirmed",
        "accounts.withdrawals_locked",
        "accounts.operator_created",
        "accounts.employee_login_created",
        "catalogue.item_added",
        "catalogue.item_changed",
        "catalogue.item_published",
        "catalogue.item_withdrawn",
        "appointments.rota_planned",
        "payouts.requeued",
        "withdrawals.withdrawal_held",
        "ledger.reverse_entry",
        "transfers.accounts_merged",
        "audit.seal",
        "audit.seal_revoked",
    }
)
#: Reads, never counted as changes by the sweep.
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
    actions = STAFF_CHANGES

    def title(self) -> str:
        return _("Staff acting in bulk outside working hours")

    def on_event(self, event: AuditEvent) -> list[Finding]:
        actor = event.actor
        working_days: dict[date, bool] = {}
        if actor is None or not actor.is_staff or not _outside_hours(event.occurred_at, working_days):
            return []
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
