"""Run every audit rule's sweep of one day and build that day's audit report; safe to run again."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.request_context import acting_through
from inspection.sweep import run_audit_sweep


class Command(BaseCommand):
    help = "Sweeps one day with every electronic audit rule and builds its daily audit report."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, help="the day YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, **options):
        day = options["date"] or timezone.localdate() - timedelta(days=1)
        with acting_through("system"):
            result = run_audit_sweep(day=day)
        figures = result.report.figures
        self.stdout.write(f"day: {day.isoformat()}")
        self.stdout.write(f"events inspected in real time: {result.realtime.events}")
        self.stdout.write(f"findings: {result.realtime.findings + result.sweep.findings}")
        self.stdout.write(f"rules failed: {result.realtime.failures + result.sweep.failures}")
        self.stdout.write(f"ledger balanced: {'yes' if figures['finance']['balanced'] else 'NO'}")
        self.stdout.write(f"alerts raised that day: {figures['alerts']['raised']}")
