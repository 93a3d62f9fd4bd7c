"""The weekend rota (周末轮班): planning a week, what booking then offers, closing booked days, copying.

The clock is Monday 28 September 2026 (week 2026-W40): Thursday 1 October is National Day, Saturday
3 and Sunday 4 October are the weekend; Saturday 10 October (week 2026-W41) is an adjusted working day.
"""

from datetime import date, time

import pytest

from accounts import roles
from accounts.roles import ensure_roles
from appointments.models import ROTA_NOTE, BookingStatus, CounterDay
from appointments.rota import (
    DayHasBookings,
    DaySetElsewhere,
    InvalidHours,
    InvalidWeek,
    NotAllowedToPlan,
    NotARotaDay,
    Opening,
    copy_weekend_rota,
    parse_hours,
    parse_week,
    plan_weekend_rota,
    weekend_rota,
)
from appointments.selectors import open_slots
from appointments.services import CounterClosed, book_appointment
from audit.models import AuditEvent
from tests.accounts.factories import PersonFactory, UserFactory
from tests.appointments.clock import ADJUSTED_SATURDAY, NATIONAL_DAY, at
from tests.appointments.factories import counter_offering

pytestmark = pytest.mark.usefixtures("frozen")

SATURDAY = date(2026, 10, 3)
SUNDAY = date(2026, 10, 4)
NEXT_SUNDAY = date(2026, 10, 11)
WEEK = "2026-W40"


@pytest.fixture
def chief(db):
    user = UserFactory(username="chief", is_staff=True)
    user.groups.add(ensure_roles()[roles.STAFF_SECTION_CHIEF])
    return user


@pytest.fixture
def huli(service):
    return counter_offering(service, code="huli", name="湖里服务网点")


def book(person, starts_at, counter="siming"):
    return book_appointment(
        person=person, service="LOAN_SIGNING", counter=counter, starts_at=starts_at, actor=None
    )


class TestWeeks:
    def test_reads_an_iso_week_as_its_monday(self):
        assert parse_week("2026-W40") == date(2026, 9, 28)

    def test_takes_this_week_when_none_is_given(self):
        assert parse_week(None) == date(2026, 9, 28)

    @pytest.mark.parametrize("text", ["2026-40", "2026-W54", "next week"])
    def test_refuses_what_is_not_a_week(self, text):
        with pytest.raises(InvalidWeek):
            parse_week(text)


class TestHours:
    def test_reads_one_or_two_periods(self):
        assert parse_hours("9:00-12:00, 13:00–17:00") == ((time(9), time(12)), (time(13), time(17)))

    def test_defaults_to_the_morning(self):
        assert parse_hours("") == ((time(9), time(12)),)

    @pytest.mark.parametrize(
        "text", ["12:00-09:00", "09:00-12:00, 11:00-13:00", "nine to noon", "25:00-26:00"]
    )
    def test_refuses_hours_that_make_no_sense(self, text):
        with pytest.raises(InvalidHours):
            parse_hours(text)


class TestWeekendRota:
    def test_lists_the_weekend_and_the_holiday_of_the_week_for_every_counter(self, counter, huli):
        rota = weekend_rota(WEEK)

        days = {entry.day: entry.name for entry in rota.days}
        assert {NATIONAL_DAY, SATURDAY, SUNDAY} <= days.keys()
        assert date(2026, 9, 29) not in days
        assert days[NATIONAL_DAY] == "国庆节"
        assert [row_counter.code for row_counter, _cells in rota.rows] == ["huli", "siming"]
        assert not any(cell.is_open for _counter, cells in rota.rows for cell in cells)

    def test_shows_an_adjusted_working_saturday_apart_from_the_rota(self, counter):
        rota = weekend_rota("2026-W41")

        assert NEXT_SUNDAY in [entry.day for entry in rota.days]
        assert [entry.day for entry in rota.working_weekend_days] == [ADJUSTED_SATURDAY]

    def test_shows_a_rota_day_entered_without_hours_with_the_hours_booking_offers(self, counter):
        CounterDay.objects.create(counter=counter, date=SATURDAY, is_open=True, note=ROTA_NOTE)

        cell = weekend_rota(WEEK).open_on(SATURDAY)[0]

        assert cell.hours == "09:00-12:00, 13:30-17:00"


class TestPlanWeekendRota:
    def test_opening_a_saturday_lets_a_person_book_it(self, counter, chief):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)

        booking = book(PersonFactory(), at(SATURDAY, 9, 30))

        assert booking.status == BookingStatus.BOOKED
        assert booking.counter.code == "siming"

    def test_a_rota_day_offers_its_hours_only(self, counter, service, chief):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)

        slots = open_slots(service=service, first=SATURDAY, last=SATURDAY)

        assert slots[0].starts_at == at(SATURDAY, 9)
        assert slots[-1].ends_at == at(SATURDAY, 12)
        assert len(slots) == 6

    def test_stores_the_day_as_a_rota_day_with_its_periods(self, counter, chief):
        plan_weekend_rota(
            week=WEEK, openings=[Opening("siming", SUNDAY, ((time(9), time(11, 30)),))], actor=chief
        )

        day = CounterDay.objects.get(counter=counter, date=SUNDAY)
        assert (day.is_open, day.note) == (True, ROTA_NOTE)
        assert [(p.opens_at, p.closes_at) for p in day.periods.all()] == [(time(9), time(11, 30))]

    def test_may_open_a_counter_on_a_public_holiday(self, counter, chief):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", NATIONAL_DAY)], actor=chief)

        assert book(PersonFactory(), at(NATIONAL_DAY, 9)).status == BookingStatus.BOOKED

    def test_closes_the_days_the_plan_leaves_out(self, counter, huli, chief):
        plan_weekend_rota(
            week=WEEK, openings=[Opening("siming", SATURDAY), Opening("huli", SUNDAY)], actor=chief
        )

        change = plan_weekend_rota(week=WEEK, openings=[Opening("huli", SUNDAY)], actor=chief)

        assert change.closed == [("siming", SATURDAY)]
        with pytest.raises(CounterClosed):
            book(PersonFactory(), at(SATURDAY, 9))

    def test_records_the_plan_in_the_audit_trail(self, counter, chief):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)

        event = AuditEvent.objects.get(action="appointments.rota_planned")
        assert event.actor_id == chief.pk
        assert event.data["week"] == WEEK
        assert event.data["opened"] == [{"counter": "siming", "day": "2026-10-03", "hours": "09:00-12:00"}]

    def test_the_same_plan_again_changes_nothing_and_is_not_audited_twice(self, counter, chief):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)

        change = plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)

        assert change.unchanged
        assert AuditEvent.objects.filter(action="appointments.rota_planned").count() == 1

    def test_refuses_to_close_a_booked_day_and_names_the_booking(self, counter, chief):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)
        booking = book(PersonFactory(), at(SATURDAY, 10))

        with pytest.raises(DayHasBookings) as refused:
            plan_weekend_rota(week=WEEK, openings=[], actor=chief)

        assert refused.value.bookings == [booking]
        assert booking.reference in refused.value.message
        assert CounterDay.objects.filter(counter=counter, date=SATURDAY, is_open=True).exists()

    def test_refuses_to_shorten_hours_that_people_have_booked(self, counter, chief):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)
        booking = book(PersonFactory(), at(SATURDAY, 11))

        with pytest.raises(DayHasBookings) as refused:
            plan_weekend_rota(
                week=WEEK, openings=[Opening("siming", SATURDAY, ((time(9), time(10, 30)),))], actor=chief
            )

        assert refused.value.bookings == [booking]

    def test_changes_hours_that_keep_every_booking(self, counter, chief):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)
        book(PersonFactory(), at(SATURDAY, 9))

        change = plan_weekend_rota(
            week=WEEK,
            openings=[Opening("siming", SATURDAY, ((time(9), time(12)), (time(13), time(15))))],
            actor=chief,
        )

        assert change.changed == [("siming", SATURDAY)]

    def test_writes_down_the_hours_of_a_rota_day_entered_without_them(self, counter, chief):
        day = CounterDay.objects.create(counter=counter, date=SATURDAY, is_open=True, note=ROTA_NOTE)

        change = plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)

        assert change.changed == [("siming", SATURDAY)]
        assert [(p.opens_at, p.closes_at) for p in day.periods.all()] == [(time(9), time(12))]

    def test_a_cancelled_booking_does_not_keep_a_day_open(self, counter, chief, person):
        from appointments.services import cancel_appointment

        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)
        booking = book(person, at(SATURDAY, 10))
        cancel_appointment(person=person, booking_id=booking.pk, actor=None)

        change = plan_weekend_rota(week=WEEK, openings=[], actor=chief)

        assert change.closed == [("siming", SATURDAY)]

    def test_leaves_a_day_set_in_the_admin_alone(self, counter, chief):
        CounterDay.objects.create(counter=counter, date=SATURDAY, is_open=False, note="设备检修")

        plan_weekend_rota(week=WEEK, openings=[], actor=chief)

        assert CounterDay.objects.get(counter=counter, date=SATURDAY).note == "设备检修"
        with pytest.raises(DaySetElsewhere):
            plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)

    def test_refuses_a_working_day(self, counter, chief):
        with pytest.raises(NotARotaDay):
            plan_weekend_rota(week="2026-W41", openings=[Opening("siming", ADJUSTED_SATURDAY)], actor=chief)

    def test_refuses_a_day_already_past(self, counter, chief):
        with pytest.raises(NotARotaDay):
            plan_weekend_rota(week="2026-W39", openings=[Opening("siming", date(2026, 9, 26))], actor=chief)

    @pytest.mark.parametrize("role", [roles.EMPLOYEE, roles.STAFF_CLERK, roles.STAFF_AUDITOR])
    def test_only_section_chiefs_and_directors_plan(self, counter, role):
        user = UserFactory()
        user.groups.add(ensure_roles()[role])

        with pytest.raises(NotAllowedToPlan):
            plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=user)

        assert not CounterDay.objects.exists()


class TestCopyWeekendRota:
    def test_plans_next_week_as_this_week(self, counter, huli, chief):
        plan_weekend_rota(
            week=WEEK,
            openings=[Opening("siming", SUNDAY, ((time(9), time(11)),)), Opening("huli", SUNDAY)],
            actor=chief,
        )

        change = copy_weekend_rota(week=WEEK, actor=chief)

        assert change.week == "2026-W41"
        assert sorted(change.opened) == [("huli", NEXT_SUNDAY), ("siming", NEXT_SUNDAY)]
        copied = weekend_rota("2026-W41").open_on(NEXT_SUNDAY)
        assert {cell.counter.code: cell.hours for cell in copied} == {
            "siming": "09:00-11:00",
            "huli": "09:00-12:00",
        }

    def test_skips_a_saturday_that_is_a_working_day_next_week(self, counter, chief):
        plan_weekend_rota(week=WEEK, openings=[Opening("siming", SATURDAY)], actor=chief)

        change = copy_weekend_rota(week=WEEK, actor=chief)

        assert change.skipped == [ADJUSTED_SATURDAY]
        assert not CounterDay.objects.filter(date=ADJUSTED_SATURDAY).exists()
