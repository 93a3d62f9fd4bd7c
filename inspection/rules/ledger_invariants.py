"""Ledger invariants (finance, critical): every entry balances and every stored balance is the sum
of its postings.

On each posting the rule checks the entry just written and the fund accounts it touched. The
centre accounts (the bank, payout clearing…) carry millions of lines, so summing them on every
posting would cost more than the posting; the nightly sweep checks them, with everything else,
by running ``verify_ledger`` — the ledger's own check, not a copy of it.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from core.money import format_yuan
from inspection.rules._common import target_pk, threshold
from inspection.rules.base import CRITICAL, FINANCE, Finding
from ledger.models import AccountKind, JournalEntry, JournalLine, LedgerAccount

#: Also sum the centre accounts an entry touched, on each posting (off: the sweep does).
CHECK_CENTRE_ON_EVENT = "LEDGER_CHECK_CENTRE_ON_EVENT"
#: At most this many accounts of one entry are summed on its event; the sweep sums every account.
EVENT_MAX_ACCOUNTS = "LEDGER_EVENT_MAX_ACCOUNTS"
#: At most this many violations are copied into the sweep's evidence; the count is always whole.
EVIDENCE_LIMIT = 50


class LedgerInvariants:
    code = "ledger_invariants"
    family = FINANCE
    severity = CRITICAL
    actions = frozenset({"ledger.post_entry", "ledger.reverse_entry"})

    def title(self) -> str:
        return _("Ledger invariants broken")

    def on_event(self, event: AuditEvent) -> list[Finding]:
        return [finding for _sequence, finding in self.on_events([event])]

    def on_events(self, events: list[AuditEvent]) -> list[tuple[int, Finding]]:
        """A batch at once: a 30,000-row list post writes one event per posting, and three
        statements per batch keep up with it where three per event would not."""
        entry_of: dict[int, int] = {}
        for event in events:
            entry_id = target_pk(event, JournalEntry) or (event.data or {}).get("entry_id")
            if entry_id:
                entry_of[int(entry_id)] = event.sequence
        if not entry_of:
            return []
        pairs: list[tuple[int, Finding]] = []
        entries = JournalEntry.objects.filter(pk__in=entry_of).annotate(
            debits=Coalesce(Sum("lines__debit"), 0), credits=Coalesce(Sum("lines__credit"), 0)
        )
        found = set()
        for entry in entries:
            found.add(entry.pk)
            if not (entry.debits == entry.credits == entry.amount):
                evidence = {
                    "entry": entry.pk,
                    "problem": "ENTRY_UNBALANCED",
                    "debits_fen": int(entry.debits),
                    "credits_fen": int(entry.credits),
                    "declared_fen": entry.amount,
                    "event": entry_of[entry.pk],
                }
                pairs.append((entry_of[entry.pk], self._finding(f"ledger-entry:{entry.pk}", evidence)))
        for entry_id in entry_of.keys() - found:
            evidence = {"entry": entry_id, "problem": "ENTRY_MISSING", "event": entry_of[entry_id]}
            pairs.append((entry_of[entry_id], self._finding(f"ledger-entry:{entry_id}", evidence)))
        lines = JournalLine.objects.filter(entry_id__in=entry_of)
        if not threshold(CHECK_CENTRE_ON_EVENT, False):
            lines = lines.filter(account__kind=AccountKind.FUND)
        # Each account once, with the batch's last entry (and its event) that touched it.
        entry_of_account: dict[int, int] = {}
        for account_id, entry_id in lines.values_list("account_id", "entry_id"):
            if entry_of[entry_id] >= entry_of.get(entry_of_account.get(account_id), 0):
                entry_of_account[account_id] = entry_id
        # A whole unit's list is one entry over thousands of accounts: the first ones are checked
        # now, all of them at night.
        touched = sorted(entry_of_account)[: threshold(EVENT_MAX_ACCOUNTS, 2000)]
        for account in self._summed_accounts(touched):
            entry_id = entry_of_account[account.pk]
            finding = self._account_finding(account, entry=entry_id, sequence=entry_of[entry_id])
            if finding is not None:
                pairs.append((entry_of[entry_id], finding))
        return pairs

    def sweep(self, *, day: date) -> list[Finding]:
        out = StringIO()
        # A failed check raises after writing its violations, which are what the rule reads.
        with suppress(CommandError):
            call_command("verify_ledger", stdout=out)
        lines = out.getvalue().splitlines()
        violations = [
            line.strip().removeprefix("VIOLATION ").strip() for line in lines if "VIOLATION" in line
        ]
        if not violations:
            return []
        return [
            self._finding(
                "ledger",
                {
                    "problem": "VERIFY_LEDGER",
                    "day": day.isoformat(),
                    "violation_count": len(violations),
                    "violations": violations[:EVIDENCE_LIMIT],
                    "entries_posted_that_day": JournalEntry.objects.filter(
                        Q(business_on=day) | Q(posted_at__date=day)
                    ).count(),
                },
            )
        ]

    def _summed_accounts(self, account_ids):
        # One statement for all touched accounts: one snapshot of their lines and balances.
        return LedgerAccount.objects.filter(pk__in=account_ids).annotate(
            debits=Coalesce(Sum("lines__debit"), 0), credits=Coalesce(Sum("lines__credit"), 0)
        )

    def _account_finding(self, account, *, entry: int, sequence: int) -> Finding | None:
        computed = account.signed(debit=int(account.debits), credit=int(account.credits))
        if account.balance == computed and not (account.kind == AccountKind.FUND and account.balance < 0):
            return None
        evidence = {
            "account": account.code,
            "problem": "BALANCE_MISMATCH" if account.balance != computed else "NEGATIVE",
            "stored_fen": account.balance,
            "lines_fen": computed,
            "entry": entry,
            "event": sequence,
        }
        return self._finding(f"ledger-account:{account.code}", evidence)

    def _finding(self, subject: str, evidence: dict) -> Finding:
        problem = evidence["problem"]
        if problem == "ENTRY_UNBALANCED":
            title = _("Entry #%(entry)s does not balance: debits %(debits)s, credits %(credits)s yuan") % {
                "entry": evidence["entry"],
                "debits": format_yuan(evidence["debits_fen"]),
                "credits": format_yuan(evidence["credits_fen"]),
            }
        elif problem == "ENTRY_MISSING":
            title = _("Entry #%(entry)s named by the audit trail is not in the journal") % {
                "entry": evidence["entry"]
            }
        elif problem in ("BALANCE_MISMATCH", "NEGATIVE"):
            title = _(
                "Account %(account)s holds %(stored)s yuan but its postings sum to %(computed)s yuan"
            ) % {
                "account": evidence["account"],
                "stored": format_yuan(evidence["stored_fen"]),
                "computed": format_yuan(evidence["lines_fen"]),
            }
        else:
            title = _("The ledger check found %(count)s violation(s)") % {
                "count": evidence["violation_count"]
            }
        return Finding(
            rule=self.code, severity=self.severity, subject=subject, title=str(title), evidence=evidence
        )
