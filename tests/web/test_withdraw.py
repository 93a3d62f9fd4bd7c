"""An employee applies for a withdrawal in the hall: consent, amount and card on one page, then a decision."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.services import set_bank_card
from approvals.models import Application, ApplicationDocument, ApplicationStatus
from integrations.bank import payments
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank
from integrations.gov import ports
from integrations.gov.fakes import FakeSocialSecurity
from tests.web.test_eligibility import ENGLISH

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CARD = "6222021234567890128"


def retired(person):
    return FakeSocialSecurity(
        retirement={person.id_number: ports.RetirementRecord(retired=True, retired_on=date(2025, 6, 1))}
    )


@pytest.fixture
def with_card(employee_account):
    return set_bank_card(
        person=employee_account.person, card_number=CARD, verified_at=timezone.now(), actor=None
    )


def apply(client, reason, **fields):
    data = {"consent": "yes", "card_confirmed": "yes", **fields}
    return client.post(reverse("web:hall-withdraw-apply", args=[reason]), data, headers=ENGLISH)


class TestChooseAReason:
    def test_offers_the_instant_reasons_first_and_the_document_reasons_after(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-withdraw"), headers=ENGLISH)

        assert [code for code, _label in response.context["instant"]][:2] == ["LEAVING_CITY", "RETIREMENT"]
        assert "SERIOUS_ILLNESS" in [code for code, _label in response.context["documents"]]
        assert "DEATH" not in [code for code, _label in response.context["documents"]]


class TestApplyForAWithdrawal:
    def test_tells_what_is_checked_and_with_whose_records_before_asking(self, client, employee, with_card):
        client.force_login(employee)

        response = client.get(reverse("web:hall-withdraw-apply", args=["RENT"]), headers=ENGLISH)

        assert (
            "Real-estate registry: the homes and purchase contracts in your and your spouse" in response.text
        )
        assert "Civil affairs: your marital status" in response.text
        assert "6222 **** **** 0128" in response.text

    def test_decides_a_retirees_application_at_once_and_shows_the_decision(
        self,
        client,
        employee,
        employee_account,
        with_card,
        sources,
    ):
        sources(social_security=retired(employee_account.person))
        client.force_login(employee)

        response = apply(client, "RETIREMENT")

        application = Application.objects.get(applicant=employee_account.person)
        assert response.status_code == 302
        assert response.url == reverse("web:hall-application", args=[application.pk])
        assert application.status == ApplicationStatus.APPROVED
        page = client.get(response.url, headers=ENGLISH)
        assert "Approved." in page.text
        assert "Approved automatically" in page.text

    def test_shows_the_payment_on_its_way_once_the_approval_is_committed(
        self,
        client,
        employee,
        employee_account,
        with_card,
        sources,
        django_capture_on_commit_callbacks,
    ):
        sources(social_security=retired(employee_account.person))
        client.force_login(employee)

        with django_capture_on_commit_callbacks(execute=True):
            response = apply(client, "RETIREMENT")
        page = client.get(response.url, headers=ENGLISH)

        steps = [step["step"] for step in page.context["steps"]]
        assert steps == ["SUBMITTED", "CHECKED", "DECIDED", "PAID"]
        assert page.context["payout"]["amount"] > 0
        assert "Social security: Answered" in page.text

    def test_follows_a_payment_on_its_way_in_place_without_reloading_under_the_reader(
        self, client, employee, employee_account, with_card, sources
    ):
        sources(social_security=retired(employee_account.person))
        client.force_login(employee)

        page = client.get(apply(client, "RETIREMENT").url, headers=ENGLISH)

        assert page.context["refresh"] is True
        assert 'hx-trigger="every 3s" hx-select="#followed"' in page.text
        assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page.text
        assert page.text.count('http-equiv="refresh"') == 1

    def test_refuses_without_consent_to_the_checks_and_asks_nothing(self, client, employee, with_card):
        client.force_login(employee)

        response = apply(client, "RETIREMENT", consent="")

        assert response.status_code == 400
        assert "Agree to the checks above" in response.text
        assert not Application.objects.exists()

    def test_refuses_when_no_card_in_the_employees_own_name_is_registered(self, client, employee):
        client.force_login(employee)

        response = apply(client, "RETIREMENT")

        assert response.status_code == 400
        assert "Register a bank card in your own name first" in response.text
        assert not Application.objects.exists()

    def test_refuses_an_amount_with_more_than_two_decimals(self, client, employee, with_card):
        client.force_login(employee)

        response = apply(client, "RENT", amount="1800.005", period_months="1")

        assert response.status_code == 400
        assert not Application.objects.exists()

    def test_sends_a_document_reason_to_staff_with_its_documents(
        self,
        client,
        employee,
        employee_account,
        with_card,
        sources,
    ):
        client.force_login(employee)

        response = apply(
            client,
            "SERIOUS_ILLNESS",
            amount="3000.00",
            documents=[SimpleUploadedFile("诊断证明.png", PNG, content_type="image/png")],
        )

        application = Application.objects.get(applicant=employee_account.person)
        assert response.status_code == 302
        assert application.status == ApplicationStatus.REFERRED
        assert application.payload["amount"] == 300_000
        assert list(application.documents.values_list("filename", "content_type")) == [
            ("诊断证明.png", "image/png")
        ]
        page = client.get(response.url, headers=ENGLISH)
        assert "Staff will decide this application" in page.text
        assert "诊断证明.png" in page.text

    def test_refuses_a_file_that_is_not_really_a_pdf_and_keeps_nothing(
        self,
        client,
        employee,
        with_card,
        sources,
    ):
        client.force_login(employee)

        response = apply(
            client,
            "SERIOUS_ILLNESS",
            documents=[
                SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
            ],
        )

        assert response.status_code == 400
        assert "The file report.pdf is not a PDF, JPEG or PNG file." in response.text
        assert not Application.objects.exists()
        assert not ApplicationDocument.objects.exists()

    def test_shows_nobody_elses_application(self, client, employee, preparer):
        other = Application.objects.none()
        client.force_login(employee)

        response = client.get(reverse("web:hall-application", args=[999999]), headers=ENGLISH)

        assert response.status_code == 404
        assert not other.exists()


class TestPayoutCardPage:
    def test_registers_a_card_the_bank_confirms_and_goes_back_to_the_application(self, client, employee):
        client.force_login(employee)
        back = reverse("web:hall-withdraw-apply", args=["RETIREMENT"])

        with use_payment_bank(FakePaymentBank()):
            response = client.post(
                reverse("web:hall-card"), {"card_number": CARD, "next": back}, headers=ENGLISH
            )

        assert response.status_code == 302
        assert response.url == back
        assert "6222 **** **** 0128" in client.get(back, headers=ENGLISH).text

    def test_says_why_the_bank_refused_a_card_in_someone_elses_name(self, client, employee):
        client.force_login(employee)

        with use_payment_bank(FakePaymentBank(card_failures={CARD: payments.NAME_MISMATCH})):
            response = client.post(reverse("web:hall-card"), {"card_number": CARD}, headers=ENGLISH)

        assert response.status_code == 400
        assert "not in your name" in response.text

    def test_ignores_a_next_address_on_another_site(self, client, employee):
        client.force_login(employee)

        with use_payment_bank(FakePaymentBank()):
            response = client.post(
                reverse("web:hall-card"),
                {"card_number": CARD, "next": "https://evil.example/"},
                headers=ENGLISH,
            )

        assert response.status_code == 200
        assert "The bank confirmed the card" in response.text
