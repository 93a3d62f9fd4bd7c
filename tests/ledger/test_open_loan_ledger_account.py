import pytest
from django.db import transaction

from audit.services import NoOpenTransaction
from ledger import services
from ledger.centre import PAYOUT_CLEARING
from ledger.exceptions import InvalidLine
from ledger.models import AccountKind, BusinessType, LedgerAccount
from ledger.selectors import balance_of
from tests.ledger.factories import BUSINESS_DAY, new_key
from tests.ledger.test_post_entry import outside_any_transaction

pytestmark = pytest.mark.django_db


class TestOpenLoanLedgerAccount:
    def test_opens_an_asset_account_at_zero(self):
        with transaction.atomic():
            account = services.open_loan_ledger_account(account_no="DK2026061500000042")

        assert (account.code, account.kind, account.balance) == (
            "LOAN-DK2026061500000042",
            AccountKind.ASSET,
            0,
        )

    def test_returns_the_same_account_when_opened_again(self):
        with transaction.atomic():
            first = services.open_loan_ledger_account(account_no="DK2026061500000043")

        with transaction.atomic():
            again = services.open_loan_ledger_account(account_no="DK2026061500000043")

        assert again.pk == first.pk
        assert LedgerAccount.objects.filter(code="LOAN-DK2026061500000043").count() == 1

    def test_holds_the_principal_lent_as_a_debit_balance(self):
        with transaction.atomic():
            account = services.open_loan_ledger_account(account_no="DK2026061500000044")
            services.post_entry(
                lines=[
                    services.Line(account, debit=30_000_000),
                    services.Line(services.centre_account(PAYOUT_CLEARING), credit=30_000_000),
                ],
                business_type=BusinessType.INTERNAL_TRANSFER,
                business_on=BUSINESS_DAY,
                idempotency_key=new_key("loan"),
            )

        assert balance_of(account) == 30_000_000

    def test_refuses_a_code_held_by_an_account_of_another_kind(self):
        LedgerAccount.objects.create(
            code="LOAN-DK2026061500000045", name="misfiled", kind=AccountKind.LIABILITY
        )

        with transaction.atomic(), pytest.raises(InvalidLine):
            services.open_loan_ledger_account(account_no="DK2026061500000045")

    def test_refuses_an_empty_account_number(self):
        with transaction.atomic(), pytest.raises(InvalidLine):
            services.open_loan_ledger_account(account_no="")

    def test_needs_the_callers_transaction(self):
        with outside_any_transaction(), pytest.raises(NoOpenTransaction):
            services.open_loan_ledger_account(account_no="DK2026061500000046")
