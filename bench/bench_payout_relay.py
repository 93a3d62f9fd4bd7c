"""Time the payout relay on PostgreSQL: payouts per second from PENDING to accepted by the bank.

    psql -h 127.0.0.1 -U postgres -c 'create database payoutbench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/payoutbench .venv/bin/python bench/bench_payout_relay.py \
        [--payouts 20000] [--batch 500] [--relays 1]
    psql -h 127.0.0.1 -U postgres -c 'drop database payoutbench'

The database must be empty. After ``migrate`` it makes ``--payouts`` employees, each with a fund
account, a deposit and a withdrawal posted into PAYOUT_CLEARING (``ledger.services.post_entries``
in bulk), and creates their payouts with ``payouts.services.create_payout`` in transactions of
a thousand, as the withdrawals app would (timed, as "create").

Then it relays every payout twice over, each time from PENDING: once against the in-memory fake
bank (the portal's own cost: claiming a batch with SKIP LOCKED, marking it SENT with its audit
events, one bank call, noting the bank's references) and once against the sandbox bank, which
also writes each payment into its own book. ``--relays N`` runs N relays in parallel threads,
each with its own connection, to show the claims do not serialise. Finally it asks the sandbox
for every result and records them (a settlement entry per payout) and checks that each payout
was paid exactly once, ``verify_ledger`` and ``verify_audit_chain``.

The goal (the issue): payouts relayed at 500 per second or more.
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

from result_line import Summary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundportal.settings.dev")

CHUNK = 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payouts", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--relays", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import CommandError, call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to an empty PostgreSQL database")
    call_command("migrate", verbosity=0)
    from accounts.models import Person

    if Person.objects.exists():
        sys.exit("the database is not empty")

    # Quiet sandbox: no delay before results, no failures, no lost answers (the knobs' own paths
    # are exercised by the tests; here they would only add sleeps).
    settings.SANDBOX_BANK_DELAY_MS = 0
    settings.SANDBOX_BANK_FAILURE_RATE = "0"
    settings.SANDBOX_BANK_TIMEOUT_RATE = "0"
    # The bench drives the relay itself; the commit's queued relay would go to a broker nobody reads.
    import payouts.services

    payouts.services._queue_relay = lambda: None

    n = args.payouts
    print(f"payouts: {n}, batch: {args.batch}, parallel relays: {args.relays}")
    started = time.perf_counter()
    references = seed(n)
    create_seconds = time.perf_counter() - started
    print(f"create (accounts, postings, create_payout): {create_seconds:.1f} s")

    from integrations.bank.fakes import FakePaymentBank
    from integrations.bank.testing import use_payment_bank
    from payouts.models import Payout, PayoutStatus

    summary = Summary(
        "The payout relay, PENDING to accepted by the bank",
        f"{n:,} payouts, batches of {args.batch}, {args.relays} relay(s) in parallel",
    )
    summary.figure("create (accounts, postings, create_payout)", f"{create_seconds:.1f} s")
    fake = FakePaymentBank(settle_at_once=False)
    with use_payment_bank(fake):
        seconds = relay_all(args.batch, args.relays)
    fake_rate = report("relay, in-memory bank", n, seconds)
    summary.figure("relay, in-memory bank", f"{fake_rate:,.0f} payouts/s")
    assert len(fake.payments) == n and set(fake.submissions.values()) == {1}, "a payout sent twice"

    # From PENDING again (same references: the bank book below starts empty, so nothing is deduplicated).
    Payout.objects.update(status=PayoutStatus.PENDING, sent_at=None, attempts=0, bank_ref="")
    seconds = relay_all(args.batch, args.relays)
    sandbox_rate = report("relay, sandbox bank (writes its own book)", n, seconds)
    summary.figure("relay, sandbox bank (writes its own book)", f"{sandbox_rate:,.0f} payouts/s")

    from integrations.models import SandboxPayment
    from payouts.relay import poll_payment_results

    ids = list(Payout.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    for start in range(0, len(ids), CHUNK):
        poll_payment_results(payout_ids=ids[start : start + CHUNK])
    results_rate = report(
        "results asked and recorded (one settlement entry each)", n, time.perf_counter() - started
    )
    summary.figure("results asked and recorded (a settlement entry each)", f"{results_rate:,.0f} payouts/s")

    paid = Payout.objects.filter(status=PayoutStatus.PAID).count()
    book = SandboxPayment.objects.filter(reference__in=references).count()
    print(f"paid: {paid} of {n}; sandbox book rows: {book} (one per reference)")
    summary.check("every payout paid exactly once (bank book)", paid == n == book)
    for command in ("verify_ledger", "verify_audit_chain"):
        try:
            call_command(command, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
            print(f"{command}: ok")
            summary.check(command, True)
        except (SystemExit, CommandError) as exc:
            print(f"{command}: FAILED ({exc})")
            summary.check(command, False)
    # The goal is a rate; as a ratio, the sandbox relay (the slower of the two) over 500/s.
    summary.ratio("relay rate (sandbox bank) / 500 payouts/s", sandbox_rate / 500, "≥ 1", sandbox_rate >= 500)
    summary.emit()
    if not summary.passed:
        sys.exit(1)


def report(what: str, n: int, seconds: float) -> float:
    print(f"{what}: {n} in {seconds:.2f} s = {n / seconds:,.0f} payouts/s")
    return n / seconds


def relay_all(batch: int, relays: int) -> float:
    from django.db import connection

    from payouts.relay import relay_payouts

    errors = []

    def run():
        try:
            relay_payouts(batch_size=batch)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    connection.close()
    threads = [threading.Thread(target=run) for _ in range(relays)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return seconds


def seed(n: int) -> list[str]:
    from datetime import date, timedelta

    from django.db import transaction

    from accounts.models import Person
    from core.crypto import blind_index
    from core.identity import make_resident_id, parse_resident_id
    from ledger.centre import BANK_SETTLEMENT, PAYOUT_CLEARING
    from ledger.models import BusinessType
    from ledger.services import Line, Posting, centre_account, open_fund_ledger_accounts, post_entries
    from payouts.services import create_payout

    references = []
    day = date(2026, 11, 2)
    for start in range(0, n, CHUNK):
        count = min(CHUNK, n - start)
        with transaction.atomic(durable=True):
            people = []
            for i in range(start, start + count):
                number = make_resident_id(
                    "350203", date(1970, 1, 1) + timedelta(days=i // 900), 100 + i % 900
                )
                parsed = parse_resident_id(number)
                people.append(
                    Person(
                        id_number=number,
                        id_number_index=blind_index(number),
                        name=f"职工{i}",
                        sex=parsed.sex,
                        birth_date=parsed.birth_date,
                        mobile=f"138{i:08d}",
                        hukou_region="350203",
                    )
                )
            people = Person.objects.bulk_create(people)
            accounts = open_fund_ledger_accounts(
                account_nos=[f"B{i:011d}" for i in range(start, start + count)]
            )
            bank, clearing = centre_account(BANK_SETTLEMENT), centre_account(PAYOUT_CLEARING)
            postings = []
            for i, ledger_account in enumerate(accounts.values()):
                amount = 100_000 + (start + i) % 50_000
                postings.append(
                    Posting(
                        lines=[Line(bank, debit=amount * 2), Line(ledger_account, credit=amount * 2)],
                        business_type=BusinessType.MONTHLY_DEPOSIT,
                        business_on=day,
                        idempotency_key=f"bench-deposit:{start + i}",
                    )
                )
                postings.append(
                    Posting(
                        lines=[Line(ledger_account, debit=amount), Line(clearing, credit=amount)],
                        business_type=BusinessType.PARTIAL_WITHDRAWAL,
                        business_on=day,
                        idempotency_key=f"bench-withdrawal:{start + i}",
                    )
                )
            entries = post_entries(postings)
            for i, person in enumerate(people):
                debit = entries[2 * i + 1]
                payout = create_payout(
                    person=person,
                    amount_fen=debit.amount,
                    # Ends in 1: never one of the sandbox's demo cards that always fail.
                    card_no=f"622202{start + i:012d}1",
                    holder_name=person.name,
                    # Not "withdrawal": no withdrawal rows stand behind these, so no hooks should run.
                    purpose="bench",
                    source_ref=f"withdrawal:bench-{start + i}",
                    debit_entry=debit,
                )
                references.append(payout.reference)
    return references


if __name__ == "__main__":
    main()
