"""Recompute the audit hash chain and compare it with its signed anchors; exit 0 only if intact."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.verification import verify_chain

# The retention the centre promises (docs/audit.md): at least six months of events online.
RETENTION_DAYS = 183


class Command(BaseCommand):
    help = (
        "Re-computes every audit event hash in sequence order and checks it against the signed "
        "anchors (database and AUDIT_ANCHOR_FILE); exit 1 on any break."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor-file", help="Anchor file to compare with (default: settings.AUDIT_ANCHOR_FILE)."
        )

    def handle(self, *args, anchor_file=None, **options):
        report = verify_chain(anchor_file=anchor_file)

        self.stdout.write(f"events checked: {report.checked}")
        self.stdout.write(f"last sequence: {report.last_sequence}")
        self.stdout.write(f"last hash: {report.last_hash}")
        self.stdout.write(
            f"anchors checked: {report.anchors_checked} in the database, "
            f"{report.file_anchors_checked} in the file; last anchored sequence: "
            f"{report.last_anchored_sequence if report.last_anchored_sequence is not None else 'none'}"
        )
        self._write_retention(report)
        if report.intact:
            self.stdout.write(self.style.SUCCESS("audit chain intact"))
            return
        for item in report.breaks:
            self.stdout.write(f"  #{item.sequence}: {item.kind}: {item.detail}")
        first = report.breaks[0]
        raise CommandError(
            f"audit chain broken: {len(report.breaks)} break(s), first broken sequence {first.sequence} "
            f"({first.kind})",
            returncode=1,
        )

    def _write_retention(self, report):
        if report.oldest_at is None:
            self.stdout.write("oldest event: none (the chain is empty)")
            return
        age = timezone.now() - report.oldest_at
        oldest_at = timezone.localtime(report.oldest_at)
        self.stdout.write(
            f"oldest event: #{report.first_sequence} at {oldest_at:%Y-%m-%d %H:%M} ({age.days} days online)"
        )
        if report.first_sequence == 1:
            self.stdout.write("retention: every event since the chain began is online")
        elif age < timedelta(days=RETENTION_DAYS):
            self.stdout.write(
                self.style.WARNING(f"retention: less than {RETENTION_DAYS} days of events are online")
            )
