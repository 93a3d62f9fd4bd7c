from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from chinese_calendar import constants
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendar import (
    add_working_days,
    calendar_coverage,
    describe_day,
    is_working_day,
    uncovered_years,
    working_days_between,
)
from core.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

NATIONAL_DAY_2025 = [date(2025, 10, day) for day in range(1, 9)]


def _package_working_days(start: date, end: date) -> int:
    return sum(
        chinese_calendar.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )


class TestSeededCalendar:
    def test_holds_exactly_the_package_days_that_differ_from_monday_to_friday(self):
        first, last = min(constants.holidays).year, max(constants.holidays).year
        expected = {
            day: chinese_calendar.is_workday(day)
            for day in (
                date(first, 1, 1) + timedelta(days=i)
                for i in range((date(last, 12, 31) - date(first, 1, 1)).days + 1)
            )
            if chinese_calendar.is_workday(day) != (day.weekday() < 5)
        }

        stored = dict(CalendarDay.objects.values_list("date", "is_working_day"))

        assert stored == expected

    def test_marks_every_package_year_complete(self):
        years = set(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))

        assert years == set(range(2004, 2027))

    def test_names_holidays_and_adjusted_working_days_in_chinese(self):
        names = dict(
            CalendarDay.objects.filter(date__in=[date(2025, 10, 1), date(2025, 9, 28)]).values_list(
                "date", "name"
            )
        )

        assert names == {date(2025, 10, 1): "国庆节", date(2025, 9, 28): "调休上班（国庆节）"}


class TestIsWorkingDay:
    @pytest.mark.parametrize("day", NATIONAL_DAY_2025)
    def test_gives_the_2025_national_day_holiday_off(self, day):
        assert is_working_day(day) is False
        assert chinese_calendar.is_holiday(day) is True

    @pytest.mark.parametrize("day", [date(2025, 9, 28), date(2025, 10, 11)])
    def test_counts_the_adjusted_weekend_days_as_working(self, day):
        assert day.weekday() >= 5
        assert is_working_day(day) is True
        assert chinese_calendar.is_workday(day) is True

    def test_agrees_with_the_package_on_every_day_of_2025(self):
        days = [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]

        disagreements = [day for day in days if is_working_day(day) != chinese_calendar.is_workday(day)]

        assert disagreements == []

    @pytest.mark.parametrize(("day", "working"), [(date(2027, 10, 1), True), (date(2027, 10, 2), False)])
    def test_falls_back_to_monday_to_friday_in_an_unknown_year(self, day, working):
        assert is_working_day(day) is working

    def test_follows_a_day_entered_by_staff_for_an_unknown_year(self):
        CalendarDay.objects.create(
            date=date(2027, 10, 1), is_working_day=False, name="国庆节", source="staff"
        )

        result = is_working_day(date(2027, 10, 1))

        assert result is False

    def test_follows_staff_overriding_a_package_day(self):
        CalendarDay.objects.filter(date=date(2025, 10, 8)).update(is_working_day=True, source="staff")

        result = is_working_day(date(2025, 10, 8))

        assert result is True

    def test_refuses_a_datetime(self):
        with pytest.raises(TypeError):
            is_working_day(datetime(2025, 10, 1, 12, 0))


class TestCalendarCoverage:
    def test_knows_2025(self):
        assert calendar_coverage(2025) is True

    def test_does_not_know_2027(self):
        assert calendar_coverage(2027) is False

    def test_does_not_know_a_year_staff_have_not_marked_complete(self):
        CalendarYear.objects.create(year=2027, source="staff", complete=False)

        assert calendar_coverage(2027) is False

    def test_knows_a_year_staff_marked_complete(self):
        CalendarYear.objects.create(year=2027, source="staff", complete=True)

        assert calendar_coverage(2027) is True


class TestUncoveredYears:
    def test_lists_the_unknown_years_of_a_range(self):
        result = uncovered_years(date(2026, 12, 20), date(2028, 1, 10))

        assert result == [2027, 2028]

    def test_is_empty_inside_known_years(self):
        assert uncovered_years(date(2025, 9, 1), date(2026, 3, 1)) == []


class TestDescribeDay:
    def test_names_a_holiday_of_a_known_year(self):
        result = describe_day(date(2025, 10, 6))

        assert (result.is_working_day, result.name, result.known) == (False, "中秋", True)

    def test_says_an_unknown_year_was_assumed_monday_to_friday(self):
        result = describe_day(date(2027, 10, 1))

        assert (result.is_working_day, result.name, result.known) == (True, "", False)


class TestAddWorkingDays:
    @pytest.mark.parametrize(
        ("start", "n", "expected"),
        [
            (date(2025, 9, 30), 1, date(2025, 10, 9)),
            (date(2025, 9, 30), 2, date(2025, 10, 10)),
            (date(2025, 9, 30), 3, date(2025, 10, 11)),
            (date(2025, 9, 27), 1, date(2025, 9, 28)),
            (date(2025, 9, 26), 8, date(2025, 10, 14)),
            (date(2025, 10, 3), 1, date(2025, 10, 9)),
        ],
    )
    def test_counts_across_the_2025_national_day_holiday(self, start, n, expected):
        result = add_working_days(start, n)

        assert result == expected

    def test_returns_a_working_start_day_itself_for_zero(self):
        assert add_working_days(date(2025, 9, 28), 0) == date(2025, 9, 28)

    def test_returns_the_next_working_day_for_zero_from_a_holiday(self):
        assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 9)

    def test_counts_monday_to_friday_in_an_unknown_year(self):
        result = add_working_days(date(2027, 9, 30), 3)

        assert result == date(2027, 10, 5)

    def test_crosses_from_a_known_year_into_an_unknown_one(self):
        result = add_working_days(date(2026, 12, 30), 3)

        assert result == date(2027, 1, 4)

    @pytest.mark.parametrize("n", [-1, 1.0, True])
    def test_refuses_anything_but_a_whole_number_of_zero_or_more(self, n):
        with pytest.raises(ValueError):
            add_working_days(date(2025, 1, 1), n)

    def test_needs_one_query_for_a_month_and_few_for_a_year(self, django_assert_max_num_queries):
        with django_assert_max_num_queries(1):
            add_working_days(date(2025, 9, 1), 20)
        with django_assert_max_num_queries(3):
            add_working_days(date(2025, 1, 1), 250)


class TestWorkingDaysBetween:
    def test_counts_working_days_after_start_up_to_and_including_end(self):
        result = working_days_between(date(2025, 9, 26), date(2025, 10, 14))

        assert result == 8

    def test_counts_nothing_across_the_national_day_holiday_itself(self):
        assert working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0

    def test_is_zero_from_a_day_to_itself(self):
        assert working_days_between(date(2025, 10, 11), date(2025, 10, 11)) == 0

    def test_counts_monday_to_friday_in_an_unknown_year(self):
        assert working_days_between(date(2026, 12, 31), date(2027, 12, 31)) == 261

    def test_refuses_an_end_before_the_start(self):
        with pytest.raises(ValueError):
            working_days_between(date(2025, 10, 2), date(2025, 10, 1))

    def test_agrees_with_the_package_over_every_known_year(self):
        result = working_days_between(date(2003, 12, 31), date(2026, 12, 31))

        assert result == _package_working_days(date(2003, 12, 31), date(2026, 12, 31))

    def test_needs_one_query_whatever_the_range(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            working_days_between(date(2004, 1, 1), date(2026, 12, 31))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(start=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 10, 31)), n=st.integers(0, 40))
    def test_is_the_inverse_of_add_working_days_and_matches_the_package(self, start, n):
        end = add_working_days(start, n)

        counted = working_days_between(start, end)

        assert chinese_calendar.is_workday(end)
        assert counted == _package_working_days(start, end)
        assert counted == n or (n == 0 and not chinese_calendar.is_workday(start) and counted == 1)
