"""Settle the year's interest on every fund account (DOMAIN.md §5); safe to run again."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.money import format_yuan
from ledger.interest import SETTLEMENT_DAY, SETTLEMENT_MONTH, settle_interest


def _last_30_june(today: date) -> date:
    this_year = date(today.year, SETTLEMENT_MONTH, SETTLEMENT_DAY)
    return this_year if today >= this_year else date(today.year - 1, SETTLEMENT_MONTH, SETTLEMENT_DAY)


class Command(BaseCommand):
    help = "Posts the 30 June interest (type 09) on every fund account; a re-run posts nothing new."

    def add_arguments(self, parser):
        parser.add_argument(
            "--on", type=date.fromisoformat, help="settlement day YYYY-MM-DD (default: the last 30 June)"
        )

    def handle(self, *args, **options):
        on = options["on"] or _last_30_june(timezone.localdate())
        started = time.perf_counter()
        try:
            report = settle_interest(on=on)
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"period: ({report.period_start.isoformat()}, {report.on.isoformat()}] "
            f"rate {report.annual_rate} (policy #{report.rate_version_pk}), "
            f"basis {report.basis} (policy #{report.basis_version_pk})"
        )
        self.stdout.write(f"accounts settled: {report.accounts_settled}")
        self.stdout.write(f"accounts already settled: {report.accounts_already_settled}")
        self.stdout.write(f"accounts skipped (zero interest): {report.accounts_zero}")
        self.stdout.write(f"total interest: {format_yuan(report.interest_fen)} yuan")
        self.stdout.write(
            f"time: {elapsed:.2f} s "
            f"(compute {report.compute_seconds:.2f} s, post {report.post_seconds:.2f} s)"
        )
