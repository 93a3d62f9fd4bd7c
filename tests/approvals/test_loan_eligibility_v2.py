"""LOAN_ELIGIBILITY version 2: 社保 employment, the purchase on the 不动产 register at the stated
price, a declared first home against the applicant's and the spouse's homes (民政), and records
decided under version 1 replaying as they were decided."""

import json
from dataclasses import fields
from datetime import date

import pytest
from django.utils import timezone

from approvals.engine import UNKNOWN, Outcome, evaluate, rule_set
from approvals.providers import gather_facts
from approvals.rulesets.facts import Employment, LoanEligibilityFacts
from integrations.gov import ports
from integrations.gov.fakes import FakeCivilAffairs, FakeRealEstate, FakeSocialSecurity
from tests.approvals.factories import account_with_deposits
from tests.approvals.rulesets.builders import (
    ELSEWHERE,
    PARAMS,
    XIAMEN,
    checked_loan_facts,
    codes,
    decide,
    loan_eligibility_facts,
    loan_purchase,
)
from tests.loans.factories import CONTRACT_REF, PRICE, buying

PAYLOAD = {"term_months": 60, "property_ref": CONTRACT_REF, "house_price": PRICE, "first_home": True}
SPOUSE_ID = "110101199003074477"


class TestEmployment:
    def test_approves_an_applicant_employed_and_insured(self):
        assert decide("LOAN_ELIGIBILITY", checked_loan_facts()).outcome is Outcome.APPROVE

    def test_rejects_an_applicant_social_security_has_never_insured(self):
        evaluation = decide("LOAN_ELIGIBILITY", checked_loan_facts(employment=None))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REJECT, ["NOT_EMPLOYED"])

    def test_rejects_an_employment_that_has_ended_and_says_when(self):
        ended = Employment(since=date(2019, 3, 1), ended_on=date(2026, 5, 31))

        evaluation = decide("LOAN_ELIGIBILITY", checked_loan_facts(employment=ended))

        assert codes(evaluation) == ["EMPLOYMENT_ENDED"]
        assert "2026年5月31日" in evaluation.reasons[0].zh_hans

    def test_refers_when_social_security_does_not_answer(self):
        evaluation = decide("LOAN_ELIGIBILITY", checked_loan_facts(employment=UNKNOWN))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["LOAN_EMPLOYMENT_UNKNOWN"])


class TestPurchaseOnRegister:
    def test_approves_a_filed_contract_of_the_spouse(self):
        facts = checked_loan_facts(purchase=loan_purchase(relation="spouse"))

        assert decide("LOAN_ELIGIBILITY", facts).outcome is Outcome.APPROVE

    def test_rejects_a_named_contract_the_register_does_not_hold_in_their_names(self):
        evaluation = decide("LOAN_ELIGIBILITY", checked_loan_facts(purchase=None))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REJECT, ["PURCHASE_NOT_ON_REGISTER"])

    def test_rejects_when_no_contract_is_named_and_none_is_filed_in_the_city(self):
        evaluation = decide("LOAN_ELIGIBILITY", checked_loan_facts(purchase=None, property_named=False))

        assert codes(evaluation) == ["NO_PURCHASE_ON_REGISTER"]

    def test_refers_when_the_registry_does_not_answer(self):
        evaluation = decide("LOAN_ELIGIBILITY", checked_loan_facts(purchase=UNKNOWN))

        assert evaluation.outcome is Outcome.REFER
        assert set(codes(evaluation)) == {"LOAN_REAL_ESTATE_UNKNOWN"}

    def test_refers_a_stated_price_that_differs_from_the_register_quoting_both(self):
        evaluation = decide("LOAN_ELIGIBILITY", checked_loan_facts(stated_price=280_000_000))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["PRICE_DIFFERS_FROM_REGISTER"])
        assert "2,800,000.00" in evaluation.reasons[0].en and "3,000,000.00" in evaluation.reasons[0].en


class TestFirstHome:
    def test_rejects_a_declared_first_home_when_the_applicant_holds_one_and_gives_the_count(self):
        evaluation = decide("LOAN_ELIGIBILITY", checked_loan_facts(self_home_regions=(XIAMEN,)))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REJECT, ["NOT_FIRST_HOME"])
        assert "已有1套住房" in evaluation.reasons[0].zh_hans

    def test_counts_the_spouses_homes_too(self):
        facts = checked_loan_facts(marital_status="married", spouse_home_regions=(XIAMEN, XIAMEN))

        evaluation = decide("LOAN_ELIGIBILITY", facts)

        assert codes(evaluation) == ["NOT_FIRST_HOME"]
        assert "2 home(s)" in evaluation.reasons[0].en

    def test_does_not_count_homes_outside_the_city(self):
        facts = checked_loan_facts(self_home_regions=(ELSEWHERE,))

        assert decide("LOAN_ELIGIBILITY", facts).outcome is Outcome.APPROVE

    def test_lets_a_second_home_declared_as_such_through(self):
        facts = checked_loan_facts(first_home_declared=False, self_home_regions=(XIAMEN,))

        assert decide("LOAN_ELIGIBILITY", facts).outcome is Outcome.APPROVE

    def test_refers_when_civil_affairs_does_not_answer(self):
        evaluation = decide("LOAN_ELIGIBILITY", checked_loan_facts(marital_status=UNKNOWN))

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["LOAN_MARRIAGE_UNKNOWN"])

    def test_refers_when_the_spouses_homes_could_not_be_looked_up(self):
        facts = checked_loan_facts(marital_status="married", spouse_home_regions=UNKNOWN)

        evaluation = decide("LOAN_ELIGIBILITY", facts)

        assert (evaluation.outcome, codes(evaluation)) == (Outcome.REFER, ["LOAN_REAL_ESTATE_UNKNOWN"])

    def test_refers_when_the_marriage_record_names_no_spouse(self):
        facts = checked_loan_facts(marital_status="married", spouse_home_regions=None)

        assert codes(decide("LOAN_ELIGIBILITY", facts)) == ["LOAN_SPOUSE_NOT_IDENTIFIED"]

    def test_rejects_on_a_known_home_even_when_the_spouses_are_unknown(self):
        facts = checked_loan_facts(
            marital_status="married", self_home_regions=(XIAMEN,), spouse_home_regions=UNKNOWN
        )

        assert codes(decide("LOAN_ELIGIBILITY", facts)) == ["NOT_FIRST_HOME"]


class TestVersionOneRecords:
    def test_is_version_two(self):
        assert rule_set("LOAN_ELIGIBILITY").version == 2

    @pytest.mark.parametrize(
        ("changes", "outcome"),
        [
            ({}, Outcome.APPROVE),
            ({"overdue_months": 2}, Outcome.REJECT),
            ({"bureau_loans": UNKNOWN}, Outcome.REFER),
        ],
    )
    def test_replay_as_they_were_decided(self, changes, outcome):
        """A version-1 record holds none of the version-2 fields: it decodes and decides as before."""
        added = {field.name for field in fields(LoanEligibilityFacts)} - {
            "applied_on",
            "account_status",
            "consecutive_deposit_months",
            "birth_year",
            "birth_month",
            "term_months",
            "centre_loan_repaying",
            "bureau_loans",
            "overdue_months",
        }
        stored = {
            key: value
            for key, value in json.loads(json.dumps(loan_eligibility_facts(**changes).to_json())).items()
            if key not in added
        }

        restored = LoanEligibilityFacts.from_json(stored)

        assert restored.gov_checked is False
        assert evaluate(rule_set("LOAN_ELIGIBILITY"), restored, PARAMS).outcome is outcome


# Gathering, through the fakes --------------------------------------------------------------------


def gathered(person, payload=PAYLOAD):
    return gather_facts(
        rule_set("LOAN_ELIGIBILITY"),
        person=person,
        payload=payload,
        params=PARAMS,
        on=timezone.localdate(),
        purpose="test",
        requested_by="test",
    ).facts


def home(property_id, *owners, region=XIAMEN, price=PRICE, titled=True):
    return ports.Property(
        property_id=property_id,
        region_code=region,
        address="某路1号",
        kind=ports.RESALE_HOME,
        contract_on=date(2016, 4, 1),
        title_on=date(2016, 8, 1) if titled else None,
        price=price,
        loan_amount=0,
        full_payment=True,
        owners=owners,
    )


def married_to(person, spouse_id=SPOUSE_ID):
    return FakeCivilAffairs(
        marriages={person.id_number: ports.MarriageRecord(status=ports.MARRIED, spouse_id_number=spouse_id)}
    )


@pytest.mark.django_db
class TestGathering:
    @pytest.fixture
    def person(self):
        return account_with_deposits(today=timezone.localdate(), months=12).person

    def test_an_insured_buyer_of_the_named_contract_is_approved(self, sources, person):
        sources(**buying(person))

        facts = gathered(person)

        assert (facts.gov_checked, facts.property_named, facts.purchase) == (True, True, loan_purchase())
        assert evaluate(rule_set("LOAN_ELIGIBILITY"), facts, PARAMS).outcome is Outcome.APPROVE

    def test_finds_the_contract_in_the_spouses_name_and_counts_the_spouses_other_home(self, sources, person):
        spouse_contract = home(CONTRACT_REF, SPOUSE_ID, titled=False)
        sources(
            social_security=buying(person)["social_security"],
            real_estate=FakeRealEstate(properties=(spouse_contract, home("XM-SPOUSE-OLD", SPOUSE_ID))),
            civil_affairs=married_to(person),
        )

        facts = gathered(person)

        assert facts.purchase.relation == "spouse"
        assert (facts.self_home_regions, facts.spouse_home_regions) == ((), (XIAMEN,))
        assert codes(evaluate(rule_set("LOAN_ELIGIBILITY"), facts, PARAMS)) == ["NOT_FIRST_HOME"]

    def test_counts_a_home_held_jointly_with_the_spouse_once(self, sources, person):
        bought = home(CONTRACT_REF, person.id_number, SPOUSE_ID, titled=False)
        sources(
            social_security=buying(person)["social_security"],
            real_estate=FakeRealEstate(properties=(bought, home("XM-JOINT", person.id_number, SPOUSE_ID))),
            civil_affairs=married_to(person),
        )

        facts = gathered(person)

        assert (facts.self_home_regions, facts.spouse_home_regions) == ((XIAMEN,), ())
        assert "已有1套住房" in evaluate(rule_set("LOAN_ELIGIBILITY"), facts, PARAMS).reasons[0].zh_hans

    def test_a_contract_in_someone_elses_name_is_not_found(self, sources, person):
        sources(**buying(person))

        facts = gathered(person, {**PAYLOAD, "property_ref": "XM2026-9999"})

        assert facts.purchase is None
        assert "PURCHASE_NOT_ON_REGISTER" in codes(evaluate(rule_set("LOAN_ELIGIBILITY"), facts, PARAMS))

    def test_without_a_number_takes_the_latest_purchase_in_the_city(self, sources, person):
        sources(**buying(person, other_homes=1))

        facts = gathered(person, {"term_months": 60, "house_price": PRICE, "first_home": False})

        assert (facts.property_named, facts.purchase, facts.self_home_regions) == (
            False,
            loan_purchase(),
            ("350206",),
        )

    @pytest.mark.parametrize(
        ("down", "code"),
        [
            ("social_security", "LOAN_EMPLOYMENT_UNKNOWN"),
            ("real_estate", "LOAN_REAL_ESTATE_UNKNOWN"),
            ("civil_affairs", "LOAN_MARRIAGE_UNKNOWN"),
        ],
    )
    def test_a_source_that_does_not_answer_refers(self, sources, person, down, code):
        unavailable = {
            "social_security": FakeSocialSecurity,
            "real_estate": FakeRealEstate,
            "civil_affairs": FakeCivilAffairs,
        }
        fakes = buying(person)
        fakes[down] = unavailable[down](unavailable=True)
        sources(**fakes)

        evaluation = evaluate(rule_set("LOAN_ELIGIBILITY"), gathered(person), PARAMS)

        assert evaluation.outcome is Outcome.REFER
        assert code in codes(evaluation)
