"""The hall's counter appointments: the booking flow, the confirmation, the list and cancelling.

The last class books in a real browser on a phone-sized screen; it runs when PostgreSQL (a live
server needs committed rows), Playwright and Debian's chromium are there, as CI has them.
"""

import os
import shutil
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.roles import ensure_roles
from appointments.models import Booking, BookingStatus
from core.models import CalendarYear
from tests.accounts.factories import PersonFactory, UserFactory
from tests.appointments import clock
from tests.appointments.clock import NATIONAL_DAY, TUESDAY, at
from tests.appointments.factories import BookableServiceFactory, booked, counter_offering
from tests.web.phone import fits_the_screen

pytestmark = pytest.mark.django_db
# The appointment tests' frozen Monday morning and its calendar.
frozen, national_day_calendar = clock.frozen, clock.national_day_calendar

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def counter():
    return counter_offering(BookableServiceFactory(), code="siming", name="思明服务网点", capacity=1)


@pytest.fixture
def hall(client, employee):
    client.force_login(employee)
    return client


def slots_url():
    return reverse("web:hall-appointment-slots", args=["LOAN_SIGNING", "siming"])


def confirm_url():
    return reverse("web:hall-appointment-confirm", args=["LOAN_SIGNING", "siming"])


@pytest.mark.usefixtures("frozen")
class TestBookingFlow:
    def test_offers_the_services_then_the_counters(self, hall, counter):
        services = hall.get(reverse("web:hall-appointment-new"))
        counters = hall.get(reverse("web:hall-appointment-counter", args=["LOAN_SIGNING"]))

        assert "贷款合同签订" in services.text
        assert "预约" in services.text
        assert 'id="counter-siming"' in counters.text
        assert "思明服务网点" in counters.text

    def test_shows_the_days_with_holidays_closed_and_the_first_free_day_s_times(self, hall, counter):
        response = hall.get(slots_url())

        text = response.text
        assert response.status_code == 200
        assert 'id="day-2026-10-01"' in text
        assert "法定节假日" in text
        assert 'href="/hall/appointments/new/LOAN_SIGNING/siming/?day=2026-10-10"' in text
        assert 'value="2026-09-28T10:30:00+08:00"' in text

    def test_shows_the_times_of_a_chosen_day(self, hall, counter):
        response = hall.get(slots_url(), {"day": "2026-09-29"})

        assert 'value="2026-09-29T09:00:00+08:00"' in response.text
        assert 'value="2026-09-29T16:30:00+08:00"' in response.text

    def test_marks_a_full_time_and_offers_no_choice_of_it(self, hall, counter):
        booked(at(TUESDAY, 9))

        response = hall.get(slots_url(), {"day": "2026-09-29"})

        assert 'value="2026-09-29T09:00:00+08:00"' not in response.text
        assert "已约满" in response.text

    def test_confirms_then_books_and_shows_the_reference(self, hall, counter, employee):
        starts_at = at(TUESDAY, 9, 30).isoformat()

        summary = hall.get(confirm_url(), {"starts_at": starts_at, "purpose": "loan-application:42"})
        response = hall.post(
            confirm_url(), {"starts_at": starts_at, "purpose": "loan-application:42"}, follow=True
        )

        booking = Booking.objects.get(person=employee.person)
        assert "09:30–10:00" in summary.text
        assert booking.purpose_ref == "loan-application:42"
        assert response.redirect_chain[-1][0] == reverse("web:hall-appointment", args=[booking.pk])
        assert f'id="reference">{booking.reference}<' in response.text

    def test_explains_a_refusal_on_the_confirmation_page(self, hall, counter):
        response = hall.post(confirm_url(), {"starts_at": at(NATIONAL_DAY, 9).isoformat()})

        assert response.status_code == 400
        assert 'id="booking-error"' in response.text
        assert "法定节假日" in response.text
        assert not Booking.objects.exists()

    def test_says_when_the_time_was_taken_meanwhile(self, hall, counter):
        booked(at(TUESDAY, 9))

        response = hall.post(confirm_url(), {"starts_at": at(TUESDAY, 9).isoformat()})

        assert response.status_code == 409
        assert "约满" in response.text

    def test_asks_for_a_time_when_none_was_chosen(self, hall, counter):
        response = hall.post(confirm_url(), {})

        assert response.status_code == 400

    def test_does_not_know_a_counter_that_does_not_offer_the_service(self, hall, counter):
        response = hall.get(reverse("web:hall-appointment-slots", args=["LOAN_SIGNING", "elsewhere"]))

        assert response.status_code == 404

    def test_speaks_english_when_asked(self, hall, counter):
        response = hall.get(slots_url(), headers=ENGLISH)

        assert "Choose a day" in response.text
        assert "Public holiday" in response.text
        assert counter.name_en in response.text

    def test_is_refused_to_an_employer_operator(self, client, preparer, counter):
        client.force_login(preparer)

        response = client.get(reverse("web:hall-appointment-new"))

        assert response.status_code == 403

    def test_uses_no_inline_script_and_fits_a_phone(self, hall, counter):
        response = hall.get(slots_url())

        assert "<script>" not in response.text
        assert " onclick=" not in response.text
        assert 'name="viewport"' in response.text


@pytest.mark.usefixtures("frozen")
class TestMyAppointments:
    def test_lists_the_bookings_with_a_cancel_button(self, hall, counter, employee):
        booking = booked(at(TUESDAY, 9), person=employee.person)

        response = hall.get(reverse("web:hall-appointments"))

        assert booking.reference in response.text
        assert f'id="cancel-{booking.pk}"' in response.text
        assert "我的预约" in response.text

    def test_cancels_a_booking_and_says_so(self, hall, counter, employee):
        booking = booked(at(TUESDAY, 9), person=employee.person)

        response = hall.post(reverse("web:hall-appointment-cancel", args=[booking.pk]), follow=True)

        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
        assert booking.reference in response.text
        assert f'id="cancel-{booking.pk}"' not in response.text

    def test_explains_a_cancellation_too_close_to_the_start(self, hall, counter, employee, frozen):
        booking = booked(at(TUESDAY, 9), person=employee.person)
        frozen.move_to(at(TUESDAY, 8, 30))
        # From Monday morning to Tuesday: the earlier session has long passed its idle timeout.
        hall.force_login(employee)

        response = hall.post(reverse("web:hall-appointment-cancel", args=[booking.pk]), follow=True)

        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
        assert "60" in response.text

    def test_changes_the_time_through_the_same_steps(self, hall, counter, employee):
        booking = booked(at(TUESDAY, 9), person=employee.person)
        listing = hall.get(reverse("web:hall-appointments"))
        new_time = at(TUESDAY, 14).isoformat()

        slots = hall.get(slots_url(), {"move": booking.pk, "day": "2026-09-29"})
        summary = hall.get(confirm_url(), {"move": booking.pk, "starts_at": new_time})
        response = hall.post(confirm_url(), {"move": booking.pk, "starts_at": new_time}, follow=True)

        booking.refresh_from_db()
        assert f'id="move-{booking.pk}"' in listing.text
        assert 'name="move"' in slots.text
        assert 'id="moving"' in summary.text
        assert booking.starts_at == at(TUESDAY, 14)
        assert Booking.objects.count() == 1
        assert f'id="reference">{booking.reference}<' in response.text

    def test_does_not_show_someone_else_s_booking(self, hall, counter):
        other = booked(at(TUESDAY, 9))

        assert hall.get(reverse("web:hall-appointment", args=[other.pk])).status_code == 404
        assert hall.post(reverse("web:hall-appointment-cancel", args=[other.pk])).status_code == 404

    def test_speaks_english_when_asked(self, hall, counter):
        response = hall.get(reverse("web:hall-appointments"), headers=ENGLISH)

        assert "You have no counter appointments." in response.text


CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_hall(django_db_setup, transactional_db, live_server):
    """A phone-sized page logged in as an employee, with a counter offering loan signing (committed)."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with transaction.atomic():
        user = UserFactory(username="browser-booker")
        user.groups.add(ensure_roles()[roles.EMPLOYEE])
        PersonFactory(user=user)
        counter_offering(BookableServiceFactory(), code="siming", name="思明服务网点")
        # Holidays "known" for every bookable day, so the calendar does not hold the days back.
        today = timezone.localdate()
        for year in {today.year, (today + timedelta(days=14)).year}:
            CalendarYear.objects.get_or_create(year=year, defaults={"source": "staff", "complete": True})
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    client = Client()
    client.force_login(user)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        yield context.new_page()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.postgres
@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed")
class TestBookInTheBrowser:
    def test_an_employee_books_the_first_free_time_on_a_phone(self, browser_hall, live_server):
        page = browser_hall

        page.goto(f"{live_server.url}/hall/appointments/")
        page.click("#book-link")
        page.click("#service-loan_signing")
        page.click("#counter-siming")
        assert fits_the_screen(page)
        page.check("#slot-form input[name=starts_at] >> nth=0")
        page.click("#slot-submit")
        assert fits_the_screen(page)
        page.click("#confirm-submit")
        page.wait_for_selector("#reference")

        assert page.inner_text("#reference") == Booking.objects.get().reference
        assert fits_the_screen(page)
