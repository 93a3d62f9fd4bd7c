"""The loan book agrees with the ledger, and the check says where it does not."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from loans.collection import collect_instalment, set_collection_mode
from loans.models import CollectionMode, InstalmentStatus, LoanInstalment
from loans.prepayment import prepay, settle
from loans.verification import verify_loan_book
from tests.loans.factories_repayment import repaying_loan

pytestmark = pytest.mark.django_db


def repaid_and_prepaid():
    account = repaying_loan(fund_balance=15_000_000)
    user = account.application.applicant.user
    set_collection_mode(account_id=account.pk, mode=CollectionMode.FUND_OFFSET, actor=user)
    collect_instalment(account_id=account.pk, today=date(2026, 2, 10))
    prepay(
        account_id=account.pk,
        prepaid=2_000_000,
        option="SHORTEN_TERM",
        channel="FUND_OFFSET",
        actor=user,
        today=date(2026, 2, 20),
    )
    return account


class TestVerifyLoanBook:
    def test_a_loan_repaid_and_prepaid_through_the_services_is_intact(self):
        repaid_and_prepaid()

        report = verify_loan_book()

        assert (report.intact, report.accounts, report.repayments) == (True, 1, 2)

    def test_a_loan_settled_early_is_intact(self):
        account = repaid_and_prepaid()
        settle(
            account_id=account.pk,
            channel="FUND_OFFSET",
            actor=account.application.applicant.user,
            today=date(2026, 3, 1),
        )

        report = verify_loan_book()

        assert report.violations == []
        assert report.repayments == 3

    def test_an_instalment_marked_paid_without_money_is_found(self):
        account = repaid_and_prepaid()
        LoanInstalment.objects.filter(account=account, period=2, status=InstalmentStatus.DUE).update(
            status=InstalmentStatus.PAID, paid_on=date(2026, 3, 10)
        )

        report = verify_loan_book()

        assert not report.intact
        assert "ledger owes" in report.violations[0]
        assert account.account_no in report.violations[0]

    def test_a_schedule_that_does_not_reach_zero_is_found(self):
        account = repaid_and_prepaid()
        last = account.instalments.exclude(status=InstalmentStatus.SUPERSEDED).order_by("-period").first()
        LoanInstalment.objects.filter(pk=last.pk).update(remaining=100)

        report = verify_loan_book()

        assert report.violations == [f"{account.account_no}: the last instalment leaves 1.00 owed"]

    def test_the_command_fails_on_a_violation_and_passes_otherwise(self, capsys):
        account = repaid_and_prepaid()
        call_command("verify_loans")
        assert "loan book agrees with the ledger" in capsys.readouterr().out

        LoanInstalment.objects.filter(account=account, period=3, status=InstalmentStatus.DUE).delete()

        with pytest.raises(CommandError):
            call_command("verify_loans")
