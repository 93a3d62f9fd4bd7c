"""Booking, cancelling and moving counter appointments: the only writers of ``Booking`` and ``Slot``.

Capacity under concurrency: every place is taken or given back under the lock of its
:class:`~appointments.models.Slot` row (one per counter, service and start time, created by the
first booking), whose ``booked`` count is compared with the capacity and changed in the same
transaction as the booking. Two people racing for the last place of a slot queue on that one row;
bookings of other slots, even at the same counter, do not wait. Locks are taken bookings first,
then slots in primary-key order, so a move between two slots cannot deadlock with another.

"One booking at a time per person and service" is the partial unique constraint on ``Booking``;
the check before the insert gives the friendly error, the constraint settles a race.

Each use case is one durable transaction that also writes its audit event and the person's
in-portal message; the text message goes out after commit (``notifications.services.notify``).
Messages are English message ids with parameters, rendered and stored in the person's language
(``Person.language``) whatever the request language, as every notification; the counter and
service names are given in both languages and read in the person's.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from appointments.models import REFERENCE_LENGTH, Booking, BookingStatus, CounterDay, CounterService, Slot
from appointments.selectors import (
    CALENDAR_UNKNOWN,
    CANCELLATION_CUTOFF,
    COUNTER_CLOSED,
    HOLIDAY,
    WEEKEND,
    bookable_days,
    day_plans,
    offers_of,
    service_by_code,
    slot_times,
)
from audit.services import record_event
from core.exceptions import DomainError
from notifications.models import MessageKind
from notifications.services import notify
from notifications.text import Both, Day, Text

# Easy to read out at a counter: no 0/O, 1/I.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LINK = "/hall/appointments/"
#: What a visit is for, as another app names its record: ``loan-application:42``.
PURPOSE_PATTERN = re.compile(r"^[a-z][a-z-]{0,30}:[0-9A-Za-z-]{1,30}$")


class AppointmentsError(DomainError):
    code = "APPOINTMENTS_ERROR"
    http_status = 400


class UnknownService(AppointmentsError):
    code = "UNKNOWN_SERVICE"


class NotOfferedHere(AppointmentsError):
    code = "SERVICE_NOT_OFFERED"


class SlotInPast(AppointmentsError):
    code = "SLOT_IN_PAST"


class SlotTooFarAhead(AppointmentsError):
    code = "SLOT_TOO_FAR_AHEAD"


class CounterClosed(AppointmentsError):
    code = "COUNTER_CLOSED"


class NotASlot(AppointmentsError):
    code = "NOT_A_SLOT"


class InvalidPurpose(AppointmentsError):
    code = "INVALID_PURPOSE"


class SlotFull(AppointmentsError):
    code = "SLOT_FULL"
    http_status = 409


class AlreadyBooked(AppointmentsError):
    code = "ALREADY_BOOKED"
    http_status = 409


class BookingNotFound(AppointmentsError):
    code = "BOOKING_NOT_FOUND"
    http_status = 404


class BookingNotActive(AppointmentsError):
    code = "BOOKING_NOT_ACTIVE"
    http_status = 409


class TooLateToChange(AppointmentsError):
    code = "TOO_LATE_TO_CHANGE"
    http_status = 409


def _closed_message(reason: str):
    return {
        HOLIDAY: _("The counter is closed that day: it is a public holiday."),
        WEEKEND: _("The counter is closed that day: it is a weekend day."),
        CALENDAR_UNKNOWN: _(
            "That day cannot be booked yet: the public holidays of its year are not published."
        ),
        COUNTER_CLOSED: _("The counter is closed that day."),
    }.get(reason, _("The counter has no opening hours that day."))


def _offer(service_code: str, counter_code: str) -> CounterService:
    service = service_by_code(service_code or "")
    if service is None:
        raise UnknownService(_("There is no such service to book."), field="service")
    offers = offers_of(service, counter_code or "")
    if not counter_code or not offers:
        raise NotOfferedHere(_("This counter does not offer that service."), field="counter")
    return offers[0]


def _checked_slot(offer: CounterService, starts_at: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The slot starting at ``starts_at`` (its start and end), or the reason it cannot be booked."""
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, timezone.get_default_timezone())
    if starts_at <= now:
        raise SlotInPast(_("That time has already passed: choose a later one."), field="starts_at")
    day = timezone.localdate(starts_at, timezone.get_default_timezone())
    first, last = bookable_days(timezone.localdate(now))
    if day > last:
        raise SlotTooFarAhead(
            _("Bookings open %(days)s days ahead: choose a day up to %(last)s.")
            % {"days": (last - first).days, "last": last.isoformat()},
            field="starts_at",
        )
    _share_day(offer.counter_id, day)
    plan = day_plans([offer.counter], day, day)[offer.counter_id, day]
    if not plan.is_open:
        raise CounterClosed(_closed_message(plan.closed_because), field="starts_at")
    for start, end in slot_times(plan, offer.service.slot_minutes):
        if start == starts_at:
            return start, end
    raise NotASlot(_("No slot starts at that time: choose one of the times offered."), field="starts_at")


def _share_day(counter_id: int, day) -> None:
    """Share-lock the counter's override row of ``day``, if any, before its plan is read.

    A rota change closing the day locks that row exclusively (appointments.rota), so it waits for
    the bookings holding it and then sees them, or they wait and then see the day closed. Shared,
    not FOR UPDATE: bookings of one day must not queue behind each other (only a slot's row is
    scarce). Django has no FOR SHARE, hence the SQL; SQLite writes one transaction at a time.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {CounterDay._meta.db_table} WHERE counter_id = %s AND date = %s FOR SHARE",
            [counter_id, day],
        )


# What the person reads of each change, rendered in their language when the message is written.
_NOTICES = {
    "booked": (
        MessageKind.APPOINTMENT_BOOKED,
        _lazy("Appointment booked"),
        _lazy(
            "You have booked %(service)s on %(when)s at %(place)s, booking number %(reference)s. "
            "Please bring your own ID card and come on time."
        ),
    ),
    "cancelled": (
        MessageKind.APPOINTMENT_CANCELLED,
        _lazy("Appointment cancelled"),
        _lazy(
            "Your booking for %(service)s on %(when)s at %(counter)s (booking number %(reference)s) "
            "has been cancelled."
        ),
    ),
    "rescheduled": (
        MessageKind.APPOINTMENT_RESCHEDULED,
        _lazy("Appointment time changed"),
        _lazy(
            "Your booking for %(service)s (booking number %(reference)s) has been moved to %(when)s at "
            "%(place)s. Please bring your own ID card and come on time."
        ),
    ),
    "reminder": (
        MessageKind.APPOINTMENT_REMINDER,
        _lazy("Appointment reminder"),
        _lazy(
            "You have booked %(service)s on %(when)s at %(place)s, booking number %(reference)s. "
            "Please bring your own ID card and come on time; if you cannot come, please cancel "
            "in advance."
        ),
    ),
}


def _when(booking: Booking) -> Text:
    """The visit's day and hours: 2026年9月29日09:30–10:00, or 29 Sep 2026 09:30–10:00."""
    starts_at = timezone.localtime(booking.starts_at)
    ends_at = timezone.localtime(booking.ends_at)
    return Text(
        _lazy("%(day)s %(start)s–%(end)s"),
        day=Day(starts_at),
        start=f"{starts_at:%H:%M}",
        end=f"{ends_at:%H:%M}",
    )


def _where(booking: Booking) -> Text:
    """The counter and its address, each in the reader's language (Chinese if no English is entered)."""
    counter = booking.counter
    return Text(
        _lazy("%(counter)s (%(address)s)"),
        counter=Both(counter.name, counter.name_en),
        address=Both(counter.address, counter.address_en),
    )


def _tell(booking: Booking, notice: str) -> None:
    """The person's message (texted after commit) about ``booking``, in their language."""
    kind, title, body = _NOTICES[notice]
    notify(
        person=booking.person,
        kind=kind,
        title=title,
        body=body,
        params={
            "service": Both(booking.service.name, booking.service.name_en),
            "counter": Both(booking.counter.name, booking.counter.name_en),
            "place": _where(booking),
            "when": _when(booking),
            "reference": booking.reference,
        },
        link=LINK,
    )


def _summary(verb: str, booking: Booking) -> str:
    when = timezone.localtime(booking.starts_at)
    where = f"{booking.service.code} @ {booking.counter.code}"
    return f"预约 {booking.reference} {verb}: {where} {when:%Y-%m-%d %H:%M}"


def _data(booking: Booking, **extra) -> dict:
    return {
        "booking": booking.pk,
        "reference": booking.reference,
        "service": booking.service.code,
        "counter": booking.counter.code,
        "starts_at": booking.starts_at,
        "purpose_ref": booking.purpose_ref,
        **extra,
    }


def _announce(booking: Booking, *, actor, event: str, verb: str, **data) -> None:
    """The audit event and the person's message (texted after commit) of a change, in its transaction."""
    record_event(
        actor=actor,
        action=f"appointments.{event}",
        target=booking,
        summary=_summary(verb, booking),
        data=_data(booking, **data),
    )
    _tell(booking, event)


def _lock_slots(*slot_ids: int) -> dict[int, Slot]:
    # Primary-key order: two moves between the same two slots never wait on each other in a circle.
    rows = Slot.objects.select_for_update().filter(pk__in=slot_ids).order_by("pk")
    return {slot.pk: slot for slot in rows}


def _slot_row(offer: CounterService, starts_at: datetime, ends_at: datetime) -> Slot:
    # The unique (counter, service, start) makes two first bookings of a slot share one row.
    slot, _created = Slot.objects.get_or_create(
        counter=offer.counter, service=offer.service, starts_at=starts_at, defaults={"ends_at": ends_at}
    )
    return slot


def _take_place(slot: Slot, offer: CounterService) -> None:
    """Count one more booking in ``slot`` (locked by the caller), or refuse when it is full."""
    if slot.booked >= offer.capacity:
        raise SlotFull(_("That time is fully booked: choose another."), field="starts_at")
    slot.booked += 1
    slot.save(update_fields=["booked"])


def _give_back(slot: Slot) -> None:
    slot.booked = max(slot.booked - 1, 0)
    slot.save(update_fields=["booked"])


def _expire_ended(person, service_id: int, now: datetime, actor) -> None:
    """Close the person's booking of the service whose time has passed, so they can book again."""
    ended = Booking.objects.select_for_update(of=("self",)).filter(
        person=person, service_id=service_id, status=BookingStatus.BOOKED, ends_at__lte=now
    )
    for booking in ended.select_related("counter", "service"):
        booking.status, booking.updated_at = BookingStatus.EXPIRED, now
        booking.save(update_fields=["status", "updated_at"])
        record_event(
            actor=actor,
            action="appointments.booking_expired",
            target=booking,
            summary=_summary("已过期", booking),
            data=_data(booking),
        )


def _new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _i in range(REFERENCE_LENGTH))


def _insert(booking: Booking) -> Booking:
    for _attempt in range(3):
        booking.reference = _new_reference()
        try:
            # A savepoint: a refused insert leaves the transaction usable to say why.
            with transaction.atomic():
                booking.save(force_insert=True)
            return booking
        except IntegrityError:
            if Booking.objects.filter(
                person=booking.person, service=booking.service, status=BookingStatus.BOOKED
            ).exists():
                raise AlreadyBooked(_already_booked_message(), field="service") from None
            booking.pk = None  # a reference taken by chance: draw another
    raise IntegrityError("no free booking reference after three draws")


def _already_booked_message():
    return _("You already have a booking for this service: cancel or change it first.")


def book_appointment(
    *, person, service: str, counter: str, starts_at: datetime, actor, purpose_ref: str = ""
) -> Booking:
    """Book the slot of ``service`` (a code) at ``counter`` (a code) starting at ``starts_at``."""
    now = timezone.now()
    if purpose_ref and not PURPOSE_PATTERN.match(purpose_ref):
        raise InvalidPurpose(
            _("The purpose is a record name such as loan-application:42."), field="purpose_ref"
        )
    with transaction.atomic(durable=True):
        offer = _offer(service, counter)
        starts_at, ends_at = _checked_slot(offer, starts_at, now)
        _expire_ended(person, offer.service_id, now, actor)
        if Booking.objects.filter(person=person, service=offer.service, status=BookingStatus.BOOKED).exists():
            raise AlreadyBooked(_already_booked_message(), field="service")
        slot = _lock_slots(_slot_row(offer, starts_at, ends_at).pk).popitem()[1]
        _take_place(slot, offer)
        booking = _insert(
            Booking(
                person=person,
                counter=offer.counter,
                service=offer.service,
                slot=slot,
                starts_at=starts_at,
                ends_at=ends_at,
                purpose_ref=purpose_ref or "",
                created_at=now,
                updated_at=now,
            )
        )
        _announce(
            booking,
            actor=actor,
            event="booked",
            verb="已预约",
        )
    return booking


def _locked_active(person, booking_id: int, now: datetime) -> Booking:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("counter", "service")
        .filter(pk=booking_id, person=person)
        .first()
    )
    if booking is None:
        raise BookingNotFound(_("There is no such booking of yours."))
    if booking.status != BookingStatus.BOOKED or booking.ends_at <= now:
        raise BookingNotActive(_("This booking is no longer active."), field="status")
    if booking.starts_at - now < CANCELLATION_CUTOFF:
        raise TooLateToChange(
            _("A booking can be cancelled or changed only until %(minutes)s minutes before it starts.")
            % {"minutes": int(CANCELLATION_CUTOFF.total_seconds() // 60)},
            field="starts_at",
        )
    return booking


def cancel_appointment(*, person, booking_id: int, actor) -> Booking:
    """Cancel one of ``person``'s coming bookings; its place is free again at once."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        booking = _locked_active(person, booking_id, now)
        _give_back(_lock_slots(booking.slot_id)[booking.slot_id])
        booking.status, booking.cancelled_at, booking.updated_at = BookingStatus.CANCELLED, now, now
        booking.save(update_fields=["status", "cancelled_at", "updated_at"])
        _announce(
            booking,
            actor=actor,
            event="cancelled",
            verb="已取消",
        )
    return booking


def reschedule_appointment(
    *, person, booking_id: int, starts_at: datetime, actor, counter: str | None = None
) -> Booking:
    """Move one of ``person``'s coming bookings to another slot (same service; same counter unless
    ``counter`` names another). The reference stays; the old place is freed as the new is taken."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        booking = _locked_active(person, booking_id, now)
        offer = _offer(booking.service.code, counter or booking.counter.code)
        starts_at, ends_at = _checked_slot(offer, starts_at, now)
        target = _slot_row(offer, starts_at, ends_at)
        if target.pk == booking.slot_id:
            return booking
        slots = _lock_slots(booking.slot_id, target.pk)
        _take_place(slots[target.pk], offer)
        _give_back(slots[booking.slot_id])
        moved_from = {"counter": booking.counter.code, "starts_at": booking.starts_at}
        booking.counter, booking.slot = offer.counter, slots[target.pk]
        booking.starts_at, booking.ends_at, booking.updated_at = starts_at, ends_at, now
        booking.reminded_at = None  # the new time gets its own eve-of-visit reminder
        booking.save(update_fields=["counter", "slot", "starts_at", "ends_at", "updated_at", "reminded_at"])
        _announce(
            booking,
            actor=actor,
            event="rescheduled",
            verb="已改期",
            moved_from=moved_from,
        )
    return booking


# --- at the counter: the day's queue ------------------------------------------------------


class NotTheVisitDay(AppointmentsError):
    code = "NOT_THE_VISIT_DAY"
    http_status = 409


class VisitNotBegun(AppointmentsError):
    code = "VISIT_NOT_BEGUN"
    http_status = 409


def _locked_booking(booking_id: int) -> Booking:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("counter", "service")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise BookingNotFound(_("There is no such booking."))
    if booking.status != BookingStatus.BOOKED:
        raise BookingNotActive(
            _("Booking %(reference)s is no longer waiting: it is %(status)s.")
            % {"reference": booking.reference, "status": booking.get_status_display()},
            field="status",
        )
    return booking


def _record_visit(booking: Booking, status: str, *, actor, event: str, verb: str, now: datetime) -> Booking:
    booking.status, booking.updated_at = status, now
    booking.save(update_fields=["status", "updated_at"])
    # The place stays taken: the slot's time is used, whoever came.
    record_event(
        actor=actor,
        action=f"appointments.{event}",
        target=booking,
        summary=_summary(verb, booking),
        data=_data(booking),
    )
    return booking


def record_arrival(*, booking_id: int, actor) -> Booking:
    """The person has come to the counter for their booking (ATTENDED), on the day of the visit."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        booking = _locked_booking(booking_id)
        if timezone.localdate(booking.starts_at) != timezone.localdate(now):
            raise NotTheVisitDay(
                _("Booking %(reference)s is for %(day)s: arrivals are recorded on the day of the visit.")
                % {"reference": booking.reference, "day": timezone.localdate(booking.starts_at).isoformat()},
                field="starts_at",
            )
        return _record_visit(
            booking, BookingStatus.ATTENDED, actor=actor, event="attended", verb="已到场", now=now
        )


def record_no_show(*, booking_id: int, actor) -> Booking:
    """The person did not come (NO_SHOW); recorded once the booked time has begun."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        booking = _locked_booking(booking_id)
        if booking.starts_at > now:
            raise VisitNotBegun(
                _("Booking %(reference)s starts at %(time)s: a no-show is recorded once its time has begun.")
                % {
                    "reference": booking.reference,
                    "time": f"{timezone.localtime(booking.starts_at):%Y-%m-%d %H:%M}",
                },
                field="starts_at",
            )
        return _record_visit(
            booking, BookingStatus.NO_SHOW, actor=actor, event="no_show", verb="未到场", now=now
        )


# --- the eve-of-visit reminder --------------------------------------------------------------


def remind_booking(*, booking_id: int) -> bool:
    """Text the person about tomorrow's visit, once per visit time: whether a reminder was written.

    The row lock and ``reminded_at`` make a second run (the next hour's beat, a retried task) a
    no-op; a booking cancelled, recorded or already begun is not reminded.
    """
    now = timezone.now()
    with transaction.atomic(durable=True):
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("counter", "service", "person")
            .filter(pk=booking_id)
            .first()
        )
        if booking is None or booking.status != BookingStatus.BOOKED or booking.reminded_at is not None:
            return False
        if booking.starts_at <= now:
            return False
        booking.reminded_at = now
        booking.save(update_fields=["reminded_at"])
        _tell(booking, "reminder")
    return True
