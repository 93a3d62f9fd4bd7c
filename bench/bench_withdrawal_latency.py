"""Withdrawal latency on PostgreSQL and Redis: application to decision, and approval to bank instruction.

    .venv/bin/python bench/bench_withdrawal_latency.py [--applications 600] [--concurrency 16] \
        [--latency-ms 100] [--rate 8] [--worker-processes 2] [--redis redis://127.0.0.1:6379/12] \
        [--database-url URL]

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, or ``--admin-url``) and Redis. The script
creates its own database (``withdrawal_latency_<pid>``, dropped on exit, also on Ctrl-C; or uses
the empty one given by ``--database-url``, left in place) and one Redis database index of its own,
which must be empty and is flushed on exit.

After ``migrate``, ``bench/withdrawal_city.py`` makes the employees in bulk (a third each
retiring, renting, leaving the city: every application qualifies for 秒批), the sandbox
government sources answer after ``--latency-ms`` (``SANDBOX_GOV_LATENCY_MS``, no failures) and a
real ``celery -A fundportal worker`` (prefork, ``--worker-processes``, 2) runs on the private database and
Redis index, as in production; the sandbox payment bank accepts every instruction (no failures,
no lost answers). Then ``--concurrency`` clients in this process submit the applications through
``approvals.services.submit_application`` (the first ``--concurrency`` are a warm-up, not
counted): back to back, their starts spread over one source latency, or with ``--rate`` arriving
at that many applications a second whatever the answers' speed (a late one starts at once).
Three figures, p50/p95/p99:

- decided: from the call to the decision committed (the moment the withdrawals hook starts);
- whole call: the applicant's request, which also runs the hook — ``pay_withdrawal`` posts the
  withdrawal (with interest to date and the closing for a closing reason) and writes the payout
  into the outbox;
- approval to bank instruction sent: from the decision (``Application.decided_at``) to the payout
  marked SENT by the relay task the commit queued (``Payout.sent_at``, claimed and handed to the
  bank in one batch call); no beat runs, so this is the relay-on-commit path alone. It is also
  printed in two parts: to the payout written (``Payout.created_at``, the hook's transaction) and
  from there to SENT (the commit and the relay task in the worker).

Goals: application to decision p99 ≤ 1 s at concurrency 16 with sources at 100 ms; approval to
bank instruction sent p99 ≤ 5 s. The relay's throughput in batches is ``bench/bench_payout_relay.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from result_line import Summary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


WORKER_OPTIONS = ("--pool=prefork", "--without-gossip", "--without-mingle")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(1, -(-len(ordered) * p // 100)) - 1]


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use instead of a new one")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="applications per second arriving (default: as fast as answered)",
    )
    parser.add_argument("--worker-processes", type=int, default=2, help="the worker's --concurrency")
    parser.add_argument("--wait", type=float, default=120.0, help="seconds to wait for every payout SENT")
    args = parser.parse_args()

    from withdrawal_city import BenchEnvironment

    environment = BenchEnvironment(
        redis_url=args.redis,
        admin_url=args.admin_url,
        database_url=args.database_url,
        prefix="withdrawal-latency",
        settings={
            "SANDBOX_GOV_LATENCY_MS": args.latency_ms,
            "SANDBOX_BANK_FAILURE_RATE": 0,
            "SANDBOX_BANK_TIMEOUT_RATE": 0,
        },
    )
    env, folder = environment.env, environment.folder
    worker = None
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        refusal = environment.set_up_django()
        if refusal:
            print(refusal, file=sys.stderr)
            return 2
        log = (Path(folder.name) / "worker.log").open("ab")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "fundportal",
                "worker",
                "--loglevel=WARNING",
                *WORKER_OPTIONS,
                f"--concurrency={args.worker_processes}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return run(args)
    except KeyboardInterrupt:
        print("interrupted: cleaning up", file=sys.stderr)
        return 130
    finally:
        if worker is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        environment.cleanup()


def run(args) -> int:
    from django.conf import settings
    from django.db import connections
    from withdrawal_city import make_city, payload_for

    from approvals import registry
    from approvals.models import Application, ApplicationStatus
    from approvals.services import submit_application
    from payouts.models import Payout

    # 16 clients, each holding a connection while its sources (threads with their own) sleep out
    # the latency: more than the default pool of 20. Opened up front, not mid-run.
    settings.DATABASES["default"]["OPTIONS"]["pool"].update(min_size=40, max_size=60)
    started = time.perf_counter()
    pairs = make_city(args.applications + args.concurrency)
    print(f"set-up: {len(pairs)} employees in {time.perf_counter() - started:.1f} s", flush=True)

    hook = registry.hook_for("withdrawal")
    decided_at: dict[int, float] = {}

    def timed_hook(*, application, decision):
        decided_at[application.pk] = time.perf_counter()
        hook(application=application, decision=decision)

    registry.register_kind("withdrawal", on_decided=timed_hook)
    lock = threading.Lock()
    samples: list[tuple[int, float, float]] = []  # (application, to decision, whole call) in ms
    outcomes: Counter = Counter()
    reasons: Counter = Counter()

    def submit(pair, record=True):
        person, reason = pair
        begun = time.perf_counter()
        application = submit_application(
            kind="withdrawal",
            reason=reason,
            applicant=person,
            channel="API",
            payload=payload_for(reason),
            actor=None,
        )
        ended = time.perf_counter()
        if record:
            with lock:
                outcomes[str(application.status)] += 1
                reasons[reason] += 1
                to_decision = decided_at.get(application.pk, ended)
                samples.append((application.pk, (to_decision - begun) * 1000, (ended - begun) * 1000))

    warmup, work = pairs[: args.concurrency], pairs[args.concurrency :]
    queue, queue_lock = iter(enumerate(work)), threading.Lock()
    schedule = {"start": 0.0}

    def client(index):
        # Spread over one source latency: sixteen calls started at one instant would also wake at one.
        if not args.rate:
            time.sleep(index * args.latency_ms / 1000 / args.concurrency)
        while True:
            with queue_lock:
                number, pair = next(queue, (None, None))
            if pair is None:
                break
            if args.rate:
                # Arrivals at a fixed rate, whatever the answers' speed; a late one starts at once.
                time.sleep(max(0.0, schedule["start"] + number / args.rate - time.perf_counter()))
            submit(pair)
        connections.close_all()

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(lambda pair: submit(pair, record=False), warmup))
        wall_started = schedule["start"] = time.perf_counter()
        list(pool.map(client, range(args.concurrency)))
        wall = time.perf_counter() - wall_started
    registry.register_kind("withdrawal", on_decided=hook)

    approved = [pk for pk, _d, _w in samples]
    approved = list(
        Application.objects.filter(pk__in=approved, status=ApplicationStatus.APPROVED).values_list(
            "pk", flat=True
        )
    )
    deadline = time.monotonic() + args.wait
    while Payout.objects.filter(application_id__in=approved, sent_at__isnull=True).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    rows = list(
        Payout.objects.filter(application_id__in=approved).values_list(
            "sent_at", "created_at", "application__decided_at"
        )
    )
    to_sent = [
        (sent - decided).total_seconds() * 1000 for sent, _created, decided in rows if sent is not None
    ]
    # The two parts: the hook's transaction (queued behind other withdrawals on the clearing row)
    # until the payout is written, then the commit and the relay task in the worker.
    to_created = [(created - decided).total_seconds() * 1000 for _sent, created, decided in rows]
    created_to_sent = [
        (sent - created).total_seconds() * 1000 for sent, created, _d in rows if sent is not None
    ]
    not_sent = len(approved) - len(to_sent)

    print(
        f"database: postgresql; broker: redis; worker: prefork, {args.worker_processes} processes; "
        f"sources: {args.latency_ms} ms each, no failures; bank: no failures"
    )
    print(
        f"applications: {len(samples)} (submit_application, hook included), concurrency {args.concurrency}"
        + (f" arriving at {args.rate:g}/s, " if args.rate else " back to back, ")
        + f"reasons {dict(reasons)}; outcomes {dict(outcomes)}; {len(samples) / wall:.1f} applications/s"
    )
    summary = Summary(
        "Withdrawal latency: application to decision, approval to bank instruction",
        f"{len(samples)} applications, concurrency {args.concurrency}"
        + (f" arriving at {args.rate:g}/s" if args.rate else " back to back")
        + f", sources at {args.latency_ms} ms, Celery worker prefork × {args.worker_processes}, Redis broker",
    )
    summary.figure("applications/s", f"{len(samples) / wall:.1f}")
    for label, values in (
        ("application to decision committed", [d for _pk, d, _w in samples]),
        ("whole call (+ withdrawal posted, payout in the outbox)", [w for _pk, _d, w in samples]),
        ("approval to bank instruction sent (payout SENT)", to_sent),
        ("  of which approval to payout written (pay_withdrawal)", to_created),
        ("  of which payout written to SENT (commit, relay task)", created_to_sent),
    ):
        if values:
            p50, p95, p99 = (percentile(values, p) for p in (50, 95, 99))
            print(f"{label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms (n={len(values)})")
            summary.figure(label.strip(), f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms")
    decision_p99 = percentile([d for _pk, d, _w in samples], 99)
    call_p99 = percentile([w for _pk, _d, w in samples], 99)
    print(
        f"goal: application to decision p99 ≤ 1000 ms: {'MET' if decision_p99 <= 1000 else 'MISSED'} "
        f"({decision_p99:.0f} ms; whole call {call_p99:.0f} ms)"
    )
    sent_p99 = percentile(to_sent, 99) if to_sent else float("inf")
    verdict = "MET" if sent_p99 <= 5000 and not not_sent else "MISSED"
    print(
        f"goal: approval to bank instruction sent p99 ≤ 5000 ms: {verdict} "
        f"({sent_p99:.0f} ms; not sent: {not_sent})"
    )
    summary.ratio("p99 application to decision / 1000 ms", decision_p99 / 1000, "≤ 1", decision_p99 <= 1000)
    summary.ratio(
        "p99 approval to bank instruction sent / 5000 ms",
        sent_p99 / 5000,
        "≤ 1 (and none unsent)",
        verdict == "MET",
    )
    summary.figure("approved payouts never sent within the wait", str(not_sent))
    summary.emit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
