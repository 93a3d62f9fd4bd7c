"""The demo's loan personas under LOAN_ELIGIBILITY version 2, from the seeded sandbox: the buyer
(insured, a fresh purchase contract filed in the city, no other home) is eligible, the loan repayer
and the overdue borrower are refused for their own reasons."""

import pytest

from approvals.engine import Outcome, Status, evaluate, rule_set
from demo.decisions import instant_sandbox
from demo.models import DemoPersona, Persona
from demo.sandbox import BUYER_PRICE
from integrations.gov import sandbox
from tests.approvals.rulesets.builders import PARAMS
from tests.approvals.test_loan_eligibility_v2 import gathered
from tests.demo.conftest import seeded_city

PERSONS, EMPLOYERS, SEED = 120, 12, 5


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    with seeded_city(
        django_db_blocker, tmp_path_factory.mktemp("var"), persons=PERSONS, employers=EMPLOYERS, seed=SEED
    ):
        yield


def person_of(persona):
    return DemoPersona.objects.select_related("person").get(persona=persona).person


def decided(person, payload):
    with instant_sandbox():
        facts = gathered(person, payload)
    return facts, evaluate(rule_set("LOAN_ELIGIBILITY"), facts, PARAMS)


def failed(evaluation):
    return [result.rule for result in evaluation.results if result.status is Status.FAIL]


@pytest.mark.usefixtures("db", "city")
class TestLoanPersonas:
    # Terms of 10 years: the seeded buyer is about 50, too old for 20 (AGE_AT_END_OF_TERM).
    def test_the_buyer_is_eligible_for_the_contract_the_registry_filed(self):
        buyer = person_of(Persona.BUYER)
        with instant_sandbox():
            contracts = sandbox.SandboxRealEstate().properties(buyer.id_number, timeout=5)
        fresh = [home for home in contracts if home.title_on is None]
        payload = {
            "term_months": 120,
            "property_ref": fresh[0].property_id,
            "house_price": BUYER_PRICE,
            "first_home": True,
        }

        facts, evaluation = decided(buyer, payload)

        assert facts.employment is not None and facts.employment.ended_on is None
        assert evaluation.outcome is Outcome.APPROVE, evaluation.results

    def test_the_buyer_is_eligible_without_naming_the_contract(self):
        """As the loans app applies today: no ``property_ref`` in the payload."""
        payload = {"term_months": 120, "house_price": BUYER_PRICE, "first_home": True}

        assert decided(person_of(Persona.BUYER), payload)[1].outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("persona", "rule"),
        [
            (Persona.LOAN_REPAYER, "NO_FUND_LOAN_IN_REPAYMENT"),
            (Persona.OVERDUE_BORROWER, "NO_RECENT_OVERDUE"),
        ],
    )
    def test_the_borrowers_are_refused_for_their_loans(self, persona, rule):
        evaluation = decided(person_of(persona), {"term_months": 120, "first_home": False})[1]

        assert evaluation.outcome is Outcome.REJECT
        assert rule in failed(evaluation)
