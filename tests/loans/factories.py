"""Arranging loan applications: depositors young enough for a long term, with deposits, a login,
a spouse per 民政, a credit report, and (``buying``) an insured job and the filed purchase contract
that LOAN_ELIGIBILITY version 2 asks 社保 and 不动产登记 about."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from accounts import roles
from accounts.roles import ensure_roles
from core.identity import make_resident_id
from integrations.gov import ports
from integrations.gov.fakes import FakeCivilAffairs, FakeCreditBureau, FakeRealEstate, FakeSocialSecurity
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


#: The contract ``terms()`` names, as 不动产登记 files it in ``buying``.
CONTRACT_REF = "XM2026-0001"
PRICE = 300_000_000


def buying(person, *, price: int = PRICE, other_homes: int = 0) -> dict:
    """社保 and 不动产 fakes for ``person``: insured at work since 2019 and buying the home of
    ``terms()`` (contract filed, no title yet), plus ``other_homes`` homes already held in the city."""
    bought = ports.Property(
        property_id=CONTRACT_REF,
        region_code="350203",
        address="思明区某路8号",
        kind=ports.NEW_HOME,
        contract_on=date(2026, 1, 10),
        title_on=None,
        price=price,
        loan_amount=210_000_000,
        full_payment=False,
        owners=(person.id_number,),
    )
    held = tuple(
        ports.Property(
            property_id=f"XM-HELD-{n}",
            region_code="350206",
            address="湖里区某路1号",
            kind=ports.RESALE_HOME,
            contract_on=date(2015, 5, 1),
            title_on=date(2015, 9, 1),
            price=150_000_000,
            loan_amount=0,
            full_payment=True,
            owners=(person.id_number,),
        )
        for n in range(other_homes)
    )
    job = ports.EmploymentRecord(
        employer_credit_code=None, employer_name="厦门某科技有限公司", since=date(2019, 3, 1)
    )
    return {
        "social_security": FakeSocialSecurity(employment={person.id_number: job}),
        "real_estate": FakeRealEstate(properties=(bought, *held)),
    }


def terms(**overrides) -> LoanTerms:
    """A first new home of 3,000,000 yuan over 20 years, 20,000 yuan a month earned, no other debt."""
    stated = {
        "property_kind": "NEW",
        "property_ref": CONTRACT_REF,
        "property_address": "思明区某路8号",
        "house_price": PRICE,
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
