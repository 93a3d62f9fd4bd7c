"""At the counter and the day before: recording arrivals and no-shows, the reminder text, and what
every text about a booking says (counter, date and time, reference)."""

from datetime import timedelta

import pytest

from appointments.models import BookingStatus, Slot
from appointments.selectors import booking_by_reference, bookings_to_remind, counter_queue
from appointments.services import (
    BookingNotActive,
    NotTheVisitDay,
    VisitNotBegun,
    cancel_appointment,
    record_arrival,
    record_no_show,
    remind_booking,
    reschedule_appointment,
)
from appointments.tasks import remind_tomorrows_visits
from audit.models import AuditEvent
from notifications.models import SmsOutbox
from tests.accounts.factories import PersonFactory
from tests.appointments.clock import TUESDAY, WEDNESDAY, at
from tests.appointments.factories import booked

pytestmark = pytest.mark.usefixtures("frozen", "counter")


def texts_of(person) -> list[str]:
    return list(
        SmsOutbox.objects.filter(message__person=person).order_by("pk").values_list("text", flat=True)
    )


class TestCounterQueue:
    def test_lists_the_days_bookings_by_time_without_the_cancelled(self, person):
        later = booked(at(TUESDAY, 10), person=person)
        earlier = booked(at(TUESDAY, 9))
        gone = booked(at(TUESDAY, 9, 30))
        cancel_appointment(person=gone.person, booking_id=gone.pk, actor=None)

        queue = counter_queue(later.counter, TUESDAY)

        assert queue == [earlier, later]

    def test_finds_a_booking_by_the_reference_as_a_person_reads_it_out(self, person):
        booking = booked(at(TUESDAY, 9), person=person)

        found = booking_by_reference(f" {booking.reference[:4].lower()} {booking.reference[4:]} ")

        assert found == booking


class TestRecordArrival:
    def test_marks_the_person_arrived_on_the_day_and_audits_it(self, frozen, person):
        booking = booked(at(TUESDAY, 9), person=person)
        frozen.move_to(at(TUESDAY, 8, 50))

        record_arrival(booking_id=booking.pk, actor=None)

        booking.refresh_from_db()
        assert booking.status == BookingStatus.ATTENDED
        assert AuditEvent.objects.get(action="appointments.attended").data["reference"] == booking.reference
        assert Slot.objects.get(pk=booking.slot_id).booked == 1

    def test_refuses_an_arrival_on_another_day(self, person):
        booking = booked(at(TUESDAY, 9), person=person)

        with pytest.raises(NotTheVisitDay):
            record_arrival(booking_id=booking.pk, actor=None)

    def test_refuses_a_booking_already_recorded(self, frozen, person):
        booking = booked(at(TUESDAY, 9), person=person)
        frozen.move_to(at(TUESDAY, 9, 5))
        record_arrival(booking_id=booking.pk, actor=None)

        with pytest.raises(BookingNotActive):
            record_no_show(booking_id=booking.pk, actor=None)


class TestRecordNoShow:
    def test_marks_a_no_show_once_the_time_has_begun(self, frozen, person):
        booking = booked(at(TUESDAY, 9), person=person)
        frozen.move_to(at(TUESDAY, 9, 20))

        record_no_show(booking_id=booking.pk, actor=None)

        booking.refresh_from_db()
        assert booking.status == BookingStatus.NO_SHOW
        assert AuditEvent.objects.filter(action="appointments.no_show").count() == 1

    def test_refuses_a_no_show_before_the_time(self, frozen, person):
        booking = booked(at(TUESDAY, 9), person=person)
        frozen.move_to(at(TUESDAY, 8, 30))

        with pytest.raises(VisitNotBegun):
            record_no_show(booking_id=booking.pk, actor=None)


class TestRemindBooking:
    def test_texts_the_counter_time_and_reference_the_day_before(self, frozen, person):
        booking = booked(at(TUESDAY, 9, 30), person=person)
        frozen.move_to(at(TUESDAY - timedelta(days=1), 18))

        reminded = remind_booking(booking_id=booking.pk)

        assert reminded
        text = texts_of(person)[-1]
        assert text.startswith("【住房公积金】预约提醒")
        assert "思明服务网点" in text
        assert "2026年9月29日09:30–10:00" in text
        assert booking.reference in text

    def test_never_reminds_twice(self, frozen, person):
        booking = booked(at(TUESDAY, 9, 30), person=person)
        frozen.move_to(at(TUESDAY - timedelta(days=1), 18))

        first, second = remind_booking(booking_id=booking.pk), remind_booking(booking_id=booking.pk)

        assert (first, second) == (True, False)
        assert len(texts_of(person)) == 2  # the booking's confirmation and one reminder

    def test_does_not_remind_a_cancelled_booking(self, person):
        booking = booked(at(WEDNESDAY, 9, 30), person=person)
        cancel_appointment(person=person, booking_id=booking.pk, actor=None)

        assert not remind_booking(booking_id=booking.pk)

    def test_a_moved_booking_is_reminded_of_its_new_time(self, frozen, person):
        booking = booked(at(TUESDAY, 9, 30), person=person)
        remind_booking(booking_id=booking.pk)
        reschedule_appointment(person=person, booking_id=booking.pk, starts_at=at(WEDNESDAY, 14), actor=None)

        assert bookings_to_remind(WEDNESDAY) == [booking.pk]


class TestRemindTomorrowsVisits:
    def test_reminds_each_of_tomorrows_visits_once_however_often_it_runs(self, frozen, person):
        booked(at(TUESDAY, 9), person=person)
        booked(at(TUESDAY, 15))
        booked(at(WEDNESDAY, 9))

        first = remind_tomorrows_visits()
        frozen.tick(timedelta(hours=1))
        second = remind_tomorrows_visits()

        assert (first, second) == (2, 0)
        assert bookings_to_remind(TUESDAY) == []


class TestTexts:
    def test_every_text_about_a_booking_names_the_counter_the_time_and_the_reference(self, person):
        other = PersonFactory()
        booking = booked(at(TUESDAY, 9, 30), person=person)
        reschedule_appointment(person=person, booking_id=booking.pk, starts_at=at(WEDNESDAY, 14), actor=None)
        cancel_appointment(person=person, booking_id=booking.pk, actor=None)

        booked_text, moved_text, cancelled_text = texts_of(person)

        assert "2026年9月29日09:30–10:00" in booked_text
        assert "2026年9月30日14:00–14:30" in moved_text
        assert "2026年9月30日14:00–14:30" in cancelled_text
        for text in (booked_text, moved_text, cancelled_text):
            assert "思明服务网点" in text
            assert booking.reference in text
        assert texts_of(other) == []
