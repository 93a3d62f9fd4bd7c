"""Withdrawals under faults: 1,000 approved withdrawals paid by a Celery worker that keeps being killed.

    .venv/bin/python bench/fault_payouts.py [--withdrawals 1000] [--time-limit 900] \
        [--failure-rate 0.2] [--timeout-rate 0.05] [--redis redis://127.0.0.1:6379/11] [--database-url URL]

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, or ``--admin-url``) and Redis. The script
creates its own database (``fault_payouts_<pid>``, dropped on exit, also on Ctrl-C; or uses the
empty one given by ``--database-url``, left in place) and uses one Redis database index of its
own, which must be empty and is flushed on exit. Exit code 0 only when no withdrawal was paid
twice, none was lost, none is stuck and ``verify_ledger`` passes.

What happens:

1. ``migrate``; ``bench/withdrawal_city.py`` makes the employees in bulk (accounts, deposits,
   verified cards, sandbox records), a third each retiring, renting, leaving the city.
2. A real worker starts as a subprocess: ``celery -A fundportal worker`` (prefork, 2 processes)
   on the private database and Redis index. The sandbox payment bank fails ``--failure-rate`` of
   the payments it settles and loses the answer to ``--timeout-rate`` of all calls (submission,
   result query), through the ``SandboxBankKnobs`` row that every process reads on each call.
3. A killer thread sends SIGKILL at random moments (every 3–12 s): mostly to the whole worker
   (its process group, as when a machine dies; it is restarted at once), sometimes to one pool
   process only (the worker's parent survives and, with ``task_reject_on_worker_lost``, hands the
   task back to the queue). Like a supervisor, it also restarts a worker that died by itself
   (Celery's parent gives up when a pool process is killed while starting).
4. Meanwhile this process submits every application through the real
   ``approvals.services.submit_application`` (16 at a time, the sandbox government sources at
   ``--gov-latency-ms``), so the decision, its hook ``withdrawals.services.after_decision`` →
   ``pay_withdrawal`` (posting, closing, payout in the outbox) and the relay queued on commit all
   run for real. For ``--lost-hooks`` of them (10%) the hook is dropped, as if the web process died
   between the decision's commit and the hook: the withdrawals sweep must pay them, in the worker.
5. This process plays beat for the safety nets, faster than production's schedule so that the
   run ends in minutes: ``relay_payouts`` every 5 s, ``pay_approved_withdrawals`` every 10 s and
   ``reconcile_stuck_payouts`` every 15 s, with ``PAYOUT_RECONCILE_AFTER_S`` = 15. The bank's
   answer timeout (``BANK_TIMEOUT_S``, how long a lost answer makes the caller wait) is 1 s.
6. When every approved withdrawal's payout is PAID or FAILED and the withdrawal has recorded it
   (the employee told, a failed closing's account re-opened), or at ``--time-limit``, the killer
   stops, the worker is stopped, and the checks are printed. The bank's own book
   (``SandboxPayment``, one row per reference) is the judge of what was paid.

Counts printed: applications approved; payouts PAID; FAILED with their refund entry crediting the
fund account (and closing accounts re-opened); stuck (approved, but no payout settled: must be
0); paid twice by the bank's record, or refunded although the bank paid (must be 0); lost
(neither paid by the bank nor money back on the account: must be 0); worker kills; hooks whose
outcome was never recorded on the withdrawal (the employee was not told); ``verify_ledger``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
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


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces: the fields after the closing parenthesis are fixed.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


class Worker:
    """One ``celery worker`` in its own process group, killed and restarted on demand."""

    def __init__(self, env: dict, log_path: Path):
        self.env = env
        self.log = log_path.open("ab")
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.lock = threading.Lock()

    def start(self) -> None:
        self.starts += 1
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "fundportal",
                "worker",
                "--loglevel=WARNING",
                "--pool=prefork",
                "--concurrency=2",
                f"--hostname=fault{self.starts}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill_all(self) -> None:
        """SIGKILL to the worker and its pool at once, then a new worker."""
        with self.lock:
            self._signal_group(signal.SIGKILL)
            self.process.wait()
            self.start()

    def restart_if_dead(self) -> bool:
        with self.lock:
            if self.process is None or self.process.poll() is None:
                return False
            self._signal_group(signal.SIGKILL)  # any pool process left behind
            self.start()
            return True

    def kill_one_child(self) -> bool:
        with self.lock:
            children = _children(self.process.pid)
            if not children:
                return False
            try:
                os.kill(random.choice(children), signal.SIGKILL)
            except ProcessLookupError:
                return False
            return True

    def stop(self) -> None:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                return
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait()
            self.process = None

    def _signal_group(self, sig) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)


class Killer(threading.Thread):
    def __init__(self, worker: Worker, rng: random.Random, every: tuple[float, float], child_share: float):
        super().__init__(daemon=True)
        self.worker, self.rng, self.every, self.child_share = worker, rng, every, child_share
        self.stopped = threading.Event()
        self.kills = Counter()

    def run(self) -> None:
        next_kill = time.monotonic() + self.rng.uniform(*self.every)
        while not self.stopped.wait(0.25):
            # The supervisor's part (systemd would do it): a worker that died by itself — a pool
            # process killed while it was starting is fatal to Celery's parent — starts again.
            if self.worker.restart_if_dead():
                self.kills["died and restarted"] += 1
            if time.monotonic() < next_kill:
                continue
            next_kill = time.monotonic() + self.rng.uniform(*self.every)
            if self.rng.random() < self.child_share:
                if self.worker.kill_one_child():
                    self.kills["pool process"] += 1
            else:
                self.worker.kill_all()
                self.kills["whole worker"] += 1


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--withdrawals", type=int, default=1000)
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds for the payouts to settle")
    parser.add_argument("--failure-rate", type=float, default=0.2)
    parser.add_argument("--timeout-rate", type=float, default=0.05)
    parser.add_argument("--lost-hooks", type=float, default=0.1)
    parser.add_argument("--gov-latency-ms", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--kill-every", type=float, nargs=2, default=(3.0, 12.0), metavar=("MIN", "MAX"))
    parser.add_argument("--child-kills", type=float, default=0.3, help="share of kills of one pool process")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use instead of a new one")
    parser.add_argument("--worker-log", type=Path, help="keep the worker's log here (default: removed)")
    args = parser.parse_args()

    from withdrawal_city import BenchEnvironment

    environment = BenchEnvironment(
        redis_url=args.redis,
        admin_url=args.admin_url,
        database_url=args.database_url,
        prefix="fault-payouts",
        settings={
            "SANDBOX_GOV_LATENCY_MS": args.gov_latency_ms,
            "SANDBOX_BANK_FAILURE_RATE": args.failure_rate,
            "SANDBOX_BANK_TIMEOUT_RATE": args.timeout_rate,
            "BANK_TIMEOUT_S": 1,
            "PAYOUT_RECONCILE_AFTER_S": 15,
        },
    )
    env, folder = environment.env, environment.folder
    worker = Worker(env, args.worker_log or Path(folder.name) / "worker.log")
    # Ctrl-C and SIGTERM both end in the finally below: the worker stopped, the databases dropped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return run(args, worker, environment)
    except KeyboardInterrupt:
        print("interrupted: cleaning up", file=sys.stderr)
        return 130
    finally:
        worker.stop()
        environment.cleanup()


def run(args, worker: Worker, environment) -> int:
    refusal = environment.set_up_django()
    if refusal:
        print(refusal, file=sys.stderr)
        return 2

    from withdrawal_city import make_city

    from integrations.models import SandboxBankKnobs

    started = time.perf_counter()
    pairs = make_city(args.withdrawals)
    print(f"set-up: {len(pairs)} employees in {time.perf_counter() - started:.1f} s", flush=True)
    # The knobs row: read by the bank in every process on every call (the environment agrees).
    SandboxBankKnobs.objects.update_or_create(
        pk=1,
        defaults={
            "delay_ms": 200,
            "failure_per_mille": round(args.failure_rate * 1000),
            "timeout_per_mille": round(args.timeout_rate * 1000),
        },
    )
    print(
        f"bank: {args.failure_rate:.0%} of payments fail, {args.timeout_rate:.0%} of calls lose their answer "
        f"(1 s), results after 200 ms; kills every {args.kill_every[0]:g}–{args.kill_every[1]:g} s",
        flush=True,
    )

    rng = random.Random(args.seed)
    worker.start()
    killer = Killer(worker, random.Random(args.seed + 1), tuple(args.kill_every), args.child_kills)
    killer.start()
    beat_stop = threading.Event()
    beat = threading.Thread(target=play_beat, args=(beat_stop,), daemon=True)
    beat.start()
    try:
        run_started = time.perf_counter()
        approved, decisions = submit_all(args, pairs, rng)
        seconds = time.perf_counter() - run_started
        print(f"submitted: {len(pairs)} in {seconds:.1f} s; decisions {dict(decisions)}", flush=True)
        settled = wait_until_settled(approved, args.time_limit, run_started)
        elapsed = time.perf_counter() - run_started
    finally:
        killer.stopped.set()
        killer.join()
        beat_stop.set()
        beat.join()
        worker.stop()
    print(
        f"{'settled' if settled else 'NOT settled'} after {elapsed:.0f} s "
        f"(time limit {args.time_limit:.0f} s); worker started {worker.starts} times",
        flush=True,
    )
    summary = Summary(
        "Withdrawals paid by a worker that keeps being killed (a resilience run)",
        f"{len(pairs)} withdrawals, bank fails {args.failure_rate:.0%} and loses {args.timeout_rate:.0%} "
        f"of answers, {args.lost_hooks:.0%} hooks dropped, kills every "
        f"{args.kill_every[0]:g}–{args.kill_every[1]:g} s",
    )
    summary.figure("submitted", f"{len(pairs)} in {seconds:.1f} s")
    summary.figure("every approved payout settled" if settled else "NOT settled", f"after {elapsed:.0f} s")
    return report(approved, killer.kills, summary)


def play_beat(stop: threading.Event) -> None:
    from payouts.tasks import reconcile_stuck_payouts, relay_payouts
    from withdrawals.tasks import pay_approved_withdrawals

    schedule = [(relay_payouts, 5.0), (pay_approved_withdrawals, 10.0), (reconcile_stuck_payouts, 15.0)]
    due = {task.name: time.monotonic() + every for task, every in schedule}
    while not stop.wait(0.5):
        now = time.monotonic()
        for task, every in schedule:
            if now >= due[task.name]:
                task.delay()
                due[task.name] = now + every


def submit_all(args, pairs, rng: random.Random):
    from django.db import connections
    from withdrawal_city import payload_for

    from approvals import registry
    from approvals.models import ApplicationStatus
    from approvals.services import submit_application

    # The hook as the web process runs it, except for the share whose process "dies" right after
    # the decision's commit: those only the withdrawals sweep (in the worker) can pay.
    hook = registry.hook_for("withdrawal")
    lost = {person.pk for person, _reason in pairs if rng.random() < args.lost_hooks}

    def maybe_hook(*, application, decision):
        if application.applicant_id not in lost:
            hook(application=application, decision=decision)

    registry.register_kind("withdrawal", on_decided=maybe_hook)
    approved, decisions = [], Counter()
    lock = threading.Lock()

    def submit(pair):
        person, reason = pair
        try:
            application = submit_application(
                kind="withdrawal",
                reason=reason,
                applicant=person,
                channel="API",
                payload=payload_for(reason),
                actor=None,
            )
        finally:
            connections.close_all()
        with lock:
            decisions[str(application.status)] += 1
            if application.status == ApplicationStatus.APPROVED:
                approved.append(application.pk)

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(submit, pairs))
    registry.register_kind("withdrawal", on_decided=hook)
    print(f"hooks dropped (left to the sweep): {len(lost)}", flush=True)
    return approved, decisions


def _open_work(approved: list[int]) -> tuple[int, int, int]:
    """(approved without a PAYING record, payouts not settled, settled but not yet recorded by the
    withdrawal: the employee not told, a failed closing's account not re-opened)."""
    from payouts.models import FINAL_STATUSES, Payout
    from withdrawals.models import PaymentStatus, WithdrawalPayment
    from withdrawals.selectors import unrecorded_payout_refs

    paying = WithdrawalPayment.objects.filter(application_id__in=approved, status=PaymentStatus.PAYING)
    unpaid = len(approved) - paying.count()
    unsettled = Payout.objects.filter(application_id__in=approved).exclude(status__in=FINAL_STATUSES).count()
    return unpaid, unsettled, len(unrecorded_payout_refs())


def wait_until_settled(approved: list[int], limit: float, started: float) -> bool:
    from django.db import connections

    last = None
    while True:
        state = _open_work(approved)
        connections.close_all()
        if state != last:
            print(
                f"  {time.perf_counter() - started:6.0f} s: not yet paid {state[0]}, payouts unsettled "
                f"{state[1]}, settled but not recorded by the withdrawal {state[2]}",
                flush=True,
            )
            last = state
        if state == (0, 0, 0):
            return True
        if time.perf_counter() - started > limit:
            return False
        time.sleep(2)


def report(approved: list[int], kills: Counter, summary: Summary) -> int:
    from django.core.management import CommandError, call_command

    from accounts.models import AccountStatus, FundAccount
    from approvals.models import Application
    from integrations.models import SandboxPayment
    from ledger.models import JournalLine
    from payouts.models import Payout, PayoutStatus
    from withdrawals.models import WithdrawalPayment

    payouts = {
        p.application_id: p
        for p in Payout.objects.filter(application_id__in=approved).select_related("person")
    }
    # The bank's book by reference, and what it paid to each card holder (each employee has a
    # name of their own here): a second payment under any reference would show on the holder.
    bank_status = dict(SandboxPayment.objects.values_list("reference", "status"))
    paid_to = Counter(
        SandboxPayment.objects.filter(status="PAID").values_list("holder_name", flat=True).iterator()
    )
    payments = {p.application_id: p for p in WithdrawalPayment.objects.filter(application_id__in=approved)}
    fund_ledger = dict(FundAccount.objects.values_list("person_id", "ledger_account_id"))
    account_status = dict(FundAccount.objects.values_list("person_id", "status"))
    applicant = dict(Application.objects.filter(pk__in=approved).values_list("pk", "applicant_id"))

    paid = failed = refunded = reopened = stuck = twice = refunded_but_paid = lost = 0
    paid_not_by_bank = unrecorded = 0
    for application_id in approved:
        payout = payouts.get(application_id)
        if payout is None or payout.status not in (PayoutStatus.PAID, PayoutStatus.FAILED):
            stuck += 1
        bank_paid = payout is not None and bank_status.get(payout.reference) == "PAID"
        if payout is not None and paid_to[payout.person.name] > 1:
            twice += 1
        money_back = False
        if payout is not None and payout.status == PayoutStatus.FAILED:
            failed += 1
            money_back = JournalLine.objects.filter(
                entry_id=payout.refund_entry_id,
                account_id=fund_ledger[applicant[application_id]],
                credit=payout.amount,
            ).exists()
            refunded += money_back
            if payments[application_id].closing and (
                account_status[applicant[application_id]] != AccountStatus.CLOSED_BY_WITHDRAWAL
            ):
                reopened += 1
            if bank_paid:
                refunded_but_paid += 1
        if payout is not None and payout.status == PayoutStatus.PAID:
            paid += 1
            if not bank_paid:
                paid_not_by_bank += 1
        if not (bank_paid or money_back):
            lost += 1
        payment = payments.get(application_id)
        if payout is not None and payout.status in (PayoutStatus.PAID, PayoutStatus.FAILED):
            unrecorded += payment is None or not payment.payout_outcome
    closing_failed = sum(
        1
        for application_id in approved
        if payouts.get(application_id) is not None
        and payouts[application_id].status == PayoutStatus.FAILED
        and payments[application_id].closing
    )
    sent_attempts = Counter(p.attempts for p in payouts.values())

    try:
        call_command("verify_ledger", stdout=open(os.devnull, "w"))  # noqa: SIM115
        ledger_ok = True
    except CommandError:
        ledger_ok = False

    duplicates = twice + refunded_but_paid
    print(f"approved withdrawals: {len(approved)}")
    print(f"payouts PAID: {paid} (bank book PAID for each: {paid - paid_not_by_bank})")
    print(
        f"payouts FAILED: {failed}, each refunded to the fund account: {refunded}; "
        f"failed closings re-opened: {reopened} of {closing_failed}"
    )
    print(f"stuck (approved, payout not PAID or FAILED): {stuck}")
    print(f"paid twice by the bank's book: {twice}; refunded although the bank paid: {refunded_but_paid}")
    print(f"lost (neither paid by the bank nor money back): {lost + paid_not_by_bank}")
    print(
        f"worker kills: {kills['whole worker'] + kills['pool process']} "
        f"({kills['whole worker']} whole worker, {kills['pool process']} one pool process); "
        f"worker died by itself and restarted: {kills['died and restarted']}"
    )
    print(f"bank submissions per payout: {dict(sorted(sent_attempts.items()))}")
    print(f"settled payouts whose outcome the withdrawal never recorded (employee not told): {unrecorded}")
    print(f"verify_ledger: {'ok' if ledger_ok else 'FAILED'}")
    ok = (
        duplicates == 0
        and lost + paid_not_by_bank == 0
        and stuck == 0
        and ledger_ok
        and refunded == failed
        and reopened == closing_failed
    )
    print("RESULT: " + ("PASS" if ok else "FAIL"))
    summary.figure("approved withdrawals", str(len(approved)))
    summary.figure("payouts PAID / FAILED (each refunded)", f"{paid} / {failed} ({refunded} refunded)")
    summary.figure("worker kills", str(kills["whole worker"] + kills["pool process"]))
    summary.figure("settled outcomes never recorded on the withdrawal", str(unrecorded))
    summary.check("none paid twice", duplicates == 0)
    summary.check("none lost", lost + paid_not_by_bank == 0)
    summary.check("none stuck", stuck == 0)
    summary.check(
        "every failed payout refunded, failed closings re-opened",
        refunded == failed and reopened == closing_failed,
    )
    summary.check("verify_ledger", ledger_ok)
    summary.emit()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
