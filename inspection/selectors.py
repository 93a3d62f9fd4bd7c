"""Reading for the electronic audit: alert lists and counts, and the daily report's figures.

The figures are plain JSON-ready dicts of integers (money in fen) so the report stored for a day
shows what was true that night, whatever changes later.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from approvals.models import DecisionPurpose, DecisionRecord, Outcome
from audit.models import AuditEvent
from core.calendar import is_working_day
from inspection.models import Alert, AlertAction, AlertActionKind, AlertStatus, AuditReport
from ledger.models import AccountKind, BusinessType, JournalEntry, JournalLine, LedgerAccount
from payouts.models import Payout, PayoutStatus

DEPOSIT_TYPES = (BusinessType.MONTHLY_DEPOSIT, BusinessType.BACK_PAYMENT)
LOGIN_ACTIONS_PREFIXES = ("signin.", "accounts.login")


# --- alerts -------------------------------------------------------------------------------------


def alerts_query(*, status: str = "", severity: str = "", family: str = "", rule: str = "", owner: str = ""):
    """Alerts, newest first, filtered; ``status`` "live" means open or acknowledged."""
    query = Alert.objects.select_related("owner")
    if status == "live":
        query = query.exclude(status=AlertStatus.CLOSED)
    elif status:
        query = query.filter(status=status)
    if severity:
        query = query.filter(severity=severity)
    if family:
        query = query.filter(family=family)
    if rule:
        query = query.filter(rule=rule)
    if owner == "none":
        query = query.filter(owner__isnull=True)
    elif owner.isdigit():
        query = query.filter(owner_id=int(owner))
    return query.order_by("-raised_at", "-pk")


def alert_counts() -> dict[str, dict[str, int]]:
    """Alerts by status; and live ones by severity and by family."""
    by_status = dict(Alert.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    live = Alert.objects.exclude(status=AlertStatus.CLOSED)
    by_severity = dict(live.values_list("severity").annotate(n=Count("pk")).values_list("severity", "n"))
    by_family = dict(live.values_list("family").annotate(n=Count("pk")).values_list("family", "n"))
    return {"status": by_status, "severity": by_severity, "family": by_family}


def alert_of(pk: int) -> Alert | None:
    return Alert.objects.select_related("owner", "closed_by").filter(pk=pk).first()


def alert_history(alert: Alert) -> list[AlertAction]:
    return list(alert.actions.select_related("actor", "assignee").order_by("at", "pk"))


def alert_sequences(alert: Alert) -> list[int]:
    """The audit sequences an alert's evidence names, in order."""
    found: set[int] = set()
    for value in (alert.first_sequence, alert.last_sequence):
        if value:
            found.add(value)
    for entry in alert.evidence or []:
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("sequence"), int):
            found.add(entry["sequence"])
        for value in entry.get("sequences") or []:
            if isinstance(value, int):
                found.add(value)
    return sorted(found)


def alert_events(alert: Alert, *, limit: int = 50) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(sequence__in=alert_sequences(alert)[:limit]).order_by("sequence"))


def reports_query():
    return AuditReport.objects.order_by("-day")


def report_of(day: date) -> AuditReport | None:
    return AuditReport.objects.filter(day=day).first()


# --- the daily report's figures --------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day as an aware [start, end) range."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)


def daily_figures(*, day: date) -> dict:
    """Everything the daily audit report shows for ``day``."""
    return {
        "day": day.isoformat(),
        "finance": finance_figures(day=day),
        "network": network_figures(day=day),
        "approval": approval_figures(day=day),
        "alerts": alert_figures(day=day),
    }


def finance_figures(*, day: date) -> dict:
    start, end = day_bounds(day)
    totals = JournalLine.objects.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    of_day = JournalLine.objects.filter(entry__posted_at__gte=start, entry__posted_at__lt=end).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    fund_cached = (
        LedgerAccount.objects.filter(kind=AccountKind.FUND).aggregate(total=Sum("balance"))["total"] or 0
    )
    fund_lines = JournalLine.objects.filter(account__kind=AccountKind.FUND).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    # Fund accounts are liabilities of the centre: their balance is credits less debits.
    fund_journal = (fund_lines["credit"] or 0) - (fund_lines["debit"] or 0)
    deposits = JournalEntry.objects.filter(
        business_type__in=DEPOSIT_TYPES, posted_at__gte=start, posted_at__lt=end
    ).aggregate(count=Count("pk"), amount=Sum("amount"))
    debit_total, credit_total = totals["debit"] or 0, totals["credit"] or 0
    return {
        "debit_total": debit_total,
        "credit_total": credit_total,
        "balanced": debit_total == credit_total,
        "day_debit": of_day["debit"] or 0,
        "day_credit": of_day["credit"] or 0,
        "fund_balance_cached": fund_cached,
        "fund_balance_journal": fund_journal,
        "fund_balances_agree": fund_cached == fund_journal,
        "deposits_posted": deposits["count"] or 0,
        "deposits_amount": deposits["amount"] or 0,
        "payouts": payout_figures(start=start, end=end),
    }


def payout_figures(*, start: datetime, end: datetime) -> dict:
    def counted(query) -> dict:
        row = query.aggregate(count=Count("pk"), amount=Sum("amount"))
        return {"count": row["count"] or 0, "amount": row["amount"] or 0}

    return {
        "created": counted(Payout.objects.filter(created_at__gte=start, created_at__lt=end)),
        "sent": counted(Payout.objects.filter(sent_at__gte=start, sent_at__lt=end)),
        "paid": counted(
            Payout.objects.filter(status=PayoutStatus.PAID, settled_at__gte=start, settled_at__lt=end)
        ),
        "failed": counted(
            Payout.objects.filter(status=PayoutStatus.FAILED, settled_at__gte=start, settled_at__lt=end)
        ),
    }


def network_figures(*, day: date) -> dict:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    start, end = day_bounds(day)
    in_day = {"attempt_time__gte": start, "attempt_time__lt": end}
    events = AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    has_channel = any(field.name == "channel" for field in AuditEvent._meta.get_fields())
    by_channel: dict[str, int] = {}
    api_events = api_actors = 0
    if has_channel:
        by_channel = {
            (channel or "unknown"): n
            for channel, n in events.values_list("channel")
            .annotate(n=Count("pk"))
            .values_list("channel", "n")
        }
        api = events.filter(channel="api")
        api_events = by_channel.get("api", 0)
        api_actors = api.exclude(actor__isnull=True).values("actor").distinct().count()
    privacy = dict(
        events.filter(action__startswith="privacy.")
        .values_list("action")
        .annotate(n=Count("pk"))
        .values_list("action", "n")
    )
    failures = AccessFailureLog.objects.filter(**in_day)
    return {
        "logins": AccessLog.objects.filter(**in_day).count(),
        "failed_logins": failures.count()
        or (AccessAttempt.objects.filter(**in_day).aggregate(n=Sum("failures_since_start"))["n"] or 0),
        "lockouts": failures.filter(locked_out=True).count(),
        "events": events.count(),
        "events_by_channel": dict(sorted(by_channel.items())),
        "api_events": api_events,
        "api_users": api_actors,
        "unmask_accesses": sum(privacy.values()),
        "privacy_by_action": dict(sorted(privacy.items())),
    }


def approval_figures(*, day: date) -> dict:
    start, end = day_bounds(day)
    decisions = DecisionRecord.objects.filter(decided_at__gte=start, decided_at__lt=end)
    automatic = Counter(
        dict(
            decisions.filter(purpose=DecisionPurpose.APPLICATION, decided_by__isnull=True)
            .values_list("outcome")
            .annotate(n=Count("pk"))
            .values_list("outcome", "n")
        )
    )
    staff = list(
        decisions.filter(decided_by__isnull=False).values(
            "pk", "outcome", "decided_at", "application_id", "decided_by_id"
        )
    )
    outside = sum(1 for row in staff if outside_working_hours(row["decided_at"]))
    return {
        "auto_approved": automatic.get(Outcome.APPROVE, 0),
        "referred": automatic.get(Outcome.REFER, 0),
        "auto_rejected": automatic.get(Outcome.REJECT, 0),
        "staff_decisions": len(staff),
        "staff_approved": sum(1 for row in staff if row["outcome"] == Outcome.APPROVE),
        "staff_rejected": sum(1 for row in staff if row["outcome"] == Outcome.REJECT),
        "staff_deciders": len({row["decided_by_id"] for row in staff}),
        "outside_working_hours": outside,
        "overrides": _overrides(staff),
    }


def outside_working_hours(moment: datetime) -> bool:
    """Outside the centre's office hours, or on a day that is not a working day."""
    local = timezone.localtime(moment)
    opens, closes = (time.fromisoformat(value) for value in settings.INSPECTION_WORKING_HOURS)
    return not is_working_day(local.date()) or not (opens <= local.time() < closes)


def _overrides(staff: list[dict]) -> int:
    """Staff approvals of an application whose automatic decision had a rule that failed."""
    approved = [
        row["application_id"] for row in staff if row["outcome"] == Outcome.APPROVE and row["application_id"]
    ]
    if not approved:
        return 0
    failed = set()
    for application_id, results in DecisionRecord.objects.filter(
        application_id__in=approved, purpose=DecisionPurpose.APPLICATION
    ).values_list("application_id", "results"):
        if any(isinstance(result, dict) and result.get("status") == "FAIL" for result in results or []):
            failed.add(application_id)
    return sum(1 for application_id in approved if application_id in failed)


def alert_figures(*, day: date) -> dict:
    """Alerts raised, acknowledged and closed during ``day``, by rule and by severity."""
    start, end = day_bounds(day)
    raised = Alert.objects.filter(raised_at__gte=start, raised_at__lt=end)
    actions = AlertAction.objects.filter(at__gte=start, at__lt=end)

    def grouped(query, field: str) -> dict[str, int]:
        return dict(sorted(query.values_list(field).annotate(n=Count("pk")).values_list(field, "n")))

    acknowledged = actions.filter(action=AlertActionKind.ACKNOWLEDGE)
    closed = actions.filter(action=AlertActionKind.CLOSE)
    return {
        "raised": raised.count(),
        "acknowledged": acknowledged.count(),
        "closed": closed.count(),
        "raised_by_rule": grouped(raised, "rule"),
        "raised_by_severity": grouped(raised, "severity"),
        "acknowledged_by_rule": grouped(acknowledged, "alert__rule"),
        "closed_by_rule": grouped(closed, "alert__rule"),
        "closed_by_severity": grouped(closed, "alert__severity"),
        "live_at_end": Alert.objects.filter(raised_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .count(),
    }
