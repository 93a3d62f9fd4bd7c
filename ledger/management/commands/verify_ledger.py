"""Check every ledger invariant against the stored journal; exit 0 only if all hold."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.db import consistent_snapshot
from core.money import format_yuan as _format_yuan
from ledger.models import DEBIT_NORMAL_KINDS, JournalEntry, JournalLine, LedgerAccount


def format_yuan(fen) -> str:
    # PostgreSQL returns sum(bigint) as numeric (Decimal); the amounts are still whole fen.
    return _format_yuan(int(fen))


class Command(BaseCommand):
    help = "Checks that entries balance, cached balances match the lines, and fund accounts are not negative."

    def handle(self, *args, **options):
        # All checks must see one snapshot while postings go on.
        with consistent_snapshot():
            violations, figures = self._check()
        for name, value in figures:
            self.stdout.write(f"{name}: {value}")
        if not violations:
            self.stdout.write(self.style.SUCCESS("ledger intact"))
            return
        for violation in violations:
            self.stdout.write(f"  VIOLATION {violation}")
        raise CommandError(f"{len(violations)} ledger violation(s)", returncode=1)

    def _check(self):
        entry_table = JournalEntry._meta.db_table
        line_table = JournalLine._meta.db_table
        account_table = LedgerAccount._meta.db_table
        debit_kinds = ", ".join(f"'{kind}'" for kind in sorted(DEBIT_NORMAL_KINDS))
        violations: list[str] = []
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {entry_table}")
            entries = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) FROM {line_table}"
            )
            lines, debits, credits = cursor.fetchone()
            cursor.execute(f"SELECT count(*) FROM {account_table}")
            accounts = cursor.fetchone()[0]

            if debits != credits:
                violations.append(f"global debits {format_yuan(debits)} != credits {format_yuan(credits)}")

            cursor.execute(
                f"""SELECT e.id, e.amount, coalesce(s.d, 0), coalesce(s.c, 0)
                FROM {entry_table} e
                LEFT JOIN (SELECT entry_id, sum(debit) AS d, sum(credit) AS c
                           FROM {line_table} GROUP BY entry_id) s ON s.entry_id = e.id
                WHERE coalesce(s.d, 0) <> coalesce(s.c, 0) OR coalesce(s.d, 0) <> e.amount
                ORDER BY e.id"""
            )
            for entry_id, amount, entry_debits, entry_credits in cursor.fetchall():
                violations.append(
                    f"entry #{entry_id} unbalanced: debits {format_yuan(entry_debits)}, "
                    f"credits {format_yuan(entry_credits)}, declared {format_yuan(amount)}"
                )

            # The database's triggers refuse a line without its entry (the line table has no
            # foreign key to entries, migration ledger 0006); this re-checks the stored journal.
            cursor.execute(
                f"""SELECT l.entry_id, count(*) FROM {line_table} l
                WHERE NOT EXISTS (SELECT 1 FROM {entry_table} e WHERE e.id = l.entry_id)
                GROUP BY l.entry_id ORDER BY l.entry_id"""
            )
            for entry_id, count in cursor.fetchall():
                violations.append(f"{count} line(s) of entry #{entry_id}, which is not in the journal")

            # One grouped query over all lines, not one per account.
            cursor.execute(
                f"""SELECT a.code, a.balance, CASE WHEN a.kind IN ({debit_kinds})
                           THEN coalesce(s.d, 0) - coalesce(s.c, 0)
                           ELSE coalesce(s.c, 0) - coalesce(s.d, 0) END AS computed
                FROM {account_table} a
                LEFT JOIN (SELECT account_id, sum(debit) AS d, sum(credit) AS c
                           FROM {line_table} GROUP BY account_id) s ON s.account_id = a.id
                WHERE a.balance <> CASE WHEN a.kind IN ({debit_kinds})
                           THEN coalesce(s.d, 0) - coalesce(s.c, 0)
                           ELSE coalesce(s.c, 0) - coalesce(s.d, 0) END
                ORDER BY a.code"""
            )
            for code, cached, computed in cursor.fetchall():
                violations.append(
                    f"account {code}: cached balance {format_yuan(cached)} != lines {format_yuan(computed)}"
                )

            cursor.execute(f"SELECT code, balance FROM {account_table} WHERE kind = 'FUND' AND balance < 0")
            for code, balance in cursor.fetchall():
                violations.append(f"fund account {code} is negative: {format_yuan(balance)}")

            cursor.execute(
                f"SELECT idempotency_key, count(*) FROM {entry_table} "
                "GROUP BY idempotency_key HAVING count(*) > 1"
            )
            for key, count in cursor.fetchall():
                violations.append(f"idempotency key {key!r} used by {count} entries")

            cursor.execute(
                f"SELECT reverses_id, count(*) FROM {entry_table} WHERE reverses_id IS NOT NULL "
                "GROUP BY reverses_id HAVING count(*) > 1"
            )
            for entry_id, count in cursor.fetchall():
                violations.append(f"entry #{entry_id} reversed {count} times")

            cursor.execute(
                f"""SELECT coalesce(sum(CASE WHEN kind IN ({debit_kinds}) THEN balance ELSE 0 END), 0),
                           coalesce(sum(CASE WHEN kind IN ({debit_kinds}) THEN 0 ELSE balance END), 0)
                    FROM {account_table}"""
            )
            debit_side, credit_side = cursor.fetchone()
            if debit_side != credit_side:
                violations.append(
                    f"balance sheet: debit-normal balances {format_yuan(debit_side)} "
                    f"!= credit-normal balances {format_yuan(credit_side)}"
                )

        figures = [
            ("entries", entries),
            ("lines", lines),
            ("accounts", accounts),
            ("total debits (yuan)", format_yuan(debits)),
            ("total credits (yuan)", format_yuan(credits)),
            ("debit-normal balances (yuan)", format_yuan(debit_side)),
            ("credit-normal balances (yuan)", format_yuan(credit_side)),
        ]
        return violations, figures
