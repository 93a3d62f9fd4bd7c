from contextlib import contextmanager, suppress

import pytest
from django.db import connection, transaction

from audit.models import AuditEvent
from audit.services import NoOpenTransaction
from ledger import services
from ledger.centre import BANK_SETTLEMENT, PAYOUT_CLEARING
from ledger.exceptions import (
    AlreadyReversed,
    InsufficientBalance,
    InvalidLine,
    UnbalancedEntry,
    UnknownBusinessType,
    UnknownLedgerAccount,
)
from ledger.models import AccountKind, BusinessType, JournalEntry, JournalLine
from ledger.selectors import balance_of
from tests.ledger.factories import BUSINESS_DAY, FundLedgerAccountFactory, deposit, new_key, withdraw

pytestmark = pytest.mark.django_db


@contextmanager
def outside_any_transaction():
    """Mark the connection as outside any atomic block; the helpers' guard reads only this flag."""
    saved = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        yield
    finally:
        connection.in_atomic_block = saved


class TestPostEntry:
    def test_credits_the_fund_account_and_debits_the_bank(self):
        account = FundLedgerAccountFactory()
        bank_before = balance_of(services.centre_account(BANK_SETTLEMENT))

        with transaction.atomic():
            entry = deposit(account, 180_000)

        assert balance_of(account) == 180_000
        assert balance_of(services.centre_account(BANK_SETTLEMENT)) == bank_before + 180_000
        assert entry.amount == 180_000
        assert sorted(entry.lines.values_list("debit", "credit")) == [(0, 180_000), (180_000, 0)]

    def test_posts_a_monthly_list_as_one_entry_with_a_line_per_employee(self):
        employees = FundLedgerAccountFactory.create_batch(300)
        bank = services.centre_account(BANK_SETTLEMENT)
        lines = [services.Line(bank, debit=300 * 1_000)]
        lines += [services.Line(account, credit=1_000) for account in employees]

        with transaction.atomic():
            entry = services.post_entry(
                lines=lines,
                business_type=BusinessType.MONTHLY_DEPOSIT,
                business_on=BUSINESS_DAY,
                idempotency_key=new_key(),
            )

        assert entry.lines.count() == 301
        assert {balance_of(account) for account in employees} == {1_000}

    def test_writes_one_audit_event_in_the_same_transaction(self):
        account = FundLedgerAccountFactory()

        with transaction.atomic():
            entry = deposit(account, 500)

        event = AuditEvent.objects.get(action="ledger.post_entry", target_id=str(entry.pk))
        assert event.data["amount_fen"] == 500
        assert "5.00" in event.summary

    def test_refuses_an_unbalanced_entry(self):
        account = FundLedgerAccountFactory()
        bank = services.centre_account(BANK_SETTLEMENT)

        with pytest.raises(UnbalancedEntry), transaction.atomic():
            services.post_entry(
                lines=[services.Line(bank, debit=100), services.Line(account, credit=99)],
                business_type=BusinessType.MONTHLY_DEPOSIT,
                business_on=BUSINESS_DAY,
                idempotency_key=new_key(),
            )

        assert balance_of(account) == 0
        assert not JournalEntry.objects.filter(lines__account=account).exists()

    @pytest.mark.parametrize(
        ("debit", "credit"),
        [(0, 0), (5, 5), (-5, 0), (1.5, 0), (True, 0)],
        ids=["empty", "both", "neg", "float", "bool"],
    )
    def test_refuses_a_line_without_exactly_one_positive_whole_fen_side(self, debit, credit):
        account = FundLedgerAccountFactory()

        with pytest.raises(InvalidLine), transaction.atomic():
            services.post_entry(
                lines=[services.Line(account, debit=debit, credit=credit)],
                business_type=BusinessType.MONTHLY_DEPOSIT,
                business_on=BUSINESS_DAY,
                idempotency_key=new_key(),
            )

    def test_refuses_an_unknown_business_type(self):
        account = FundLedgerAccountFactory()
        bank = services.centre_account(BANK_SETTLEMENT)

        with pytest.raises(UnknownBusinessType), transaction.atomic():
            services.post_entry(
                lines=[services.Line(bank, debit=1), services.Line(account, credit=1)],
                business_type="99",
                business_on=BUSINESS_DAY,
                idempotency_key=new_key(),
            )

    def test_returns_the_first_entry_on_a_replay_and_changes_nothing(self):
        account = FundLedgerAccountFactory()
        key = new_key()
        with transaction.atomic():
            first = deposit(account, 1_000, key=key)
        events_before = AuditEvent.objects.count()

        with transaction.atomic():
            replay = deposit(account, 9_999, key=key)

        assert replay.pk == first.pk
        assert balance_of(account) == 1_000
        assert JournalEntry.objects.filter(idempotency_key=key).count() == 1
        assert AuditEvent.objects.count() == events_before

    def test_refuses_to_overdraw_a_fund_account(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            deposit(account, 1_000)
        entries_before = JournalEntry.objects.count()

        with pytest.raises(InsufficientBalance) as refusal, transaction.atomic():
            withdraw(account, 1_001)

        assert refusal.value.code == "INSUFFICIENT_BALANCE"
        assert balance_of(account) == 1_000
        assert JournalEntry.objects.count() == entries_before

    def test_leaves_nothing_behind_when_the_caller_catches_a_refusal(self):
        account = FundLedgerAccountFactory()
        entries_before = JournalEntry.objects.count()

        with transaction.atomic(), suppress(InsufficientBalance):
            withdraw(account, 1)

        assert JournalEntry.objects.count() == entries_before

    def test_allows_emptying_a_fund_account_exactly(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            deposit(account, 1_000)

        with transaction.atomic():
            withdraw(account, 1_000)

        assert balance_of(account) == 0

    def test_refuses_an_account_that_was_never_saved(self):
        ghost = FundLedgerAccountFactory.build(pk=10**12)
        bank = services.centre_account(BANK_SETTLEMENT)

        with pytest.raises(UnknownLedgerAccount), transaction.atomic():
            services.post_entry(
                lines=[services.Line(bank, debit=1), services.Line(ghost, credit=1)],
                business_type=BusinessType.MONTHLY_DEPOSIT,
                business_on=BUSINESS_DAY,
                idempotency_key=new_key(),
            )

    def test_requires_the_callers_transaction(self):
        account = FundLedgerAccountFactory()

        # pytest-django wraps each test in a transaction: hide it to reach the helper's guard.
        with pytest.raises(NoOpenTransaction), outside_any_transaction():
            deposit(account, 1)


class TestReverseEntry:
    def test_posts_the_mirror_entry_and_restores_the_balances(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            original = deposit(account, 2_500)

        with transaction.atomic():
            reversal = services.reverse_entry(
                entry=original, business_on=BUSINESS_DAY, idempotency_key=new_key(), memo="冲正"
            )

        assert reversal.reverses_id == original.pk
        assert reversal.business_type == original.business_type
        assert balance_of(account) == 0
        assert sorted(reversal.lines.values_list("account_id", "debit", "credit")) == sorted(
            (line.account_id, line.credit, line.debit) for line in original.lines.all()
        )

    def test_refuses_a_second_reversal(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            original = deposit(account, 2_500)
            services.reverse_entry(
                entry=original, business_on=BUSINESS_DAY, idempotency_key=new_key(), memo="冲正"
            )

        with pytest.raises(AlreadyReversed), transaction.atomic():
            services.reverse_entry(
                entry=original, business_on=BUSINESS_DAY, idempotency_key=new_key(), memo="再冲"
            )

        assert balance_of(account) == 0

    def test_refuses_to_reverse_a_reversal(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            original = deposit(account, 2_500)
            reversal = services.reverse_entry(
                entry=original, business_on=BUSINESS_DAY, idempotency_key=new_key(), memo="冲正"
            )

        with pytest.raises(AlreadyReversed), transaction.atomic():
            services.reverse_entry(
                entry=reversal, business_on=BUSINESS_DAY, idempotency_key=new_key(), memo="x"
            )

    def test_returns_the_first_reversal_on_a_replay(self):
        account = FundLedgerAccountFactory()
        key = new_key()
        with transaction.atomic():
            original = deposit(account, 2_500)
            first = services.reverse_entry(
                entry=original, business_on=BUSINESS_DAY, idempotency_key=key, memo="冲正"
            )

        with transaction.atomic():
            replay = services.reverse_entry(
                entry=original, business_on=BUSINESS_DAY, idempotency_key=key, memo="冲正"
            )

        assert replay.pk == first.pk

    def test_refuses_a_reversal_that_would_overdraw_the_fund_account(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            original = deposit(account, 2_500)
            withdraw(account, 2_000)

        with pytest.raises(InsufficientBalance), transaction.atomic():
            services.reverse_entry(
                entry=original, business_on=BUSINESS_DAY, idempotency_key=new_key(), memo="冲正"
            )

        assert balance_of(account) == 500


class TestOpenFundLedgerAccount:
    def test_opens_a_fund_account_at_zero(self):
        with transaction.atomic():
            account = services.open_fund_ledger_account(account_no="350200000001")

        assert (account.code, account.kind, account.balance) == ("FUND-350200000001", AccountKind.FUND, 0)

    def test_returns_the_same_account_when_opened_again(self):
        with transaction.atomic():
            first = services.open_fund_ledger_account(account_no="350200000002")

        with transaction.atomic():
            again = services.open_fund_ledger_account(account_no="350200000002")

        assert again.pk == first.pk


class TestCentreAccount:
    @pytest.mark.parametrize(
        ("code", "kind"),
        [
            ("BANK_SETTLEMENT", AccountKind.ASSET),
            ("INTEREST_EXPENSE", AccountKind.EXPENSE),
            ("PAYOUT_CLEARING", AccountKind.LIABILITY),
            ("LOAN_PRINCIPAL", AccountKind.ASSET),
            ("DEPOSIT_SUSPENSE", AccountKind.LIABILITY),
        ],
    )
    def test_finds_each_seeded_centre_account(self, code, kind):
        account = services.centre_account(code)

        assert account.kind == kind

    def test_refuses_an_unknown_code(self):
        with pytest.raises(UnknownLedgerAccount):
            services.centre_account("NO_SUCH_ACCOUNT")

    def test_payout_clearing_is_credited_by_a_withdrawal(self):
        account = FundLedgerAccountFactory()
        clearing_before = balance_of(services.centre_account(PAYOUT_CLEARING))
        with transaction.atomic():
            deposit(account, 700)

        with transaction.atomic():
            withdraw(account, 300)

        assert balance_of(services.centre_account(PAYOUT_CLEARING)) == clearing_before + 300
        assert JournalLine.objects.filter(account=account).count() == 2
