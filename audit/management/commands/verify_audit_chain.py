"""Recompute the audit hash chain; exit 0 only if every link and hash is intact."""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import GENESIS_HASH
from audit.models import AuditEvent
from audit.services import compute_hash


class Command(BaseCommand):
    help = "Re-computes every audit event hash in sequence order; exit 1 on any break."

    def handle(self, *args, **options):
        checked = 0
        broken: list[tuple[int, str]] = []
        expected_sequence = 1
        prev_hash = GENESIS_HASH
        # Streamed: the log grows without bound and must not be loaded at once.
        for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
            checked += 1
            if event.sequence != expected_sequence:
                broken.append((event.sequence, f"sequence gap: expected {expected_sequence}"))
            if event.prev_hash != prev_hash:
                broken.append((event.sequence, "prev_hash does not match the previous event's hash"))
            if compute_hash(event) != event.hash:
                broken.append((event.sequence, "hash does not match the event's contents"))
            expected_sequence = event.sequence + 1
            prev_hash = event.hash

        self.stdout.write(f"events checked: {checked}")
        self.stdout.write(f"last sequence: {expected_sequence - 1}")
        self.stdout.write(f"last hash: {prev_hash}")
        if not broken:
            self.stdout.write(self.style.SUCCESS("audit chain intact"))
            return
        for sequence, problem in broken:
            self.stdout.write(f"  #{sequence}: {problem}")
        raise CommandError(f"audit chain broken: first broken sequence {broken[0][0]}", returncode=1)
