"""Booking, cancelling and moving appointments: the rules, the counts, the audit trail and the messages."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from appointments.models import Booking, BookingStatus, Slot
from appointments.selectors import open_slots
from appointments.services import (
    AlreadyBooked,
    BookingNotActive,
    BookingNotFound,
    CounterClosed,
    InvalidPurpose,
    NotASlot,
    NotOfferedHere,
    SlotFull,
    SlotInPast,
    SlotTooFarAhead,
    TooLateToChange,
    UnknownService,
    book_appointment,
    cancel_appointment,
    reschedule_appointment,
)
from audit.models import AuditEvent
from notifications.models import Message, SmsOutbox, SmsStatus
from tests.accounts.factories import PersonFactory
from tests.appointments.clock import ADJUSTED_SATURDAY, NATIONAL_DAY, TUESDAY, WEDNESDAY, at
from tests.appointments.factories import counter_offering

pytestmark = pytest.mark.usefixtures("frozen")


def book(person, starts_at, *, counter="siming", service="LOAN_SIGNING", **extra):
    return book_appointment(
        person=person, service=service, counter=counter, starts_at=starts_at, actor=None, **extra
    )


class TestBookAppointment:
    def test_books_a_free_slot_with_a_short_reference(self, counter, person):
        booking = book(person, at(TUESDAY, 9, 30), purpose_ref="loan-application:42")

        assert booking.status == BookingStatus.BOOKED
        assert (booking.starts_at, booking.ends_at) == (at(TUESDAY, 9, 30), at(TUESDAY, 10))
        assert len(booking.reference) == 8
        assert booking.purpose_ref == "loan-application:42"
        assert Slot.objects.get(pk=booking.slot_id).booked == 1

    def test_records_the_booking_in_the_audit_trail(self, counter, person):
        booking = book(person, at(TUESDAY, 9, 30))

        event = AuditEvent.objects.get(action="appointments.booked")
        assert event.target_id == str(booking.pk)
        assert event.data["reference"] == booking.reference

    def test_tells_the_person_in_the_portal_and_texts_after_commit(
        self, counter, person, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            booking = book(person, at(TUESDAY, 9, 30))

        message = Message.objects.get(person=person)
        assert message.kind == "appointment_booked"
        assert message.title == "预约成功"
        assert booking.reference in message.body
        assert "2026年9月29日09:30–10:00" in message.body
        assert "思明服务网点" in message.body
        assert message.link == "/hall/appointments/"
        text = SmsOutbox.objects.get(message=message)
        assert text.text.startswith("【住房公积金】预约成功")
        assert text.status == SmsStatus.PENDING
        for callback in callbacks:
            callback()
        text.refresh_from_db()
        assert text.status == SmsStatus.SENT

    def test_books_an_adjusted_working_saturday(self, counter, person):
        booking = book(person, at(ADJUSTED_SATURDAY, 9))

        assert booking.starts_at == at(ADJUSTED_SATURDAY, 9)

    def test_refuses_a_public_holiday_naming_the_field_and_reason(self, counter, person):
        with pytest.raises(CounterClosed) as refused:
            book(person, at(NATIONAL_DAY, 9))

        assert refused.value.field == "starts_at"
        assert "public holiday" in refused.value.message or "法定节假日" in refused.value.message

    def test_refuses_a_time_that_has_passed(self, counter, person):
        with pytest.raises(SlotInPast) as refused:
            book(person, at(date(2026, 9, 28), 9))

        assert (refused.value.code, refused.value.field) == ("SLOT_IN_PAST", "starts_at")

    def test_refuses_a_day_beyond_the_booking_horizon(self, counter, person):
        with pytest.raises(SlotTooFarAhead):
            book(person, at(date(2026, 10, 13), 9))

    def test_refuses_a_time_outside_the_opening_hours(self, counter, person):
        with pytest.raises(NotASlot) as refused:
            book(person, at(TUESDAY, 12, 30))

        assert refused.value.field == "starts_at"

    def test_refuses_a_time_between_two_slot_starts(self, counter, person):
        with pytest.raises(NotASlot):
            book(person, at(TUESDAY, 9, 10))

    def test_refuses_a_purpose_that_is_not_a_record_name(self, counter, person):
        with pytest.raises(InvalidPurpose) as refused:
            book(person, at(TUESDAY, 9), purpose_ref="please hurry")

        assert refused.value.field == "purpose_ref"

    def test_refuses_an_unknown_service(self, counter, person):
        with pytest.raises(UnknownService) as refused:
            book(person, at(TUESDAY, 9), service="NOTHING")

        assert refused.value.field == "service"

    def test_refuses_a_counter_that_does_not_offer_the_service(self, counter, person):
        with pytest.raises(NotOfferedHere) as refused:
            book(person, at(TUESDAY, 9), counter="nowhere")

        assert refused.value.field == "counter"

    def test_never_takes_more_places_than_the_capacity(self, service, person):
        counter_offering(service, code="single", capacity=1)
        book(PersonFactory(), at(TUESDAY, 9), counter="single")

        with pytest.raises(SlotFull) as refused:
            book(person, at(TUESDAY, 9), counter="single")

        assert (refused.value.http_status, refused.value.field) == (409, "starts_at")
        assert Slot.objects.get(counter__code="single").booked == 1

    def test_allows_one_active_booking_per_person_and_service(self, counter, person):
        book(person, at(TUESDAY, 9))

        with pytest.raises(AlreadyBooked) as refused:
            book(person, at(WEDNESDAY, 9))

        assert refused.value.field == "service"
        assert Booking.objects.filter(person=person).count() == 1
        assert not Slot.objects.filter(starts_at=at(WEDNESDAY, 9)).exists()

    def test_lets_a_person_book_again_once_the_earlier_visit_has_passed(self, counter, person, frozen):
        earlier = book(person, at(TUESDAY, 9))
        frozen.move_to(at(TUESDAY, 15))

        later = book(person, at(WEDNESDAY, 9))

        earlier.refresh_from_db()
        assert earlier.status == BookingStatus.EXPIRED
        assert later.status == BookingStatus.BOOKED


class TestOneActiveBookingConstraint:
    def test_the_database_refuses_a_second_active_booking(self, counter, person):
        booking = book(person, at(TUESDAY, 9))

        with pytest.raises(IntegrityError), transaction.atomic():
            Booking.objects.create(
                reference="ZZZZZZZZ",
                person=person,
                counter=booking.counter,
                service=booking.service,
                slot=booking.slot,
                starts_at=booking.starts_at + timedelta(days=1),
                ends_at=booking.ends_at + timedelta(days=1),
            )


class TestCancelAppointment:
    def test_frees_the_place_at_once(self, service, person):
        counter_offering(service, code="single", capacity=1)
        booking = book(person, at(TUESDAY, 9), counter="single")

        cancel_appointment(person=person, booking_id=booking.pk, actor=None)

        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
        assert booking.cancelled_at is not None
        assert Slot.objects.get(pk=booking.slot_id).booked == 0
        assert at(TUESDAY, 9) in [
            slot.starts_at for slot in open_slots(service=service, first=TUESDAY, last=TUESDAY)
        ]
        assert book(PersonFactory(), at(TUESDAY, 9), counter="single").status == BookingStatus.BOOKED

    def test_lets_the_person_book_the_service_again(self, counter, person):
        booking = book(person, at(TUESDAY, 9))
        cancel_appointment(person=person, booking_id=booking.pk, actor=None)

        again = book(person, at(WEDNESDAY, 9))

        assert again.status == BookingStatus.BOOKED

    def test_writes_the_audit_event_and_tells_the_person(self, counter, person):
        booking = book(person, at(TUESDAY, 9))

        cancel_appointment(person=person, booking_id=booking.pk, actor=None)

        assert AuditEvent.objects.filter(action="appointments.cancelled", target_id=str(booking.pk)).exists()
        assert Message.objects.filter(person=person, kind="appointment_cancelled").count() == 1

    def test_refuses_within_an_hour_of_the_start(self, counter, person, frozen):
        booking = book(person, at(TUESDAY, 9))
        frozen.move_to(at(TUESDAY, 8, 15))

        with pytest.raises(TooLateToChange):
            cancel_appointment(person=person, booking_id=booking.pk, actor=None)

    def test_refuses_a_booking_already_cancelled(self, counter, person):
        booking = book(person, at(TUESDAY, 9))
        cancel_appointment(person=person, booking_id=booking.pk, actor=None)

        with pytest.raises(BookingNotActive):
            cancel_appointment(person=person, booking_id=booking.pk, actor=None)

    def test_does_not_find_someone_else_s_booking(self, counter, person):
        booking = book(PersonFactory(), at(TUESDAY, 9))

        with pytest.raises(BookingNotFound):
            cancel_appointment(person=person, booking_id=booking.pk, actor=None)


class TestRescheduleAppointment:
    def test_moves_the_booking_keeping_its_reference_and_the_counts(self, counter, person):
        booking = book(person, at(TUESDAY, 9))

        moved = reschedule_appointment(
            person=person, booking_id=booking.pk, starts_at=at(WEDNESDAY, 14), actor=None
        )

        assert moved.reference == booking.reference
        assert (moved.starts_at, moved.ends_at) == (at(WEDNESDAY, 14), at(WEDNESDAY, 14, 30))
        assert Slot.objects.get(starts_at=at(TUESDAY, 9)).booked == 0
        assert Slot.objects.get(starts_at=at(WEDNESDAY, 14)).booked == 1
        assert (
            AuditEvent.objects.get(action="appointments.rescheduled").data["moved_from"]["counter"]
            == "siming"
        )
        assert "2026年9月30日14:00–14:30" in Message.objects.get(kind="appointment_rescheduled").body

    def test_moves_to_another_counter(self, service, counter, person):
        counter_offering(service, code="huli", name="湖里服务网点")
        booking = book(person, at(TUESDAY, 9))

        moved = reschedule_appointment(
            person=person, booking_id=booking.pk, starts_at=at(TUESDAY, 9), counter="huli", actor=None
        )

        assert moved.counter.code == "huli"

    def test_refuses_a_full_slot_and_keeps_the_old_place(self, service, person):
        counter_offering(service, code="single", capacity=1)
        booking = book(person, at(TUESDAY, 9), counter="single")
        book(PersonFactory(), at(WEDNESDAY, 9), counter="single")

        with pytest.raises(SlotFull):
            reschedule_appointment(
                person=person, booking_id=booking.pk, starts_at=at(WEDNESDAY, 9), actor=None
            )

        booking.refresh_from_db()
        assert booking.starts_at == at(TUESDAY, 9)
        assert Slot.objects.get(starts_at=at(TUESDAY, 9)).booked == 1

    def test_refuses_a_closed_day(self, counter, person):
        booking = book(person, at(TUESDAY, 9))

        with pytest.raises(CounterClosed):
            reschedule_appointment(
                person=person, booking_id=booking.pk, starts_at=at(NATIONAL_DAY, 9), actor=None
            )
