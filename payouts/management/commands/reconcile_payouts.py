"""Match payouts waiting for the bank with its results; send again what it never accepted."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from payouts.relay import reconcile_payouts


class Command(BaseCommand):
    help = (
        "Asks the payment bank about payouts still SENT (default: every one sent over two minutes "
        "ago; --on: those sent that day), records the settled results, sends again those the bank "
        "never accepted, then relays PENDING payouts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--on", type=date.fromisoformat, help="only payouts sent on this day (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="SECONDS",
            help="only payouts sent at least this long ago (default: PAYOUT_RECONCILE_AFTER_S)",
        )

    def handle(self, *args, on=None, older_than=None, **options):
        report = reconcile_payouts(
            on=on, older_than=timedelta(seconds=older_than) if older_than is not None else None
        )
        self.stdout.write(f"checked: {report.checked}")
        self.stdout.write(f"paid: {report.paid}")
        self.stdout.write(f"failed (refunded): {report.failed}")
        self.stdout.write(f"still pending at the bank: {report.pending}")
        self.stdout.write(f"never accepted, sent again: {report.requeued}")
        if report.mismatched:
            self.stdout.write(f"amount differs from the bank's, left for staff: {report.mismatched}")
        if report.relay is not None:
            self.stdout.write(
                f"relayed: {report.relay.sent} sent, {report.relay.accepted} accepted, "
                f"{report.relay.rejected} refused"
            )
        if report.unavailable or (report.relay is not None and report.relay.unavailable):
            raise CommandError("the payment bank did not answer; run again later", returncode=2)
        self.stdout.write(self.style.SUCCESS("payouts reconciled"))
