"""A person's token reads and changes only that person's own records: every detail endpoint given
another person's id answers as if there were nothing there, and no list shows another's rows."""

import pytest
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from appointments.models import Booking, BookingStatus
from deposits.certificate import issue_deposit_certificate
from notifications.models import Message
from tests.accounts.factories import FundAccountFactory
from tests.appointments.clock import NOW, TUESDAY, at, national_day_calendar  # noqa: F401
from tests.appointments.factories import BookableServiceFactory, booked, counter_offering
from tests.ledger.factories import deposit
from tests.loans.factories_repayment import repaying_loan
from tests.notifications.factories import MessageFactory
from tests.transfers.factories_staff import IncomingTransferFactory, OutgoingTransferFactory
from tests.withdrawals.factories import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(national_day_calendar):  # noqa: F811
    """Another person's withdrawal, loan, booking, transfers, message and certificate."""
    loan_account = repaying_loan()
    other = loan_account.application.applicant
    fund_account = FundAccountFactory(person=other)
    deposit(fund_account.ledger_account, 480_000)
    with freeze_time(NOW):
        counter_offering(BookableServiceFactory(), code="siming")
        booking = booked(at(TUESDAY, 9), person=other, counter="siming")
    return {
        "withdrawal": approved(other),
        "loan_application": loan_account.application,
        "loan_account": loan_account,
        "booking": booking,
        "incoming": IncomingTransferFactory(account=fund_account),
        "outgoing": OutgoingTransferFactory(account=fund_account),
        "message": MessageFactory(person=other),
        "certificate": issue_deposit_certificate(person=other, purpose="RENT", actor=None),
    }


@pytest.fixture
def mine(employee):
    """An API client holding the token of a person with none of those records."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=employee).key}")
    return client


def _reads(theirs) -> dict[str, str]:
    return {
        "withdrawal": reverse("api:withdrawal", args=[theirs["withdrawal"].pk]),
        "loan application": reverse("api:loan-application", args=[theirs["loan_application"].pk]),
        "loan account": reverse("api:loan-account", args=[theirs["loan_account"].account_no]),
        "loan-settled certificate": reverse(
            "api:loan-account-settled-certificate", args=[theirs["loan_account"].account_no]
        ),
        "transfer in": reverse("api:transfers-incoming-detail", args=[theirs["incoming"].pk]),
        "transfer out": reverse("api:transfers-outgoing-detail", args=[theirs["outgoing"].pk]),
        "deposit certificate": reverse("api:me-certificate", args=[theirs["certificate"].pk]),
    }


class TestAnotherPersonsRecords:
    def test_every_detail_endpoint_answers_not_found_or_forbidden(self, mine, theirs):
        answers = {name: mine.get(url).status_code for name, url in _reads(theirs).items()}

        assert {name: code for name, code in answers.items() if code not in (403, 404)} == {}

    def test_cannot_cancel_their_booking(self, mine, theirs):
        with freeze_time(NOW):
            response = mine.post(reverse("api:appointment-cancel", args=[theirs["booking"].pk]))

        assert response.status_code == 404
        assert Booking.objects.get(pk=theirs["booking"].pk).status == BookingStatus.BOOKED

    def test_cannot_mark_their_message_read(self, mine, theirs):
        response = mine.post(reverse("api:me-message-read", args=[theirs["message"].pk]))

        assert response.status_code == 404
        assert Message.objects.get(pk=theirs["message"].pk).read_at is None

    def test_no_list_shows_their_rows(self, mine, theirs):
        lists = {
            "api:me-applications": {theirs["withdrawal"].pk, theirs["loan_application"].eligibility_id},
            "api:loan-accounts": {theirs["loan_account"].account_no},
            "api:me-appointments": {theirs["booking"].pk},
            "api:transfers-incoming": {theirs["incoming"].pk},
            "api:transfers-outgoing": {theirs["outgoing"].pk},
            "api:me-certificates": {theirs["certificate"].pk},
        }

        for name, their_ids in lists.items():
            response = mine.get(reverse(name))
            assert response.status_code == 200, name
            body = response.json()
            rows = body["results"] if isinstance(body, dict) and "results" in body else body
            shown = (
                {row.get("id", row.get("account_no")) for row in rows} if isinstance(rows, list) else set()
            )
            assert not shown & their_ids, name

    def test_their_messages_are_not_in_my_inbox(self, mine, theirs):
        body = mine.get(reverse("api:me-messages")).json()

        assert theirs["message"].pk not in {row["id"] for row in body["results"]}
