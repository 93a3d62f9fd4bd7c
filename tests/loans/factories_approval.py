"""Arranging loan cases for the approval chain: rows written directly, staff of each role.

The employee-side services write real applications; these tests need cases at a given status
and level, so they arrange the rows (services are what the tests test).
"""

from datetime import date, datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts import roles
from accounts.roles import ensure_roles
from audit.seals import seal_document
from loans.models import FinalApprovalDelegation, LoanApplication, LoanStatus, PropertyKind, RepaymentMethod
from tests.accounts.factories import PersonFactory, UserFactory

#: Above and at or below the seeded second-review threshold (400,000 yuan).
LARGE_LOAN = 50_000_000
SMALL_LOAN = 30_000_000


def staff(role: str, **fields):
    """An active member of staff holding ``role``."""
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(ensure_roles()[role])
    return user


def clerk(**fields):
    return staff(roles.STAFF_CLERK, **fields)


def section_chief(**fields):
    return staff(roles.STAFF_SECTION_CHIEF, **fields)


def deputy_director(**fields):
    return staff(roles.STAFF_DEPUTY_DIRECTOR, **fields)


def director(**fields):
    return staff(roles.STAFF_DIRECTOR, **fields)


def local_moment(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


class LoanApplicationFactory(factory.django.DjangoModelFactory):
    """A pre-accepted case waiting for a clerk's acceptance."""

    class Meta:
        model = LoanApplication

    applicant = factory.SubFactory(PersonFactory)
    status = LoanStatus.PRE_ACCEPTED
    stage = ""
    property_kind = PropertyKind.NEW
    property_ref = factory.Sequence(lambda n: f"XM2026-{n:06d}")
    property_address = "厦门市思明区示例路1号"
    house_price = 150_000_000
    first_home = True
    amount = SMALL_LOAN
    term_months = 360
    repayment_method = RepaymentMethod.EQUAL_INSTALMENT
    annual_rate = Decimal("0.02600")
    quota = 60_000_000
    quota_limits = factory.LazyFunction(lambda: {"city_cap": 60_000_000, "binding": "city_cap"})
    monthly_income = 2_000_000


def loan_case(**fields) -> LoanApplication:
    return LoanApplicationFactory(**fields)


def loan_at(level: str, **fields) -> LoanApplication:
    """A case in approval, waiting at ``level`` (its earlier actions are not arranged)."""
    return LoanApplicationFactory(status=LoanStatus.IN_APPROVAL, stage=level, **fields)


def delegation(*, delegator, delegate, valid_from: date, valid_until: date, max_amount=None, revoked=False):
    return FinalApprovalDelegation.objects.create(
        delegator=delegator,
        delegate=delegate,
        valid_from=valid_from,
        valid_until=valid_until,
        max_amount=max_amount,
        revoked_at=timezone.now() if revoked else None,
    )


def disbursed(*, submitted_on: date, disbursed_on: date, **fields) -> LoanApplication:
    """A case disbursed on ``disbursed_on``, with the seal its approval needs (needs the test's
    transaction)."""
    seal = seal_document(kind="LOAN_APPROVAL", subject="loan-application:test", digest="0" * 64, signer=None)
    return LoanApplicationFactory(
        status=LoanStatus.DISBURSED,
        submitted_at=local_moment(submitted_on),
        accepted_at=local_moment(submitted_on, 15),
        approved_at=local_moment(disbursed_on, 9),
        approval_seal=seal,
        disbursed_at=local_moment(disbursed_on, 16),
        **fields,
    )
