"""Time the electronic audit's real-time pass over a deposit list's worth of events (a benchmark, not a test).

    # SQLite (a throwaway file):
    DATABASE_URL=sqlite:////tmp/inspbench.sqlite3 .venv/bin/python bench/bench_inspection.py [--events 30000]
    # PostgreSQL:
    psql -h 127.0.0.1 -U postgres -c 'create database inspbench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inspbench .venv/bin/python bench/bench_inspection.py
    psql -h 127.0.0.1 -U postgres -c 'drop database inspbench'

The database should be empty. After ``migrate`` the script appends ``--events`` audit events the
way a 30,000-row list post does: one real deposit posting per account through the ledger's
bulk path (``ledger.services.post_entries``: one ``ledger.post_entry`` event each), between the
list's approval and its posted event, in one transaction, with the real-time announcement switched off so
nothing inspects them early. Then it times ``inspection.engine.inspect_events`` three times over
the same events (the cursor is put back between runs):

- no rule: the floor, the cursor walking the events;
- every registered rule (``inspection.rules.all_rules()``), as production runs;
- one trivial rule watching every action: the cost of loading every event in full;
- then each registered rule alone over the first 2,000 events, to see where the time goes.

Prints events/s of each. The goal: the registered rules keep up with a list post, i.e. inspect
tens of thousands of events in seconds, well before the next list arrives.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from result_line import Summary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundportal.settings.dev")


class EveryAction:
    """Looks at every event and finds nothing: the engine's own cost of handing events to a rule."""

    code = "bench.every_action"
    family = "finance"
    severity = "low"
    actions = frozenset({"*"})

    def title(self):
        return "bench"

    def on_event(self, event):
        return []

    def sweep(self, *, day):
        return []


def _write_events(count: int) -> tuple[int, int]:
    """One deposit posting per account, as the ledger's bulk path writes them: real entries, so
    the rules that read the entry behind an event find it."""
    from datetime import date

    from django.db import transaction

    from audit.services import record_event
    from ledger import services
    from ledger.centre import BANK_SETTLEMENT
    from ledger.models import BusinessType

    with transaction.atomic():
        first = record_event(
            actor=None, action="deposits.list_approved", summary="bench", actor_label="system:bench"
        )
        accounts = services.open_fund_ledger_accounts(account_nos=[f"B{n:011d}" for n in range(count - 2)])
        bank = services.centre_account(BANK_SETTLEMENT)
        services.post_entries(
            [
                services.Posting(
                    lines=[services.Line(bank, debit=240_000), services.Line(account, credit=240_000)],
                    business_type=BusinessType.MONTHLY_DEPOSIT,
                    business_on=date(2026, 10, 15),
                    idempotency_key=f"bench:{no}",
                    memo="汇缴",
                )
                for no, account in accounts.items()
            ]
        )
        last = record_event(
            actor=None, action="deposits.list_posted", summary="bench", actor_label="system:bench"
        )
    return first.sequence, last.sequence


def _timed(label: str, rules, *, start_at: int, events: int, max_batches: int | None = None):
    from inspection import engine
    from inspection.models import InspectionCursor
    from inspection.registry import use_rules

    InspectionCursor.objects.update_or_create(pk=1, defaults={"last_sequence": start_at})
    with use_rules(*rules):
        started = time.perf_counter()
        run = engine.inspect_events(max_batches=max_batches)
        elapsed = time.perf_counter() - started
    print(
        f"{label:<30} {run.events:>7} events in {elapsed:7.2f} s = {run.events / elapsed:>9,.0f} events/s"
        f"  (findings {run.findings}, rule failures {run.failures})"
    )
    if max_batches is None:
        assert run.events >= events, "the pass stopped before the last event"
    return run, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=30_000)
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from audit import listeners
    from inspection.rules import all_rules

    call_command("migrate", verbosity=0)
    # Not inspected as they commit: the timed runs below do it.
    listeners._listeners.clear()
    print(f"database: {connection.vendor}, events: {arguments.events:,}")
    first, _last = _write_events(arguments.events)
    start_at = first - 1
    summary = Summary(
        "The electronic audit's real-time pass",
        f"{arguments.events:,} events of one list post ({connection.vendor})",
    )
    passes = {
        "no rule (the cursor walking the events)": (),
        f"the {len(all_rules())} registered rules": all_rules(),
        "one trivial rule on every action": (EveryAction(),),
    }
    seconds = {}
    for label, rules in passes.items():
        run, seconds[label] = _timed(label, rules, start_at=start_at, events=arguments.events)
        summary.figure(label, f"{run.events / seconds[label]:,.0f} events/s ({seconds[label]:.2f} s)")
        summary.check(f"{label}: no rule failed", run.failures == 0)
    # Each registered rule alone over the first 2,000 events: which one the time goes to.
    for rule in all_rules():
        _timed(f"  {rule.code}", (rule,), start_at=start_at, events=2000, max_batches=4)
    registered = seconds[f"the {len(all_rules())} registered rules"]
    summary.ratio(
        "registered rules / no rule (time)", registered / seconds["no rule (the cursor walking the events)"]
    )
    # The goal as this docstring puts it, "tens of thousands of events in seconds", read as a
    # 30,000-row list post's events inspected within a minute of its commit: 500 events/s.
    rate = arguments.events / registered
    summary.ratio("registered rules' events/s / 500 events/s", rate / 500, "≥ 1", rate >= 500)
    summary.emit()


if __name__ == "__main__":
    main()
