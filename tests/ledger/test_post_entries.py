import pytest
from django.db import transaction

from audit.models import AuditEvent
from ledger import services
from ledger.centre import BANK_SETTLEMENT, PAYOUT_CLEARING
from ledger.exceptions import InsufficientBalance, InvalidLine, UnbalancedEntry
from ledger.models import BusinessType, JournalEntry, JournalLine, LedgerAccount
from ledger.selectors import balance_of
from tests.ledger.factories import BUSINESS_DAY, FundLedgerAccountFactory, deposit, new_key

pytestmark = pytest.mark.django_db


def _deposit(account, amount, key=None):
    return services.Posting(
        lines=[
            services.Line(services.centre_account(BANK_SETTLEMENT), debit=amount),
            services.Line(account, credit=amount),
        ],
        business_type=BusinessType.MONTHLY_DEPOSIT,
        business_on=BUSINESS_DAY,
        idempotency_key=key or new_key("deposit"),
    )


def _withdrawal(account, amount, key=None):
    return services.Posting(
        lines=[
            services.Line(account, debit=amount),
            services.Line(services.centre_account(PAYOUT_CLEARING), credit=amount),
        ],
        business_type=BusinessType.PARTIAL_WITHDRAWAL,
        business_on=BUSINESS_DAY,
        idempotency_key=key or new_key("withdraw"),
    )


class TestPostEntries:
    def test_posts_every_entry_and_moves_each_balance_once(self):
        first, second = FundLedgerAccountFactory.create_batch(2)
        bank_before = balance_of(services.centre_account(BANK_SETTLEMENT))

        with transaction.atomic():
            entries = services.post_entries(
                [_deposit(first, 1_000), _deposit(second, 2_000), _deposit(first, 500)]
            )

        assert [entry.amount for entry in entries] == [1_000, 2_000, 500]
        assert (balance_of(first), balance_of(second)) == (1_500, 2_000)
        assert balance_of(services.centre_account(BANK_SETTLEMENT)) == bank_before + 3_500
        assert JournalLine.objects.filter(entry__in=entries).count() == 6

    def test_lets_a_withdrawal_spend_what_an_earlier_posting_brought_in(self):
        account = FundLedgerAccountFactory()

        with transaction.atomic():
            services.post_entries([_deposit(account, 1_000), _withdrawal(account, 1_000)])

        assert balance_of(account) == 0

    def test_refuses_a_batch_that_overdraws_a_fund_account_at_any_point(self):
        account = FundLedgerAccountFactory()

        with pytest.raises(InsufficientBalance), transaction.atomic():
            services.post_entries([_withdrawal(account, 1_000), _deposit(account, 1_000)])

        assert balance_of(account) == 0
        assert not JournalEntry.objects.filter(lines__account=account).exists()

    def test_writes_nothing_when_one_posting_is_unbalanced(self):
        account = FundLedgerAccountFactory()
        unbalanced = services.Posting(
            lines=[services.Line(account, credit=5)],
            business_type=BusinessType.MONTHLY_DEPOSIT,
            business_on=BUSINESS_DAY,
            idempotency_key=new_key(),
        )

        with pytest.raises(UnbalancedEntry), transaction.atomic():
            services.post_entries([_deposit(account, 1_000), unbalanced])

        assert balance_of(account) == 0

    def test_replays_a_key_already_posted_without_posting_again(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            first = deposit(account, 1_000, key="bulk:replay")

        with transaction.atomic():
            entries = services.post_entries(
                [_deposit(account, 1_000, key="bulk:replay"), _deposit(account, 7)]
            )

        assert entries[0] == first
        assert balance_of(account) == 1_007

    def test_refuses_a_key_given_twice_in_one_batch(self):
        account = FundLedgerAccountFactory()

        with pytest.raises(InvalidLine), transaction.atomic():
            services.post_entries(
                [_deposit(account, 1, key="bulk:twice"), _deposit(account, 2, key="bulk:twice")]
            )

    def test_writes_one_audit_event_per_entry(self):
        account = FundLedgerAccountFactory()

        with transaction.atomic():
            entries = services.post_entries([_deposit(account, 100), _deposit(account, 200)])

        events = AuditEvent.objects.filter(
            action="ledger.post_entry", target_id__in=[str(e.pk) for e in entries]
        )
        assert sorted(event.data["amount_fen"] for event in events) == [100, 200]

    def test_needs_the_callers_transaction(self):
        from audit.services import NoOpenTransaction
        from tests.ledger.test_post_entry import outside_any_transaction

        account = FundLedgerAccountFactory()

        with pytest.raises(NoOpenTransaction), outside_any_transaction():
            services.post_entries([_deposit(account, 1)])


class TestOpenFundLedgerAccounts:
    def test_opens_each_number_at_zero(self):
        with transaction.atomic():
            opened = services.open_fund_ledger_accounts(account_nos=["350200000011", "350200000029"])

        assert {account.code for account in opened.values()} == {"FUND-350200000011", "FUND-350200000029"}
        assert {balance_of(account) for account in opened.values()} == {0}

    def test_returns_an_account_that_already_exists(self):
        with transaction.atomic():
            existing = services.open_fund_ledger_account(account_no="350200000037")

            opened = services.open_fund_ledger_accounts(account_nos=["350200000037"])

        assert opened["350200000037"] == existing
        assert LedgerAccount.objects.filter(code="FUND-350200000037").count() == 1
