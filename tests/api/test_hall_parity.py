"""Channel apps do what the hall does: the payout card, one booking, the loan applications (list,
withdraw, resubmit, signing, contract), the deposit certificate PDF and the account's moves — each
for the caller's own only, and for employees only."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.models import AccountMove, AccountMoveKind, Person
from appointments.selectors import open_slots, service_by_code
from audit.models import AuditEvent
from audit.seals import revoke_seal
from integrations.bank import payments
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank
from loans.contract_terms import contract_no
from loans.models import LoanApplication, LoanStatus
from tests.accounts.factories import EmployerFactory
from tests.api.test_loan_applications import BODY, apply
from tests.appointments import clock
from tests.appointments.clock import TUESDAY, at
from tests.appointments.factories import BookableServiceFactory, booked, counter_offering
from tests.deposits.factories_certificate import depositor as certificate_holder
from tests.deposits.factories_certificate import issued
from tests.loans.factories import buying, credit, depositor
from tests.loans.test_disbursement import approved_loan, borrower

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CARD = "6222021234567890128"
frozen, national_day_calendar = clock.frozen, clock.national_day_calendar


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(employee):
    return client_of(employee)


@pytest.fixture
def strangers(clerk, preparer):
    """A member of staff and an employer's operator: neither has a fund account of their own."""
    return [client_of(clerk), client_of(preparer)]


class TestPayoutCard:
    def test_registers_a_card_the_bank_confirms_and_reads_it_back_masked(self, api, employee):
        before = api.get(reverse("api:me-card")).json()

        with use_payment_bank(FakePaymentBank()):
            saved = api.put(reverse("api:me-card"), {"card_number": "6222 0212 3456 7890 128"}, format="json")
        employee.refresh_from_db()  # as a new request would load the caller afresh
        after = api.get(reverse("api:me-card")).json()

        assert before == {"card": None, "verified": False}
        assert saved.status_code == 200
        assert saved.json() == after == {"card": "6222 **** **** 0128", "verified": True}

    def test_refuses_a_card_in_someone_else_s_name_and_keeps_none(self, api, employee):
        with use_payment_bank(FakePaymentBank(card_failures={CARD: payments.NAME_MISMATCH})):
            response = api.put(reverse("api:me-card"), {"card_number": CARD}, format="json", **ENGLISH)

        assert response.status_code == 400
        assert response.json()["code"] == "CARD_NAME_MISMATCH"
        assert "not in your name" in response.json()["detail"]
        assert Person.objects.get(user=employee).bank_card_verified_at is None

    def test_refuses_a_malformed_number_in_the_error_shape(self, api):
        with use_payment_bank(FakePaymentBank()):
            response = api.put(reverse("api:me-card"), {"card_number": "1234"}, format="json")

        assert response.status_code == 400
        assert response.json()["code"] == "INVALID_BANK_CARD"

    def test_is_for_employees_only(self, strangers):
        for client in strangers:
            with use_payment_bank(FakePaymentBank()):
                put = client.put(reverse("api:me-card"), {"card_number": CARD}, format="json")

            assert client.get(reverse("api:me-card")).status_code == 403
            assert put.status_code == 403


@pytest.mark.usefixtures("frozen")
class TestOneBooking:
    @pytest.fixture(autouse=True)
    def counter(self):
        return counter_offering(BookableServiceFactory(), code="siming", name="思明服务网点")

    def test_reads_the_caller_s_booking(self, api, employee):
        booking = booked(at(TUESDAY, 9, 30), person=employee.person)

        response = api.get(reverse("api:appointment", args=[booking.pk]))

        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["reference"], body["status"]) == (booking.pk, booking.reference, "BOOKED")
        assert body["starts_at"] == "2026-09-29T09:30:00+08:00"
        assert body["counter"]["code"] == "siming"

    def test_another_person_s_booking_is_not_found(self, api):
        booking = booked(at(TUESDAY, 9, 30))

        response = api.get(reverse("api:appointment", args=[booking.pk]))

        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"

    def test_is_for_employees_only(self, strangers, employee):
        booking = booked(at(TUESDAY, 9, 30), person=employee.person)

        for client in strangers:
            assert client.get(reverse("api:appointment", args=[booking.pk])).status_code == 403


def pre_accepted(sources) -> LoanApplication:
    person = depositor()
    sources(**buying(person), credit_bureau=credit(person))
    return LoanApplication.objects.get(pk=apply(person).json()["id"])


class TestMyLoanApplications:
    def test_lists_the_caller_s_applications_and_no_one_else_s(self, sources):
        loan = pre_accepted(sources)
        other = pre_accepted(sources)

        response = client_of(loan.applicant.user).get(reverse("api:loan-applications"), **ENGLISH)

        assert response.status_code == 200
        assert [row["id"] for row in response.json()] == [loan.pk]
        row = response.json()[0]
        assert (row["status"], row["role"], row["amount"]) == ("PRE_ACCEPTED", "APPLICANT", "432000.00")
        assert other.pk not in [row["id"] for row in response.json()]

    def test_is_for_employees_only(self, strangers):
        for client in strangers:
            assert client.get(reverse("api:loan-applications")).status_code == 403


class TestWithdrawLoanApplication:
    def test_the_applicant_withdraws(self, sources):
        loan = pre_accepted(sources)

        response = client_of(loan.applicant.user).post(
            reverse("api:loan-application-withdraw", args=[loan.pk])
        )

        assert response.status_code == 200
        assert response.json()["status"] == "WITHDRAWN"
        loan.refresh_from_db()
        assert loan.status == LoanStatus.WITHDRAWN

    def test_refuses_a_second_time_with_409(self, sources):
        loan = pre_accepted(sources)
        url = reverse("api:loan-application-withdraw", args=[loan.pk])
        client_of(loan.applicant.user).post(url)

        response = client_of(loan.applicant.user).post(url)

        assert response.status_code == 409
        assert response.json()["code"] == "LOAN_STATUS_CONFLICT"

    def test_another_person_finds_nothing_and_staff_are_refused(self, sources, strangers):
        loan = pre_accepted(sources)
        url = reverse("api:loan-application-withdraw", args=[loan.pk])

        by_stranger = client_of(depositor().user).post(url)

        assert by_stranger.status_code == 404
        for client in strangers:
            assert client.post(url).status_code == 403
        loan.refresh_from_db()
        assert loan.status == LoanStatus.PRE_ACCEPTED


class TestResubmitLoanApplication:
    CORRECTED = {key: value for key, value in BODY.items() if key != "consent"} | {
        "house_price": "2500000.00",
        "amount": "300000.00",
    }

    def test_sends_a_returned_application_again_with_the_corrected_details(self, sources):
        loan = pre_accepted(sources)
        LoanApplication.objects.filter(pk=loan.pk).update(status=LoanStatus.RETURNED, note="房价与合同不符")

        response = client_of(loan.applicant.user).post(
            reverse("api:loan-application-resubmit", args=[loan.pk]), self.CORRECTED, format="json"
        )

        assert response.status_code == 200
        assert (response.json()["status"], response.json()["amount"]) == ("PRE_ACCEPTED", "300000.00")
        loan.refresh_from_db()
        assert loan.house_price == 250_000_000

    def test_refuses_one_that_was_not_returned(self, sources):
        loan = pre_accepted(sources)

        response = client_of(loan.applicant.user).post(
            reverse("api:loan-application-resubmit", args=[loan.pk]), self.CORRECTED, format="json"
        )

        assert response.status_code == 409
        assert response.json()["code"] == "LOAN_STATUS_CONFLICT"

    def test_another_person_finds_nothing_and_staff_are_refused(self, sources, strangers):
        loan = pre_accepted(sources)
        LoanApplication.objects.filter(pk=loan.pk).update(status=LoanStatus.RETURNED)
        url = reverse("api:loan-application-resubmit", args=[loan.pk])

        assert client_of(depositor().user).post(url, self.CORRECTED, format="json").status_code == 404
        for client in strangers:
            assert client.post(url, self.CORRECTED, format="json").status_code == 403


class TestBookSigning:
    @pytest.fixture
    def slot(self):
        service = BookableServiceFactory()
        counter_offering(service, code="siming", name="思明服务网点", weekdays=range(7))
        today = timezone.localdate()
        return open_slots(
            service=service_by_code("LOAN_SIGNING"),
            first=today + timedelta(days=1),
            last=today + timedelta(days=10),
        )[0]

    def body(self, slot) -> dict:
        return {"counter": "siming", "starts_at": slot.starts_at.isoformat()}

    def test_books_the_signing_and_links_it_to_the_application(self, sources, slot):
        loan = pre_accepted(sources)

        response = client_of(loan.applicant.user).post(
            reverse("api:loan-application-signing", args=[loan.pk]), self.body(slot), format="json"
        )

        assert response.status_code == 200
        signing = response.json()["signing"]
        assert signing["counter"] == "siming"
        loan.refresh_from_db()
        assert loan.signing_booking.reference == signing["reference"]
        assert "COME_TO_SIGN" in [todo["code"] for todo in response.json()["todo"]]

    def test_refuses_a_second_booking(self, sources, slot):
        loan = pre_accepted(sources)
        url = reverse("api:loan-application-signing", args=[loan.pk])
        client_of(loan.applicant.user).post(url, self.body(slot), format="json")

        response = client_of(loan.applicant.user).post(url, self.body(slot), format="json")

        assert response.status_code == 409
        assert response.json()["code"] == "SIGNING_ALREADY_BOOKED"

    def test_another_person_finds_nothing_and_staff_are_refused(self, sources, slot, strangers):
        loan = pre_accepted(sources)
        url = reverse("api:loan-application-signing", args=[loan.pk])

        assert client_of(depositor().user).post(url, self.body(slot), format="json").status_code == 404
        for client in strangers:
            assert client.post(url, self.body(slot), format="json").status_code == 403
        loan.refresh_from_db()
        assert loan.signing_booking is None


class TestLoanContractBeforeApproval:
    def test_is_not_there_before_the_approval(self, sources):
        loan = pre_accepted(sources)

        response = client_of(loan.applicant.user).get(
            reverse("api:loan-application-contract", args=[loan.pk])
        )

        assert response.status_code == 404
        assert response.json()["code"] == "CONTRACT_NOT_READY"


@freeze_time("2026-11-26 10:00:00+08:00")
class TestLoanContract:
    def test_the_borrowers_download_the_pdf_named_by_the_contract_number(self):
        loan = approved_loan(term_months=24, co_borrower=borrower())

        by_applicant = client_of(loan.applicant.user).get(
            reverse("api:loan-application-contract", args=[loan.pk])
        )
        by_co_borrower = client_of(loan.co_borrower.user).get(
            reverse("api:loan-application-contract", args=[loan.pk]), HTTP_ACCEPT="application/pdf"
        )

        assert by_applicant.status_code == by_co_borrower.status_code == 200
        assert by_applicant["Content-Type"] == "application/pdf"
        assert (
            by_applicant["Content-Disposition"]
            == f'attachment; filename="loan-contract-{contract_no(loan)}.pdf"'
        )
        assert by_applicant["Cache-Control"] == "private, no-store"
        assert by_applicant.content.startswith(b"%PDF")
        assert by_co_borrower.content.startswith(b"%PDF")

    def test_another_person_finds_nothing_and_staff_are_refused(self, strangers):
        loan = approved_loan(term_months=24)
        url = reverse("api:loan-application-contract", args=[loan.pk])

        by_stranger = client_of(borrower().user).get(url, HTTP_ACCEPT="application/pdf")

        assert by_stranger.status_code == 404
        assert by_stranger.json()["code"] == "NOT_FOUND"
        for client in strangers:
            assert client.get(url).status_code == 403


class TestDepositCertificatePdf:
    def test_the_holder_downloads_it_and_the_download_is_audited(self):
        certificate = issued(certificate_holder())
        user = certificate.person.user

        response = client_of(user).get(reverse("api:me-certificate-pdf", args=[certificate.pk]))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="deposit-certificate-{certificate.seal.code}.pdf"'
        )
        assert response.content.startswith(b"%PDF")
        assert AuditEvent.objects.filter(action="deposits.certificate_downloaded", actor=user).count() == 1

    def test_a_revoked_certificate_is_refused(self, clerk):
        certificate = issued(certificate_holder())
        revoke_seal(code=certificate.seal.code, reason="出具有误", actor=clerk)

        response = client_of(certificate.person.user).get(
            reverse("api:me-certificate-pdf", args=[certificate.pk]), HTTP_ACCEPT="application/pdf", **ENGLISH
        )

        assert response.status_code == 409
        assert response.json()["code"] == "CERTIFICATE_NOT_IN_FORCE"
        assert "cannot be downloaded" in response.json()["detail"]
        assert not AuditEvent.objects.filter(action="deposits.certificate_downloaded").exists()

    def test_another_person_finds_nothing_and_staff_are_refused(self, strangers):
        certificate = issued(certificate_holder())
        url = reverse("api:me-certificate-pdf", args=[certificate.pk])

        by_stranger = client_of(certificate_holder(name="李四").person.user).get(url)

        assert by_stranger.status_code == 404
        for client in strangers:
            assert client.get(url).status_code == 403
        assert not AuditEvent.objects.filter(action="deposits.certificate_downloaded").exists()


class TestAccountMoves:
    def test_lists_the_caller_s_moves_newest_first(self, api, employee_account):
        before, after = (
            EmployerFactory(name="厦门鹭江物流有限公司"),
            EmployerFactory(name="厦门海沧港务有限公司"),
        )
        for moved_on, to in ((date(2025, 3, 1), before), (date(2026, 11, 20), after)):
            AccountMove.objects.create(
                kind=AccountMoveKind.MOVE, account=employee_account, to_employer=to, moved_on=moved_on
            )
        elsewhere = certificate_holder()
        AccountMove.objects.create(
            kind=AccountMoveKind.MOVE, account=elsewhere, to_employer=after, moved_on=date(2026, 1, 5)
        )

        response = api.get(reverse("api:transfers-intra-city"))

        assert response.status_code == 200
        rows = response.json()
        assert [row["moved_on"] for row in rows] == ["2026-11-20", "2025-03-01"]
        assert rows[0]["to_unit"] == "厦门海沧港务有限公司"
        assert (rows[0]["business_type"], rows[0]["kind"], rows[0]["amount"]) == ("06", "MOVE", "0.00")
        assert {row["account_no"] for row in rows} == {employee_account.account_no}

    def test_is_for_employees_only(self, strangers):
        for client in strangers:
            assert client.get(reverse("api:transfers-intra-city")).status_code == 403
