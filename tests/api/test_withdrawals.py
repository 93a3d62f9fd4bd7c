"""Channel apps apply for withdrawals and follow them to the money on the employee's card."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import set_bank_card
from approvals.models import Application, ApplicationStatus
from integrations.gov import ports
from integrations.gov.fakes import FakeSocialSecurity
from tests.approvals.factories import staff_user
from tests.withdrawals.factories import approved, deposit_on
from withdrawals.services import pay_withdrawal

pytestmark = pytest.mark.django_db

CARD = "6222021234567890128"


@pytest.fixture
def api(employee):
    client = APIClient()
    client.force_authenticate(employee)
    return client


@pytest.fixture
def with_card(employee_account):
    set_bank_card(person=employee_account.person, card_number=CARD, verified_at=timezone.now(), actor=None)
    # The logged-in user holds this very Person object: let it see the card, as a new request would.
    employee_account.person.refresh_from_db()
    return employee_account.person


def retired(person):
    return FakeSocialSecurity(
        retirement={person.id_number: ports.RetirementRecord(retired=True, retired_on=date(2025, 6, 1))}
    )


def apply(api, **body):
    return api.post(
        reverse("api:withdrawals"),
        {"consent": True, **body},
        format="json",
        headers={"accept-language": "en"},
    )


class TestApplyForAWithdrawal:
    def test_answers_with_the_decision_and_the_payment_on_its_way(
        self,
        api,
        employee_account,
        with_card,
        sources,
        django_capture_on_commit_callbacks,
    ):
        sources(social_security=retired(employee_account.person))

        with django_capture_on_commit_callbacks(execute=True):
            response = apply(api, reason="RETIREMENT")

        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "APPROVED"
        assert body["decision"]["outcome"] == "APPROVED"
        assert body["decision"]["reasons"] == []
        assert [step["step"] for step in body["timeline"]][:3] == ["SUBMITTED", "CHECKED", "DECIDED"]
        assert body["timeline"][1]["sources"][0]["source"] == "social_security"

    def test_follows_the_application_to_the_payment(
        self,
        api,
        employee_account,
        with_card,
        sources,
        django_capture_on_commit_callbacks,
    ):
        sources(social_security=retired(employee_account.person))
        with django_capture_on_commit_callbacks(execute=True):
            created = apply(api, reason="RETIREMENT").json()

        response = api.get(reverse("api:withdrawal", args=[created["id"]]))

        assert response.status_code == 200
        assert response.json()["payout"]["status"] in ("PENDING", "SENT", "PAID")
        payout = response.json()["payout"]
        # A retirement closes the account: the balance of 4,800 yuan and its interest to date.
        assert Decimal(payout["amount"]) == Decimal("4800.00") + Decimal(payout["interest"])
        assert Decimal(payout["interest"]) > 0

    def test_refuses_without_consent(self, api, with_card):
        response = apply(api, reason="RETIREMENT", consent=False)

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "consent"
        assert not Application.objects.exists()

    def test_refuses_without_a_verified_card_in_the_applicants_name(self, api):
        response = apply(api, reason="RETIREMENT")

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "card"

    def test_refuses_a_second_open_application_for_the_same_reason(
        self,
        api,
        employee_account,
        with_card,
        sources,
    ):
        documents = {"documents": [SimpleUploadedFile("scan.pdf", b"%PDF-1.7 scan")]}
        first = api.post(
            reverse("api:withdrawals"),
            {"reason": "SERIOUS_ILLNESS", "consent": "true", **documents},
            format="multipart",
        )

        second = api.post(
            reverse("api:withdrawals"),
            {
                "reason": "SERIOUS_ILLNESS",
                "consent": "true",
                "documents": [SimpleUploadedFile("b.pdf", b"%PDF-1.7")],
            },
            format="multipart",
        )

        assert first.status_code == 201
        assert first.json()["status"] == ApplicationStatus.REFERRED
        assert second.status_code == 409
        assert Application.objects.filter(applicant=employee_account.person).count() == 1


class TestSeeAWithdrawal:
    def test_shows_nobody_elses_application_but_staff_may_see_it(
        self, api, employee_account, with_card, sources
    ):
        sources(social_security=retired(employee_account.person))
        created = apply(api, reason="RETIREMENT").json()
        stranger = APIClient()
        stranger.force_authenticate(staff_user(username="reviewer"))

        assert stranger.get(reverse("api:withdrawal", args=[created["id"]])).status_code == 200
        assert api.get(reverse("api:withdrawal", args=[999999])).status_code == 404


class TestMyApplicationsWithWithdrawals:
    def test_gives_a_withdrawal_the_same_steps_as_its_own_page(
        self, api, employee_account, with_card, sources, django_capture_on_commit_callbacks
    ):
        sources(social_security=retired(employee_account.person))
        with django_capture_on_commit_callbacks(execute=True):
            created = apply(api, reason="RETIREMENT").json()

        listed = api.get(reverse("api:me-applications")).json()[0]

        assert listed["id"] == created["id"]
        assert [step["step"] for step in listed["steps"]] == ["SUBMITTED", "CHECKED", "DECIDED", "PAID"]
        assert listed["payout"]["status"] in ("PENDING", "SENT", "PAID")

    def test_reads_the_steps_of_many_withdrawals_in_as_many_queries_as_of_one(
        self, api, employee_account, with_card
    ):
        person = employee_account.person
        deposit_on(employee_account, date(2026, 1, 15), 2_000_000)
        pay_withdrawal(application_id=approved(person, "RENT", amount_limit=100_000).pk)
        url = reverse("api:me-applications")
        with CaptureQueriesContext(connection) as one:
            assert len(api.get(url).json()) == 1

        for reason in ("LOAN_REPAYMENT_ANNUAL", "PURCHASE_IN_CITY", "BUILD_RENOVATE"):
            pay_withdrawal(application_id=approved(person, reason, amount_limit=100_000).pk)
        with CaptureQueriesContext(connection) as four:
            listed = api.get(url).json()

        assert [row["payout"]["status"] for row in listed] == ["PENDING"] * 4
        assert len(four.captured_queries) == len(one.captured_queries)
