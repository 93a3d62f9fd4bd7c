"""Payouts as the withdrawals app makes them: a posting into payout clearing, then create_payout."""

from django.db import transaction

from ledger.models import JournalEntry
from payouts import services
from payouts.models import Payout
from tests.accounts.factories import FundAccountFactory
from tests.ledger.factories import deposit, new_key, withdraw

CARD = "6222021234567890123"
WITHDRAWAL = "withdrawal"


def funded_account(balance: int = 1_000_000):
    """A normal fund account holding ``balance`` fen (one deposit). Needs the test's database."""
    with transaction.atomic():
        account = FundAccountFactory()
        deposit(account.ledger_account, balance)
    return account


def make_payout(
    account=None,
    *,
    amount: int = 180_000,
    card_no: str = CARD,
    source_ref: str | None = None,
    purpose: str = WITHDRAWAL,
    debit_key: str | None = None,
    clearing=None,
) -> Payout:
    """Post the withdrawal into payout clearing and create its payout, in one transaction."""
    account = account or funded_account()
    with transaction.atomic():
        entry: JournalEntry = withdraw(
            account.ledger_account, amount, key=debit_key or new_key("withdraw"), clearing=clearing
        )
        return services.create_payout(
            person=account.person,
            amount_fen=amount,
            card_no=card_no,
            holder_name=account.person.name,
            purpose=purpose,
            source_ref=source_ref or new_key(WITHDRAWAL),
            debit_entry=entry,
        )
