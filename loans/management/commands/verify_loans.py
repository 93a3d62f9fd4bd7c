"""Check that the loan book agrees with the ledger (loans.verification); exit 0 only if it does."""

from django.core.management.base import BaseCommand, CommandError

from core.db import consistent_snapshot
from loans.verification import verify_loan_book


class Command(BaseCommand):
    help = "Checks lent loans' schedules against their ledger accounts and repayments against postings."

    def handle(self, *args, **options):
        # One snapshot for the schedules and the ledger while collections go on.
        with consistent_snapshot():
            report = verify_loan_book()
        self.stdout.write(f"loan accounts: {report.accounts}")
        self.stdout.write(f"repayments: {report.repayments}")
        if report.intact:
            self.stdout.write(self.style.SUCCESS("loan book agrees with the ledger"))
            return
        for violation in report.violations:
            self.stdout.write(f"  VIOLATION {violation}")
        raise CommandError(f"{len(report.violations)} loan book violation(s)", returncode=1)
