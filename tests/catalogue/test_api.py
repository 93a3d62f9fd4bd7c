"""Channel apps read the catalogue over the API without a login: list, filters, one item, both languages."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from catalogue.models import ServiceItem
from tests.catalogue.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def api():
    return APIClient()


def listed(response) -> list[str]:
    return [row["code"] for row in response.json()]


class TestServicesList:
    def test_lists_every_published_service_without_a_login(self, api):
        response = api.get(reverse("api:services"))

        assert response.status_code == 200
        assert len(response.json()) == ServiceItem.objects.filter(published=True).count()

    def test_ignores_a_bad_token_since_the_catalogue_is_public(self, api):
        response = api.get(reverse("api:services"), headers={"authorization": "Bearer not-a-token"})

        assert response.status_code == 200

    def test_gives_each_item_its_fields_in_chinese_by_default(self, api):
        rows = {row["code"]: row for row in api.get(reverse("api:services")).json()}

        rent = rows["WITHDRAW_RENT"]
        assert rent["name"] == "租房提取"
        assert rent["category"] == "WITHDRAWALS"
        assert rent["category_label"] == "提取"
        assert rent["materials"] == []
        assert rent["office"] == "提取科"
        assert rent["time_limit_days"] == 0
        assert rent["fully_online"] is True and rent["instant"] is True
        assert rent["online_url"] == "/hall/withdraw/RENT/"
        assert rent["appointment_service"] is None
        assert "WEB_HALL" in rent["channels"] and "网上服务大厅" in rent["channel_labels"]

    def test_gives_the_names_in_english_when_asked(self, api):
        rows = {row["code"]: row for row in api.get(reverse("api:services"), headers=ENGLISH).json()}

        assert rows["WITHDRAW_RENT"]["name"] == "Withdrawal for paying rent"
        assert rows["WITHDRAW_RENT"]["category_label"] == "Withdrawals"
        assert rows["UNIT_CLOSURE"]["materials"][0].startswith("Application to close the registration")

    def test_gives_a_counter_service_no_online_url_and_its_booking_code(self, api):
        rows = {row["code"]: row for row in api.get(reverse("api:services")).json()}

        signing = rows["LOAN_CONTRACT_SIGNING"]
        assert signing["online_url"] is None
        assert signing["appointment_service"] == "LOAN_SIGNING"

    def test_gives_no_online_url_for_an_entry_point_that_does_not_resolve(self, api):
        ServiceItemFactory(code="NOT_DEPLOYED_YET", online_url_name="hall-no-such-page", fully_online=True)

        response = api.get(reverse("api:services"), {"q": "NOT_DEPLOYED_YET"})

        assert response.json()[0]["online_url"] is None

    def test_finds_services_by_words_in_either_language(self, api):
        chinese = api.get(reverse("api:services"), {"q": "商转公 商业性"})
        english = api.get(reverse("api:services"), {"q": "commercial home loan"})

        assert listed(chinese) == ["LOAN_COMMERCIAL_CONVERSION"]
        assert set(listed(english)) == {"WITHDRAW_COMMERCIAL_LOAN", "LOAN_COMMERCIAL_CONVERSION"}

    def test_filters_by_category_online_and_instant(self, api):
        loans = api.get(reverse("api:services"), {"category": "LOANS"}).json()
        offline = api.get(reverse("api:services"), {"online": "false"}).json()
        instant = api.get(reverse("api:services"), {"instant": "true"}).json()

        assert loans and {row["category"] for row in loans} == {"LOANS"}
        assert offline and not any(row["fully_online"] for row in offline)
        assert instant and all(row["instant"] for row in instant)
        assert len(instant) == ServiceItem.objects.filter(instant=True).count()

    def test_refuses_an_unknown_category_with_the_field_named(self, api):
        response = api.get(reverse("api:services"), {"category": "HOUSING"})

        assert response.status_code == 400
        assert response.json()["code"] == "VALIDATION_ERROR"
        assert response.json()["errors"][0]["field"] == "category"

    def test_leaves_out_unpublished_items(self, api):
        ServiceItem.objects.filter(code="WITHDRAW_RENT").update(published=False)

        response = api.get(reverse("api:services"))

        assert "WITHDRAW_RENT" not in listed(response)


class TestServiceDetail:
    def test_gives_one_item_by_its_code(self, api):
        response = api.get(reverse("api:service", args=["TRANSFER_INTRA_CITY"]))

        assert response.status_code == 200
        assert response.json()["name"] == "市内账户转移"
        assert response.json()["online_url"] == reverse("web:hall-transfer-intra")

    def test_is_not_found_for_an_unknown_code(self, api):
        response = api.get(reverse("api:service", args=["NO_SUCH_SERVICE"]))

        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
        assert response.json()["detail"] == "服务事项清单中没有该事项。"

    def test_is_not_found_for_an_unpublished_item(self, api):
        ServiceItem.objects.filter(code="WITHDRAW_RENT").update(published=False)

        response = api.get(reverse("api:service", args=["WITHDRAW_RENT"]))

        assert response.status_code == 404


class TestSchema:
    def test_documents_both_endpoints_with_the_list_s_filters_and_an_example(self, api):
        schema = api.get(reverse("schema"), {"format": "json"}).json()

        listing = schema["paths"]["/api/v1/services"]["get"]
        parameters = {parameter["name"] for parameter in listing["parameters"]}
        assert parameters == {"q", "category", "online", "instant"}
        assert "最多跑一趟" in listing["description"]
        assert listing["responses"]["200"]["content"]["application/json"]["examples"]
        assert "/api/v1/services/{code}" in schema["paths"]
