"""``POST /calculators/loan-quota`` and ``/loan-schedule``: public, yuan strings, contract errors."""

import pytest
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

QUOTA = reverse("api:calculator-loan-quota")
SCHEDULE = reverse("api:calculator-loan-schedule")
ENGLISH = {"accept-language": "en"}


@pytest.fixture
def api():
    return APIClient()


def quota_body(**overrides) -> dict:
    body = {
        "balance": "50000.00",
        "co_borrower_balance": "0.00",
        "monthly_income": "12000.00",
        "other_monthly_debt": "1000.00",
        "house_price": "1500000.00",
        "first_home": True,
        "term_months": 360,
        "has_co_borrower": False,
    }
    return {**body, **overrides}


def schedule_body(**overrides) -> dict:
    return {
        "principal": "1000.00",
        "annual_rate": "0.12",
        "months": 3,
        "method": "EQUAL_INSTALMENT",
        **overrides,
    }


@freeze_time("2026-11-26 10:00:00+08:00")
class TestLoanQuota:
    def test_answers_anyone_with_every_limit_and_the_one_that_binds(self, api):
        response = api.post(QUOTA, quota_body(), format="json")

        assert response.status_code == 200
        answer = response.json()
        assert answer["quota"] == "600000.00"
        assert answer["binding"] == "city_cap"
        assert answer["limits"] == {
            "balance_multiple": "750000.00",
            "repayment_ability": "1248939.30",
            "price_ratio": "1200000.00",
            "city_cap": "600000.00",
        }
        assert answer["affordable_payment"] == "5000.00"

    def test_gives_the_rate_and_its_basis(self, api):
        answer = api.post(QUOTA, quota_body(first_home=False, term_months=60), format="json").json()

        assert answer["rate"] == "0.02525"
        assert answer["rate_basis"] == {
            "key": "loan.rate.second.upto_5y",
            "first_home": False,
            "term_band": "upto_5y",
            "effective_from": "2025-05-08",
        }
        assert answer["parameters"]["loan.price_ratio.second"] == "0.70"

    def test_counts_the_co_borrower_and_the_higher_cap(self, api):
        answer = api.post(
            QUOTA,
            quota_body(co_borrower_balance="20000.00", has_co_borrower=True, monthly_income="30000.00"),
            format="json",
        ).json()

        assert answer["limits"]["balance_multiple"] == "1050000.00"
        assert answer["limits"]["city_cap"] == "800000.00"
        assert answer["quota"] == "800000.00"

    def test_takes_the_co_borrower_and_other_debt_as_optional(self, api):
        body = quota_body()
        del body["co_borrower_balance"], body["other_monthly_debt"], body["has_co_borrower"]

        answer = api.post(QUOTA, body, format="json").json()

        assert answer["affordable_payment"] == "6000.00"

    def test_is_zero_when_the_other_debt_leaves_nothing(self, api):
        answer = api.post(QUOTA, quota_body(other_monthly_debt="6000.00"), format="json").json()

        assert answer["quota"] == "0.00"
        assert answer["binding"] == "repayment_ability"

    def test_refuses_a_term_beyond_thirty_years_in_the_contract_shape(self, api):
        response = api.post(QUOTA, quota_body(term_months=361), format="json", headers=ENGLISH)

        assert response.status_code == 400
        assert response.json() == {
            "code": "INVALID_TERM",
            "detail": "Choose a term of 1 to 360 months.",
            "errors": [
                {
                    "field": "term_months",
                    "code": "INVALID_TERM",
                    "message": "Choose a term of 1 to 360 months.",
                }
            ],
        }

    def test_explains_in_chinese_by_default(self, api):
        response = api.post(QUOTA, quota_body(term_months=0), format="json")

        assert response.json()["detail"] == "请选择 1 至 360 个月的期限。"

    def test_refuses_missing_and_malformed_fields_each_by_name(self, api):
        body = quota_body(balance=50000, house_price="1,5")
        del body["monthly_income"]

        response = api.post(QUOTA, body, format="json", headers=ENGLISH)

        assert response.status_code == 400
        answer = response.json()
        assert answer["code"] == "VALIDATION_ERROR"
        assert {(error["field"], error["code"]) for error in answer["errors"]} == {
            ("balance", "INVALID"),
            ("house_price", "INVALID_AMOUNT"),
            ("monthly_income", "REQUIRED"),
        }

    def test_refuses_a_house_price_of_zero(self, api):
        response = api.post(QUOTA, quota_body(house_price="0.00"), format="json")

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "house_price"

    def test_refuses_a_co_borrower_balance_without_a_co_borrower(self, api):
        response = api.post(QUOTA, quota_body(co_borrower_balance="100.00"), format="json")

        assert response.status_code == 400
        assert response.json()["code"] == "CO_BORROWER_BALANCE_WITHOUT_CO_BORROWER"


class TestLoanSchedule:
    def test_answers_anyone_with_every_payment_in_yuan(self, api):
        response = api.post(SCHEDULE, schedule_body(), format="json")

        assert response.status_code == 200
        answer = response.json()
        assert answer["payments"] == [
            {
                "period": 1,
                "payment": "340.02",
                "principal": "330.02",
                "interest": "10.00",
                "remaining": "669.98",
            },
            {
                "period": 2,
                "payment": "340.02",
                "principal": "333.32",
                "interest": "6.70",
                "remaining": "336.66",
            },
            {
                "period": 3,
                "payment": "340.03",
                "principal": "336.66",
                "interest": "3.37",
                "remaining": "0.00",
            },
        ]
        assert answer["total_interest"] == "20.07"
        assert answer["total_payment"] == "1020.07"

    def test_computes_equal_principal(self, api):
        answer = api.post(SCHEDULE, schedule_body(method="EQUAL_PRINCIPAL"), format="json").json()

        assert [row["payment"] for row in answer["payments"]] == ["343.33", "340.00", "336.67"]
        assert answer["total_interest"] == "20.00"

    def test_accepts_a_rate_of_zero(self, api):
        answer = api.post(SCHEDULE, schedule_body(annual_rate="0"), format="json").json()

        assert answer["total_interest"] == "0.00"

    def test_refuses_a_rate_sent_as_a_number(self, api):
        response = api.post(SCHEDULE, schedule_body(annual_rate=0.12), format="json", headers=ENGLISH)

        assert response.status_code == 400
        assert response.json()["errors"] == [
            {
                "field": "annual_rate",
                "code": "INVALID",
                "message": 'Enter the annual rate as text, a fraction such as "0.026" for 2.6%.',
            }
        ]

    def test_refuses_an_unknown_method_by_name(self, api):
        response = api.post(SCHEDULE, schedule_body(method="BALLOON"), format="json")

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "method"

    @pytest.mark.parametrize("months", [0, 361])
    def test_refuses_a_term_outside_one_to_thirty_years(self, api, months):
        response = api.post(SCHEDULE, schedule_body(months=months), format="json")

        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"field": "months", "code": "INVALID_TERM", "message": "请选择 1 至 360 个月的期限。"}
        ]

    def test_refuses_a_principal_of_zero(self, api):
        response = api.post(SCHEDULE, schedule_body(principal="0.00"), format="json")

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "principal"

    def test_needs_no_csrf_token(self, api):
        api.enforce_csrf_checks = True  # a public calculator reads no session, so there is nothing to forge

        response = api.post(SCHEDULE, schedule_body(), format="json")

        assert response.status_code == 200
