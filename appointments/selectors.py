"""Reading the appointment book: when a counter is open, which slots are free, a person's bookings.

The day's opening periods are worked out in one place, :func:`day_plans`, which both the slot
lists and the booking service use, so a slot that is shown is a slot that can be booked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from appointments.models import (
    BookableService,
    Booking,
    BookingStatus,
    Counter,
    CounterDay,
    CounterService,
    OpeningHours,
    Slot,
)
from core.calendar import calendar_coverage, is_working_day

#: Bookings open this many days ahead (today counts as day 0).
BOOKING_HORIZON_DAYS = 14
#: A booking can be cancelled or moved until this long before it starts (the counter plans its day).
CANCELLATION_CUTOFF = timedelta(hours=1)
#: The longest range one slot query covers.
MAX_RANGE_DAYS = 31
_WORKING_WEEKDAYS = range(5)

# Why a counter takes no bookings on a day (DayPlan.closed_because).
OPEN = ""
HOLIDAY = "HOLIDAY"
WEEKEND = "WEEKEND"
CALENDAR_UNKNOWN = "CALENDAR_UNKNOWN"
COUNTER_CLOSED = "COUNTER_CLOSED"
NO_HOURS = "NO_HOURS"


@dataclass(frozen=True)
class DayPlan:
    """A counter's opening periods on one day; none, and why, when it is closed."""

    day: date
    periods: tuple[tuple[time, time], ...]
    closed_because: str = OPEN
    note: str = ""  # the CounterDay's note ("周末轮班"), or the calendar's holiday or 调休 name

    @property
    def is_open(self) -> bool:
        return bool(self.periods)


@dataclass(frozen=True)
class OpenSlot:
    counter: Counter
    service: BookableService
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


def local_moment(day: date, at: time) -> datetime:
    """``at`` on ``day`` at the counters (the centre's time zone)."""
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def bookable_days(today: date | None = None) -> tuple[date, date]:
    """The first and last day a booking may be made for, from ``today`` (the centre's today)."""
    today = today or timezone.localdate()
    return today, today + timedelta(days=BOOKING_HORIZON_DAYS)


def _calendar(days: Iterable[date]) -> dict[date, tuple[bool, bool]]:
    """Each day's (working day?, holidays of its year known?) from the working-day calendar."""
    known: dict[int, bool] = {}
    answer = {}
    for day in days:
        if day.year not in known:
            known[day.year] = calendar_coverage(day.year)
        answer[day] = (is_working_day(day), known[day.year])
    return answer


def _regular(hours: dict[int, list[tuple[time, time]]], day: date) -> tuple[tuple[time, time], ...]:
    """The counter's regular periods for ``day``; a weekend day without its own takes the weekday ones."""
    periods = hours.get(day.weekday())
    if not periods and day.weekday() not in _WORKING_WEEKDAYS:
        periods = next((hours[weekday] for weekday in _WORKING_WEEKDAYS if hours.get(weekday)), [])
    return tuple(sorted(periods or ()))


def day_plans(counters: Iterable[Counter], first: date, last: date) -> dict[tuple[int, date], DayPlan]:
    """Every counter's :class:`DayPlan` for each day from ``first`` to ``last``, keyed (counter id, day).

    A few queries for any number of counters, plus two per day for the calendar.
    """
    counter_ids = [counter.pk for counter in counters]
    days = days_between(first, last)
    hours: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for row in OpeningHours.objects.filter(counter_id__in=counter_ids):
        hours[row.counter_id][row.weekday].append((row.opens_at, row.closes_at))
    overrides = {
        (row.counter_id, row.date): row
        for row in CounterDay.objects.filter(
            counter_id__in=counter_ids, date__range=(first, last)
        ).prefetch_related("periods")
    }
    calendar = _calendar(days)
    plans = {}
    for counter_id in counter_ids:
        for day in days:
            plans[counter_id, day] = _plan(
                day, hours[counter_id], overrides.get((counter_id, day)), calendar[day]
            )
    return plans


def _plan(day: date, hours: dict, override: CounterDay | None, calendar: tuple[bool, bool]) -> DayPlan:
    if override is not None:
        if not override.is_open:
            return DayPlan(day, (), COUNTER_CLOSED, override.note)
        periods = tuple(sorted((p.opens_at, p.closes_at) for p in override.periods.all())) or _regular(
            hours, day
        )
        return DayPlan(day, periods, OPEN if periods else NO_HOURS, override.note)
    working, known = calendar
    if not known:
        # A booking is a promise: no promises on days whose holidays are not yet published.
        return DayPlan(day, (), CALENDAR_UNKNOWN)
    if not working:
        return DayPlan(day, (), HOLIDAY if day.weekday() in _WORKING_WEEKDAYS else WEEKEND)
    periods = _regular(hours, day)
    return DayPlan(day, periods, OPEN if periods else NO_HOURS)


def slot_times(plan: DayPlan, minutes: int) -> list[tuple[datetime, datetime]]:
    """The slots of ``minutes`` that fit in the day's periods, back to back from each opening."""
    length = timedelta(minutes=minutes)
    times = []
    for opens_at, closes_at in plan.periods:
        start, close = local_moment(plan.day, opens_at), local_moment(plan.day, closes_at)
        while start + length <= close:
            times.append((start, start + length))
            start += length
    return times


def active_services() -> list[BookableService]:
    return list(BookableService.objects.filter(active=True).order_by("code"))


def service_by_code(code: str) -> BookableService | None:
    return BookableService.objects.filter(code=code, active=True).first()


def offers_of(service: BookableService, counter_code: str | None = None) -> list[CounterService]:
    """Where ``service`` is offered (active counters only), optionally at one counter."""
    offers = CounterService.objects.filter(service=service, active=True, counter__active=True).select_related(
        "counter", "service"
    )
    if counter_code:
        offers = offers.filter(counter__code=counter_code)
    return list(offers.order_by("counter__code"))


def open_slots(
    *,
    service: BookableService,
    counter_code: str | None = None,
    first: date,
    last: date,
    now: datetime | None = None,
    include_full: bool = False,
    plans: dict[tuple[int, date], DayPlan] | None = None,
) -> list[OpenSlot]:
    """The future slots of ``service`` from ``first`` to ``last`` with their remaining places.

    The range is clipped to the days open for booking; full slots are left out unless
    ``include_full``. Ordered by time, then counter. ``plans`` are the counters' :func:`day_plans`
    when the caller already has them.
    """
    now = now or timezone.now()
    earliest, latest = bookable_days(timezone.localdate(now))
    first, last = max(first, earliest), min(last, latest, first + timedelta(days=MAX_RANGE_DAYS - 1))
    offers = offers_of(service, counter_code)
    if first > last or not offers:
        return []
    counters = [offer.counter for offer in offers]
    if plans is None:
        plans = day_plans(counters, first, last)
    booked = {
        (counter_id, starts_at): taken
        for counter_id, starts_at, taken in Slot.objects.filter(
            service=service,
            counter__in=counters,
            starts_at__gte=local_moment(first, time.min),
            starts_at__lt=local_moment(last + timedelta(days=1), time.min),
        ).values_list("counter_id", "starts_at", "booked")
    }
    slots = []
    for offer in offers:
        for day in days_between(first, last):
            for starts_at, ends_at in slot_times(plans[offer.counter_id, day], service.slot_minutes):
                if starts_at <= now:
                    continue
                taken = booked.get((offer.counter_id, starts_at), 0)
                if taken < offer.capacity or include_full:
                    slots.append(
                        OpenSlot(
                            offer.counter,
                            service,
                            starts_at,
                            ends_at,
                            offer.capacity,
                            min(taken, offer.capacity),
                        )
                    )
    slots.sort(key=lambda slot: (slot.starts_at, slot.counter.code))
    return slots


def bookings_of(person) -> list[Booking]:
    """Every booking of ``person``: the coming visits first (soonest first), then the rest, latest first."""
    now = timezone.now()
    rows = list(
        Booking.objects.filter(person=person)
        .select_related("counter", "service")
        .order_by("-starts_at", "-pk")
    )
    coming = [row for row in rows if row.status == BookingStatus.BOOKED and row.ends_at > now]
    coming.reverse()
    shown = {row.pk for row in coming}
    return coming + [row for row in rows if row.pk not in shown]


def may_change(booking: Booking, now: datetime | None = None) -> bool:
    """Can the person still cancel or move ``booking``?"""
    now = now or timezone.now()
    return booking.status == BookingStatus.BOOKED and booking.starts_at - now >= CANCELLATION_CUTOFF


def booking_of(person, booking_id: int) -> Booking | None:
    return Booking.objects.filter(person=person, pk=booking_id).select_related("counter", "service").first()


def active_counters() -> list[Counter]:
    return list(Counter.objects.filter(active=True).order_by("code"))


def counter_queue(counter: Counter, day: date) -> list[Booking]:
    """The bookings of ``counter`` on ``day`` that were not cancelled, by time (the counter's queue)."""
    return list(
        Booking.objects.filter(
            counter=counter,
            starts_at__gte=local_moment(day, time.min),
            starts_at__lt=local_moment(day + timedelta(days=1), time.min),
        )
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("person", "service")
        .order_by("starts_at", "pk")
    )


def booking_by_reference(reference: str) -> Booking | None:
    """The booking a person quotes at the counter (upper-cased, spaces ignored)."""
    code = "".join((reference or "").split()).upper()
    if not code:
        return None
    return Booking.objects.filter(reference=code).select_related("counter", "service", "person").first()


def bookings_to_remind(day: date) -> list[int]:
    """The bookings still waiting for ``day`` whose eve-of-visit text has not gone out."""
    return list(
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            reminded_at__isnull=True,
            starts_at__gte=local_moment(day, time.min),
            starts_at__lt=local_moment(day + timedelta(days=1), time.min),
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
