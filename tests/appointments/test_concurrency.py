"""Bookings raced on PostgreSQL: threads with their own connections, against committed data."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from appointments.models import Booking, BookingStatus, CounterDay, Slot
from appointments.rota import DayHasBookings, Opening, plan_weekend_rota
from appointments.services import (
    AlreadyBooked,
    CounterClosed,
    SlotFull,
    book_appointment,
    cancel_appointment,
)
from core.calendar import is_working_day
from core.models import CalendarYear
from tests.accounts.factories import PersonFactory
from tests.appointments.factories import BookableServiceFactory, counter_offering
from tests.ledger.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_weekday_nine() -> datetime:
    """9:00 on the next Monday–Friday that the calendar calls a working day (its year marked known)."""
    day = timezone.localdate()
    for offset in range(1, 14):
        candidate = date.fromordinal(day.toordinal() + offset)
        CalendarYear.objects.get_or_create(
            year=candidate.year, defaults={"source": "staff", "complete": True}
        )
        if candidate.weekday() < 5 and is_working_day(candidate):
            return datetime(candidate.year, candidate.month, candidate.day, 9, tzinfo=SHANGHAI)
    raise AssertionError("no working weekday in the next two weeks")


def next_rota_saturday() -> date:
    """The next Saturday the calendar closes the counters (not an adjusted working one)."""
    day = timezone.localdate()
    for offset in range(1, 14):
        candidate = date.fromordinal(day.toordinal() + offset)
        if candidate.weekday() == 5 and not is_working_day(candidate):
            return candidate
    raise AssertionError("no weekend Saturday in the next two weeks")


@pytest.fixture
def service():
    return BookableServiceFactory()


class TestBookAppointmentConcurrently:
    def test_many_people_racing_for_the_last_places_get_exactly_the_capacity(self, service):
        counter_offering(service, code="race", capacity=3)
        starts_at = next_weekday_nine()
        book_appointment(
            person=PersonFactory(), service=service.code, counter="race", starts_at=starts_at, actor=None
        )
        people = PersonFactory.create_batch(12)

        def work(i):
            return book_appointment(
                person=people[i], service=service.code, counter="race", starts_at=starts_at, actor=None
            ).pk

        results, errors = race(len(people), work)

        assert len(results) == 2
        assert len(errors) == 10
        assert all(isinstance(error, SlotFull) for error in errors), errors
        assert Slot.objects.get().booked == 3
        assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 3

    def test_one_person_booking_twice_at_once_keeps_one_booking(self, service):
        counter_offering(service, code="race", capacity=5)
        starts_at = next_weekday_nine()
        person = PersonFactory()

        def work(i):
            later = starts_at.replace(minute=30 * i)
            return book_appointment(
                person=person, service=service.code, counter="race", starts_at=later, actor=None
            )

        results, errors = race(2, work)

        assert len(results) == 1
        assert [type(error) for error in errors] == [AlreadyBooked]
        assert sum(Slot.objects.values_list("booked", flat=True)) == 1

    def test_a_cancellation_racing_a_booking_of_the_same_full_slot_never_overbooks(self, service):
        counter_offering(service, code="race", capacity=1)
        starts_at = next_weekday_nine()
        holder = PersonFactory()
        booking = book_appointment(
            person=holder, service=service.code, counter="race", starts_at=starts_at, actor=None
        )
        newcomer = PersonFactory()

        def work(i):
            if i == 0:
                return cancel_appointment(person=holder, booking_id=booking.pk, actor=None).status
            return book_appointment(
                person=newcomer, service=service.code, counter="race", starts_at=starts_at, actor=None
            ).status

        _results, errors = race(2, work)

        assert all(isinstance(error, SlotFull) for error in errors), errors
        active = Booking.objects.filter(status=BookingStatus.BOOKED).count()
        assert Slot.objects.get().booked == active <= 1


class TestRotaClosureRacingBookings:
    def test_a_saturday_is_never_closed_with_a_booking_on_it(self, service):
        counter_offering(service, code="race", capacity=5)
        saturday = next_rota_saturday()
        plan_weekend_rota(week=saturday, openings=[Opening("race", saturday)], actor=None)
        starts_at = datetime(saturday.year, saturday.month, saturday.day, 9, tzinfo=SHANGHAI)
        people = PersonFactory.create_batch(5)

        def work(i):
            if i == 0:
                return plan_weekend_rota(week=saturday, openings=[], actor=None)
            return book_appointment(
                person=people[i - 1], service=service.code, counter="race", starts_at=starts_at, actor=None
            )

        _results, errors = race(len(people) + 1, work)

        assert all(isinstance(error, CounterClosed | DayHasBookings) for error in errors), errors
        still_open = CounterDay.objects.filter(date=saturday, is_open=True).exists()
        booked = Booking.objects.filter(status=BookingStatus.BOOKED).count()
        assert still_open or booked == 0
        assert Slot.objects.filter(starts_at=starts_at).values_list("booked", flat=True).first() in (
            None,
            booked,
        )
