import datetime

import pytest
from django.db import transaction

from ledger import services
from ledger.centre import BANK_SETTLEMENT
from ledger.models import BusinessType
from ledger.selectors import balance_of, movements_of
from tests.ledger.factories import FundLedgerAccountFactory, new_key

pytestmark = pytest.mark.django_db


def post(account, amount, on):
    """A deposit (amount > 0) or a withdrawal (amount < 0) on business date ``on``."""
    bank = services.centre_account(BANK_SETTLEMENT)
    if amount > 0:
        lines = [services.Line(bank, debit=amount), services.Line(account, credit=amount)]
        business_type = BusinessType.MONTHLY_DEPOSIT
    else:
        lines = [services.Line(account, debit=-amount), services.Line(bank, credit=-amount)]
        business_type = BusinessType.PARTIAL_WITHDRAWAL
    with transaction.atomic():
        return services.post_entry(
            lines=lines,
            business_type=business_type,
            business_on=on,
            idempotency_key=new_key(),
            memo=f"m{amount}",
        )


class TestMovementsOf:
    def test_lists_signed_amounts_with_a_running_balance_in_business_date_order(self):
        account = FundLedgerAccountFactory()
        post(account, 1_000, datetime.date(2026, 3, 1))
        post(account, -300, datetime.date(2026, 5, 1))
        post(account, 500, datetime.date(2026, 4, 1))

        movements = list(movements_of(account))

        assert [(m.posted_on.month, m.amount, m.balance_after) for m in movements] == [
            (3, 1_000, 1_000),
            (4, 500, 1_500),
            (5, -300, 1_200),
        ]
        assert movements[-1].business_type_label == "部分提取"
        assert movements[-1].balance_after == balance_of(account)

    def test_starts_a_period_from_the_balance_before_it(self):
        account = FundLedgerAccountFactory()
        post(account, 1_000, datetime.date(2026, 3, 1))
        post(account, 500, datetime.date(2026, 4, 1))
        post(account, -300, datetime.date(2026, 5, 1))

        movements = list(
            movements_of(account, date_from=datetime.date(2026, 4, 1), date_to=datetime.date(2026, 4, 30))
        )

        assert [(m.amount, m.balance_after) for m in movements] == [(500, 1_500)]


class TestBalanceOf:
    def test_reads_the_balance_from_the_database_not_the_instance(self):
        account = FundLedgerAccountFactory()

        post(account, 700, datetime.date(2026, 3, 1))

        assert account.balance == 0
        assert balance_of(account) == 700
