"""Calendar arithmetic for rules: whole months between dates and ages from a birth month.

Periods in months follow the Civil Code (民法典 art. 202): a period of N months starting on day D
ends on day D of the N-th following month, or on that month's last day when it has no day D.
So sealed on 31 January, six months are complete on 31 July; sealed on 31 August, on 28 (or 29)
February.
"""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (or earlier), clamped to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months_between(start: date, end: date) -> int:
    """The largest n with ``add_months(start, n) <= end``: complete calendar months from start to end.

    Negative when ``end`` is before ``start`` (a contradiction the rules then treat as too soon).
    """
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def age_in_years(*, birth_year: int, birth_month: int, on: date) -> int:
    """Age in whole years (周岁) on a date, counted by month from the birth year and month.

    Only the birth month is known (the day stays with the ID number, outside the facts), so the
    birthday counts from the first of the birth month: a person born in May 1990 is 65 from
    1 May 2055.
    """
    months = (on.year - birth_year) * 12 + (on.month - birth_month)
    return months // 12
