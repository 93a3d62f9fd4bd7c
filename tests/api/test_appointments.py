"""Channel apps find free slots, book, list, cancel and move counter appointments."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from appointments.models import Booking, BookingStatus
from tests.appointments import clock
from tests.appointments.clock import NATIONAL_DAY, TUESDAY, at
from tests.appointments.factories import BookableServiceFactory, booked, counter_offering

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
# The appointment tests' frozen Monday morning and its calendar.
frozen, national_day_calendar = clock.frozen, clock.national_day_calendar

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
TUESDAY_ONLY = {"service": "LOAN_SIGNING", "from": "2026-09-29", "to": "2026-09-29"}


@pytest.fixture
def counter():
    return counter_offering(BookableServiceFactory(), code="siming", name="思明服务网点", capacity=1)


@pytest.fixture
def api(employee):
    client = APIClient()
    client.force_authenticate(employee)
    return client


def book(api, starts_at, **fields):
    body = {"service": "LOAN_SIGNING", "counter": "siming", "starts_at": starts_at.isoformat(), **fields}
    return api.post(reverse("api:appointments"), body, format="json")


class TestSlots:
    def test_lists_the_free_slots_of_a_service_on_a_day(self, api, counter):
        response = api.get(
            reverse("api:appointment-slots"),
            TUESDAY_ONLY,
        )

        body = response.json()
        assert response.status_code == 200
        assert body["service"]["code"] == "LOAN_SIGNING"
        assert len(body["slots"]) == 13
        first = body["slots"][0]
        assert first["starts_at"] == "2026-09-29T09:00:00+08:00"
        assert (first["capacity"], first["remaining"]) == (1, 1)
        assert first["counter"] == {
            "code": "siming",
            "name": "思明服务网点",
            "address": "厦门市思明区湖滨南路1号",
        }

    def test_names_the_counter_in_english_when_asked(self, api, counter):
        response = api.get(
            reverse("api:appointment-slots"),
            TUESDAY_ONLY,
            **ENGLISH,
        )

        assert response.json()["slots"][0]["counter"]["name"] == counter.name_en

    def test_has_none_on_a_public_holiday(self, api, counter):
        day = NATIONAL_DAY.isoformat()

        response = api.get(
            reverse("api:appointment-slots"), {"service": "LOAN_SIGNING", "from": day, "to": day}
        )

        assert response.json()["slots"] == []

    def test_refuses_an_unknown_service_naming_the_field(self, api, counter):
        response = api.get(reverse("api:appointment-slots"), {"service": "NOTHING"})

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "service"
        assert response.json()["code"] == "UNKNOWN_SERVICE"

    def test_refuses_a_counter_that_does_not_offer_the_service(self, api, counter):
        response = api.get(
            reverse("api:appointment-slots"), {"service": "LOAN_SIGNING", "counter": "elsewhere"}
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "counter"
        assert response.json()["code"] == "SERVICE_NOT_OFFERED"

    def test_refuses_a_range_that_ends_before_it_starts(self, api, counter):
        response = api.get(
            reverse("api:appointment-slots"),
            {"service": "LOAN_SIGNING", "from": "2026-10-02", "to": "2026-09-30"},
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "to"

    def test_refuses_a_day_that_is_not_a_date(self, api, counter):
        response = api.get(reverse("api:appointment-slots"), {"service": "LOAN_SIGNING", "from": "tomorrow"})

        assert response.json()["errors"][0]["field"] == "from"

    def test_lists_what_can_be_booked_and_where(self, api, counter):
        response = api.get(reverse("api:appointment-services"))

        assert response.json()[0]["code"] == "LOAN_SIGNING"
        assert response.json()[0]["counters"][0]["code"] == "siming"


class TestBook:
    def test_books_a_slot_and_answers_with_the_reference(self, api, counter, employee):
        response = book(api, at(TUESDAY, 9, 30), purpose_ref="loan-application:42")

        body = response.json()
        assert response.status_code == 201
        assert len(body["reference"]) == 8
        assert (body["status"], body["may_change"]) == ("BOOKED", True)
        assert body["purpose_ref"] == "loan-application:42"
        assert Booking.objects.get().person == employee.person

    def test_refuses_a_full_slot_with_409_naming_the_field(self, api, counter):
        booked(at(TUESDAY, 9))

        response = book(api, at(TUESDAY, 9))

        assert response.status_code == 409
        assert response.json()["code"] == "SLOT_FULL"
        assert response.json()["errors"] == [
            {"field": "starts_at", "code": "SLOT_FULL", "message": response.json()["detail"]}
        ]

    def test_refuses_a_public_holiday_in_the_request_language(self, api, counter):
        response = api.post(
            reverse("api:appointments"),
            {"service": "LOAN_SIGNING", "counter": "siming", "starts_at": at(NATIONAL_DAY, 9).isoformat()},
            format="json",
            **ENGLISH,
        )

        assert response.status_code == 400
        assert response.json()["code"] == "COUNTER_CLOSED"
        assert "public holiday" in response.json()["detail"]

    def test_says_in_chinese_by_default_why_a_time_is_refused(self, api, counter):
        response = book(api, at(TUESDAY, 12, 30))

        assert response.json()["code"] == "NOT_A_SLOT"
        assert response.json()["errors"][0]["field"] == "starts_at"
        assert "时段" in response.json()["detail"]

    def test_refuses_a_second_booking_of_the_same_service(self, api, counter):
        book(api, at(TUESDAY, 9))

        response = book(api, at(TUESDAY, 10))

        assert response.status_code == 409
        assert response.json()["errors"][0] == {
            "field": "service",
            "code": "ALREADY_BOOKED",
            "message": response.json()["detail"],
        }

    def test_refuses_a_missing_time(self, api, counter):
        response = api.post(
            reverse("api:appointments"), {"service": "LOAN_SIGNING", "counter": "siming"}, format="json"
        )

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "starts_at"

    def test_is_refused_to_an_operator(self, preparer, counter):
        client = APIClient()
        client.force_authenticate(preparer)

        response = book(client, at(TUESDAY, 9))

        assert response.status_code == 403

    def test_needs_a_login(self, counter):
        response = book(APIClient(), at(TUESDAY, 9))

        assert response.status_code == 401


class TestMyAppointments:
    def test_lists_the_employee_s_bookings_only(self, api, counter):
        mine = book(api, at(TUESDAY, 9)).json()

        response = api.get(reverse("api:me-appointments"))

        assert [row["reference"] for row in response.json()] == [mine["reference"]]


class TestCancel:
    def test_cancels_and_frees_the_place(self, api, counter):
        booking = book(api, at(TUESDAY, 9)).json()

        response = api.post(reverse("api:appointment-cancel", args=[booking["id"]]))

        assert response.status_code == 200
        assert response.json()["status"] == "CANCELLED"
        slots = api.get(
            reverse("api:appointment-slots"),
            TUESDAY_ONLY,
        )
        assert slots.json()["slots"][0]["remaining"] == 1

    def test_does_not_find_someone_else_s_booking(self, api, counter):
        other = booked(at(TUESDAY, 9))

        response = api.post(reverse("api:appointment-cancel", args=[other.pk]))

        assert response.status_code == 404
        assert response.json()["code"] == "BOOKING_NOT_FOUND"
        assert Booking.objects.get(pk=other.pk).status == BookingStatus.BOOKED


class TestReschedule:
    def test_moves_the_booking(self, api, counter):
        booking = book(api, at(TUESDAY, 9)).json()

        response = api.post(
            reverse("api:appointment-reschedule", args=[booking["id"]]),
            {"starts_at": at(TUESDAY, 14).isoformat()},
            format="json",
        )

        assert response.status_code == 200
        assert response.json()["starts_at"] == "2026-09-29T14:00:00+08:00"
        assert response.json()["reference"] == booking["reference"]
