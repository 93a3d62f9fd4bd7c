"""Reading the ledger: balances and an account's movements with a running balance."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Sum

from ledger.centre import part_codes
from ledger.models import BusinessType, JournalLine, LedgerAccount


@dataclass(frozen=True)
class Movement:
    """One entry's effect on one account, signed in the account's normal direction (fen)."""

    entry_id: int
    posted_on: date  # the business date
    posted_at: datetime
    business_type: str
    business_type_label: str
    amount: int
    balance_after: int
    memo: str


def balance_of(account: LedgerAccount) -> int:
    """The account's balance in fen, read fresh from the database (not from ``account``)."""
    return LedgerAccount.objects.values_list("balance", flat=True).get(pk=account.pk)


def centre_balance(code: str) -> int:
    """Centre account ``code``'s balance in fen: the sum of its parts when it is held as several rows."""
    total = LedgerAccount.objects.filter(code__in=part_codes(code)).aggregate(total=Sum("balance"))["total"]
    return total or 0


def movements_of(
    account: LedgerAccount, *, date_from: date | None = None, date_to: date | None = None
) -> Iterator[Movement]:
    """Movements in business-date order (then posting order), each with the balance after it.

    The running balance starts from every movement before ``date_from``, so a statement for
    one period shows the same balances as the full history.
    """
    lines = JournalLine.objects.filter(account=account)
    opening = 0
    if date_from is not None:
        before = lines.filter(entry__business_on__lt=date_from).aggregate(
            debit=Sum("debit"), credit=Sum("credit")
        )
        opening = account.signed(debit=before["debit"] or 0, credit=before["credit"] or 0)
        lines = lines.filter(entry__business_on__gte=date_from)
    if date_to is not None:
        lines = lines.filter(entry__business_on__lte=date_to)
    rows = (
        lines.values(
            "entry_id", "entry__business_on", "entry__posted_at", "entry__business_type", "entry__memo"
        )
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("entry__business_on", "entry_id")
    )
    balance = opening
    for row in rows.iterator(chunk_size=2000):
        amount = account.signed(debit=row["debit"], credit=row["credit"])
        balance += amount
        yield Movement(
            entry_id=row["entry_id"],
            posted_on=row["entry__business_on"],
            posted_at=row["entry__posted_at"],
            business_type=row["entry__business_type"],
            business_type_label=BusinessType(row["entry__business_type"]).label,
            amount=amount,
            balance_after=balance,
            memo=row["entry__memo"],
        )
