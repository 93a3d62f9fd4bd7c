import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from freezegun import freeze_time

from core.models import PolicyParameter
from core.policy import (
    PARAMETERS,
    InvalidPolicyValue,
    ParameterVersion,
    UnknownPolicyParameter,
    clean_policy_value,
    policy_snapshot,
    policy_value,
    policy_version,
)

pytestmark = pytest.mark.django_db

LOAN_RATE_KEYS = [
    "loan.rate.first.upto_5y",
    "loan.rate.first.over_5y",
    "loan.rate.second.upto_5y",
    "loan.rate.second.over_5y",
]


class TestPolicyValue:
    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            (date(2025, 5, 7), ["0.0235", "0.0285", "0.02775", "0.03325"]),
            (date(2025, 5, 8), ["0.021", "0.026", "0.02525", "0.03075"]),
            (date(2026, 1, 1), ["0.021", "0.026", "0.02525", "0.03075"]),
        ],
    )
    def test_gives_the_loan_rates_in_force_before_and_after_the_2025_cut(self, on, expected):
        result = [policy_value(key, on=on) for key in LOAN_RATE_KEYS]

        assert result == [Decimal(rate) for rate in expected]

    def test_returns_rates_as_decimals_and_amounts_as_int_fen(self):
        rate = policy_value("interest.annual_rate", on=date(2025, 6, 30))
        cap = policy_value("withdrawal.rent.monthly_cap", on=date(2025, 6, 30))
        rounding = policy_value("deposit.rounding", on=date(2025, 6, 30))

        assert (rate, cap, rounding) == (Decimal("0.015"), 180000, "FEN_HALF_UP")
        assert type(cap) is int

    def test_uses_a_new_version_from_its_effective_date(self):
        PolicyParameter.objects.create(
            key="withdrawal.rent.monthly_cap", value=200000, effective_from=date(2026, 7, 1)
        )

        before = policy_value("withdrawal.rent.monthly_cap", on=date(2026, 6, 30))
        after = policy_value("withdrawal.rent.monthly_cap", on=date(2026, 7, 1))

        assert (before, after) == (180000, 200000)

    @freeze_time("2025-05-08 00:30:00+08:00")
    def test_defaults_to_the_local_date(self):
        result = policy_value("loan.rate.first.upto_5y")

        assert result == Decimal("0.021")

    def test_refuses_a_date_before_the_first_version(self):
        with pytest.raises(UnknownPolicyParameter) as caught:
            policy_value("interest.annual_rate", on=date(2016, 2, 20))

        assert caught.value.code == "UNKNOWN_POLICY_PARAMETER"
        assert "2016-02-20" in str(caught.value.message)

    def test_refuses_an_unknown_key(self):
        with pytest.raises(UnknownPolicyParameter, match=r"no\.such\.key"):
            policy_value("no.such.key", on=date(2025, 1, 1))

    def test_refuses_to_compute_with_a_float_put_in_by_hand(self):
        PolicyParameter.objects.create(key="loan.income_ratio", value=0.6, effective_from=date(2025, 1, 1))

        with pytest.raises(InvalidPolicyValue):
            policy_value("loan.income_ratio", on=date(2025, 1, 1))


class TestPolicyVersion:
    def test_identifies_the_row_in_force(self):
        row = PolicyParameter.objects.get(key="loan.rate.first.upto_5y", effective_from=date(2025, 5, 8))

        result = policy_version("loan.rate.first.upto_5y", on=date(2025, 12, 1))

        assert result == ParameterVersion(
            key="loan.rate.first.upto_5y", value=Decimal("0.021"), effective_from=date(2025, 5, 8), pk=row.pk
        )


class TestPolicySnapshot:
    def test_gives_every_key_in_force_in_one_query(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            result = policy_snapshot([*LOAN_RATE_KEYS, "loan.balance_multiple"], on=date(2025, 5, 7))

        assert result["loan.rate.first.upto_5y"].value == Decimal("0.0235")
        assert result["loan.rate.first.upto_5y"].effective_from == date(2024, 5, 18)
        assert result["loan.balance_multiple"].value == 15
        assert set(result) == {*LOAN_RATE_KEYS, "loan.balance_multiple"}

    def test_records_json_a_decision_can_store(self):
        snapshot = policy_snapshot(["interest.annual_rate"], on=date(2025, 6, 30))

        record = snapshot["interest.annual_rate"].as_record()

        assert json.loads(json.dumps(record)) == {
            "key": "interest.annual_rate",
            "value": "0.015",
            "effective_from": "2016-02-21",
            "pk": snapshot["interest.annual_rate"].pk,
        }
        assert json.dumps(snapshot["interest.annual_rate"].value, cls=DjangoJSONEncoder) == '"0.015"'

    def test_names_every_key_without_a_version(self):
        with pytest.raises(UnknownPolicyParameter) as caught:
            policy_snapshot(["interest.annual_rate", "no.such.key"], on=date(2015, 1, 1))

        assert "interest.annual_rate" in str(caught.value.message)
        assert "no.such.key" in str(caught.value.message)


class TestSeededParameters:
    def test_seeds_every_listed_key_with_a_valid_value_and_no_floats(self):
        rows = list(PolicyParameter.objects.values_list("key", "value"))

        assert {key for key, _value in rows} == set(PARAMETERS)
        assert all(clean_policy_value(key, value) == value for key, value in rows)


class TestCleanPolicyValue:
    @pytest.mark.parametrize(
        ("key", "value", "stored"),
        [
            ("deposit.rate.max", " 0.12 ", "0.12"),
            ("loan.max_term_months", "360", 360),
            ("deposit.base.floor", 203000, 203000),
            ("deposit.rounding", "YUAN_HALF_UP", "YUAN_HALF_UP"),
            ("loan.overdue_penalty_multiplier", "1.5", "1.5"),
            ("city.local_region_prefix", "3502", "3502"),
        ],
    )
    def test_returns_the_value_to_store(self, key, value, stored):
        assert clean_policy_value(key, value) == stored

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("deposit.rate.max", 0.12),
            ("deposit.rate.max", "12%"),
            ("deposit.rate.max", "1.2"),
            ("deposit.rate.max", "1e-2"),
            ("loan.max_term_months", -1),
            ("loan.max_term_months", "30.5"),
            ("loan.max_term_months", True),
            ("deposit.rounding", "HALF_EVEN"),
            ("city.local_region_prefix", "35O2"),
        ],
    )
    def test_refuses_a_value_of_the_wrong_kind(self, key, value):
        with pytest.raises(InvalidPolicyValue) as caught:
            clean_policy_value(key, value)

        assert caught.value.code == "INVALID_POLICY_VALUE"

    def test_refuses_a_key_that_is_not_listed(self):
        with pytest.raises(UnknownPolicyParameter):
            clean_policy_value("no.such.key", "1")
