"""Running the audit rules: over each audit event as it commits, and over a whole day at night.

Real time: ``audit.listeners`` announces each committed transaction that wrote events; the
listener queues ``inspection.tasks.inspect_events``, which calls :func:`inspect_events`. That
looks at the events past the cursor in batches, each batch in one transaction holding the
cursor's row lock, so two workers never look at the same events and the cursor moves with the
alerts it raised. A rule that raises is logged and skipped: one broken rule must not blind the
others or stop the cursor. Events are first read as (sequence, action) only; the full rows are
loaded just for the events some rule reacts to, so a 30,000-row list post costs little when few
rules watch its actions. A rule may also offer ``on_events(events) -> [(sequence, finding), …]``
to look at a whole batch's events at once (one query for 500 events instead of 500); the engine
prefers it and falls back to ``on_event`` one event at a time if it raises.

Findings become alerts through :func:`record_finding`: at most one live alert per (rule,
subject); a repeat adds a hit, refreshes ``last_seen_at``, raises the severity if higher and
keeps a bounded list of evidence (the first and the latest findings).
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.roles import STAFF_AUDITOR
from audit.models import AuditEvent
from audit.services import record_event, require_transaction
from inspection.models import (
    LIVE_STATUSES,
    SEVERITY_RANK,
    Alert,
    AlertStatus,
    InspectionCursor,
)
from inspection.registry import Matcher, active_rules
from inspection.rules.base import AuditRule, Finding

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
#: Evidence kept per alert: the first finding and the latest ones, so an alert hit 10,000 times
#: stays a small row.
EVIDENCE_KEPT = 20
SYSTEM = "system:inspection"
_CURSOR_PK = 1


@dataclass(frozen=True)
class InspectionRun:
    """What one call of :func:`inspect_events` did."""

    events: int
    findings: int
    failures: int
    last_sequence: int


def inspect_events(*, batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> InspectionRun:
    """Run the rules on every event past the cursor, batch after batch until none is left."""
    rules = active_rules()
    matcher = Matcher(rules)
    events = findings = failures = batches = 0
    last = None
    while max_batches is None or batches < max_batches:
        batch = _inspect_batch(matcher, batch_size=batch_size)
        batches += 1
        events += batch.events
        findings += batch.findings
        failures += batch.failures
        last = batch.last_sequence
        if batch.events < batch_size:
            break
    return InspectionRun(events=events, findings=findings, failures=failures, last_sequence=last or 0)


def _inspect_batch(matcher: Matcher, *, batch_size: int) -> InspectionRun:
    with transaction.atomic(durable=True):
        cursor = _locked_cursor()
        heads = list(
            AuditEvent.objects.filter(sequence__gt=cursor.last_sequence)
            .order_by("sequence")
            .values_list("sequence", "action")[:batch_size]
        )
        if not heads:
            return InspectionRun(events=0, findings=0, failures=0, last_sequence=cursor.last_sequence)
        wanted = [sequence for sequence, action in heads if matcher and matcher.rules_for(action)]
        findings = failures = 0
        if wanted:
            loaded = AuditEvent.objects.in_bulk(wanted, field_name="sequence")
            for rule, events in _by_rule(matcher, [loaded[sequence] for sequence in wanted]):
                raised, failed = _run_rule_on(rule, events)
                findings += raised
                failures += failed
        cursor.last_sequence = heads[-1][0]
        cursor.updated_at = timezone.now()
        cursor.save(update_fields=["last_sequence", "updated_at"])
    return InspectionRun(events=len(heads), findings=findings, failures=failures, last_sequence=heads[-1][0])


def _locked_cursor() -> InspectionCursor:
    # Held until commit: a second worker waits here, then reads the moved cursor.
    cursor = InspectionCursor.objects.select_for_update().filter(pk=_CURSOR_PK).first()
    if cursor is None:
        # Migration 0001 creates the row; a flushed test database may not have it. Two workers
        # creating it at once: the second's insert fails on the key and it locks the first's row.
        with suppress(IntegrityError), transaction.atomic():
            InspectionCursor.objects.create(pk=_CURSOR_PK)
        cursor = InspectionCursor.objects.select_for_update().get(pk=_CURSOR_PK)
    return cursor


def _by_rule(matcher: Matcher, events: list[AuditEvent]) -> list[tuple[AuditRule, list[AuditEvent]]]:
    """Each rule with the batch's events it watches, in sequence order."""
    grouped: dict[int, tuple[AuditRule, list[AuditEvent]]] = {}
    for event in events:
        for rule in matcher.rules_for(event.action):
            grouped.setdefault(id(rule), (rule, []))[1].append(event)
    return list(grouped.values())


def _run_rule_on(rule: AuditRule, events: list[AuditEvent]) -> tuple[int, int]:
    """A rule with ``on_events`` sees the batch's events at once; if that fails, or it has none,
    each event is given to ``on_event`` in turn."""
    on_events = getattr(rule, "on_events", None)
    if on_events is not None:
        try:
            with transaction.atomic():
                pairs = on_events(events)
                for sequence, finding in pairs:
                    record_finding(rule=rule, finding=finding, sequence=sequence)
            return len(pairs), 0
        except Exception:  # the batch at once failed: one event at a time finds the culprit
            logger.exception(
                "audit rule %s failed on events #%s-#%s; trying them one by one",
                getattr(rule, "code", rule),
                events[0].sequence,
                events[-1].sequence,
            )
    findings = failures = 0
    for event in events:
        raised, failed = _run_rule(rule, event)
        findings += raised
        failures += failed
    return findings, failures


def _run_rule(rule: AuditRule, event: AuditEvent) -> tuple[int, int]:
    """Findings recorded and failures (0 or 1); a savepoint undoes a failing rule's half-work."""
    try:
        with transaction.atomic():
            findings = rule.on_event(event)
            for finding in findings:
                record_finding(rule=rule, finding=finding, sequence=event.sequence)
        return len(findings), 0
    except Exception:  # a broken rule is skipped and logged; the others and the cursor go on
        logger.exception("audit rule %s failed on event #%s", getattr(rule, "code", rule), event.sequence)
        return 0, 1


def sweep_day(*, day: date) -> InspectionRun:
    """Run every rule's ``sweep(day=)``; each rule in its own transaction, a failing one skipped."""
    findings = failures = 0
    for rule in active_rules():
        try:
            with transaction.atomic(durable=True):
                found = rule.sweep(day=day)
                for finding in found:
                    record_finding(rule=rule, finding=finding, sequence=None)
            findings += len(found)
        except Exception:  # as in real time: one broken rule must not stop the night's others
            logger.exception("audit rule %s failed sweeping %s", getattr(rule, "code", rule), day)
            failures += 1
    return InspectionRun(events=0, findings=findings, failures=failures, last_sequence=0)


def record_finding(*, rule: AuditRule, finding: Finding, sequence: int | None) -> Alert:
    """Turn ``finding`` into a new alert or a hit on the live one; in the caller's transaction."""
    require_transaction("record_finding")
    now = timezone.now()
    sequences = _sequences_of(finding, sequence)
    entry = {"seen_at": now.isoformat(), "sequence": sequence, **finding.evidence}
    alert = _live_alert(rule=finding.rule or rule.code, subject=finding.subject)
    if alert is None:
        try:
            with transaction.atomic():
                alert = _new_alert(rule=rule, finding=finding, sequences=sequences, entry=entry, now=now)
            return alert
        except IntegrityError:
            # Another transaction raised the same (rule, subject) since we looked: join it.
            alert = _live_alert(rule=finding.rule or rule.code, subject=finding.subject)
            if alert is None:
                raise
    _merge(alert, finding=finding, sequences=sequences, entry=entry, now=now)
    return alert


def _live_alert(*, rule: str, subject: str) -> Alert | None:
    # Locked: two findings for one alert add their hits one after the other.
    return (
        Alert.objects.select_for_update()
        .filter(rule=rule, subject=subject[:200], status__in=LIVE_STATUSES)
        .first()
    )


def _sequences_of(finding: Finding, sequence: int | None) -> list[int]:
    found = [sequence] if sequence is not None else []
    extra = finding.evidence.get("sequences") if isinstance(finding.evidence, dict) else None
    if isinstance(extra, list | tuple):
        found.extend(int(value) for value in extra if isinstance(value, int))
    return found


def _new_alert(*, rule: AuditRule, finding: Finding, sequences: list[int], entry: dict, now) -> Alert:
    alert = Alert.objects.create(
        rule=(finding.rule or rule.code)[:64],
        family=rule.family,
        severity=finding.severity or rule.severity,
        subject=finding.subject[:200],
        title=finding.title[:300],
        evidence=[entry],
        status=AlertStatus.OPEN,
        owner=next_owner(),
        raised_at=now,
        last_seen_at=now,
        hits=1,
        first_sequence=min(sequences) if sequences else None,
        last_sequence=max(sequences) if sequences else None,
    )
    record_event(
        actor=None,
        actor_label=SYSTEM,
        action="inspection.alert_raised",
        target=alert,
        summary=f"稽核预警 {alert.rule} ({alert.severity}): {alert.title}",
        data={
            "rule": alert.rule,
            "severity": alert.severity,
            "subject": alert.subject,
            "owner": alert.owner_id,
            "sequence": entry["sequence"],
        },
    )
    return alert


def _merge(alert: Alert, *, finding: Finding, sequences: list[int], entry: dict, now) -> None:
    evidence = list(alert.evidence or [])
    evidence.append(entry)
    if len(evidence) > EVIDENCE_KEPT:
        evidence = [evidence[0], *evidence[-(EVIDENCE_KEPT - 1) :]]
    alert.evidence = evidence
    alert.hits += 1
    alert.last_seen_at = now
    alert.title = finding.title[:300] or alert.title
    if SEVERITY_RANK.get(finding.severity, -1) > SEVERITY_RANK.get(alert.severity, -1):
        alert.severity = finding.severity
    if sequences:
        alert.first_sequence = min([*sequences, *([alert.first_sequence] if alert.first_sequence else [])])
        alert.last_sequence = max([*sequences, *([alert.last_sequence] if alert.last_sequence else [])])
    alert.save(
        update_fields=[
            "evidence",
            "hits",
            "last_seen_at",
            "title",
            "severity",
            "first_sequence",
            "last_sequence",
        ]
    )


def next_owner():
    """The active auditor with the fewest live alerts (ties: the lowest id), or None if there is none."""
    auditors = list(
        get_user_model().objects.filter(is_active=True, groups__name=STAFF_AUDITOR).distinct().order_by("pk")
    )
    if not auditors:
        return None
    load = dict(
        Alert.objects.filter(status__in=LIVE_STATUSES, owner__in=auditors)
        .values("owner_id")
        .annotate(live=Count("pk"))
        .values_list("owner_id", "live")
    )
    return min(auditors, key=lambda user: (load.get(user.pk, 0), user.pk))
