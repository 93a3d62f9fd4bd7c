"""Channel apps apply for a fund loan, read it (applicant, co-borrower, staff) and the spouse confirms."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from loans.models import LoanApplication, LoanStatus
from tests.approvals.factories import staff_user
from tests.loans.factories import buying, credit, depositor, fund_loan, married

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
BODY = {
    "property_kind": "NEW",
    "property_ref": "XM2026-0001",
    "house_price": "3000000.00",
    "seller_name": "厦门某房地产开发有限公司",
    "seller_account": "6222021234567890128",
    "first_home": True,
    "term_months": 240,
    "repayment_method": "EQUAL_INSTALMENT",
    "monthly_income": "20000.00",
    "consent": True,
}


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def apply(person, **overrides):
    return client_of(person.user).post(
        reverse("api:loan-applications"), {**BODY, **overrides}, format="json", **ENGLISH
    )


class TestApplyThroughTheApi:
    def test_answers_pre_accepted_with_the_quota_limits_and_the_sources_asked(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))

        response = apply(person)

        body = response.json()
        assert response.status_code == 201
        assert body["status"] == "PRE_ACCEPTED"
        assert body["quota"] == "432000.00"
        assert body["amount"] == "432000.00"
        assert body["binding"] == "balance_multiple"
        assert body["limits"]["balance_multiple"] == "432000.00"
        assert body["annual_rate"] == "0.026"
        assert body["eligibility"]["outcome"] == "APPROVE"
        assert [s["source"] for s in body["eligibility"]["sources"]] == [
            "civil_affairs.marriage",
            "credit_bureau.credit_report",
            "real_estate.properties",
            "social_security.employment",
        ]
        assert [todo["code"] for todo in body["todo"]] == ["BOOK_SIGNING", "WAIT_FOR_APPROVAL"]

    def test_answers_rejected_with_the_reasons(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person, loans=[fund_loan()]))

        response = apply(person)

        body = response.json()
        assert body["status"] == "REJECTED"
        assert [reason["code"] for reason in body["eligibility"]["reasons"]] == ["FUND_LOAN_IN_REPAYMENT"]

    def test_refuses_an_amount_above_the_quota_in_the_contract_shape(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))

        response = apply(person, amount="500000.00")

        assert response.status_code == 400
        assert response.json()["code"] == "AMOUNT_ABOVE_QUOTA"
        assert response.json()["errors"][0]["field"] == "amount"

    def test_refuses_without_consent(self, sources):
        person = depositor()

        response = apply(person, consent=False)

        assert response.status_code == 400
        assert response.json()["code"] == "CONSENT_REQUIRED"

    def test_refuses_a_second_open_application_with_409(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        apply(person)

        response = apply(person)

        assert response.status_code == 409
        assert response.json()["code"] == "LOAN_APPLICATION_OPEN"


class TestReadAndConfirm:
    def test_the_spouse_reads_and_confirms_and_nobody_else_may(self, sources):
        person, spouse = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=married(person, spouse))
        loan_id = apply(person, co_borrower_id_number=spouse.id_number).json()["id"]
        url = reverse("api:loan-application-confirm", args=[loan_id])

        by_applicant = client_of(person.user).post(url, **ENGLISH)
        by_stranger = client_of(depositor().user).post(url, **ENGLISH)
        read = client_of(spouse.user).get(reverse("api:loan-application", args=[loan_id]), **ENGLISH)
        confirmed = client_of(spouse.user).post(url, **ENGLISH)

        assert by_applicant.status_code == 403
        assert by_applicant.json()["code"] == "NOT_YOUR_LOAN_APPLICATION"
        assert by_stranger.status_code == 404
        assert read.json()["role"] == "CO_BORROWER"
        assert read.json()["status"] == "AWAITING_CO_BORROWER"
        assert confirmed.status_code == 200
        assert confirmed.json()["status"] == "PRE_ACCEPTED"
        assert LoanApplication.objects.get(pk=loan_id).status == LoanStatus.PRE_ACCEPTED

    def test_staff_read_any_application(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        loan_id = apply(person).json()["id"]

        response = client_of(staff_user(username="loan-clerk")).get(
            reverse("api:loan-application", args=[loan_id]), **ENGLISH
        )

        assert response.status_code == 200
        assert response.json()["role"] == "STAFF"
