"""The night's work: every rule's sweep of a day, then that day's audit report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from inspection.engine import InspectionRun, inspect_events, sweep_day
from inspection.models import AuditReport
from inspection.report import build_daily_report


@dataclass(frozen=True)
class SweepResult:
    realtime: InspectionRun
    sweep: InspectionRun
    report: AuditReport


def run_audit_sweep(*, day: date) -> SweepResult:
    """Catch up the real-time pass, sweep ``day`` with every rule, and build ``day``'s report."""
    realtime = inspect_events()
    swept = sweep_day(day=day)
    return SweepResult(realtime=realtime, sweep=swept, report=build_daily_report(day=day))
