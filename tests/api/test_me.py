"""Channel apps log in with a bearer token and read the employee's own account and statement."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _token_for(api, username, password):
    response = api.post(reverse("api:token"), {"username": username, "password": password}, format="json")
    return response.json()["token"]


class TestTokenEndpoint:
    def test_gives_an_employee_a_token_for_their_id_number(self, api, employee_account):
        employee_account.person.user.set_password("Api-pass-2026")
        employee_account.person.user.save()

        response = api.post(
            reverse("api:token"),
            {"username": employee_account.person.id_number, "password": "Api-pass-2026"},
            format="json",
        )

        assert response.status_code == 200
        assert len(response.json()["token"]) == 40

    def test_refuses_a_wrong_password_in_the_error_shape(self, api, employee):
        response = api.post(reverse("api:token"), {"username": "emp-login", "password": "x"}, format="json")

        assert response.status_code == 400
        assert response.json()["code"] == "VALIDATION_ERROR"
        assert response.json()["errors"][0]["code"] == "AUTHORIZATION"


class TestMyAccount:
    def test_reports_the_balance_as_a_yuan_string(self, api, employee):
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {_token_for(api, 'emp-login', 'Fund-portal-2026!')}")

        response = api.get(reverse("api:me-account"))

        body = response.json()
        assert response.status_code == 200
        assert body["balance"] == "4800.00"
        assert body["monthly_deposit"] == "2400.00"
        assert body["status"] == "01"

    def test_needs_a_login(self, api):
        response = api.get(reverse("api:me-account"))

        assert response.status_code == 401
        assert response.json()["code"] == "NOT_AUTHENTICATED"

    def test_is_refused_to_an_operator_without_a_fund_account(self, api, preparer):
        api.force_authenticate(preparer)

        response = api.get(reverse("api:me-account"))

        assert response.status_code == 403


class TestMyMovements:
    def test_lists_movements_in_the_period_with_running_balances(self, api, employee):
        api.force_authenticate(employee)

        response = api.get(reverse("api:me-movements"), {"from": "2026-01-01", "to": "2026-12-31"})

        assert [row["balance_after"] for row in response.json()] == ["2400.00", "4800.00"]
        assert response.json()[0]["business_type"] == "01"

    def test_names_the_field_of_a_bad_date(self, api, employee):
        api.force_authenticate(employee)

        response = api.get(reverse("api:me-movements"), {"from": "2026-13-01"})

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "from"
