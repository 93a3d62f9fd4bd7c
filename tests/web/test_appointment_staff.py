"""The staff's appointment pages (the weekend rota, the counter queue), the public rota page and
``GET /api/v1/appointments/rota``.

The clock is Monday 28 September 2026 (week 2026-W40, Saturday 3 October the weekend)."""

from datetime import date

import pytest
from django.urls import reverse

from accounts import roles
from accounts.roles import ensure_roles
from appointments.models import BookingStatus, CounterDay
from appointments.rota import Opening, plan_weekend_rota
from audit.models import AuditEvent
from tests.accounts.factories import PersonFactory, UserFactory
from tests.appointments import clock
from tests.appointments.clock import TUESDAY, at
from tests.appointments.factories import BookableServiceFactory, booked, counter_offering

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "counter")]
frozen, national_day_calendar = clock.frozen, clock.national_day_calendar

SATURDAY = date(2026, 10, 3)
WEEK = "2026-W40"


def user_with(role, username):
    user = UserFactory(username=username, is_staff=role != roles.EMPLOYEE)
    user.groups.add(ensure_roles()[role])
    return user


@pytest.fixture
def counter():
    return counter_offering(BookableServiceFactory(), code="siming", name="思明服务网点")


@pytest.fixture
def chief():
    return user_with(roles.STAFF_SECTION_CHIEF, "chief")


@pytest.fixture
def clerk_user():
    return user_with(roles.STAFF_CLERK, "counter-clerk")


def rota_url(week=WEEK):
    return f"{reverse('web:staff-appointment-rota')}?week={week}"


def open_saturday(client):
    return client.post(
        reverse("web:staff-appointment-rota"),
        {"week": WEEK, "open": "siming|2026-10-03", "hours-siming-2026-10-03": "09:00-12:00"},
    )


class TestRotaPage:
    def test_shows_the_weeks_weekend_days_for_every_counter(self, client, chief):
        client.force_login(chief)

        page = client.get(rota_url())

        assert page.status_code == 200
        assert 'id="rota-2026-10-03"' in page.text
        assert 'value="siming|2026-10-03"' in page.text
        assert "思明服务网点" in page.text

    def test_a_section_chief_opens_a_saturday_that_a_person_can_then_book(self, client, chief):
        client.force_login(chief)

        saved = open_saturday(client)

        assert saved.status_code == 302
        assert saved.url == rota_url()
        booking = booked(at(SATURDAY, 9))
        assert booking.status == BookingStatus.BOOKED

    def test_the_hall_offers_the_rota_saturday(self, client, chief, employee):
        client.force_login(chief)
        open_saturday(client)
        client.force_login(employee)

        page = client.get(
            reverse("web:hall-appointment-slots", args=["LOAN_SIGNING", "siming"]) + "?day=2026-10-03"
        )

        assert "周末轮班" in page.text
        assert 'value="2026-10-03T09:00:00+08:00"' in page.text

    def test_a_person_books_the_rota_saturday_in_the_hall(self, client, chief, employee):
        client.force_login(chief)
        open_saturday(client)
        client.force_login(employee)

        done = client.post(
            reverse("web:hall-appointment-confirm", args=["LOAN_SIGNING", "siming"]),
            {"starts_at": "2026-10-03T09:30:00+08:00"},
        )

        booking = employee.person.bookings.get()
        assert done.url == reverse("web:hall-appointment", args=[booking.pk])
        assert (booking.starts_at, booking.status) == (at(SATURDAY, 9, 30), BookingStatus.BOOKED)

    def test_closing_a_booked_saturday_is_refused_naming_the_booking(self, client, chief):
        client.force_login(chief)
        open_saturday(client)
        booking = booked(at(SATURDAY, 9))

        refused = client.post(reverse("web:staff-appointment-rota"), {"week": WEEK})

        assert refused.status_code == 409
        assert booking.reference in refused.text
        assert CounterDay.objects.filter(date=SATURDAY).exists()

    def test_bad_hours_are_refused_and_the_form_keeps_what_was_typed(self, client, chief):
        client.force_login(chief)

        refused = client.post(
            reverse("web:staff-appointment-rota"),
            {"week": WEEK, "open": "siming|2026-10-03", "hours-siming-2026-10-03": "12:00-09:00"},
        )

        assert refused.status_code == 400
        assert 'value="12:00-09:00"' in refused.text
        assert not CounterDay.objects.exists()

    def test_copies_the_rota_to_the_next_week(self, client, chief):
        client.force_login(chief)
        client.post(
            reverse("web:staff-appointment-rota"),
            {"week": WEEK, "open": "siming|2026-10-04", "hours-siming-2026-10-04": "09:00-11:00"},
        )

        copied = client.post(reverse("web:staff-appointment-rota-copy"), {"week": WEEK})

        assert copied.url == rota_url("2026-W41")
        assert CounterDay.objects.filter(date=date(2026, 10, 11), note="周末轮班").exists()

    def test_a_clerk_reads_the_rota_but_cannot_plan_it(self, client, clerk_user):
        client.force_login(clerk_user)

        page = client.get(rota_url())
        refused = open_saturday(client)

        assert 'id="read-only"' in page.text
        assert refused.status_code == 403
        assert not CounterDay.objects.exists()

    def test_employees_cannot_see_or_plan_the_rota(self, client, employee):
        client.force_login(employee)

        assert client.get(rota_url()).status_code == 403
        assert open_saturday(client).status_code == 403
        assert client.post(reverse("web:staff-appointment-rota-copy"), {"week": WEEK}).status_code == 403
        assert not CounterDay.objects.exists()

    def test_in_english(self, client, chief):
        client.force_login(chief)

        page = client.get(rota_url(), headers={"accept-language": "en"})

        assert "Weekend rota" in page.text
        assert "Save the rota" in page.text


def queue_url(day=TUESDAY):
    return f"{reverse('web:staff-appointment-queue')}?counter=siming&date={day.isoformat()}"


def act_url(booking, action):
    return reverse("web:staff-appointment-queue-act", args=[booking.pk, action])


class TestQueuePage:
    def test_lists_the_days_bookings_by_slot_with_masked_ids(self, client, clerk_user):
        person = PersonFactory(name="王小明")
        booking = booked(at(TUESDAY, 9, 30), person=person)
        client.force_login(clerk_user)

        page = client.get(queue_url())

        assert 'id="slot-0930"' in page.text
        assert booking.reference in page.text
        assert "王小明" in page.text
        assert person.id_number not in page.text
        assert person.masked_id_number in page.text

    def test_a_reference_finds_the_day_and_counter_of_the_booking(self, client, clerk_user):
        booking = booked(at(TUESDAY, 9, 30))
        client.force_login(clerk_user)

        found = client.get(reverse("web:staff-appointment-queue"), {"reference": booking.reference.lower()})

        assert found.url == f"{queue_url()}#booking-{booking.pk}"

    def test_records_an_arrival_audited(self, client, clerk_user, frozen):
        booking = booked(at(TUESDAY, 9, 30))
        frozen.move_to(at(TUESDAY, 9, 25))
        client.force_login(clerk_user)

        done = client.post(act_url(booking, "arrived"), {"counter": "siming", "date": "2026-09-29"})

        booking.refresh_from_db()
        assert done.url == f"{queue_url()}#booking-{booking.pk}"
        assert booking.status == BookingStatus.ATTENDED
        assert AuditEvent.objects.get(action="appointments.attended").actor_id == clerk_user.pk

    def test_records_a_no_show(self, client, clerk_user, frozen):
        booking = booked(at(TUESDAY, 9, 30))
        frozen.move_to(at(TUESDAY, 10))
        client.force_login(clerk_user)

        client.post(act_url(booking, "no-show"), {"counter": "siming", "date": "2026-09-29"})

        booking.refresh_from_db()
        assert booking.status == BookingStatus.NO_SHOW

    def test_an_early_no_show_is_refused_with_the_reason(self, client, clerk_user):
        booking = booked(at(TUESDAY, 9, 30))
        client.force_login(clerk_user)

        refused = client.post(
            act_url(booking, "no-show"), {"counter": "siming", "date": "2026-09-29"}, follow=True
        )

        booking.refresh_from_db()
        assert booking.status == BookingStatus.BOOKED
        assert booking.reference in refused.text

    def test_the_auditor_reads_the_queue_but_records_nothing(self, client, frozen):
        auditor = user_with(roles.STAFF_AUDITOR, "auditor")
        booking = booked(at(TUESDAY, 9, 30))
        frozen.move_to(at(TUESDAY, 9, 25))
        client.force_login(auditor)

        page = client.get(queue_url())
        refused = client.post(act_url(booking, "arrived"))

        assert booking.reference in page.text
        assert act_url(booking, "arrived") not in page.text
        assert refused.status_code == 403

    def test_employees_cannot_see_the_queue(self, client, employee):
        client.force_login(employee)

        assert client.get(queue_url()).status_code == 403


class TestPublicRota:
    def test_lists_the_counters_open_on_the_coming_weekends_without_signing_in(self, client):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=None)

        page = client.get(reverse("web:public-rota"))

        assert page.status_code == 200
        day = page.text.split('id="rota-2026-10-03"')[1].split("</section>")[0]
        assert "思明服务网点" in day
        assert "09:00-12:00" in day

    def test_the_rota_api_answers_anyone(self, client):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=None)

        answer = client.get("/api/v1/appointments/rota", {"week": WEEK}).json()

        saturday = next(day for day in answer["days"] if day["date"] == "2026-10-03")
        assert answer["week"] == WEEK
        assert saturday["counters"] == [
            {
                "code": "siming",
                "name": "思明服务网点",
                "address": "厦门市思明区湖滨南路1号",
                "periods": [{"opens_at": "09:00", "closes_at": "12:00"}],
            }
        ]

    def test_the_rota_api_refuses_a_bad_week(self, client):
        answer = client.get("/api/v1/appointments/rota", {"week": "soon"})

        assert answer.status_code == 400
        assert answer.json()["code"] == "INVALID_WEEK"
