"""Interest paid to date (a closing, a transfer out) and the settlement that follows it.

One account: 2,400.00 yuan on 2026-01-15, settled to 2026-06-30 (1,670 fen → 241,670), interest
to 2026-09-30 paid: (2026-06-30, 2026-09-30] is 92 days, 241,670 × 92 = 22,233,640 × 0.015 / 360
= 926.40 → 926 fen. Then 500.00 yuan arrives on 2026-10-10 and stays.
Settlement to 2027-06-30 restarts on 2026-09-30: 242,596 × 273 days (1 Oct – 30 Jun)
= 66,228,708, plus 50,000 × 264 days (10 Oct – 30 Jun) = 13,200,000; 79,428,708 × 0.015 / 360
= 3,309.53 → 3,310 fen. Counted from 30 June instead it would pay 241,670 × 92 days again.
"""

from datetime import date

import pytest
from django.db import transaction

from ledger import services
from ledger.centre import BANK_SETTLEMENT
from ledger.interest import (
    interest_start,
    interim_restarts,
    pay_interest_to_date,
    settle_interest,
    settlement_key,
)
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from tests.ledger.factories import FundLedgerAccountFactory, new_key

pytestmark = pytest.mark.django_db

SEPTEMBER_30 = date(2026, 9, 30)


def credit(account, amount, on):
    services.post_entry(
        lines=[
            services.Line(services.centre_account(BANK_SETTLEMENT), debit=amount),
            services.Line(account, credit=amount),
        ],
        business_type=BusinessType.MONTHLY_DEPOSIT,
        business_on=on,
        idempotency_key=new_key("deposit"),
    )


@pytest.fixture
def account():
    account = FundLedgerAccountFactory()
    with transaction.atomic():
        credit(account, 240_000, date(2026, 1, 15))
    settle_interest(on=date(2026, 6, 30))
    return account


class TestPayInterestToDate:
    def test_pays_from_the_last_settlement_to_the_day(self, account):
        with transaction.atomic():
            entries = pay_interest_to_date(
                account=account, on=SEPTEMBER_30, idempotency_key="k:1", memo="销户结息"
            )

        assert [(e.amount, e.business_on, e.business_type) for e in entries] == [
            (926, SEPTEMBER_30, BusinessType.ANNUAL_INTEREST)
        ]
        assert balance_of(account) == 241_670 + 926

    def test_a_second_call_the_same_day_pays_nothing_more(self, account):
        with transaction.atomic():
            pay_interest_to_date(account=account, on=SEPTEMBER_30, idempotency_key="k:1", memo="x")
        with transaction.atomic():
            again = pay_interest_to_date(account=account, on=SEPTEMBER_30, idempotency_key="k:2", memo="x")

        assert again == []
        assert interest_start(account=account, on=SEPTEMBER_30) == SEPTEMBER_30

    def test_on_a_30_june_it_is_that_years_settlement(self):
        account = FundLedgerAccountFactory()
        with transaction.atomic():
            credit(account, 240_000, date(2026, 1, 15))

        with transaction.atomic():
            entries = pay_interest_to_date(
                account=account, on=date(2026, 6, 30), idempotency_key="k", memo="x"
            )

        assert [e.idempotency_key for e in entries] == [settlement_key(account.code, 2026)]
        assert entries[0].amount == 1_670


class TestSettlementAfterInterestToDate:
    def test_counts_only_the_days_after_the_interest_already_paid(self, account):
        with transaction.atomic():
            pay_interest_to_date(account=account, on=SEPTEMBER_30, idempotency_key="k:1", memo="x")
            credit(account, 50_000, date(2026, 10, 10))

        assert interim_restarts(period_start=date(2026, 6, 30), period_end=date(2027, 6, 30)) == {
            account.pk: SEPTEMBER_30
        }
        settle_interest(on=date(2027, 6, 30))

        entry = JournalEntry.objects.get(idempotency_key=settlement_key(account.code, 2027))
        assert entry.amount == 3_310
