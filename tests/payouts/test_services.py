from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from audit.models import AuditEvent
from audit.services import NoOpenTransaction
from integrations.bank import payments
from ledger.centre import BANK_SETTLEMENT, PAYOUT_CLEARING
from ledger.models import JournalEntry
from ledger.selectors import balance_of, centre_balance
from ledger.services import centre_account
from payouts import services
from payouts.models import Payout, PayoutStatus
from payouts.registry import register_purpose, unregister_purpose
from payouts.relay import relay_payouts
from tests.accounts.factories import PersonFactory
from tests.ledger.factories import withdraw
from tests.payouts.factories import CARD, funded_account, make_payout

pytestmark = pytest.mark.django_db


def ledger_intact() -> bool:
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    return "ledger intact" in out.getvalue()


def sent(payout: Payout, bank) -> Payout:
    """The payout relayed to ``bank`` (the fake the test installed), refreshed."""
    relay_payouts()
    payout.refresh_from_db()
    return payout


class TestCreatePayout:
    def test_records_a_pending_payout_with_the_card_encrypted_and_its_last_four_digits(self):
        from django.db import connection

        payout = make_payout(amount=180_000)

        with connection.cursor() as cursor:
            cursor.execute("SELECT card_no FROM payouts_payout WHERE id = %s", [payout.pk])
            stored = cursor.fetchone()[0]
        payout.refresh_from_db()
        assert (payout.status, payout.amount, payout.attempts) == (PayoutStatus.PENDING, 180_000, 0)
        assert payout.card_no == CARD
        assert CARD not in stored
        assert payout.card_last4 == "0123"
        assert payout.reference.startswith("PO")

    def test_returns_the_existing_payout_for_the_same_source_reference(self):
        account = funded_account()
        first = make_payout(account, source_ref="withdrawal:1", debit_key="w:1")

        again = make_payout(account, source_ref="withdrawal:1", debit_key="w:1")

        assert again.pk == first.pk
        assert Payout.objects.count() == 1
        assert balance_of(account.ledger_account) == 1_000_000 - 180_000

    def test_refuses_the_same_source_reference_with_another_amount(self):
        account = funded_account()
        make_payout(account, source_ref="withdrawal:1")

        with pytest.raises(services.PayoutConflict):
            make_payout(account, source_ref="withdrawal:1", amount=1_000)

        assert Payout.objects.count() == 1

    def test_refuses_a_posting_that_moved_another_amount_into_payout_clearing(self):
        account = funded_account()

        with pytest.raises(services.InvalidPayout) as refused, transaction.atomic():
            entry = withdraw(account.ledger_account, 100_000)
            services.create_payout(
                person=account.person,
                amount_fen=180_000,
                card_no=CARD,
                holder_name=account.person.name,
                purpose="withdrawal",
                source_ref="withdrawal:2",
                debit_entry=entry,
            )

        assert refused.value.field == "amount"
        assert not Payout.objects.exists()

    @pytest.mark.parametrize("amount", [0, -5, True])
    def test_refuses_an_amount_that_is_not_a_positive_number_of_fen(self, amount):
        account = funded_account()

        with pytest.raises(services.InvalidPayout), transaction.atomic():
            services.create_payout(
                person=account.person,
                amount_fen=amount,
                card_no=CARD,
                holder_name="x",
                purpose="withdrawal",
                source_ref="withdrawal:3",
                debit_entry=withdraw(account.ledger_account, 100),
            )

    def test_writes_an_audit_event_without_the_card_number(self):
        payout = make_payout()

        event = AuditEvent.objects.get(action="payouts.created")

        assert event.target_id == str(payout.pk)
        assert CARD not in event.summary
        assert "0123" in event.summary

    def test_relays_the_payout_after_commit(self, payment_bank, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            payout = make_payout()

        payout.refresh_from_db()
        assert payout.status == PayoutStatus.PAID
        assert payment_bank.submissions == {payout.reference: 1}
        assert payment_bank.paid_total() == 180_000


@pytest.mark.django_db(transaction=True)
class TestCreatePayoutOutsideATransaction:
    def test_needs_the_caller_s_transaction(self):
        # No journal rows here: a transactional test's flush may not delete them on SQLite.
        person = PersonFactory()

        with pytest.raises(NoOpenTransaction):
            services.create_payout(
                person=person,
                amount_fen=100,
                card_no=CARD,
                holder_name="x",
                purpose="withdrawal",
                source_ref="withdrawal:4",
                debit_entry=JournalEntry(),
            )

        assert not Payout.objects.exists()


class TestRecordPaymentResult:
    def test_posts_one_entry_from_payout_clearing_to_the_bank_when_paid(self, slow_payment_bank):
        payout = sent(make_payout(amount=180_000), slow_payment_bank)
        clearing_before = centre_balance(PAYOUT_CLEARING)
        bank_before = centre_balance(BANK_SETTLEMENT)

        services.record_payment_result(
            reference=payout.reference, paid=True, failure_code=None, bank_ref="B1"
        )

        payout.refresh_from_db()
        assert payout.status == PayoutStatus.PAID
        assert payout.bank_ref == "B1"
        assert payout.settled_at is not None
        assert payout.settle_entry.idempotency_key == f"payout:{payout.pk}:paid"
        assert centre_balance(PAYOUT_CLEARING) == clearing_before - 180_000
        assert centre_balance(BANK_SETTLEMENT) == bank_before - 180_000
        assert ledger_intact()

    def test_takes_the_money_out_of_the_clearing_part_the_withdrawal_put_it_in(self, slow_payment_bank):
        part = centre_account(PAYOUT_CLEARING, spread_by=7)
        payout = sent(make_payout(amount=180_000, clearing=part), slow_payment_bank)

        services.record_payment_result(
            reference=payout.reference, paid=True, failure_code=None, bank_ref="B1"
        )

        payout.refresh_from_db()
        lines = {(line.account.code, line.debit, line.credit) for line in payout.settle_entry.lines.all()}
        bank_part = centre_account(BANK_SETTLEMENT, spread_by=payout.pk)
        assert lines == {("PAYOUT_CLEARING.07", 180_000, 0), (bank_part.code, 0, 180_000)}
        assert balance_of(part) == 0

    def test_returns_the_money_to_the_fund_account_when_the_payment_failed(self, slow_payment_bank):
        account = funded_account(1_000_000)
        payout = sent(make_payout(account, amount=180_000), slow_payment_bank)

        services.record_payment_result(
            reference=payout.reference, paid=False, failure_code=payments.ACCOUNT_FROZEN, bank_ref="B1"
        )

        payout.refresh_from_db()
        assert (payout.status, payout.failure_code) == (PayoutStatus.FAILED, payments.ACCOUNT_FROZEN)
        assert payout.refund_entry.reverses_id == payout.debit_entry_id
        assert balance_of(account.ledger_account) == 1_000_000
        assert centre_balance(PAYOUT_CLEARING) == 0
        assert ledger_intact()

    def test_changes_nothing_when_the_same_result_comes_again(self, slow_payment_bank):
        payout = sent(make_payout(), slow_payment_bank)
        services.record_payment_result(
            reference=payout.reference, paid=True, failure_code=None, bank_ref="B1"
        )
        entries = JournalEntry.objects.count()
        events = AuditEvent.objects.count()

        for _ in range(3):
            services.record_payment_result(
                reference=payout.reference, paid=True, failure_code=None, bank_ref="B1"
            )

        assert JournalEntry.objects.count() == entries
        assert AuditEvent.objects.count() == events

    def test_keeps_the_first_result_when_a_contradicting_one_comes(self, slow_payment_bank):
        account = funded_account(1_000_000)
        payout = sent(make_payout(account, amount=180_000), slow_payment_bank)
        services.record_payment_result(
            reference=payout.reference, paid=True, failure_code=None, bank_ref="B1"
        )

        services.record_payment_result(
            reference=payout.reference, paid=False, failure_code=payments.CARD_INVALID, bank_ref="B1"
        )

        payout.refresh_from_db()
        assert payout.status == PayoutStatus.PAID
        assert payout.refund_entry is None
        assert balance_of(account.ledger_account) == 820_000

    def test_returns_none_for_a_reference_it_does_not_know(self):
        assert (
            services.record_payment_result(reference="PO-NONE", paid=True, failure_code=None, bank_ref="")
            is None
        )

    def test_ignores_a_result_for_a_payout_never_sent(self):
        payout = make_payout()

        services.record_payment_result(reference=payout.reference, paid=True, failure_code=None, bank_ref="B")

        payout.refresh_from_db()
        assert payout.status == PayoutStatus.PENDING

    def test_calls_the_purpose_s_hook_once_after_commit(
        self, slow_payment_bank, django_capture_on_commit_callbacks
    ):
        calls = []
        register_purpose(
            "test_hook",
            on_paid=lambda *, payout: calls.append(("paid", payout.pk)),
            on_failed=lambda *, payout: calls.append(("failed", payout.pk)),
        )
        try:
            payout = sent(make_payout(purpose="test_hook"), slow_payment_bank)
            with django_capture_on_commit_callbacks(execute=True):
                for _ in range(2):
                    services.record_payment_result(
                        reference=payout.reference, paid=False, failure_code="CARD_INVALID", bank_ref=""
                    )
        finally:
            unregister_purpose("test_hook")

        assert calls == [("failed", payout.pk)]

    def test_keeps_the_result_when_the_hook_fails(
        self, slow_payment_bank, django_capture_on_commit_callbacks
    ):
        def broken(*, payout):
            raise RuntimeError("hook down")

        register_purpose("test_broken", on_paid=broken)
        try:
            payout = sent(make_payout(purpose="test_broken"), slow_payment_bank)
            with django_capture_on_commit_callbacks(execute=True):
                services.record_payment_result(
                    reference=payout.reference, paid=True, failure_code=None, bank_ref=""
                )
        finally:
            unregister_purpose("test_broken")

        payout.refresh_from_db()
        assert payout.status == PayoutStatus.PAID


class TestRequeuePayout:
    def test_puts_a_sent_payout_back_to_pending_with_an_audit_event(self, slow_payment_bank):
        payout = sent(make_payout(), slow_payment_bank)

        services.requeue_payout(reference=payout.reference)

        payout.refresh_from_db()
        assert (payout.status, payout.attempts) == (PayoutStatus.PENDING, 1)
        assert AuditEvent.objects.filter(action="payouts.requeued", target_id=str(payout.pk)).exists()

    def test_leaves_a_settled_payout_as_it_is(self, payment_bank):
        payout = make_payout()
        relay_payouts()
        from payouts.relay import poll_payment_results

        poll_payment_results(payout_ids=[payout.pk])

        services.requeue_payout(reference=payout.reference)

        payout.refresh_from_db()
        assert payout.status == PayoutStatus.PAID
