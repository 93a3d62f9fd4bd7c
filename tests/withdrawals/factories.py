"""Arranging withdrawals: people with a verified card and money, approved applications."""

from datetime import UTC, date, datetime

from django.db import transaction
from django.utils import timezone

from approvals.models import Application, ApplicationStatus, Channel, DecisionRecord
from ledger import services as ledger
from ledger.centre import BANK_SETTLEMENT
from ledger.models import BusinessType
from tests.accounts.factories import FundAccountFactory
from tests.ledger.factories import new_key

CARD = "6222021234567890123"
VERIFIED_AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def deposit_on(account, business_on: date, amount: int) -> None:
    """A 汇缴 of ``amount`` fen posted on ``business_on``."""
    with transaction.atomic():
        ledger.post_entry(
            lines=[
                ledger.Line(ledger.centre_account(BANK_SETTLEMENT), debit=amount),
                ledger.Line(account.ledger_account, credit=amount),
            ],
            business_type=BusinessType.MONTHLY_DEPOSIT,
            business_on=business_on,
            idempotency_key=new_key("deposit"),
            memo="汇缴",
        )


def account_with(*, balance: int = 480_000, on: date = date(2026, 1, 15), card=CARD, verified=True, **fields):
    """A fund account holding ``balance`` fen since ``on``, its owner's card verified (or not).

    In its own transaction, so a test that races threads starts from committed rows.
    """
    with transaction.atomic():
        account = FundAccountFactory(**fields)
        person = account.person
        person.bank_card = card
        person.bank_card_last4 = card[-4:] if card else ""
        person.bank_card_verified_at = VERIFIED_AT if (card and verified) else None
        person.save(update_fields=["bank_card", "bank_card_last4", "bank_card_verified_at"])
        if balance:
            deposit_on(account, on, balance)
    return account


def approved(
    person,
    reason: str = "RENT",
    *,
    amount: int | None = None,
    amount_limit: int | None = 180_000,
    decided_at: datetime | None = None,
) -> Application:
    """An application approved automatically, arranged directly (no hook runs)."""
    decided_at = decided_at or timezone.now()
    application = Application.objects.create(
        kind="withdrawal",
        reason=reason,
        applicant=person,
        channel=Channel.WEB,
        payload={} if amount is None else {"amount": amount},
        status=ApplicationStatus.APPROVED,
        submitted_at=decided_at,
        decided_at=decided_at,
        due_on=date(2026, 12, 1),
    )
    DecisionRecord.objects.create(
        application=application,
        subject=person,
        purpose="APPLICATION",
        channel=Channel.WEB,
        rule_set=reason,
        rule_set_version=1,
        applied_on=timezone.localdate(decided_at),
        facts={},
        results=[],
        sources={"social_security.retirement": {"outcome": "OK", "latency_ms": 12}},
        decision_ms=20,
        outcome="APPROVE",
        decided_at=decided_at,
        amount_limit=amount_limit,
    )
    return application
