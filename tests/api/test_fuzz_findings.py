"""What the API fuzz (fuzz/test_openapi.py) found: answers the schema did not document, and data
the schema forbids that the API took anyway."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.deposits.conftest import make_unit


@pytest.fixture
def api(employee):
    client = APIClient()
    client.force_authenticate(employee)
    return client


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def documented(schema, path: str, method: str) -> set[str]:
    return set(schema["paths"][path][method]["responses"])


@pytest.mark.django_db
class TestAPathNoRouteMatches:
    @pytest.mark.parametrize("path", ["/api/v1/withdrawals/null,null", "/api/v1/appointments/-1/cancel"])
    def test_answers_the_apis_json_404(self, api, path):
        response = api.post(path) if path.endswith("cancel") else api.get(path)

        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "NOT_FOUND"

    def test_answers_a_post_without_a_csrf_token_with_the_404_too(self, employee):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(employee)

        response = client.post("/api/v1/me/messages/null,null/read")

        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"

    def test_answers_404_without_a_login_too(self):
        response = APIClient().get("/api/v1/no-such-thing")

        assert response.status_code == 404
        assert response.json()["errors"] == []


@pytest.mark.django_db
class TestAnEmptyQueryValue:
    @pytest.mark.parametrize("name", ["me-movements", "me-statement"])
    def test_is_refused_as_a_date_not_read_as_no_date(self, api, employee_account, name):
        response = api.get(reverse(f"api:{name}"), {"to": ""})

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "to"

    def test_is_refused_as_a_category(self, db):
        response = APIClient().get(reverse("api:services"), {"category": ""})

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "category"

    def test_is_refused_as_a_boolean(self, db):
        response = APIClient().get(reverse("api:services"), {"online": ""})

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "online"

    def test_leaves_a_blank_free_text_search_allowed(self, db):
        response = APIClient().get(reverse("api:services"), {"q": ""})

        assert response.status_code == 200


@pytest.mark.django_db
class TestAWithdrawalsPropertyId:
    def test_must_be_a_string_not_a_number(self, api, employee_account):
        response = api.post(
            reverse("api:withdrawals"),
            {"reason": "RENT", "period_months": 3, "consent": True, "property_id": 0},
            format="json",
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "property_id"


@pytest.mark.django_db
class TestADepositListPageSize:
    def test_that_is_not_a_number_is_refused(self):
        unit = make_unit("fuzz")
        client = APIClient()
        client.force_authenticate(unit.preparer)

        response = client.get(reverse("api:employer-deposit-lists"), {"page_size": "null"})

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "page_size"

    def test_that_is_a_number_is_read_as_drf_does(self):
        unit = make_unit("fuzz")
        client = APIClient()
        client.force_authenticate(unit.preparer)

        response = client.get(reverse("api:employer-deposit-lists"), {"page_size": "0"})

        assert response.status_code == 200


class TestTheSchemaDocuments:
    @pytest.mark.parametrize(
        ("path", "method", "codes"),
        [
            ("/api/v1/auth/token", "post", {"400"}),
            ("/api/v1/auth/token/verify", "post", {"429"}),
            ("/api/v1/seals/{code}", "get", {"404", "429"}),
            ("/api/v1/certificates/{code}", "get", {"404", "429"}),
            ("/api/v1/me/messages", "get", {"400"}),
            ("/api/v1/me/messages/{message_id}/read", "post", {"404"}),
            ("/api/v1/me/movements", "get", {"400", "403"}),
            ("/api/v1/me/preferences", "patch", {"400"}),
            ("/api/v1/me/eligibility", "post", {"400"}),
            ("/api/v1/transfers/intra-city", "post", {"400"}),
            ("/api/v1/employer/deposit-lists", "get", {"400", "403", "404"}),
            ("/api/v1/employer/deposit-lists/template", "get", {"400", "403"}),
            ("/api/v1/employer/deposit-lists/{list_id}", "get", {"403", "404"}),
            ("/api/v1/employer/deposit-lists/{list_id}/errors", "get", {"400", "403", "404"}),
        ],
    )
    def test_the_refusals_each_operation_gives(self, schema, path, method, codes):
        assert codes <= documented(schema, path, method)

    def test_a_blank_city_name_of_an_incoming_transfer_as_allowed(self, schema):
        body = schema["components"]["schemas"]["IncomingRequestRequest"]["properties"]["sending_city_name"]

        assert "minLength" not in body

    def test_the_paginated_lists_still_as_pages(self, schema):
        ok = schema["paths"]["/api/v1/employer/deposit-lists"]["get"]["responses"]["200"]

        assert "Paginated" in ok["content"]["application/json"]["schema"]["$ref"]
