"""Which slots are open: opening hours in slots, the working-day calendar, day overrides, places left."""

from datetime import date, time

import pytest

from appointments.models import CounterDay, CounterDayPeriod, OpeningHours
from appointments.selectors import (
    CALENDAR_UNKNOWN,
    COUNTER_CLOSED,
    HOLIDAY,
    WEEKEND,
    day_plans,
    open_slots,
)
from appointments.services import book_appointment
from tests.accounts.factories import PersonFactory
from tests.appointments.clock import ADJUSTED_SATURDAY, NATIONAL_DAY, TUESDAY, at
from tests.appointments.factories import counter_offering

pytestmark = pytest.mark.usefixtures("frozen")

SATURDAY = date(2026, 10, 3)


def starts_on(slots, day):
    return [slot.starts_at for slot in slots if slot.starts_at.date() == day]


class TestOpenSlots:
    def test_cuts_each_opening_period_into_back_to_back_slots(self, service, counter):
        slots = open_slots(service=service, first=TUESDAY, last=TUESDAY)

        starts = starts_on(slots, TUESDAY)
        assert starts[:3] == [at(TUESDAY, 9), at(TUESDAY, 9, 30), at(TUESDAY, 10)]
        assert at(TUESDAY, 11, 30) in starts
        assert at(TUESDAY, 12) not in starts
        assert at(TUESDAY, 13, 30) in starts
        assert starts[-1] == at(TUESDAY, 16, 30)
        assert len(starts) == 6 + 7

    def test_leaves_out_a_slot_that_would_run_past_closing(self, service):
        counter_offering(service, code="short", periods=[(time(9), time(10, 15))])

        slots = open_slots(service=service, counter_code="short", first=TUESDAY, last=TUESDAY)

        assert starts_on(slots, TUESDAY) == [at(TUESDAY, 9), at(TUESDAY, 9, 30)]

    def test_offers_no_slot_that_has_already_started_today(self, service, counter):
        slots = open_slots(service=service, first=date(2026, 9, 28), last=date(2026, 9, 28))

        assert slots[0].starts_at == at(date(2026, 9, 28), 10, 30)

    def test_closes_on_a_public_holiday(self, service, counter):
        slots = open_slots(service=service, first=NATIONAL_DAY, last=NATIONAL_DAY)

        assert slots == []
        assert (
            day_plans([counter], NATIONAL_DAY, NATIONAL_DAY)[counter.pk, NATIONAL_DAY].closed_because
            == HOLIDAY
        )

    def test_closes_on_an_ordinary_weekend(self, service, counter):
        plan = day_plans([counter], SATURDAY, SATURDAY)[counter.pk, SATURDAY]

        assert plan.closed_because == WEEKEND
        assert open_slots(service=service, first=SATURDAY, last=SATURDAY) == []

    def test_opens_on_an_adjusted_working_saturday_with_the_weekday_hours(self, service, counter):
        slots = open_slots(service=service, first=ADJUSTED_SATURDAY, last=ADJUSTED_SATURDAY)

        assert starts_on(slots, ADJUSTED_SATURDAY)[0] == at(ADJUSTED_SATURDAY, 9)
        assert len(slots) == 13

    def test_a_rota_day_opens_a_counter_on_a_saturday(self, service, counter):
        CounterDay.objects.create(counter=counter, date=SATURDAY, is_open=True, note="周末轮班")

        slots = open_slots(service=service, first=SATURDAY, last=SATURDAY)

        assert len(slots) == 13

    def test_a_day_override_with_periods_uses_only_those(self, service, counter):
        day = CounterDay.objects.create(counter=counter, date=SATURDAY, is_open=True, note="周末轮班")
        CounterDayPeriod.objects.create(day=day, opens_at=time(9), closes_at=time(11))

        slots = open_slots(service=service, first=SATURDAY, last=SATURDAY)

        assert starts_on(slots, SATURDAY) == [
            at(SATURDAY, 9),
            at(SATURDAY, 9, 30),
            at(SATURDAY, 10),
            at(SATURDAY, 10, 30),
        ]

    def test_a_saturday_of_its_own_hours_keeps_them_on_a_rota_day(self, service, counter):
        OpeningHours.objects.create(counter=counter, weekday=5, opens_at=time(9), closes_at=time(10))
        CounterDay.objects.create(counter=counter, date=SATURDAY, is_open=True)

        slots = open_slots(service=service, first=SATURDAY, last=SATURDAY)

        assert starts_on(slots, SATURDAY) == [at(SATURDAY, 9), at(SATURDAY, 9, 30)]

    def test_a_closed_day_override_closes_a_working_day(self, service, counter):
        CounterDay.objects.create(counter=counter, date=TUESDAY, is_open=False, note="设备检修")

        plan = day_plans([counter], TUESDAY, TUESDAY)[counter.pk, TUESDAY]

        assert (plan.closed_because, plan.note) == (COUNTER_CLOSED, "设备检修")
        assert open_slots(service=service, first=TUESDAY, last=TUESDAY) == []

    def test_offers_nothing_in_a_year_whose_holidays_are_not_published(self, service, counter):
        january = date(2027, 1, 4)

        plan = day_plans([counter], january, january)[counter.pk, january]

        assert plan.closed_because == CALENDAR_UNKNOWN

    def test_offers_nothing_beyond_the_booking_horizon(self, service, counter):
        assert open_slots(service=service, first=date(2026, 10, 13), last=date(2026, 10, 20)) == []

    def test_counts_the_places_left_and_hides_a_full_slot(self, service):
        counter_offering(service, code="small", capacity=2)
        for _person in range(2):
            book_appointment(
                person=PersonFactory(),
                service=service.code,
                counter="small",
                starts_at=at(TUESDAY, 9),
                actor=None,
            )
        book_appointment(
            person=PersonFactory(),
            service=service.code,
            counter="small",
            starts_at=at(TUESDAY, 9, 30),
            actor=None,
        )

        slots = open_slots(service=service, counter_code="small", first=TUESDAY, last=TUESDAY)
        with_full = open_slots(
            service=service, counter_code="small", first=TUESDAY, last=TUESDAY, include_full=True
        )

        assert slots[0].starts_at == at(TUESDAY, 9, 30)
        assert slots[0].remaining == 1
        assert (with_full[0].starts_at, with_full[0].remaining) == (at(TUESDAY, 9), 0)

    def test_lists_every_counter_offering_the_service_unless_one_is_named(self, service, counter):
        counter_offering(service, code="huli")
        counter_offering(service, code="closed-one", active=False)

        everywhere = open_slots(service=service, first=TUESDAY, last=TUESDAY)
        at_huli = open_slots(service=service, counter_code="huli", first=TUESDAY, last=TUESDAY)

        assert {slot.counter.code for slot in everywhere} == {"siming", "huli"}
        assert {slot.counter.code for slot in at_huli} == {"huli"}
