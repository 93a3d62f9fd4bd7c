"""Arranging loan applications: depositors young enough for a long term, with deposits, a login,
a spouse per 民政, and a credit report."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from accounts import roles
from accounts.roles import ensure_roles
from core.identity import make_resident_id
from integrations.gov import ports
from integrations.gov.fakes import FakeCivilAffairs, FakeCreditBureau
from loans.services import LoanTerms
from tests.accounts.factories import PersonFactory, UserFactory
from tests.approvals.factories import account_with_deposits

_numbers = itertools.count(1)
BORN = date(1994, 6, 1)
#: 240,000 fen deposited each month (tests.approvals.factories.deposit_on).
MONTHLY_DEPOSIT = 240_000


def depositor(*, months: int = 12, login: bool = True, born: date = BORN):
    """A person born in 1994 with a normal account and a deposit in each of the last ``months`` months."""
    n = next(_numbers)
    id_number = make_resident_id("350203", born + timedelta(days=n), 100 + n % 800)
    person = PersonFactory(id_number=id_number)
    account_with_deposits(today=timezone.localdate(), months=months, person=person)
    if login:
        user = UserFactory(username=f"borrower-{n}")
        user.groups.add(ensure_roles()[roles.EMPLOYEE])
        person.user = user
        person.save(update_fields=["user"])
    return person


def married(first, second) -> FakeCivilAffairs:
    """民政 records ``first`` and ``second`` married to each other."""
    return FakeCivilAffairs(
        marriages={
            first.id_number: ports.MarriageRecord(
                status=ports.MARRIED, spouse_id_number=second.id_number, since=date(2020, 5, 20)
            ),
            second.id_number: ports.MarriageRecord(
                status=ports.MARRIED, spouse_id_number=first.id_number, since=date(2020, 5, 20)
            ),
        }
    )


def fund_loan(*, status: str = ports.REPAYING) -> ports.CreditLoan:
    return ports.CreditLoan(
        kind=ports.FUND_LOAN,
        lender="某市住房公积金管理中心",
        principal=50_000_000,
        monthly_payment=200_000,
        status=status,
        opened_on=date(2022, 3, 1),
        centre="other",
    )


def credit(person, *, loans=(), overdue_months: int = 0) -> FakeCreditBureau:
    return FakeCreditBureau(
        reports={
            person.id_number: ports.CreditReport(
                loans=tuple(loans), overdue_months_last_24=overdue_months, monthly_debt=0
            )
        }
    )


def terms(**overrides) -> LoanTerms:
    """A first new home of 3,000,000 yuan over 20 years, 20,000 yuan a month earned, no other debt."""
    stated = {
        "property_kind": "NEW",
        "property_ref": "XM2026-0001",
        "property_address": "思明区某路8号",
        "house_price": 300_000_000,
        "seller_name": "厦门某房地产开发有限公司",
        "seller_account": "6222021234567890128",
        "first_home": True,
        "term_months": 240,
        "repayment_method": "EQUAL_INSTALMENT",
        "monthly_income": 2_000_000,
        "other_monthly_debt": 0,
        "amount": None,
    }
    return LoanTerms(**{**stated, **overrides})
