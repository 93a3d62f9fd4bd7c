"""The weekend rota (周末轮班): which counters open on which weekend days and holidays, week by week.

A rota day is a day of the week the working-day calendar closes the counters (Saturday, Sunday,
a public holiday); an adjusted working weekend day (调休) is an ordinary working day and not part
of the rota. A counter on the rota that day is one :class:`~appointments.models.CounterDay` with
``note`` = :data:`~appointments.models.ROTA_NOTE` and its opening periods, so booking reads the
rota like any other day override and nothing in booking knows about rotas. The rota changes only
its own rows: a closure entered in the admin (设备检修) is shown and left alone.

:func:`plan_weekend_rota` replaces a week's plan as a whole, in one transaction with its audit
event. It refuses to close a day — or shorten its hours — that people have booked, and says which
bookings stand in the way: cancelling somebody's visit is a decision for a person at the counter
to take (``cancel`` in the admin or a call), not a side effect of a form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from itertools import pairwise

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import ADMIN, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, STAFF_SECTION_CHIEF, roles_of
from appointments.models import ROTA_NOTE, Booking, BookingStatus, Counter, CounterDay, CounterDayPeriod
from appointments.selectors import day_plans, days_between, local_moment
from appointments.services import AppointmentsError
from audit.services import record_event
from core.calendar import describe_day

#: Who plans the rota: the section chiefs and those above them (a clerk works the counter).
ROTA_PLANNER_ROLES = frozenset({STAFF_SECTION_CHIEF, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, ADMIN})
#: A rota day's hours unless the planner says otherwise (weekend counters open mornings).
DEFAULT_PERIODS = ((time(9), time(12)),)
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*(?:-|–|—|~|～|至|到)\s*(\d{1,2}):(\d{2})$")

Periods = tuple[tuple[time, time], ...]


class RotaError(AppointmentsError):
    code = "ROTA_ERROR"


class InvalidWeek(RotaError):
    code = "INVALID_WEEK"


class NotARotaDay(RotaError):
    code = "NOT_A_ROTA_DAY"


class UnknownCounter(RotaError):
    code = "UNKNOWN_COUNTER"


class InvalidHours(RotaError):
    code = "INVALID_HOURS"


class DaySetElsewhere(RotaError):
    code = "DAY_SET_ELSEWHERE"
    http_status = 409


class DayHasBookings(RotaError):
    code = "DAY_HAS_BOOKINGS"
    http_status = 409

    def __init__(self, message: str, *, bookings: list[Booking]):
        super().__init__(message, field="openings")
        self.bookings = bookings


class NotAllowedToPlan(RotaError):
    code = "NOT_ALLOWED_TO_PLAN"
    http_status = 403


# --- weeks ---------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_code(monday: date) -> str:
    """``2026-W40``: the ISO week, as ``<input type="week">`` writes it."""
    year, number, _weekday = monday.isocalendar()
    return f"{year}-W{number:02d}"


def parse_week(value: str | date | None, *, today: date | None = None) -> date:
    """The Monday of ``value`` (``2026-W40``, or any date of the week); this week when empty."""
    if isinstance(value, date):
        return monday_of(value)
    if not value:
        return monday_of(today or timezone.localdate())
    found = _WEEK.match(value.strip())
    try:
        if found is None:
            raise ValueError(value)
        return date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise InvalidWeek(_("A week is written like 2026-W40."), field="week") from None


def parse_hours(text: str) -> Periods:
    """``"09:00-12:00, 13:00-17:00"`` → the periods, in order; empty text → the default hours."""
    text = (text or "").strip()
    if not text:
        return DEFAULT_PERIODS
    periods = []
    for part in re.split(r"[,，;；、]\s*", text):
        found = _HOURS.match(part.strip())
        try:
            if found is None:
                raise ValueError(part)
            opens_at, closes_at = time(int(found[1]), int(found[2])), time(int(found[3]), int(found[4]))
        except ValueError:
            raise InvalidHours(
                _("Write the hours like 09:00-12:00, or 09:00-12:00, 13:00-17:00."), field="hours"
            ) from None
        periods.append((opens_at, closes_at))
    return checked_periods(periods)


def checked_periods(periods: Iterable[tuple[time, time]]) -> Periods:
    ordered = tuple(sorted(periods))
    if not ordered:
        return DEFAULT_PERIODS
    for opens_at, closes_at in ordered:
        if closes_at <= opens_at:
            raise InvalidHours(_("A period closes after it opens."), field="hours")
    for (_opens, closes_at), (next_opens, _closes) in pairwise(ordered):
        if next_opens < closes_at:
            raise InvalidHours(_("The periods of one day overlap."), field="hours")
    return ordered


def hours_text(periods: Periods) -> str:
    return ", ".join(f"{opens_at:%H:%M}-{closes_at:%H:%M}" for opens_at, closes_at in periods)


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RotaDay:
    """A day of the week the calendar closes the counters, so the rota decides who opens."""

    day: date
    name: str  # the holiday's name from the calendar, or ""
    past: bool


@dataclass(frozen=True)
class RotaCell:
    """One counter on one rota day."""

    counter: Counter
    day: date
    periods: Periods  # empty: closed
    set_elsewhere: str = ""  # the note of a day override the rota does not own (设备检修)
    bookings: int = 0  # active bookings that day

    @property
    def is_open(self) -> bool:
        return bool(self.periods)

    @property
    def hours(self) -> str:
        return hours_text(self.periods)


@dataclass(frozen=True)
class WeekRota:
    monday: date
    days: list[RotaDay]
    working_weekend_days: list[RotaDay]  # 调休: open as working days, not on the rota
    rows: list[tuple[Counter, list[RotaCell]]]

    @property
    def code(self) -> str:
        return week_code(self.monday)

    def open_on(self, day: date) -> list[RotaCell]:
        return [cell for _counter, cells in self.rows for cell in cells if cell.day == day and cell.is_open]


def _days_of(monday: date, today: date) -> tuple[list[RotaDay], list[RotaDay]]:
    rota, working_weekend = [], []
    for day in days_between(monday, monday + timedelta(days=6)):
        info = describe_day(day)
        weekend = day.weekday() >= 5
        if info.is_working_day and not weekend:
            continue
        entry = RotaDay(day, info.name, day < today)
        (working_weekend if info.is_working_day else rota).append(entry)
    return rota, working_weekend


def weekend_rota(week: str | date | None = None, *, today: date | None = None) -> WeekRota:
    """The rota of ``week`` for every active counter: who opens on each rota day, and its hours."""
    today = today or timezone.localdate()
    monday = parse_week(week, today=today)
    days, working_weekend = _days_of(monday, today)
    counters = list(Counter.objects.filter(active=True).order_by("code"))
    dates = [entry.day for entry in days]
    overrides = {
        (row.counter_id, row.date): row
        for row in CounterDay.objects.filter(counter__in=counters, date__in=dates).prefetch_related("periods")
    }
    booked = _booked_counts(counters, dates)
    # What booking will offer: a row from the admin without periods keeps the regular hours.
    plans = day_plans(counters, monday, monday + timedelta(days=6))
    rows = []
    for counter in counters:
        cells = []
        for day in dates:
            row = overrides.get((counter.pk, day))
            periods = plans[counter.pk, day].periods if row is not None and row.is_open else ()
            elsewhere = (
                (row.note or _("Set in the admin")) if row is not None and row.note != ROTA_NOTE else ""
            )
            cells.append(RotaCell(counter, day, periods, elsewhere, booked.get((counter.pk, day), 0)))
        rows.append((counter, cells))
    return WeekRota(monday, days, working_weekend, rows)


def _stored_periods(row: CounterDay) -> Periods:
    # Empty for an open row without periods (regular hours): never equal to a plan, so saving the
    # rota writes its hours down.
    return tuple(sorted((p.opens_at, p.closes_at) for p in row.periods.all()))


def _booked_counts(counters: list[Counter], dates: list[date]) -> dict[tuple[int, date], int]:
    counts: dict[tuple[int, date], int] = {}
    for booking in _active_bookings([counter.pk for counter in counters], dates):
        key = (booking.counter_id, timezone.localdate(booking.starts_at))
        counts[key] = counts.get(key, 0) + 1
    return counts


def _active_bookings(counter_ids: list[int], dates: list[date]):
    if not dates:
        return Booking.objects.none()
    return Booking.objects.filter(
        counter_id__in=counter_ids,
        status=BookingStatus.BOOKED,
        starts_at__gte=local_moment(min(dates), time.min),
        starts_at__lt=local_moment(max(dates) + timedelta(days=1), time.min),
    ).order_by("starts_at", "pk")


def coming_rotas(*, weeks: int = 3, today: date | None = None) -> list[WeekRota]:
    """This week's rota and the next ones', for the public page."""
    today = today or timezone.localdate()
    return [weekend_rota(monday_of(today) + timedelta(weeks=n), today=today) for n in range(weeks)]


# --- planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """A counter (its code) open on a rota day, with its periods (the default hours when none)."""

    counter: str
    day: date
    periods: Periods = DEFAULT_PERIODS


@dataclass
class RotaChange:
    week: str
    opened: list[tuple[str, date]] = field(default_factory=list)
    changed: list[tuple[str, date]] = field(default_factory=list)
    closed: list[tuple[str, date]] = field(default_factory=list)
    skipped: list[date] = field(default_factory=list)  # copy: days that are no rota day in the target week

    @property
    def unchanged(self) -> bool:
        return not (self.opened or self.changed or self.closed)


def may_plan_rota(user) -> bool:
    return bool(roles_of(user) & ROTA_PLANNER_ROLES)


def _wanted(openings: Iterable[Opening], plannable: set[date], counters: dict[str, Counter]):
    wanted: dict[tuple[int, date], Periods] = {}
    for opening in openings:
        counter = counters.get(opening.counter)
        if counter is None:
            raise UnknownCounter(_("There is no such counter."), field="counter")
        if opening.day not in plannable:
            raise NotARotaDay(
                _("%(day)s is not a coming weekend day or holiday of this week.")
                % {"day": opening.day.isoformat()},
                field="day",
            )
        wanted[counter.pk, opening.day] = checked_periods(opening.periods)
    return wanted


def _stranded(bookings: list[Booking], periods: Periods) -> list[Booking]:
    """The bookings that would fall outside ``periods`` (all of them when the day closes)."""
    stranded = []
    for booking in bookings:
        starts_at, ends_at = timezone.localtime(booking.starts_at), timezone.localtime(booking.ends_at)
        fits = any(
            opens_at <= starts_at.time()
            and ends_at.time() <= closes_at
            and starts_at.date() == ends_at.date()
            for opens_at, closes_at in periods
        )
        if not fits:
            stranded.append(booking)
    return stranded


def _refuse_stranded(stranded: list[Booking]) -> None:
    listed = "; ".join(
        f"{booking.reference} {booking.counter.label} {timezone.localtime(booking.starts_at):%Y-%m-%d %H:%M}"
        for booking in stranded
    )
    raise DayHasBookings(
        _(
            "People have booked the hours this plan would close, so nothing was changed. "
            "Keep those hours open, or have the bookings cancelled first: %(bookings)s."
        )
        % {"bookings": listed},
        bookings=stranded,
    )


def plan_weekend_rota(*, week: str | date, openings: Iterable[Opening], actor) -> RotaChange:
    """Make ``openings`` the rota of ``week``'s coming rota days: those counters open, with those
    hours; every other active counter closed on those days. Days already past are left as they were.

    Atomic and audited (``appointments.rota_planned``); refused as a whole when it would close
    booked hours (:class:`DayHasBookings` names the bookings). ``actor`` must plan rotas
    (``None``: the system, e.g. the demo seed).
    """
    if actor is not None and not may_plan_rota(actor):
        raise NotAllowedToPlan(_("Only section chiefs and directors plan the weekend rota."))
    today = timezone.localdate()
    monday = parse_week(week, today=today)
    days, _working = _days_of(monday, today)
    plannable = {entry.day for entry in days if not entry.past}
    openings = list(openings)
    change = RotaChange(week=week_code(monday))
    with transaction.atomic(durable=True):
        # Counters locked in primary-key order: two planners of one week take turns, so neither
        # inserts a day row the other is inserting. NO KEY: a booking's insert (a foreign key to
        # the counter) must not wait for this while it holds the day row this waits for.
        counters = {
            counter.code: counter
            for counter in Counter.objects.select_for_update(no_key=True).filter(active=True).order_by("pk")
        }
        wanted = _wanted(openings, plannable, counters)
        dates = sorted(plannable)
        # The day rows are locked before the bookings are read: a booking of one of these days
        # share-locks the same row first (services._share_day), so it either commits before this
        # reads the bookings, or waits and then sees the day as planned here.
        rows = {
            (row.counter_id, row.date): row
            for row in CounterDay.objects.select_for_update()
            .filter(counter__in=counters.values(), date__in=dates)
            .order_by("pk")
        }
        current = {key: _stored_periods(row) for key, row in rows.items() if row.is_open}
        bookings: dict[tuple[int, date], list[Booking]] = {}
        for booking in _active_bookings([c.pk for c in counters.values()], dates).select_related("counter"):
            bookings.setdefault((booking.counter_id, timezone.localdate(booking.starts_at)), []).append(
                booking
            )
        stranded = []
        for counter in counters.values():
            for day in dates:
                key = (counter.pk, day)
                row = rows.get(key)
                if row is not None and row.note != ROTA_NOTE:
                    if key in wanted:
                        raise DaySetElsewhere(
                            _("%(counter)s on %(day)s is set in the admin (%(note)s): change it there.")
                            % {"counter": counter.label, "day": day.isoformat(), "note": row.note or "—"},
                            field="openings",
                        )
                    continue
                if wanted.get(key) == current.get(key):
                    continue
                stranded += _stranded(bookings.get(key, []), wanted.get(key, ()))
                _apply(counter, day, row, wanted.get(key), change)
        if stranded:
            _refuse_stranded(stranded)
        if not change.unchanged:
            record_event(
                actor=actor,
                actor_label=None if actor is not None else "system:rota",
                action="appointments.rota_planned",
                summary=f"{ROTA_NOTE} {change.week}: 开{len(change.opened)} 改{len(change.changed)} "
                f"关{len(change.closed)}",
                data={
                    "week": change.week,
                    "opened": _listed(change.opened, counters, wanted),
                    "changed": _listed(change.changed, counters, wanted),
                    "closed": [{"counter": code, "day": day} for code, day in change.closed],
                },
            )
    return change


def _listed(entries, counters: dict[str, Counter], wanted) -> list[dict]:
    return [
        {"counter": code, "day": day, "hours": hours_text(wanted[counters[code].pk, day])}
        for code, day in entries
    ]


def _apply(counter: Counter, day: date, row: CounterDay | None, periods: Periods | None, change) -> None:
    """Write one counter's day as planned (the caller refuses the whole plan if it strands bookings)."""
    if periods is None:
        row.delete()  # closed: the calendar's weekend or holiday speaks again
        change.closed.append((counter.code, day))
        return
    if row is None:
        row = CounterDay.objects.create(counter=counter, date=day, is_open=True, note=ROTA_NOTE)
        change.opened.append((counter.code, day))
    else:
        row.periods.all().delete()
        if not row.is_open:
            row.is_open = True
            row.save(update_fields=["is_open"])
        change.changed.append((counter.code, day))
    CounterDayPeriod.objects.bulk_create(
        CounterDayPeriod(day=row, opens_at=opens_at, closes_at=closes_at) for opens_at, closes_at in periods
    )


def copy_weekend_rota(*, week: str | date, actor) -> RotaChange:
    """Plan the week after ``week`` as ``week`` is planned: the same counters open on the same
    weekdays with the same hours. A day of ``week`` whose weekday is no rota day next week (an
    adjusted working Saturday) is not copied and is listed in ``skipped``."""
    today = timezone.localdate()
    source = weekend_rota(week, today=today)
    target = source.monday + timedelta(weeks=1)
    target_days = {entry.day for entry in _days_of(target, today)[0] if not entry.past}
    openings, skipped = [], []
    for entry in source.days:
        day = entry.day + timedelta(weeks=1)
        cells = [cell for cell in source.open_on(entry.day) if not cell.set_elsewhere]
        if day not in target_days:
            if cells:
                skipped.append(day)
            continue
        openings += [Opening(cell.counter.code, day, cell.periods) for cell in cells]
    change = plan_weekend_rota(week=target, openings=openings, actor=actor)
    change.skipped = skipped
    return change
