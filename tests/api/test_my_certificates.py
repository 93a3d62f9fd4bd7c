"""Channel apps list and issue the employee's own deposit certificates, then check them by code."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from deposits.models import DepositCertificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(employee):
    client = APIClient()
    client.force_authenticate(employee)
    return client


class TestMyCertificates:
    def test_issues_one_and_lists_it_with_its_verification_code(self, api):
        issued = api.post(reverse("api:me-certificates"), {"purpose": "PURCHASE"}, format="json")

        listed = api.get(reverse("api:me-certificates"))

        assert issued.status_code == 201
        assert listed.json() == [issued.json()]
        row = issued.json()
        assert (row["purpose"], row["revoked"]) == ("PURCHASE", False)
        assert DepositCertificate.objects.get(pk=row["id"]).seal.code == row["code"]
        check = api.get(reverse("api:certificate", args=[row["code"]]))
        assert check.json()["status"] == "GENUINE"

    def test_reads_one_by_id(self, api):
        issued = api.post(reverse("api:me-certificates"), {"purpose": "RENT"}, format="json").json()

        response = api.get(reverse("api:me-certificate", args=[issued["id"]]))

        assert response.status_code == 200
        assert response.json()["code"] == issued["code"]

    def test_refuses_an_unknown_purpose_naming_the_field(self, api):
        response = api.post(reverse("api:me-certificates"), {"purpose": "HOLIDAY"}, format="json")

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "purpose"

    def test_an_unknown_id_is_not_found(self, api):
        response = api.get(reverse("api:me-certificate", args=[999999]))

        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
