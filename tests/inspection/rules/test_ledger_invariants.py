import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from inspection.rules.base import CRITICAL
from inspection.rules.ledger_invariants import LedgerInvariants
from ledger.centre import BANK_SETTLEMENT
from ledger.models import LedgerAccount
from ledger.services import centre_account
from tests.accounts.factories import FundAccountFactory
from tests.ledger.factories import deposit

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    with transaction.atomic():
        account = FundAccountFactory()
        deposit(account.ledger_account, 240000)
    return account


def last_posting() -> AuditEvent:
    return AuditEvent.objects.filter(action="ledger.post_entry").latest("sequence")


class TestLedgerInvariantsOnEvent:
    def test_is_quiet_on_a_posting_that_balances(self, account):
        event = last_posting()

        findings = LedgerInvariants().on_event(event)

        assert findings == []

    def test_reports_a_stored_balance_that_is_not_the_sum_of_its_postings(self, account):
        ledger_account = account.ledger_account
        # Someone changed the cached balance behind the ledger's back.
        LedgerAccount.objects.filter(pk=ledger_account.pk).update(balance=999999)
        event = last_posting()

        findings = LedgerInvariants().on_event(event)

        assert len(findings) == 1
        finding = findings[0]
        assert (finding.rule, finding.severity) == ("ledger_invariants", CRITICAL)
        assert finding.subject == f"ledger-account:{ledger_account.code}"
        assert finding.evidence["problem"] == "BALANCE_MISMATCH"
        assert (finding.evidence["stored_fen"], finding.evidence["lines_fen"]) == (999999, 240000)

    def test_leaves_the_centre_accounts_to_the_sweep_unless_told(self, account, settings):
        bank = centre_account(BANK_SETTLEMENT)
        LedgerAccount.objects.filter(pk=bank.pk).update(balance=bank.balance + 1)
        event = last_posting()

        quiet = LedgerInvariants().on_event(event)
        settings.INSPECTION_LEDGER_CHECK_CENTRE_ON_EVENT = True
        told = LedgerInvariants().on_event(event)

        assert quiet == []
        assert [finding.subject for finding in told] == [f"ledger-account:{bank.code}"]


class TestLedgerInvariantsSweep:
    def test_is_quiet_on_an_intact_ledger(self, account):
        findings = LedgerInvariants().sweep(day=timezone.localdate())

        assert findings == []

    def test_reports_what_verify_ledger_finds(self, account):
        code = account.ledger_account.code
        LedgerAccount.objects.filter(code=code).update(balance=1)

        findings = LedgerInvariants().sweep(day=timezone.localdate())

        assert [finding.subject for finding in findings] == ["ledger"]
        evidence = findings[0].evidence
        assert evidence["violation_count"] >= 1
        assert any(code in violation for violation in evidence["violations"])
