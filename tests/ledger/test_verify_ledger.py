import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from tests.ledger.factories import FundLedgerAccountFactory, deposit, withdraw

pytestmark = pytest.mark.django_db


class TestVerifyLedger:
    def test_passes_a_consistent_ledger_and_prints_the_figures(self, capsys):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            deposit(account, 10_000)
            withdraw(account, 2_500)

        call_command("verify_ledger")

        out = capsys.readouterr().out
        assert "ledger intact" in out
        assert "entries: " in out
        assert "total debits (yuan): " in out

    def test_catches_a_corrupted_cached_balance_and_exits_1(self, capsys):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            deposit(account, 10_000)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ledger_ledgeraccount SET balance = balance + 1 WHERE id = %s", [account.pk]
            )

        with pytest.raises(CommandError) as failure:
            call_command("verify_ledger")

        assert failure.value.returncode == 1
        out = capsys.readouterr().out
        assert f"account {account.code}: cached balance 100.01 != lines 100.00" in out
        assert "balance sheet" in out

    @pytest.mark.postgres
    def test_catches_lines_whose_entry_is_not_in_the_journal(self, capsys):
        account = FundLedgerAccountFactory()
        with connection.cursor() as cursor:
            # Only someone able to switch the journal's triggers off can store such lines.
            cursor.execute("ALTER TABLE ledger_journalline DISABLE TRIGGER ledger_journalline_balance")
            cursor.execute(
                "INSERT INTO ledger_journalline (entry_id, account_id, debit, credit)"
                " VALUES (987654321, %s, 0, 5), (987654321, %s, 5, 0)",
                [account.pk, account.pk],
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check left pending on the table
            cursor.execute("ALTER TABLE ledger_journalline ENABLE TRIGGER ledger_journalline_balance")

        with pytest.raises(CommandError):
            call_command("verify_ledger")

        assert "2 line(s) of entry #987654321, which is not in the journal" in capsys.readouterr().out
