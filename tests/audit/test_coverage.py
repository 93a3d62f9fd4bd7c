"""The main state machines write their audit event in the same transaction as the change: the
event is there after the change, and a failing audit write undoes the change with it."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from freezegun import freeze_time

from accounts.models import AccountStatus, FundAccount
from accounts.services import close_account, seal_account
from audit import services as audit_services
from audit.models import AuditEvent
from ledger.models import JournalEntry
from payouts.models import Payout
from tests.accounts.factories import FundAccountFactory
from tests.approvals.factories import staff_user
from tests.ledger.factories import deposit
from tests.payouts.factories import funded_account, make_payout
from tests.withdrawals.factories import account_with, approved
from withdrawals.models import WithdrawalPayment
from withdrawals.services import pay_withdrawal

pytestmark = pytest.mark.django_db


class AuditWriteFailed(Exception):
    pass


def _refuse(events):
    raise AuditWriteFailed("the audit log could not be written")


@pytest.fixture
def failing_audit(monkeypatch):
    monkeypatch.setattr(audit_services, "_append", _refuse)


def events_about(record):
    target_type = ContentType.objects.get_for_model(record)
    return list(
        AuditEvent.objects.filter(target_type=target_type, target_id=str(record.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


class TestAccountLifecycleAudit:
    def test_sealing_writes_its_event(self):
        account = FundAccountFactory(opened_on=date(2025, 1, 1))

        seal_account(account=account, sealed_on=date(2026, 11, 1), actor=staff_user())

        assert "accounts.account_sealed" in events_about(account)

    def test_sealing_is_undone_when_its_event_cannot_be_written(self, failing_audit):
        account = FundAccountFactory(opened_on=date(2025, 1, 1))

        with pytest.raises(AuditWriteFailed):
            seal_account(account=account, sealed_on=date(2026, 11, 1), actor=staff_user())

        assert FundAccount.objects.get(pk=account.pk).status == AccountStatus.NORMAL

    def test_closing_is_undone_when_its_event_cannot_be_written(self, failing_audit):
        account = FundAccountFactory(opened_on=date(2025, 1, 1))

        with pytest.raises(AuditWriteFailed):
            close_account(
                account=account,
                status=AccountStatus.MERGED,
                closed_on=date(2026, 11, 1),
                actor=staff_user(),
            )

        assert FundAccount.objects.get(pk=account.pk).status == AccountStatus.NORMAL


class TestLedgerPostingAudit:
    def test_a_posting_writes_its_event(self):
        account = FundAccountFactory()

        with transaction.atomic():
            entry = deposit(account.ledger_account, 240_000)

        assert events_about(entry) == ["ledger.post_entry"]

    def test_a_posting_is_undone_when_its_event_cannot_be_written(self, failing_audit):
        account = FundAccountFactory()

        with pytest.raises(AuditWriteFailed), transaction.atomic():
            deposit(account.ledger_account, 240_000)

        assert not JournalEntry.objects.exists()
        account.ledger_account.refresh_from_db()
        assert account.ledger_account.balance == 0


class TestPayoutAudit:
    def test_a_payout_writes_its_event(self):
        payout = make_payout()

        assert events_about(payout) == ["payouts.created"]

    def test_a_payout_is_undone_when_its_event_cannot_be_written(self, monkeypatch):
        account = funded_account()
        monkeypatch.setattr(audit_services, "_append", _refuse)

        with pytest.raises(AuditWriteFailed):
            make_payout(account)

        assert not Payout.objects.exists()


@freeze_time("2026-11-26 10:00:00+08:00")
@pytest.mark.usefixtures("payment_bank")
class TestWithdrawalPaymentAudit:
    def test_paying_writes_its_event(self, django_capture_on_commit_callbacks):
        application = approved(account_with(balance=480_000).person, "RENT", amount_limit=180_000)

        with django_capture_on_commit_callbacks(execute=True):
            payment = pay_withdrawal(application_id=application.pk)

        assert "withdrawals.withdrawal_paid" in events_about(payment.application)

    def test_paying_is_undone_when_its_event_cannot_be_written(self, monkeypatch):
        application = approved(account_with(balance=480_000).person, "RENT", amount_limit=180_000)
        monkeypatch.setattr(audit_services, "_append", _refuse)

        with pytest.raises(AuditWriteFailed):
            pay_withdrawal(application_id=application.pk)

        assert not WithdrawalPayment.objects.exists()
        assert not Payout.objects.exists()
