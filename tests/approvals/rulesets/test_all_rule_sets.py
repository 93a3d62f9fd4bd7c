"""Properties every rule set keeps: unknown facts never reject, bilingual reasons, declared parameters."""

import json
import re
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approvals.engine import RULE_SETS, UNKNOWN, Outcome, Status, evaluate, rule_set
from approvals.rulesets import WITHDRAWAL_REASONS
from approvals.rulesets.facts import Employment
from tests.approvals.rulesets import builders as b
from tests.approvals.rulesets.strategies import facts_of

rule_set("RENT")  # fills the registry before the parametrisations below read it
NAMES = sorted(RULE_SETS)
FACT_TYPES = sorted({each.facts_type for each in RULE_SETS.values()}, key=lambda cls: cls.__name__)
# Rule sets changed since their first version; every other one is version 1. Every withdrawal rule
# set gained the withdrawal lock (version 2; LOAN_REPAYMENT_MONTHLY had already changed once).
VERSIONS = {name: 2 for name in WITHDRAWAL_REASONS} | {"LOAN_REPAYMENT_MONTHLY": 3, "LOAN_ELIGIBILITY": 2}
RULESETS_DIR = Path(__file__).resolve().parents[3] / "approvals" / "rulesets"


class RecordingParams(dict):
    """The policy parameters, noting which keys were read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def failing_rules(evaluation) -> set[str]:
    return {result.rule for result in evaluation.results if result.status is Status.FAIL}


def resale_home(title_on):
    return b.purchased_property(kind="resale", full_payment=True, loan_amount=0, title_on=title_on)


# Facts that, between them, reach every reason of every rule set.
SCENARIOS = [
    *((name, b.approving_facts(name)) for name in NAMES),
    ("LEAVING_CITY", b.leaving_city_facts(account_status="01", sealed_on=None)),
    ("LEAVING_CITY", b.leaving_city_facts(account_status="03")),
    ("LEAVING_CITY", b.leaving_city_facts(account_status="06")),
    ("LEAVING_CITY", b.leaving_city_facts(account_status="99")),
    ("LEAVING_CITY", b.leaving_city_facts(sealed_on=None)),
    ("LEAVING_CITY", b.leaving_city_facts(sealed_on=date(2026, 3, 1))),
    ("LEAVING_CITY", b.leaving_city_facts(hukou_region=b.XIAMEN)),
    ("LEAVING_CITY", b.leaving_city_facts(hukou_region=None)),
    ("LEAVING_CITY", b.leaving_city_facts(hukou_region=UNKNOWN, employment=UNKNOWN)),
    ("LEAVING_CITY", b.leaving_city_facts(employment=Employment(since=date(2026, 5, 1), ended_on=None))),
    ("LEAVING_CITY", b.leaving_city_facts(deposited_since_sealing=True, balance=0, requested_amount=5)),
    ("RETIREMENT", b.retirement_facts(retired=False)),
    ("RETIREMENT", b.retirement_facts(retired=UNKNOWN)),
    ("LIXIU", b.retirement_facts(lixiu=UNKNOWN)),
    ("LIXIU", b.retirement_facts(lixiu=False)),
    ("PURCHASE_IN_CITY", b.purchase_facts(property=None)),
    ("PURCHASE_IN_CITY", b.purchase_facts(property=UNKNOWN)),
    (
        "PURCHASE_IN_CITY",
        b.purchase_facts(property=b.purchased_property(relation="parent", region_code="350102")),
    ),
    (
        "PURCHASE_IN_CITY",
        b.purchase_facts(property=b.purchased_property(applicant_withdrawals=1, total_withdrawals=1)),
    ),
    ("PURCHASE_IN_CITY", b.purchase_facts(property=resale_home(None))),
    ("PURCHASE_IN_CITY", b.purchase_facts(property=resale_home(date(2026, 5, 1)))),
    ("PURCHASE_IN_CITY", b.purchase_facts(property=b.purchased_property(loan_amount=300_000_000))),
    ("PURCHASE_IN_CITY", b.purchase_facts(requested_amount=7_000_000_000)),
    ("PURCHASE_IN_CITY", b.purchase_facts(requested_amount=0)),
    ("RENT", b.rent_facts(account_status="02", consecutive_deposit_months=2, self_home_regions=(b.XIAMEN,))),
    ("RENT", b.rent_facts(spouse_home_regions=(b.XIAMEN,), period_months=2)),
    ("RENT", b.rent_facts(marital_status=UNKNOWN, self_home_regions=UNKNOWN)),
    ("RENT", b.rent_facts(spouse_home_regions=UNKNOWN)),
    ("RENT", b.rent_facts(spouse_home_regions=None)),
    ("RENT", b.rent_facts(rent_withdrawn_through=date(2026, 9, 30), requested_amount=180_001)),
    ("RENT", b.rent_facts(marital_status="single", spouse_home_regions=None, period_months=3, balance=0)),
    ("LOAN_REPAYMENT_ANNUAL", b.repayment_annual_facts(centre_loan_repaying=False, bureau_loans=())),
    ("LOAN_REPAYMENT_ANNUAL", b.repayment_annual_facts(centre_loan_repaying=False, bureau_loans=UNKNOWN)),
    ("LOAN_REPAYMENT_ANNUAL", b.repayment_annual_facts(last_repayment_withdrawal_on=date(2026, 1, 1))),
    ("LOAN_REPAYMENT_ANNUAL", b.repayment_annual_facts(repaid_last_12_months=0)),
    ("LOAN_REPAYMENT_ANNUAL", b.repayment_annual_facts(repaid_last_12_months=UNKNOWN)),
    ("LOAN_REPAYMENT_ANNUAL", b.repayment_annual_facts(requested_amount=8_000_000)),
    ("LOAN_REPAYMENT_MONTHLY", b.repayment_monthly_facts(centre_loan_status=None)),
    ("LOAN_REPAYMENT_MONTHLY", b.repayment_monthly_facts(overdue_months=1, entrusted_deduction=True)),
    ("LOAN_REPAYMENT_MONTHLY", b.repayment_monthly_facts(centre_loan_status=UNKNOWN, overdue_months=UNKNOWN)),
    ("LOAN_ELIGIBILITY", b.loan_eligibility_facts(account_status="02", consecutive_deposit_months=1)),
    ("LOAN_ELIGIBILITY", b.loan_eligibility_facts(centre_loan_repaying=True, overdue_months=2)),
    ("LOAN_ELIGIBILITY", b.loan_eligibility_facts(bureau_loans=UNKNOWN, overdue_months=UNKNOWN)),
    (
        "LOAN_ELIGIBILITY",
        b.loan_eligibility_facts(centre_loan_repaying=UNKNOWN, bureau_loans=UNKNOWN, overdue_months=UNKNOWN),
    ),
    ("LOAN_ELIGIBILITY", b.loan_eligibility_facts(birth_year=1960, term_months=400)),
    ("LOAN_ELIGIBILITY", b.checked_loan_facts()),
    ("LOAN_ELIGIBILITY", b.checked_loan_facts(employment=UNKNOWN, purchase=UNKNOWN, marital_status=UNKNOWN)),
    ("LOAN_ELIGIBILITY", b.checked_loan_facts(employment=None, purchase=None)),
    (
        "LOAN_ELIGIBILITY",
        b.checked_loan_facts(purchase=None, property_named=False, self_home_regions=(b.XIAMEN,)),
    ),
    (
        "LOAN_ELIGIBILITY",
        b.checked_loan_facts(
            employment=Employment(since=date(2019, 3, 1), ended_on=date(2026, 5, 31)),
            stated_price=280_000_000,
        ),
    ),
    ("LOAN_ELIGIBILITY", b.checked_loan_facts(marital_status="married", spouse_home_regions=None)),
    ("RENT", b.rent_facts(withdrawal_locked=True)),
]


def scenario_id(scenario) -> str:
    return scenario[0]


def defined_reason_codes() -> set[str]:
    """Every reason code written in the rule set modules (a Reason or a source_unknown call)."""
    pattern = re.compile(r'(?:Reason|source_unknown)\(\s*"([A-Z][A-Z0-9_]+)"')
    return {code for path in RULESETS_DIR.glob("*.py") for code in pattern.findall(path.read_text())}


class TestUnknownFacts:
    @pytest.mark.parametrize("name", NAMES)
    def test_never_reject_an_application_that_would_otherwise_pass(self, name):
        facts = b.approving_facts(name)

        outcomes = {
            field: evaluate(rule_set(name), replace(facts, **{field: UNKNOWN}), b.PARAMS).outcome
            for field in type(facts).external_fields()
        }

        assert Outcome.REJECT not in outcomes.values()

    @pytest.mark.parametrize("name", NAMES)
    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test_never_add_a_failure(self, name, data):
        chosen = rule_set(name)
        facts = data.draw(facts_of(chosen.facts_type))
        field = data.draw(st.sampled_from(chosen.facts_type.external_fields() or ("applied_on",)))
        hidden = replace(facts, **{field: UNKNOWN}) if field in chosen.facts_type.external_fields() else facts

        known = evaluate(chosen, facts, b.PARAMS)
        unknown = evaluate(chosen, hidden, b.PARAMS)

        assert failing_rules(unknown) <= failing_rules(known)

    def test_reject_on_a_known_contradiction_whatever_else_is_unknown(self):
        facts = b.leaving_city_facts(hukou_region=UNKNOWN, employment=UNKNOWN, deposited_since_sealing=True)

        evaluation = evaluate(rule_set("LEAVING_CITY"), facts, b.PARAMS)

        assert (evaluation.outcome, [reason.code for reason in evaluation.reasons]) == (
            Outcome.REJECT,
            ["DEPOSITED_SINCE_SEALING"],
        )


class TestReasons:
    def test_every_code_is_reached_by_the_scenarios(self):
        seen = {
            reason.code
            for name, facts in SCENARIOS
            for result in evaluate(rule_set(name), facts, b.PARAMS).results
            for reason in [result.reason]
            if reason is not None
        }

        assert seen == defined_reason_codes()

    @pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
    def test_speak_chinese_and_english(self, scenario):
        name, facts = scenario

        reasons = [
            result.reason for result in evaluate(rule_set(name), facts, b.PARAMS).results if result.reason
        ]

        for reason in reasons:
            assert re.fullmatch(r"[A-Z][A-Z0-9_]+", reason.code)
            assert re.search(r"[\u4e00-\u9fff]", reason.zh_hans), reason.code
            assert not re.search(r"[A-Za-z]{3,}", reason.zh_hans), reason.code
            assert reason.en.isascii() and reason.en[0].isupper() and reason.en.endswith("."), reason.code
            assert reason.zh_hans.endswith("。"), reason.code

    @pytest.mark.parametrize("name", NAMES)
    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test_come_with_every_result_that_is_not_a_pass_and_no_rule_errs(self, name, data):
        facts = data.draw(facts_of(rule_set(name).facts_type))

        results = evaluate(rule_set(name), facts, b.PARAMS).results

        assert all(result.reason is not None for result in results if result.status is not Status.PASS)
        assert not [result for result in results if result.reason and result.reason.code == "RULE_ERROR"]


class TestParameters:
    @pytest.mark.parametrize("name", NAMES)
    def test_are_exactly_the_keys_the_rules_read(self, name):
        params = RecordingParams(b.PARAMS)
        chosen = rule_set(name)

        for scenario_name, facts in SCENARIOS:
            if scenario_name == name:
                evaluate(chosen, facts, params)
                chosen.amount_limit(facts, params)

        assert params.read == set(chosen.parameters)

    def test_are_all_policy_keys_the_caller_knows(self):
        declared = {key for each in RULE_SETS.values() for key in each.parameters}

        assert declared <= set(b.PARAMS)


class TestRuleSets:
    def test_cover_every_withdrawal_reason_of_the_contract(self):
        names = set(WITHDRAWAL_REASONS)

        assert names == set(RULE_SETS) - {"LOAN_ELIGIBILITY"}

    @pytest.mark.parametrize("name", NAMES)
    def test_carry_their_version_and_uniquely_named_rules(self, name):
        chosen = rule_set(name)

        rule_names = [each.name for each in chosen.rules]

        assert chosen.version == VERSIONS.get(name, 1)
        assert len(rule_names) == len(set(rule_names))


class TestFactsJson:
    @pytest.mark.parametrize("facts_type", FACT_TYPES, ids=lambda cls: cls.__name__)
    @settings(max_examples=80)
    @given(data=st.data())
    def test_round_trips_through_json_text(self, facts_type, data):
        facts = data.draw(facts_of(facts_type, free=True))

        restored = facts_type.from_json(json.loads(json.dumps(facts.to_json(), ensure_ascii=False)))

        assert restored == facts

    @pytest.mark.parametrize("facts_type", FACT_TYPES, ids=lambda cls: cls.__name__)
    def test_hold_no_personal_identifiers(self, facts_type):
        names = {field.name for field in fields(facts_type)}

        assert not names & {"id_number", "name", "spouse_id_number", "address", "owners"}
