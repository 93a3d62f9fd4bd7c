"""The Chinese working-day calendar: public holidays off, adjusted weekend working days (调休) on.

The rule is Monday–Friday, corrected by :class:`~core.models.CalendarDay` rows (weekday holidays
and weekend working days), seeded from the ``chinese-calendar`` package for the years it knows and
entered by staff for later years. A year counts as known when a complete
:class:`~core.models.CalendarYear` row exists.

Outside known years the functions still answer, from plain Monday–Friday plus whatever days
staff have already entered, and never raise: a deadline must always be computable. Callers that
show a date to a person check :func:`calendar_coverage` (one year) or :func:`uncovered_years` (a
range) and say "holidays for 2027 are not yet published; counted Monday to Friday". The same
flag is on :func:`describe_day`'s result as ``known``.

Definitions:

- :func:`working_days_between` counts the working days in ``(start, end]``: the start day never
  counts, the end day does.
- :func:`add_working_days` with ``n ≥ 1`` is the n-th working day strictly after ``start``, so
  ``working_days_between(start, add_working_days(start, n)) == n``. With ``n == 0`` it is
  ``start`` itself when that is a working day, otherwise the next working day ("by the end of
  the same working day" for something received on a holiday).

Each function makes at most two queries (the exceptional days in range and the known years),
whatever the length of the range.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.models import CalendarDay, CalendarYear

_STANDARD_WEEKDAYS = 5  # Monday–Friday


@dataclass(frozen=True)
class DayInfo:
    date: date
    is_working_day: bool
    name: str  # the holiday or 调休 name, "" for an ordinary day
    known: bool  # False: the year's holidays are not in the calendar; Monday–Friday was assumed


def _check_date(value, argument: str) -> None:
    # A datetime is a date subclass; refusing it avoids silently using the UTC day.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{argument} must be a datetime.date, not {type(value).__name__}")


def _is_standard_working_day(day: date) -> bool:
    return day.weekday() < _STANDARD_WEEKDAYS


def _exceptions(first: date, last: date) -> dict[date, bool]:
    rows = CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_working_day")
    return dict(rows)


def calendar_coverage(year: int) -> bool:
    """Are the holidays of ``year`` in the calendar? If not, that year is counted Monday–Friday."""
    return CalendarYear.objects.filter(year=year, complete=True).exists()


def uncovered_years(start: date, end: date) -> list[int]:
    """The years from ``start`` to ``end`` (inclusive, either order) counted Monday–Friday (no data)."""
    first, last = sorted((start.year, end.year))
    known = set(
        CalendarYear.objects.filter(year__range=(first, last), complete=True).values_list("year", flat=True)
    )
    return [year for year in range(first, last + 1) if year not in known]


def describe_day(day: date) -> DayInfo:
    """Whether ``day`` is a working day, its holiday name and whether its year is known."""
    _check_date(day, "day")
    row = CalendarDay.objects.filter(date=day).values_list("is_working_day", "name").first()
    is_working, name = row if row else (_is_standard_working_day(day), "")
    return DayInfo(date=day, is_working_day=is_working, name=name, known=calendar_coverage(day.year))


def is_working_day(day: date) -> bool:
    """Is ``day`` a working day (public holidays off, adjusted weekend working days on)?"""
    _check_date(day, "day")
    row = CalendarDay.objects.filter(date=day).values_list("is_working_day", flat=True).first()
    return _is_standard_working_day(day) if row is None else row


def _count_standard_working_days(start: date, end: date) -> int:
    """Mondays–Fridays in (start, end], by arithmetic."""

    def through(day: date) -> int:
        # Mondays–Fridays from an arbitrary Monday (date.min's ordinal 1 is a Monday) up to ``day``.
        weeks, extra = divmod(day.toordinal(), 7)
        return weeks * _STANDARD_WEEKDAYS + min(extra, _STANDARD_WEEKDAYS)

    return through(end) - through(start)


def working_days_between(start: date, end: date) -> int:
    """The number of working days in ``(start, end]``; ``end`` before ``start`` is a ``ValueError``."""
    _check_date(start, "start")
    _check_date(end, "end")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if end == start:
        return 0
    count = _count_standard_working_days(start, end)
    for day, working in _exceptions(start + timedelta(days=1), end).items():
        standard = _is_standard_working_day(day)
        if working and not standard:
            count += 1
        elif standard and not working:
            count -= 1
    return count


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (n ≥ 1); for n == 0, the first working day on or after it."""
    _check_date(start, "start")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a whole number of working days ≥ 0, not {n!r}")
    # Enough calendar days for n working days even around the Spring Festival (about 9 days off
    # in a row); a longer run of exceptions just costs another query.
    window = n * 7 // 5 + 21
    if n == 0:
        day, remaining = start, 1
    else:
        day, remaining = start + timedelta(days=1), n
    while True:
        last = day + timedelta(days=window)
        exceptions = _exceptions(day, last)
        while day <= last:
            working = exceptions.get(day)
            if working is None:
                working = _is_standard_working_day(day)
            if working:
                remaining -= 1
                if remaining == 0:
                    return day
            day += timedelta(days=1)
