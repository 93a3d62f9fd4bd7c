"""Two merges of the same duplicate at once: one posts, the other finds it done (PostgreSQL)."""

from datetime import date

import pytest
from django.db import transaction

from accounts.models import AccountMove, AccountStatus, FundAccount
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from tests.accounts.factories import FundAccountFactory, PersonFactory, resident_id
from tests.ledger.factories import deposit
from tests.ledger.test_concurrency import race
from tests.policy import ensure_policy_parameters
from transfers.intra_city import merge_accounts

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NUMBER = resident_id(7302)


@pytest.fixture(autouse=True)
def _parameters():
    """The merge pays interest to date: its rate must be there after an earlier test's flush."""
    ensure_policy_parameters()


def _duplicates():
    with transaction.atomic(durable=True):
        surviving = FundAccountFactory(person__id_number=NUMBER, person__name="林静")
        legacy = PersonFactory(
            id_number=NUMBER[:6] + NUMBER[8:17],
            name="林静",
            sex=surviving.person.sex,
            birth_date=surviving.person.birth_date,
        )
        absorbed = FundAccountFactory(
            person=legacy,
            status=AccountStatus.SEALED,
            opened_on=date(2008, 3, 1),
            sealed_on=date(2010, 6, 30),
        )
        deposit(surviving.ledger_account, 300000, key="dep-surviving")
        deposit(absorbed.ledger_account, 123456, key="dep-absorbed")
    return surviving, absorbed


class TestMergeAccountsConcurrently:
    def test_two_merges_at_once_post_once(self):
        surviving, absorbed = _duplicates()
        total = balance_of(surviving.ledger_account) + balance_of(absorbed.ledger_account)

        results, errors = race(
            6,
            lambda i: merge_accounts(surviving=surviving, absorbed=absorbed, actor=None),
        )

        assert errors == []
        assert sorted(r.replayed for r in results) == [False] + [True] * 5
        assert AccountMove.objects.filter(merged_account=absorbed).count() == 1
        assert JournalEntry.objects.filter(business_type=BusinessType.INTERNAL_TRANSFER).count() == 1
        interest = next(r.interest for r in results if not r.replayed)
        assert balance_of(absorbed.ledger_account) == 0
        assert balance_of(surviving.ledger_account) == total + interest
        assert FundAccount.objects.get(pk=absorbed.pk).status == AccountStatus.MERGED
