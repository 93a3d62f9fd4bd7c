"""Time ``seed_demo`` into a fresh database and print the figures (a benchmark, not a test).

    .venv/bin/python bench/bench_seed_demo.py [--persons 3000] [--employers 300] [--seed 2017]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seedbench .venv/bin/python bench/bench_seed_demo.py

Without ``DATABASE_URL`` a temporary SQLite file is used and removed afterwards; with it, the
database named there must exist and be empty (create it, run this, drop it). The seed runs in a
subprocess with its own ``FUNDPORTAL_VAR_DIR``, after ``migrate``; the figures come from the
seeded database and from ``verify_ledger`` / ``verify_audit_chain``, which must pass.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from result_line import Summary

ROOT = Path(__file__).resolve().parent.parent

COUNT_SCRIPT = """
import json
from accounts.models import Employer, FundAccount, Person
from approvals.models import Application, DecisionRecord
from audit.models import AuditEvent
from integrations.models import GovQuery
from ledger.models import JournalEntry, JournalLine
print(json.dumps({
    "persons": Person.objects.count(),
    "employers": Employer.objects.count(),
    "accounts": FundAccount.objects.count(),
    "entries": JournalEntry.objects.count(),
    "lines": JournalLine.objects.count(),
    "audit_events": AuditEvent.objects.count(),
    "decisions": DecisionRecord.objects.count(),
    "applications": Application.objects.count(),
    "gov_queries": GovQuery.objects.count(),
}))
"""


def manage(env, *args, capture=False):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=3000)
    parser.add_argument("--employers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2017)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="seedbench-") as folder:
        env = dict(os.environ, FUNDPORTAL_VAR_DIR=str(Path(folder) / "var"), AUTH_SECOND_FACTOR="off")
        env.setdefault("DJANGO_SETTINGS_MODULE", "fundportal.settings.dev")
        env.setdefault("DATABASE_URL", f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        engine = env["DATABASE_URL"].split(":", 1)[0]
        manage(env, "migrate", "--noinput")

        started = time.perf_counter()
        manage(
            env,
            "seed_demo",
            f"--persons={options.persons}",
            f"--employers={options.employers}",
            f"--seed={options.seed}",
        )
        seconds = time.perf_counter() - started

        manage(env, "verify_ledger")
        manage(env, "verify_audit_chain")
        counts = json.loads(
            manage(env, "shell", "-c", COUNT_SCRIPT, capture=True).stdout.strip().splitlines()[-1]
        )

    rows = sum(counts.values())
    print(f"database      {engine}")
    for name, value in counts.items():
        print(f"{name:<13} {value}")
    print(f"seconds       {seconds:.2f}  (seed_demo process, start-up included)")
    print(f"rows/s        {rows / seconds:,.0f}  ({rows} rows written)")

    summary = Summary(
        "Seeding the demo city (seed_demo)",
        f"{options.persons:,} people, {options.employers:,} units, seed {options.seed}, {engine}",
    )
    summary.figure("seed_demo process, start-up included", f"{seconds:.2f} s")
    summary.figure("rows written", f"{rows:,}")
    summary.figure("rows/s", f"{rows / seconds:,.0f}")
    # manage() raises when either command fails, so reaching here means both passed.
    summary.check("verify_ledger", True)
    summary.check("verify_audit_chain", True)
    summary.emit()


if __name__ == "__main__":
    main()
