"""Run every benchmark under bench/ in one go and write docs/PERFORMANCE.md (``make bench``).

    .venv/bin/python bench/run_all.py [--only http,interest] [--output docs/PERFORMANCE.md]

Each benchmark runs as its own process, one after the other (the machine has two cores: running
them side by side would measure each other), against a fresh PostgreSQL database of its own
(``perfbench_<name>``, created before and dropped after; the two that need Redis use index 9,
flushed on exit). The sizes below are chosen so that the whole run takes about 10–20 minutes on
the two-core development machine; the benchmarks' own defaults are larger. Every benchmark still
prints its human report (kept in var/bench/<name>.log) and ends with a ``BENCH-SUMMARY`` line
(bench/result_line.py) from which the document is written.

Exit status: 0 when every benchmark ran and every one of its checks passed (fen equality,
``verify_ledger``, the audit chain, nothing paid twice…); 1 otherwise. A goal that is missed is
reported in the document, not an error: it is a figure, not a broken invariant.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from result_line import parse

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
DATABASE_PREFIX = "perfbench_"


@dataclass
class Bench:
    name: str
    script: str
    arguments: list[str]
    # "env": the empty database is given as DATABASE_URL; "flag": as --database-url.
    # Tiny sizes for --quick: a check that the runner and every benchmark still work, in minutes.
    quick: list[str] = field(default_factory=list)
    database: str = "env"
    timeout_s: int = 900


BENCHES = [
    Bench(
        "http",
        "bench_http.py",
        ["--duration", "21", "--warmup", "3", "--rounds", "3", "--redis", REDIS_URL],
        [
            *("--duration", "3", "--warmup", "1", "--rounds", "1"),
            *("--persons", "100", "--employers", "10", "--redis", REDIS_URL),
        ],
        database="flag",
    ),
    Bench("deposit_list", "bench_deposit_list.py", ["--rows", "20000"], ["--rows", "500"]),
    Bench("interest", "bench_interest.py", ["--accounts", "200000"], ["--accounts", "2000"]),
    Bench(
        "decisions",
        "bench_decisions.py",
        ["--decisions", "500", "--concurrency", "16"],
        ["--decisions", "40", "--persons", "80", "--employers", "8"],
    ),
    Bench("payout_relay", "bench_payout_relay.py", ["--payouts", "1000"], ["--payouts", "200"]),
    Bench(
        "withdrawal_latency",
        "bench_withdrawal_latency.py",
        ["--applications", "300", "--redis", REDIS_URL],
        ["--applications", "40", "--redis", REDIS_URL],
        database="flag",
    ),
    Bench(
        "statement",
        "bench_statement.py",
        ["--years", "20", "--others", "200", "--runs", "10"],
        ["--years", "2", "--others", "10", "--runs", "2"],
    ),
    Bench("inspection", "bench_inspection.py", ["--events", "10000"], ["--events", "1000"]),
    Bench(
        "seed_demo",
        "bench_seed_demo.py",
        ["--persons", "500", "--employers", "50"],
        ["--persons", "100", "--employers", "10"],
    ),
    Bench(
        "fault_payouts",
        "fault_payouts.py",
        ["--withdrawals", "200", "--time-limit", "300", "--redis", REDIS_URL],
        ["--withdrawals", "30", "--time-limit", "120", "--redis", REDIS_URL],
        database="flag",
    ),
]

# Under bench/ but not benchmarks: named here so that a new benchmark file is not forgotten.
NOT_BENCHMARKS = {
    "run_all.py": "this runner",
    "result_line.py": "the summary line every benchmark prints last",
    "withdrawal_city.py": "the shared set-up of the withdrawal runs (people who qualify for 秒批)",
    "settings.py": "the HTTP benchmark's settings (DEBUG off, the bare view's URLconf)",
    "urls.py": "the portal's URLs plus the bare JSON view, for the HTTP benchmark only",
}


@dataclass
class Outcome:
    bench: Bench
    returncode: int
    seconds: float
    summary: dict | None

    @property
    def passed(self) -> bool:
        return self.returncode == 0 and self.summary is not None and all(self.summary["checks"].values())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", help="comma-separated names (a partial run writes no document by default)")
    parser.add_argument("--output", type=Path, help="default: docs/PERFORMANCE.md for a full run")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that everything runs")
    args = parser.parse_args()

    listed = {bench.script for bench in BENCHES} | set(NOT_BENCHMARKS)
    unlisted = sorted(p.name for p in (ROOT / "bench").glob("*.py") if p.name not in listed)
    if unlisted:
        parser.error(f"bench/ files neither run nor explained here: {', '.join(unlisted)}")
    benches = BENCHES
    if args.only:
        names = args.only.split(",")
        unknown = set(names) - {bench.name for bench in BENCHES}
        if unknown:
            parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
        benches = [bench for bench in BENCHES if bench.name in names]
    if args.quick:
        benches = [replace(bench, arguments=bench.quick) for bench in benches]
    # Only a full run at the real sizes is the document's; the others write where they are told.
    output = args.output or (None if args.only or args.quick else ROOT / "docs" / "PERFORMANCE.md")

    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    machine = describe_machine()
    started = time.perf_counter()
    outcomes = []
    for number, bench in enumerate(benches, 1):
        print(
            f"\n=== [{number}/{len(benches)}] {bench.name}: bench/{bench.script} {' '.join(bench.arguments)}"
        )
        outcome = run(bench, logs / f"{bench.name}.log")
        verdict = "passed" if outcome.passed else "FAILED"
        print(f"=== {bench.name}: {verdict} in {outcome.seconds:.0f} s", flush=True)
        outcomes.append(outcome)
    total = time.perf_counter() - started
    # Other work on the machine shows here: it slows every figure, the ratios less.
    machine["load average at the end (1/5/15 min)"] = " / ".join(f"{value:.2f}" for value in os.getloadavg())

    if output is not None:
        output.write_text(document(machine, outcomes, total))
        print(f"\nwritten: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    failed = [outcome.bench.name for outcome in outcomes if not outcome.passed]
    print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed ({total / 60:.1f} minutes)")
    if failed:
        print(f"failed: {', '.join(failed)} (see var/bench/<name>.log)", file=sys.stderr)
        return 1
    return 0


def run(bench: Bench, log: Path) -> Outcome:
    database = DATABASE_PREFIX + bench.name
    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{database}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    env = {
        key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CELERY_BROKER_URL")
    }
    command = [sys.executable, str(ROOT / "bench" / bench.script), *bench.arguments]
    if bench.database == "env":
        env["DATABASE_URL"] = url
    else:
        command += ["--database-url", url]
    started = time.perf_counter()
    lines = []
    try:
        with log.open("w") as sink:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            # A benchmark that hangs is stopped (its own clean-up may not run; the database is dropped).
            timer = threading.Timer(bench.timeout_s, process.kill)
            timer.start()
            for line in process.stdout:
                sink.write(line)
                lines.append(line)
                # The benchmarks' own log lines (set-up, warnings) stay in the file; their report is shown.
                if not line.startswith("BENCH-SUMMARY") and " INFO " not in line:
                    print("  " + line, end="", flush=True)
            returncode = process.wait()
            timer.cancel()
    finally:
        psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return Outcome(bench, returncode, time.perf_counter() - started, parse("".join(lines)))


def psql(sql: str) -> None:
    # Without the server's NOTICE that a database to drop does not exist.
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    subprocess.run(["psql", ADMIN_URL, "-qc", sql], check=True, stdout=subprocess.DEVNULL, env=env)


def describe_machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    postgres = subprocess.run(
        ["psql", ADMIN_URL, "-Atc", "SHOW server_version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    commit = ""
    with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    return {
        "CPU": model,
        "cores": str(os.cpu_count()),
        "memory": f"{memory_kib / 1024 / 1024:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "PostgreSQL": postgres,
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit or "unknown",
        "load average at the start (1/5/15 min)": load,
    }


def document(machine: dict[str, str], outcomes: list[Outcome], total: float) -> str:
    lines = [
        "# Performance",
        "",
        "<!-- Written by `make bench` (bench/run_all.py) from one run; not edited by hand. -->",
        "",
        "Written by `make bench` (`bench/run_all.py`): every benchmark under `bench/`, one after the other, "
        f"in one run of {total / 60:.1f} minutes on one machine, each against a fresh PostgreSQL database of "
        "its own. Each file's docstring says what it measures and how to run it alone with other sizes.",
        "",
        "**Absolute numbers vary** between machines and between runs on the same machine (other work on "
        "it, the disk's fsync, the CPU's clock): compare the **ratios**, each measured against its own "
        "baseline within the same run, and read the seconds and requests per second as this machine's.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine.items()),
        "",
        "## Summary",
        "",
        "| benchmark | ratio | goal | met | checks |",
        "|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        summary = outcome.summary
        checks = _checks_cell(outcome)
        if summary is None or not summary["ratios"]:
            lines.append(f"| {_title(outcome)} | — | — | — | {checks} |")
            continue
        for ratio in summary["ratios"]:
            lines.append(
                f"| {_title(outcome)} | {ratio['name']}: **{ratio['value']:.2f}** | {ratio['goal'] or '—'} "
                f"| {_met(ratio['met'])} | {checks} |"
            )
    for outcome in outcomes:
        lines += _section(outcome)
    lines += [
        "",
        "## Not benchmarks",
        "",
        *(f"- `bench/{name}`: {what}." for name, what in NOT_BENCHMARKS.items()),
        "- `bench/fault_payouts.py` is run above as a resilience run: its figures are counts and its "
        "checks (nothing paid twice, lost or stuck) are what matters, not its speed.",
        "",
    ]
    return "\n".join(lines)


def _title(outcome: Outcome) -> str:
    return f"`{outcome.bench.script}`"


def _met(met) -> str:
    return {True: "yes", False: "**no**", None: "—"}[met]


def _checks_cell(outcome: Outcome) -> str:
    if outcome.summary is None:
        return f"**FAILED** (exit {outcome.returncode}, no summary)"
    failed = [name for name, passed in outcome.summary["checks"].items() if not passed]
    if failed:
        return "**FAILED**: " + "; ".join(failed)
    if outcome.returncode:
        return f"**FAILED** (exit {outcome.returncode})"
    return f"{len(outcome.summary['checks'])} passed" if outcome.summary["checks"] else "none"


def _section(outcome: Outcome) -> list[str]:
    bench, summary = outcome.bench, outcome.summary
    command = f"bench/{bench.script} {' '.join(bench.arguments)}".strip()
    lines = ["", f"## {summary['title'] if summary else bench.script}", ""]
    lines += [f"`{command}` ({outcome.seconds:.0f} s with its set-up)", ""]
    if summary is None:
        return [*lines, f"**The benchmark failed (exit {outcome.returncode}) before its summary.**"]
    lines += [f"Set-up: {summary['setup']}.", "", "| figure | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in summary["figures"]]
    if summary["ratios"]:
        lines += ["", "| ratio | value | goal | met |", "|---|---|---|---|"]
        lines += [
            f"| {r['name']} | **{r['value']:.2f}** | {r['goal'] or '—'} | {_met(r['met'])} |"
            for r in summary["ratios"]
        ]
    lines += [line for note in summary.get("notes", []) for line in ("", note)]
    if summary["checks"]:
        lines += [
            "",
            "Checks: "
            + "; ".join(f"{n}: {'passed' if p else '**FAILED**'}" for n, p in summary["checks"].items())
            + ".",
        ]
    if outcome.returncode:
        lines += ["", f"**Exit status {outcome.returncode}.**"]
    return lines


if __name__ == "__main__":
    sys.exit(main())
