"""Replay past automatic decisions from their stored facts with changed parameters; writes nothing."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from approvals.replay import parse_overrides, replay_decisions
from core.exceptions import DomainError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from error


class Command(BaseCommand):
    help = (
        "Re-evaluates automatic decisions since a date from their stored facts and parameters, "
        "with --set key=value overrides, and lists the decisions whose outcome would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="first decision date, YYYY-MM-DD")
        parser.add_argument("--until", help="last decision date, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a policy parameter value to use instead of the recorded one (repeatable)",
        )
        parser.add_argument("--rule-set", help="only decisions of this rule set (reason)")
        parser.add_argument(
            "--prechecks", action="store_true", help="also replay citizens' eligibility pre-checks"
        )

    def handle(self, *args, since, until, overrides, rule_set, prechecks, **options):
        try:
            values = parse_overrides(overrides)
        except (ValueError, DomainError) as error:
            raise CommandError(str(error)) from error
        report = replay_decisions(
            since=_date(since),
            until=_date(until) if until else None,
            overrides=values,
            rule_set_name=rule_set,
            include_prechecks=prechecks,
        )
        changed = report.changed
        self.stdout.write(f"re-evaluated: {len(report.replayed)}")
        self.stdout.write(f"outcome would change: {len(changed)}")
        if report.skipped:
            self.stdout.write(f"skipped (rule set or facts no longer readable): {report.skipped}")
        if not changed:
            return
        header = ("decision", "application", "reason", "old → new", "rules changed")
        rows = [
            (
                str(item.decision_id),
                str(item.application_id or "-"),
                item.reason,
                f"{item.old_outcome} → {item.new_outcome}",
                ", ".join(f"{rule} {old}→{new}" for rule, old, new in item.changed_rules),
            )
            for item in changed
        ]
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
        for row in (header, *rows):
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]))
