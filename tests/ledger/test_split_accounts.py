"""Centre accounts held as several rows (热点账户拆分): which part a posting lands on, and the whole."""

import pytest
from django.db import transaction

from ledger.centre import (
    BANK_SETTLEMENT,
    DEPOSIT_SUSPENSE,
    INTEREST_EXPENSE,
    PAYOUT_CLEARING,
    SPLIT_WAYS,
    part_code,
    part_codes,
)
from ledger.exceptions import UnknownLedgerAccount
from ledger.models import LedgerAccount
from ledger.selectors import centre_balance
from ledger.services import centre_account
from tests.ledger.factories import FundLedgerAccountFactory, deposit, withdraw

pytestmark = pytest.mark.django_db


def test_the_migrations_seed_every_part_of_every_split_account():
    for code in (BANK_SETTLEMENT, INTEREST_EXPENSE, PAYOUT_CLEARING):
        assert LedgerAccount.objects.filter(code__in=part_codes(code)).count() == SPLIT_WAYS


def test_a_spreading_key_picks_the_part_it_falls_on_and_part_zero_is_the_account_itself():
    assert centre_account(PAYOUT_CLEARING, spread_by=3).code == "PAYOUT_CLEARING.03"
    assert centre_account(PAYOUT_CLEARING, spread_by=SPLIT_WAYS + 3).code == "PAYOUT_CLEARING.03"
    assert centre_account(PAYOUT_CLEARING, spread_by=SPLIT_WAYS) == centre_account(PAYOUT_CLEARING)
    part = centre_account(INTEREST_EXPENSE, spread_by=5)
    assert (part.kind, part.name) == ("EXPENSE", "利息支出 分户05")


def test_an_account_held_as_one_row_ignores_the_spreading_key():
    assert centre_account(DEPOSIT_SUSPENSE, spread_by=7) == centre_account(DEPOSIT_SUSPENSE)
    assert part_codes(DEPOSIT_SUSPENSE) == [DEPOSIT_SUSPENSE]


def test_a_code_that_is_no_centre_account_is_refused_with_or_without_a_key():
    with pytest.raises(UnknownLedgerAccount):
        centre_account("NO_SUCH_ACCOUNT")
    with pytest.raises(UnknownLedgerAccount):
        centre_account("NO_SUCH_ACCOUNT", spread_by=1)


def test_a_part_missing_after_a_flush_is_made_again_on_demand():
    LedgerAccount.objects.filter(code=part_code(PAYOUT_CLEARING, 9)).delete()

    part = centre_account(PAYOUT_CLEARING, spread_by=9)

    assert (part.code, part.kind, part.balance) == ("PAYOUT_CLEARING.09", "LIABILITY", 0)


def test_the_balance_of_a_split_account_is_the_sum_of_its_parts():
    account = FundLedgerAccountFactory()
    with transaction.atomic():
        deposit(account, 500_000)
        withdraw(account, 100_000, clearing=centre_account(PAYOUT_CLEARING, spread_by=1))
        withdraw(account, 150_000, clearing=centre_account(PAYOUT_CLEARING, spread_by=2))
        withdraw(account, 50_000)

    assert centre_account(PAYOUT_CLEARING, spread_by=1).balance == 100_000
    assert centre_account(PAYOUT_CLEARING, spread_by=2).balance == 150_000
    assert centre_balance(PAYOUT_CLEARING) == 300_000
    assert centre_balance(DEPOSIT_SUSPENSE) == 0
