"""The demo's married couple: two depositors with their own logins, married to each other in the
民政 sandbox, buying their first home together. The buyer applies for a loan naming the spouse as
co-borrower with the contract ``var/demo-try.json`` gives; the spouse confirms from their own login."""

import json

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.utils import timezone

from accounts import roles
from accounts.models import AccountStatus, FundAccount, Person
from approvals.models import DecisionPurpose, DecisionRecord, Outcome
from core.identity import is_local_region
from core.money import parse_yuan
from core.policy import policy_value
from demo.city import add_months
from demo.decisions import instant_sandbox
from demo.models import Persona
from demo.sandbox import COUPLE_PRICE
from integrations.gov import ports, sandbox
from ledger.models import BusinessType, JournalLine
from ledger.selectors import balance_of
from loans.models import LoanStatus
from loans.services import LoanTerms, apply_for_loan, confirm_co_borrower
from tests.demo.conftest import seeded_city

PERSONS, EMPLOYERS, SEED = 120, 12, 5
T = 1.0
COUPLE = (Persona.COUPLE_BUYER, Persona.COUPLE_SPOUSE)


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    with seeded_city(django_db_blocker, var_dir, persons=PERSONS, employers=EMPLOYERS, seed=SEED):
        yield {
            "logins": json.loads((var_dir / "demo-logins.json").read_text(encoding="utf-8")),
            "walk_ins": json.loads((var_dir / "demo-try.json").read_text(encoding="utf-8")),
        }


def _person(persona: str) -> Person:
    return Person.objects.select_related("user").get(demo_persona__persona=persona)


def _account(persona: str) -> FundAccount:
    return FundAccount.objects.select_related("ledger_account").get(person__demo_persona__persona=persona)


def _contract(city) -> dict:
    return next(row for row in city["walk_ins"]["home_buyers"] if row["persona"] == Persona.COUPLE_BUYER)


@pytest.mark.usefixtures("db")
class TestTheCouple:
    def test_both_have_an_employee_login_that_signs_in(self, city):
        logins = {login["persona"]: login for login in city["logins"] if login["persona"] in COUPLE}

        assert set(logins) == set(COUPLE)
        for persona, login in logins.items():
            user = authenticate(
                RequestFactory().post("/login/"), username=login["username"], password=login["password"]
            )
            assert user is not None, persona
            assert roles.EMPLOYEE in roles.roles_of(user)
            assert user == _person(persona).user
            assert {"role", "persona", "username", "password", "name", "employer"} <= set(login)

    def test_both_deposit_into_a_normal_account_these_six_months(self):
        since = add_months(timezone.localdate(), -7)

        for persona in COUPLE:
            account = _account(persona)
            months = JournalLine.objects.filter(
                account=account.ledger_account,
                entry__business_type=BusinessType.MONTHLY_DEPOSIT,
                entry__business_on__gte=since,
            ).count()

            assert account.status == AccountStatus.NORMAL, persona
            assert months >= 6, persona
            assert balance_of(account.ledger_account) > 0, persona

    def test_are_married_to_each_other_in_civil_affairs(self):
        buyer, spouse = (_person(persona) for persona in COUPLE)
        with instant_sandbox():
            records = [
                sandbox.SandboxCivilAffairs().marriage(p.id_number, timeout=T) for p in (buyer, spouse)
            ]

        assert [record.status for record in records] == [ports.MARRIED, ports.MARRIED]
        assert [record.spouse_id_number for record in records] == [spouse.id_number, buyer.id_number]

    def test_both_are_employed_with_a_clean_credit_report(self):
        for persona in COUPLE:
            id_number = _person(persona).id_number
            with instant_sandbox():
                employment = sandbox.SandboxSocialSecurity().employment(id_number, timeout=T)
                report = sandbox.SandboxCreditBureau().credit_report(id_number, timeout=T)

            assert employment is not None and employment.ended_on is None, persona
            assert report.loans == () and report.overdue_months_last_24 == 0, persona
            assert report.monthly_debt == 0, persona

    def test_own_nothing_but_the_fresh_joint_contract_the_try_file_gives(self, city):
        buyer, spouse = (_person(persona) for persona in COUPLE)
        contract = _contract(city)
        with instant_sandbox():
            homes = {
                p: sandbox.SandboxRealEstate().properties(p.id_number, timeout=T) for p in (buyer, spouse)
            }

        assert homes[buyer] == homes[spouse]
        (home,) = homes[buyer]
        assert home.property_id == contract["property_ref"]
        assert set(home.owners) == {buyer.id_number, spouse.id_number}
        assert home.kind == ports.NEW_HOME and home.title_on is None
        assert is_local_region(home.region_code)
        assert 0 <= (timezone.localdate() - home.contract_on).days <= 31
        assert home.price == COUPLE_PRICE == parse_yuan(contract["price_yuan"])
        assert contract["id_number"] == buyer.id_number
        assert contract["co_borrower_id_number"] == spouse.id_number

    def test_are_each_eligible_in_their_seeded_pre_check(self):
        for persona in COUPLE:
            decision = DecisionRecord.objects.get(subject=_person(persona), purpose=DecisionPurpose.PRECHECK)

            assert decision.rule_set == "LOAN_ELIGIBILITY"
            assert decision.outcome == Outcome.APPROVE, decision.results


@pytest.mark.usefixtures("db")
class TestTheCouplesLoanApplication:
    def test_the_buyer_applies_with_the_spouse_who_confirms_and_both_balances_count(self, city):
        buyer, spouse = (_person(persona) for persona in COUPLE)
        contract = _contract(city)
        # Twenty years, or as long as the buyer's age allows (a loan ends by 65).
        age = timezone.localdate().year - buyer.birth_date.year
        terms = LoanTerms(
            property_kind="NEW",
            property_ref=contract["property_ref"],
            property_address=contract["address"],
            house_price=parse_yuan(contract["price_yuan"]),
            seller_name="厦门某房地产开发有限公司",
            seller_account="6222021234567890128",
            first_home=True,
            term_months=min(240, (64 - age) * 12),
            repayment_method="EQUAL_INSTALMENT",
            monthly_income=3_000_000,
        )

        with instant_sandbox():
            loan = apply_for_loan(
                applicant=buyer,
                terms=terms,
                consent=True,
                channel="WEB",
                actor=buyer.user,
                co_borrower_id_number=contract["co_borrower_id_number"],
            )

        assert loan.status == LoanStatus.AWAITING_CO_BORROWER, loan.note
        assert loan.co_borrower == spouse
        assert loan.note == ""  # every source answered: nothing for staff to check by hand
        both = balance_of(_account(Persona.COUPLE_BUYER).ledger_account) + balance_of(
            _account(Persona.COUPLE_SPOUSE).ledger_account
        )
        assert loan.quota_limits["limits"]["balance_multiple"] == both * policy_value("loan.balance_multiple")

        confirmed = confirm_co_borrower(loan_id=loan.pk, actor=spouse.user)

        assert confirmed.status == LoanStatus.PRE_ACCEPTED
        assert confirmed.co_borrower_confirmed_at is not None
