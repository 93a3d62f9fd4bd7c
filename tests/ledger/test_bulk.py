from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit.models import AuditEvent
from audit.services import NoOpenTransaction
from ledger import bulk, services
from ledger.centre import BANK_SETTLEMENT, DEPOSIT_SUSPENSE, INTEREST_EXPENSE
from ledger.exceptions import InvalidLine, LedgerError, UnbalancedEntry, UnknownBusinessType
from ledger.models import BusinessType, JournalEntry, JournalLine, LedgerAccount
from ledger.selectors import balance_of
from tests.ledger.factories import BUSINESS_DAY, FundLedgerAccountFactory, deposit, new_key
from tests.ledger.test_post_entry import outside_any_transaction

pytestmark = pytest.mark.django_db


def run_commit_checks():
    """What COMMIT does on PostgreSQL: the deferred balance and foreign-key checks, asked for now
    because a test's own transaction never commits. SQLite checks every line as it is inserted."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def verify_ledger() -> str:
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    return out.getvalue()


def post_list(credits, *, key=None, counter_code=BANK_SETTLEMENT, business_type=BusinessType.MONTHLY_DEPOSIT):
    return bulk.post_batch_entry(
        business_type=business_type,
        business_on=BUSINESS_DAY,
        idempotency_key=key or new_key("list"),
        memo="汇缴 2026-06",
        actor=None,
        counter_account=services.centre_account(counter_code),
        credits=credits,
    )


def snapshot():
    """Everything a refused posting must leave as it was."""
    return (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        AuditEvent.objects.count(),
        sorted(LedgerAccount.objects.values_list("pk", "balance")),
    )


class TestPostBatchEntry:
    def test_debits_the_counter_the_total_and_credits_every_account(self):
        employees = FundLedgerAccountFactory.create_batch(3)
        bank_before = balance_of(services.centre_account(BANK_SETTLEMENT))
        credits = [(employees[0].pk, 180_000), (employees[1].pk, 95_050), (employees[2].pk, 1)]

        with transaction.atomic():
            entry = post_list(credits)
            run_commit_checks()

        assert entry.amount == 275_051
        assert [balance_of(account) for account in employees] == [180_000, 95_050, 1]
        assert balance_of(services.centre_account(BANK_SETTLEMENT)) == bank_before + 275_051
        lines = sorted(entry.lines.values_list("account_id", "debit", "credit"))
        bank = services.centre_account(BANK_SETTLEMENT)
        assert sorted(lines) == sorted([(bank.pk, 275_051, 0)] + [(pk, 0, amount) for pk, amount in credits])
        assert "ledger intact" in verify_ledger()

    def test_posts_a_list_of_thousands_of_rows_as_one_balanced_entry(self):
        employees = FundLedgerAccountFactory.create_batch(3_000)
        credits = [(account.pk, 1_000 + index) for index, account in enumerate(employees)]

        with transaction.atomic():
            entry = post_list(credits)
            run_commit_checks()

        assert entry.lines.count() == 3_001
        assert entry.amount == sum(amount for _pk, amount in credits)
        assert balance_of(employees[-1]) == 1_000 + 2_999
        assert "ledger intact" in verify_ledger()

    def test_adds_to_balances_the_accounts_already_hold(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            deposit(account, 10_000)

        with transaction.atomic():
            post_list([(account.pk, 2_500)])

        assert balance_of(account) == 12_500

    def test_lowers_a_liability_used_as_the_counter_account(self):
        account = FundLedgerAccountFactory()
        suspense = services.centre_account(DEPOSIT_SUSPENSE)
        before = balance_of(suspense)

        with transaction.atomic():
            post_list([(account.pk, 700)], counter_code=DEPOSIT_SUSPENSE)

        # A debit lowers a credit-normal balance: money held in suspense is applied to the account.
        assert balance_of(suspense) == before - 700
        assert balance_of(account) == 700

    def test_writes_one_audit_event_for_the_entry(self):
        employees = FundLedgerAccountFactory.create_batch(2)

        with transaction.atomic():
            entry = post_list([(employees[0].pk, 100), (employees[1].pk, 200)])

        event = AuditEvent.objects.get(target_id=str(entry.pk), action="ledger.post_entry")
        assert event.data["amount_fen"] == 300
        assert event.data["line_count"] == 3
        assert event.summary == "汇缴 3.00 元, 3 行"

    def test_returns_the_first_entry_and_posts_nothing_on_replay(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            first = post_list([(account.pk, 1_000)], key="list:replay")
        before = snapshot()

        with transaction.atomic():
            again = post_list([(account.pk, 1_000)], key="list:replay")

        assert again == first
        assert snapshot() == before

    def test_posts_two_lists_in_one_transaction(self):
        account = FundLedgerAccountFactory()

        with transaction.atomic():
            post_list([(account.pk, 1_000)])
            post_list([(account.pk, 2_000)])
            run_commit_checks()

        assert balance_of(account) == 3_000

    @pytest.mark.parametrize(
        ("case", "error"),
        [
            ("no credits", UnbalancedEntry),
            ("zero amount", InvalidLine),
            ("negative amount", InvalidLine),
            ("float amount", InvalidLine),
            ("bool amount", InvalidLine),
            ("not a pair", InvalidLine),
            ("account twice", InvalidLine),
            ("counter among the credits", InvalidLine),
            ("unknown account", LedgerError),
            ("centre account credited", InvalidLine),
            ("fund account as counter", InvalidLine),
            ("unknown business type", UnknownBusinessType),
            ("empty key", InvalidLine),
        ],
    )
    def test_refuses_invalid_input_and_posts_nothing(self, case, error):
        account, other = FundLedgerAccountFactory.create_batch(2)
        bank = services.centre_account(BANK_SETTLEMENT)
        good = [(account.pk, 1_000)]
        arguments = {
            "business_type": BusinessType.MONTHLY_DEPOSIT,
            "business_on": BUSINESS_DAY,
            "idempotency_key": new_key("list"),
            "memo": "",
            "actor": None,
            "counter_account": bank,
            "credits": good,
        }
        arguments.update(
            {
                "no credits": {"credits": []},
                "zero amount": {"credits": [*good, (other.pk, 0)]},
                "negative amount": {"credits": [*good, (other.pk, -5)]},
                "float amount": {"credits": [*good, (other.pk, 10.5)]},
                "bool amount": {"credits": [*good, (other.pk, True)]},
                "not a pair": {"credits": [*good, (other.pk,)]},
                "account twice": {"credits": [*good, (account.pk, 5)]},
                "counter among the credits": {"credits": [*good, (bank.pk, 5)]},
                "unknown account": {"credits": [*good, (10**12, 5)]},
                "centre account credited": {
                    "credits": [*good, (services.centre_account(INTEREST_EXPENSE).pk, 5)]
                },
                "fund account as counter": {"counter_account": other},
                "unknown business type": {"business_type": "99"},
                "empty key": {"idempotency_key": ""},
            }[case]
        )
        before = snapshot()

        with transaction.atomic():
            with pytest.raises(error):
                bulk.post_batch_entry(**arguments)
            # The caller's transaction carries on unharmed, with nothing of the refused entry in it.
            run_commit_checks()
            after = snapshot()

        assert after == before

    def test_needs_the_callers_transaction(self):
        account = FundLedgerAccountFactory()

        with pytest.raises(NoOpenTransaction), outside_any_transaction():
            post_list([(account.pk, 1)])

    def test_takes_its_credits_from_a_query_run_in_the_database(self):
        employees = FundLedgerAccountFactory.create_batch(3)

        with transaction.atomic():
            entry = post_list(as_query([(employees[0].pk, 500), (employees[1].pk, 70), (employees[2].pk, 3)]))
            run_commit_checks()

        assert entry.amount == 573
        assert [balance_of(account) for account in employees] == [500, 70, 3]
        assert AuditEvent.objects.filter(action="ledger.post_entry", data__line_count=4).exists()
        assert "ledger intact" in verify_ledger()

    @pytest.mark.parametrize(
        ("case", "error"),
        [
            ("no credits", UnbalancedEntry),
            ("zero amount", InvalidLine),
            ("negative amount", InvalidLine),
            ("account twice", InvalidLine),
            ("counter among the credits", InvalidLine),
            ("unknown account", LedgerError),
            ("centre account credited", InvalidLine),
        ],
    )
    def test_refuses_a_query_with_invalid_rows_and_posts_nothing(self, case, error):
        account, other = FundLedgerAccountFactory.create_batch(2)
        good = [(account.pk, 1_000)]
        rows = {
            "no credits": [],
            "zero amount": [*good, (other.pk, 0)],
            "negative amount": [*good, (other.pk, -5)],
            "account twice": [*good, (account.pk, 5)],
            "counter among the credits": [*good, (services.centre_account(BANK_SETTLEMENT).pk, 5)],
            "unknown account": [*good, (10**12, 5)],
            "centre account credited": [*good, (services.centre_account(INTEREST_EXPENSE).pk, 5)],
        }[case]
        before = snapshot()

        with transaction.atomic():
            with pytest.raises(error):
                post_list(as_query(rows))
            run_commit_checks()
            after = snapshot()

        assert after == before


def as_query(pairs) -> bulk.AmountsQuery:
    """The pairs as a SELECT the database runs (VALUES columns are column1, column2 in both)."""
    if not pairs:
        return bulk.AmountsQuery("SELECT 1, 1 WHERE 1 = 0")
    values = ", ".join(["(%s, %s)"] * len(pairs))
    params = [value for pair in pairs for value in pair]
    return bulk.AmountsQuery(f"SELECT column1, column2 FROM (VALUES {values}) AS v", params)


def post_per_account(
    rows, *, first=None, last=None, prefix="bonus:", suffix=":2026", counter_code=INTEREST_EXPENSE
):
    ids = [account_id for account_id, _amount in rows] if isinstance(rows, list) else [0]
    return bulk.post_account_entries(
        business_type=BusinessType.ANNUAL_INTEREST,
        business_on=BUSINESS_DAY,
        memo="年终结息",
        actor=None,
        counter_account=services.centre_account(counter_code),
        key_prefix=prefix,
        key_suffix=suffix,
        first_account_id=first if first is not None else min(ids, default=0),
        last_account_id=last if last is not None else max(ids, default=0),
        amounts=rows,
    )


class TestPostAccountEntries:
    def test_posts_one_balanced_entry_per_account_under_its_own_key(self):
        employees = FundLedgerAccountFactory.create_batch(3)
        expense = services.centre_account(INTEREST_EXPENSE)
        expense_before = balance_of(expense)

        with transaction.atomic():
            batch = post_per_account([(account.pk, 100 * (i + 1)) for i, account in enumerate(employees)])
            run_commit_checks()

        assert (batch.entries, batch.total_fen, batch.already_posted) == (3, 600, 0)
        for i, account in enumerate(employees):
            entry = JournalEntry.objects.get(idempotency_key=f"bonus:{account.code}:2026")
            assert (entry.business_type, entry.business_on, entry.amount) == (
                "09",
                BUSINESS_DAY,
                100 * (i + 1),
            )
            assert sorted(entry.lines.values_list("account_id", "debit", "credit")) == sorted(
                [(expense.pk, 100 * (i + 1), 0), (account.pk, 0, 100 * (i + 1))]
            )
            assert balance_of(account) == 100 * (i + 1)
        assert balance_of(expense) == expense_before + 600
        assert "ledger intact" in verify_ledger()

    def test_takes_the_amounts_from_a_query_run_in_the_database(self):
        employees = FundLedgerAccountFactory.create_batch(2)
        ids = sorted(account.pk for account in employees)
        query = bulk.AmountsQuery(
            "SELECT id, 250 FROM ledger_ledgeraccount WHERE id BETWEEN %s AND %s AND kind = 'FUND'", ids
        )

        with transaction.atomic():
            batch = post_per_account(query, first=ids[0], last=ids[1])

        assert (batch.entries, batch.total_fen) == (2, 500)
        assert {balance_of(account) for account in employees} == {250}

    def test_skips_accounts_whose_key_is_already_in_the_journal(self):
        settled, due = FundLedgerAccountFactory.create_batch(2)
        with transaction.atomic():
            post_per_account([(settled.pk, 100)])
        entries_before = JournalEntry.objects.count()

        with transaction.atomic():
            batch = post_per_account([(settled.pk, 100), (due.pk, 40)])

        assert (batch.entries, batch.already_posted, batch.already_posted_fen) == (1, 1, 100)
        assert JournalEntry.objects.count() == entries_before + 1
        assert (balance_of(settled), balance_of(due)) == (100, 40)

    def test_posts_nothing_for_a_zero_amount(self):
        account = FundLedgerAccountFactory()

        with transaction.atomic():
            batch = post_per_account([(account.pk, 0)])

        assert (batch.entries, batch.already_posted) == (0, 0)
        assert not JournalEntry.objects.filter(idempotency_key=f"bonus:{account.code}:2026").exists()

    def test_writes_one_audit_event_whose_digest_matches_the_journal(self):
        employees = FundLedgerAccountFactory.create_batch(4)
        events_before = AuditEvent.objects.count()

        with transaction.atomic():
            batch = post_per_account([(account.pk, 7 + i) for i, account in enumerate(employees)])

        assert AuditEvent.objects.count() == events_before + 1
        event = AuditEvent.objects.get(action=bulk.ACCOUNT_ENTRIES_ACTION)
        assert event.data["entries"] == 4
        assert event.data["total_fen"] == 7 + 8 + 9 + 10
        assert (event.data["first_entry_id"], event.data["last_entry_id"]) == (
            batch.first_entry_id,
            batch.last_entry_id,
        )
        entries = JournalEntry.objects.filter(idempotency_key__startswith="bonus:").order_by("pk")
        rows = [(entry.pk, entry.lines.get(credit__gt=0).account_id, entry.amount) for entry in entries]
        assert event.data["digest"] == batch.digest == bulk.account_entries_digest(rows)
        assert bulk.journal_digest_of_batch(event.data) == event.data["digest"]
        out = StringIO()
        call_command("verify_audit_chain", stdout=out)
        assert "audit chain intact" in out.getvalue()

    def test_writes_no_audit_event_when_nothing_is_posted(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            post_per_account([(account.pk, 100)])
        events_before = AuditEvent.objects.count()

        with transaction.atomic():
            batch = post_per_account([(account.pk, 100)])

        assert batch.entries == 0
        assert AuditEvent.objects.count() == events_before

    @pytest.mark.parametrize(
        "case",
        [
            "outside the range",
            "centre account",
            "negative amount",
            "account twice",
            "fund account as counter",
        ],
    )
    def test_refuses_invalid_rows_and_posts_nothing(self, case):
        account, other = FundLedgerAccountFactory.create_batch(2)
        first, last = sorted([account.pk, other.pk])
        expense = services.centre_account(INTEREST_EXPENSE)
        rows, counter = [(account.pk, 100)], expense
        if case == "outside the range":
            rows, last = [(first, 100), (last, 100)], first
        elif case == "centre account":
            rows, first = [*rows, (expense.pk, 5)], min(first, expense.pk)
        elif case == "negative amount":
            rows = [*rows, (other.pk, -1)]
        elif case == "account twice":
            rows = [*rows, (account.pk, 5)]
        else:
            counter = other
        before = snapshot()

        with transaction.atomic():
            with pytest.raises(InvalidLine):
                bulk.post_account_entries(
                    business_type=BusinessType.ANNUAL_INTEREST,
                    business_on=BUSINESS_DAY,
                    memo="",
                    actor=None,
                    counter_account=counter,
                    key_prefix="bonus:",
                    key_suffix=":2026",
                    first_account_id=first,
                    last_account_id=last,
                    amounts=rows,
                )
            after = snapshot()

        assert after == before

    def test_needs_the_callers_transaction(self):
        account = FundLedgerAccountFactory()

        with pytest.raises(NoOpenTransaction), outside_any_transaction():
            post_per_account([(account.pk, 1)])
