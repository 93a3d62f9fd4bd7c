"""The appointment tests' clock and calendar: a Monday morning before the 2026 National Day holiday.

The calendar days used are written here, not taken from the seeded package data: 1 October 2026
(Thursday) is a public holiday and 10 October 2026 (Saturday) an adjusted working day (调休).
Import the fixtures into a test module (or conftest) to use them.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from core.models import CalendarDay, CalendarYear

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)  # a Monday morning
TUESDAY = date(2026, 9, 29)
WEDNESDAY = date(2026, 9, 30)
NATIONAL_DAY = date(2026, 10, 1)
ADJUSTED_SATURDAY = date(2026, 10, 10)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def national_day_calendar(db):
    CalendarYear.objects.update_or_create(year=2026, defaults={"source": "staff", "complete": True})
    CalendarDay.objects.update_or_create(
        date=NATIONAL_DAY, defaults={"is_working_day": False, "name": "国庆节", "source": "staff"}
    )
    CalendarDay.objects.update_or_create(
        date=ADJUSTED_SATURDAY,
        defaults={"is_working_day": True, "name": "调休上班（国庆节）", "source": "staff"},
    )


@pytest.fixture
def frozen(national_day_calendar):
    with freeze_time(NOW) as clock:
        yield clock
