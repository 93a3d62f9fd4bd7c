"""The database itself refuses to change or unbalance the journal (raw SQL, past the services)."""

import pytest
from django.db import IntegrityError, connection, transaction

from ledger.models import JournalEntry, JournalLine, LedgerAccount
from tests.ledger.factories import FundLedgerAccountFactory, deposit

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted():
    account = FundLedgerAccountFactory()
    with transaction.atomic():
        entry = deposit(account, 1_000)
    return entry


def run_sql(sql, params=()):
    # Savepoint: on PostgreSQL a refused statement aborts the transaction it ran in.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


class TestJournalTriggers:
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE ledger_journalentry SET memo = 'edited' WHERE id = %s",
            "DELETE FROM ledger_journalentry WHERE id = %s",
            "UPDATE ledger_journalline SET credit = credit + 1 WHERE entry_id = %s AND credit > 0",
            "DELETE FROM ledger_journalline WHERE entry_id = %s",
        ],
        ids=["update-entry", "delete-entry", "update-line", "delete-line"],
    )
    def test_refuse_changing_posted_rows(self, posted, sql):
        with pytest.raises(IntegrityError, match="insert-only"):
            run_sql(sql, [posted.pk])

        assert JournalLine.objects.filter(entry=posted).count() == 2
        assert JournalEntry.objects.get(pk=posted.pk).memo == posted.memo

    def test_allow_the_cached_balance_to_change(self, posted):
        account = posted.lines.get(credit__gt=0).account

        run_sql("UPDATE ledger_ledgeraccount SET balance = balance WHERE id = %s", [account.pk])

        assert LedgerAccount.objects.get(pk=account.pk).balance == 1_000

    def test_refuse_a_line_added_to_an_earlier_entry(self, posted):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            deposit(account, 5)  # ``posted`` is no longer the newest entry

        with pytest.raises(IntegrityError):
            run_sql(
                "INSERT INTO ledger_journalline (entry_id, account_id, debit, credit) VALUES (%s, %s, 0, 1)",
                [posted.pk, account.pk],
            )

        assert posted.lines.count() == 2

    @pytest.mark.postgres
    def test_refuse_an_entry_written_without_its_lines_on_postgresql(self):
        with pytest.raises(IntegrityError, match="has no lines"):
            run_sql(
                "INSERT INTO ledger_journalentry"
                " (business_type, business_on, idempotency_key, memo, amount, posted_at)"
                " VALUES ('01', '2026-06-15', 'forged', '', 100, now())"
            )

        assert not JournalEntry.objects.filter(idempotency_key="forged").exists()

    @pytest.mark.postgres
    def test_refuse_an_entry_whose_lines_do_not_balance_on_postgresql(self):
        account = FundLedgerAccountFactory()

        with pytest.raises(IntegrityError, match="does not balance: debits 0, credits 100, declared 100"):
            run_sql(
                "WITH entry AS (INSERT INTO ledger_journalentry"
                "  (business_type, business_on, idempotency_key, memo, amount, posted_at)"
                "  VALUES ('01', '2026-06-15', 'forged', '', 100, now()) RETURNING id)"
                " INSERT INTO ledger_journalline (entry_id, account_id, debit, credit)"
                " SELECT id, %s, 0, 100 FROM entry",
                [account.pk],
            )

        assert not JournalEntry.objects.filter(idempotency_key="forged").exists()

    @pytest.mark.postgres
    def test_refuse_lines_for_an_entry_not_in_the_journal_on_postgresql(self):
        account = FundLedgerAccountFactory()

        with pytest.raises(IntegrityError, match="not in the journal"):
            run_sql(
                "INSERT INTO ledger_journalline (entry_id, account_id, debit, credit)"
                " VALUES (999999999, %s, 0, 100), (999999999, %s, 100, 0)",
                [account.pk, account.pk],
            )

    @pytest.mark.postgres
    def test_accept_a_balanced_entry_written_with_its_lines_in_one_statement(self):
        account, bank = FundLedgerAccountFactory(), FundLedgerAccountFactory()

        run_sql(
            "WITH entry AS (INSERT INTO ledger_journalentry"
            "  (business_type, business_on, idempotency_key, memo, amount, posted_at)"
            "  VALUES ('01', '2026-06-15', 'by-hand', '', 100, now()) RETURNING id)"
            " INSERT INTO ledger_journalline (entry_id, account_id, debit, credit)"
            " SELECT id, %s, 0, 100 FROM entry UNION ALL SELECT id, %s, 100, 0 FROM entry",
            [account.pk, bank.pk],
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys wait for COMMIT

        assert JournalEntry.objects.get(idempotency_key="by-hand").lines.count() == 2

    def test_refuse_a_negative_fund_balance_as_a_backstop(self, posted):
        account = posted.lines.get(credit__gt=0).account

        with pytest.raises(IntegrityError):
            run_sql("UPDATE ledger_ledgeraccount SET balance = -1 WHERE id = %s", [account.pk])
