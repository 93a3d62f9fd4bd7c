"""Arrangements for transfer tests: accounts with deposits, replies and letters."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import AccountStatus
from integrations.transfer_platform import ports
from ledger.centre import BANK_SETTLEMENT
from ledger.models import BusinessType
from ledger.services import Line, centre_account, post_entry
from tests.accounts.factories import FundAccountFactory
from tests.ledger.factories import new_key

SHANGHAI = ("310000", "上海市")


def deposit(account, amount: int, on: date) -> None:
    with transaction.atomic():
        post_entry(
            lines=[
                Line(centre_account(BANK_SETTLEMENT), debit=amount),
                Line(account.ledger_account, credit=amount),
            ],
            business_type=BusinessType.MONTHLY_DEPOSIT,
            business_on=on,
            idempotency_key=new_key("deposit"),
        )


def active_account(**fields):
    return FundAccountFactory(**fields)


def sealed_account(*, sealed_on: date = date(2026, 9, 1), deposits=(), **fields):
    """A sealed account (its unit stopped paying) holding ``deposits``: (amount, business date) pairs."""
    account = FundAccountFactory(status=AccountStatus.SEALED, sealed_on=sealed_on, **fields)
    for amount, on in deposits:
        deposit(account, amount, on)
    return account


def reply(*, principal: int = 5_000_000, interest: int = 12_345, months: int = 48) -> ports.TransferReply:
    return ports.TransferReply(
        principal=principal,
        interest=interest,
        history=ports.DepositHistory(
            opened_on=date(2022, 9, 1),
            paid_up_to=date(2026, 8, 1),
            months_deposited=months,
            last_six_continuous=True,
        ),
    )


def letter_about(account, *, platform_ref: str = "PLT0001", city=SHANGHAI) -> ports.IncomingLetter:
    return ports.IncomingLetter(
        platform_ref=platform_ref,
        id_number=account.person.id_number,
        name=account.person.name,
        receiving_city_code=city[0],
        receiving_city_name=city[1],
        sent_at=timezone.now(),
    )
