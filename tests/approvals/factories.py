"""Arranging approvals data: people with accounts and deposits, staff, seeded decisions."""

from datetime import date, timedelta

import factory

from accounts import roles
from accounts.models import AccountStatus
from accounts.roles import ensure_roles
from approvals.models import Application, ApplicationStatus, Channel, DecisionRecord, ReviewCase
from ledger import services as ledger
from ledger.centre import BANK_SETTLEMENT
from ledger.models import BusinessType
from tests.accounts.factories import FundAccountFactory, PersonFactory, UserFactory, resident_id
from tests.ledger.factories import new_key

ELSEWHERE = "350102"  # Fuzhou: not Xiamen
XIAMEN = "350203"


def months_back(today: date, n: int) -> date:
    """The 15th of the month ``n`` months before ``today``'s."""
    year, month = divmod(today.year * 12 + today.month - 1 - n, 12)
    return date(year, month + 1, 15)


def deposit_on(account, business_on: date, amount: int = 240000) -> None:
    """A 汇缴 posted on ``business_on``. Needs an open transaction (the test's)."""
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


def account_with_deposits(*, today: date, months: int, **fields):
    """A normal account with a deposit in each of the last ``months`` months (this one included)."""
    account = FundAccountFactory(opened_on=today - timedelta(days=3650), **fields)
    for n in range(months):
        deposit_on(account, months_back(today, n))
    return account


def sealed_account(*, today: date, sealed_months_ago: int, balance: int = 500000):
    opened = today - timedelta(days=3650)
    account = FundAccountFactory(
        opened_on=opened,
        status=AccountStatus.SEALED,
        sealed_on=months_back(today, sealed_months_ago),
    )
    deposit_on(account, opened + timedelta(days=30), balance)
    return account


def staff_user(**fields):
    """A clerk: a member of staff who may work the review queue."""
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(ensure_roles()[roles.STAFF_CLERK])
    return user


def staff_with_person(person=None, **fields):
    """A member of staff who is also a depositor (their own Person row)."""
    user = staff_user(**fields)
    person = person or PersonFactory()
    person.user = user
    person.save(update_fields=["user"])
    return user


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A referred application with its case, arranged directly (services are what tests test)."""

    class Meta:
        model = Application

    kind = "withdrawal"
    reason = "RETIREMENT"
    applicant = factory.SubFactory(PersonFactory)
    channel = Channel.WEB
    payload = factory.LazyFunction(dict)
    status = ApplicationStatus.REFERRED
    due_on = date(2026, 12, 1)


def referred_case(
    *, applicant=None, due_on=date(2026, 12, 1), reason="RETIREMENT", spouse_index=None, marriage_checked=True
):
    application = ApplicationFactory(applicant=applicant or PersonFactory(), due_on=due_on, reason=reason)
    DecisionRecord.objects.create(
        application=application,
        subject=application.applicant,
        purpose="APPLICATION",
        channel=application.channel,
        rule_set=reason,
        rule_set_version=1,
        applied_on=date(2026, 11, 26),
        facts={},
        private_facts={"marriage_checked": True, "spouse_index": spouse_index} if marriage_checked else {},
        results=[{"rule": "RETIRED", "status": "UNKNOWN", "reason": {"code": "RETIREMENT_UNKNOWN"}}],
        sources={"social_security.retirement": {"outcome": "UNAVAILABLE", "latency_ms": 3}},
        decision_ms=5,
        outcome="REFER",
    )
    return ReviewCase.objects.create(application=application, due_on=due_on)


__all__ = ["ELSEWHERE", "XIAMEN", "resident_id"]
