"""Time the 30 June interest settlement on PostgreSQL and check it to the fen (a benchmark, not a test).

    psql -h 127.0.0.1 -U postgres -c 'create database intbench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/intbench .venv/bin/python bench/bench_interest.py \
        [--accounts 1000000]
    psql -h 127.0.0.1 -U postgres -c 'drop database intbench'

The database must be empty. After ``migrate`` it generates the fund accounts and a year of
movements with set-based SQL (generate_series): an opening deposit on 2025-06-30, a deposit on
the 15th of every month from July 2025 to June 2026, and a withdrawal on 2026-01-20 for every
tenth account. Movements are posted as monthly lists of 1,000 accounts per entry (one bank line,
one line per account), straight into the journal tables: the balance triggers check every entry
at commit and the cached balances are set from the lines, so ``verify_ledger`` passes (these
seed entries have no audit events; the settlement's own postings do).

Then it times ``settle_interest`` (chunks of fund accounts, each locked, its interest computed
in SQL and posted set-based by ``ledger.bulk.post_account_entries``) against one hand-written
SQL walk of the same interest with window functions (running balance × days until the next
movement, computing only), and compares every account's fen. It reports accounts per second,
the ratio of the settlement to the walk, whether every fen is equal, a re-run (posts nothing),
``verify_ledger``, ``verify_audit_chain`` and each chunk's audit digest against the journal.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from result_line import Summary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundportal.settings.dev")

START = date(2025, 6, 30)
END = date(2026, 6, 30)
GROUP = 1000

SEED_SQL = """
INSERT INTO ledger_ledgeraccount (code, name, kind, balance, created_at)
SELECT 'FUND-B' || lpad(g::text, 11, '0'), '个人账户 B' || g, 'FUND', 0, now()
FROM generate_series(1, %(n)s) AS g;

CREATE TEMP TABLE bench_movement ON COMMIT DROP AS
SELECT a.id AS account_id, m.business_on, m.business_type, m.amount,
       (a.id - first.id) / %(group)s AS list_no
FROM ledger_ledgeraccount a
CROSS JOIN (SELECT min(id) AS id FROM ledger_ledgeraccount WHERE code LIKE 'FUND-B%%') first
CROSS JOIN LATERAL (
    SELECT DATE '2025-06-30' AS business_on, '01' AS business_type,
           100000 + (a.id * 7919) %% 5000000 AS amount
    UNION ALL
    SELECT (DATE '2025-07-15' + make_interval(months => k))::date, '01',
           50000 + (a.id * 37 + k * 101) %% 100000
    FROM generate_series(0, 11) AS k
    UNION ALL
    SELECT DATE '2026-01-20', '11', -30000 WHERE a.id %% 10 = 0
) m
WHERE a.code LIKE 'FUND-B%%';

-- Entry ids drawn first, so that each entry and its lines go in one statement (migration 0005).
CREATE TEMP TABLE bench_entry ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('ledger_journalentry', 'id')) AS entry_id, grouped.*
FROM (
    SELECT business_type, business_on, list_no, abs(sum(amount)) AS amount
    FROM bench_movement GROUP BY business_type, business_on, list_no
    ORDER BY business_on, business_type, list_no
) grouped;

CREATE TEMP TABLE bench_keyed ON COMMIT DROP AS
SELECT e.entry_id, m.account_id, m.amount
FROM bench_movement m JOIN bench_entry e USING (business_type, business_on, list_no);

WITH entry AS (
    INSERT INTO ledger_journalentry (id, business_type, business_on, idempotency_key, memo, amount, posted_at)
    SELECT entry_id, business_type, business_on,
           'bench:' || business_type || ':' || business_on || ':' || list_no, 'bench', amount, now()
    FROM bench_entry ORDER BY entry_id
)
INSERT INTO ledger_journalline (entry_id, account_id, debit, credit)
SELECT entry_id, account_id, debit, credit FROM (
    SELECT k.entry_id, 0 AS part,
           CASE WHEN sum(k.amount) > 0
                THEN (SELECT id FROM ledger_ledgeraccount WHERE code = 'BANK_SETTLEMENT')
                ELSE (SELECT id FROM ledger_ledgeraccount WHERE code = 'PAYOUT_CLEARING') END AS account_id,
           greatest(sum(k.amount), 0) AS debit, greatest(-sum(k.amount), 0) AS credit
    FROM bench_keyed k GROUP BY k.entry_id
    UNION ALL
    SELECT entry_id, 1, account_id, greatest(-amount, 0), greatest(amount, 0) FROM bench_keyed
) lines ORDER BY entry_id, part, account_id;

UPDATE ledger_ledgeraccount a SET balance = a.balance + t.delta
FROM (
    SELECT l.account_id,
           sum(CASE WHEN x.kind IN ('ASSET', 'EXPENSE') THEN l.debit - l.credit
                    ELSE l.credit - l.debit END) AS delta
    FROM ledger_journalline l
    JOIN ledger_journalentry e ON e.id = l.entry_id AND e.memo = 'bench'
    JOIN ledger_ledgeraccount x ON x.id = l.account_id
    GROUP BY l.account_id
) t WHERE a.id = t.account_id;
"""

# The same interest computed independently: walk each account's movements with a running
# balance and the days until its next movement (the pure function's method, in SQL).
WALK_SQL = """
WITH moved AS (
    SELECT l.account_id, greatest(e.business_on, %(start)s::date + 1) AS held_from,
           sum(l.credit - l.debit) AS amount
    FROM ledger_journalline l
    JOIN ledger_journalentry e ON e.id = l.entry_id
    JOIN ledger_ledgeraccount a ON a.id = l.account_id AND a.kind = 'FUND'
    WHERE e.business_on <= %(end)s AND NOT (e.business_type = '09' AND e.business_on = %(end)s)
    GROUP BY 1, 2
), walked AS (
    SELECT account_id,
           sum(amount) OVER (PARTITION BY account_id ORDER BY held_from) AS balance,
           coalesce(lead(held_from) OVER (PARTITION BY account_id ORDER BY held_from), %(end)s::date + 1)
               - held_from AS days
    FROM moved
)
SELECT account_id, round(sum(balance * days) * %(rate)s / %(basis)s, 0)::bigint AS interest
FROM walked GROUP BY account_id
"""

COMPARE_SQL = """
SELECT count(*) FILTER (WHERE coalesce(w.interest, 0) <> coalesce(p.interest, 0)),
       count(*), coalesce(sum(w.interest), 0), coalesce(sum(p.interest), 0)
FROM bench_walk w
FULL JOIN (
    SELECT l.account_id, l.credit AS interest
    FROM ledger_journalentry e JOIN ledger_journalline l ON l.entry_id = e.id AND l.credit > 0
    WHERE e.business_type = '09' AND e.business_on = %(end)s
) p ON p.account_id = w.account_id
WHERE coalesce(w.interest, 0) <> 0 OR p.interest IS NOT NULL
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=None, help="fund accounts per transaction")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL to an empty PostgreSQL database")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from audit.models import AuditEvent
    from core.policy import policy_snapshot
    from ledger.bulk import ACCOUNT_ENTRIES_ACTION, journal_digest_of_batch
    from ledger.interest import BASIS_KEY, RATE_KEY, settle_interest
    from ledger.models import LedgerAccount

    call_command("migrate", verbosity=0)
    if LedgerAccount.objects.filter(kind="FUND").exists():
        parser.error("the database already holds fund accounts: use an empty one")

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SEED_SQL, {"n": options.accounts, "group": GROUP})
    seeded = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What autovacuum would have done long before 30 June: visibility map, statistics.
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM ledger_journalentry")
        entries = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM ledger_journalline")
        lines = cursor.fetchone()[0]
    print(f"seeded {options.accounts:,} accounts, {entries:,} entries, {lines:,} lines in {seeded:.1f} s")

    versions = policy_snapshot([RATE_KEY, BASIS_KEY], on=END)
    rate, basis = versions[RATE_KEY].value, versions[BASIS_KEY].value
    walk_started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE bench_walk AS {WALK_SQL}",
            {"start": START, "end": END, "rate": rate, "basis": basis},
        )
    walk_seconds = time.perf_counter() - walk_started

    chunking = {"chunk_size": options.chunk_size} if options.chunk_size else {}
    settle_started = time.perf_counter()
    report = settle_interest(on=END, **chunking)
    settle_seconds = time.perf_counter() - settle_started

    with connection.cursor() as cursor:
        cursor.execute(COMPARE_SQL, {"end": END})
        mismatches, compared, walk_total, posted_total = cursor.fetchone()
    again_started = time.perf_counter()
    again = settle_interest(on=END, **chunking)
    again_seconds = time.perf_counter() - again_started
    verify_started = time.perf_counter()
    call_command("verify_ledger", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    verify_seconds = time.perf_counter() - verify_started
    call_command("verify_audit_chain", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    batches = list(AuditEvent.objects.filter(action=ACCOUNT_ENTRIES_ACTION).values_list("data", flat=True))
    digests_match = all(journal_digest_of_batch(data) == data["digest"] for data in batches)
    audited = sum(data["entries"] for data in batches)

    n = options.accounts
    equal = mismatches == 0 and int(walk_total) == int(posted_total) == report.interest_fen
    print(f"rate {rate}, basis {basis}, period ({START}, {END}]")
    print(
        f"settle_interest: {report.accounts_settled:,} settled, {report.accounts_zero:,} zero, "
        f"total {report.interest_fen / 100:,.2f} yuan"
    )
    print(f"  of which computing the interest (SQL, under the chunk's locks): {report.compute_seconds:.2f} s")
    print(f"  of which posting (entries, lines, balances, audit, commit): {report.post_seconds:.2f} s")
    print(f"  total: {settle_seconds:.2f} s, {n / settle_seconds:,.0f} accounts/s")
    print(
        f"hand-written SQL walk (window functions, computing only): {walk_seconds:.2f} s, "
        f"{n / walk_seconds:,.0f} accounts/s"
    )
    print(f"ratio settle_interest / SQL walk: {settle_seconds / walk_seconds:.2f}")
    print(
        f"every fen equal: {equal} ({compared:,} accounts compared, {mismatches} differ; "
        f"walk {int(walk_total):,} fen, posted {int(posted_total):,} fen)"
    )
    print(
        f"re-run: {again.accounts_settled} posted, {again.accounts_already_settled:,} already settled, "
        f"{again_seconds:.2f} s"
    )
    print(
        f"audit: {len(batches)} batch events covering {audited:,} entries, "
        f"digests match the journal: {digests_match}; audit chain intact"
    )
    print(f"verify_ledger passed in {verify_seconds:.1f} s")

    summary = Summary(
        "The 30 June interest settlement", f"{n:,} accounts with a year of movements ({entries:,} entries)"
    )
    summary.figure("settle_interest", f"{settle_seconds:.2f} s ({n / settle_seconds:,.0f} accounts/s)")
    summary.figure("  of which computing (SQL, under the chunk's locks)", f"{report.compute_seconds:.2f} s")
    summary.figure("  of which posting (entries, lines, balances, audit)", f"{report.post_seconds:.2f} s")
    summary.figure(
        "hand-written SQL walk (computing only)", f"{walk_seconds:.2f} s ({n / walk_seconds:,.0f} accounts/s)"
    )
    summary.figure("re-run (posts nothing)", f"{again_seconds:.2f} s")
    summary.figure("interest posted", f"{report.interest_fen / 100:,.2f} yuan")
    ratio = settle_seconds / walk_seconds
    summary.ratio("settle_interest / SQL walk", ratio, "≤ 3×", ratio <= 3)
    summary.check("every fen equal to the SQL walk", equal)
    summary.check("re-run posts nothing", again.accounts_settled == 0)
    summary.check("audit digests match the journal", digests_match)
    # verify_ledger and verify_audit_chain raise above when they fail, so reaching here means both passed.
    summary.check("verify_ledger, verify_audit_chain", True)
    summary.emit()
    if not summary.passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
