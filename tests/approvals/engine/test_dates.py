from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approvals.engine import add_months, age_in_years, whole_months_between


class TestAddMonths:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (date(2026, 1, 31), 1, date(2026, 2, 28)),
            (date(2024, 1, 31), 1, date(2024, 2, 29)),
            (date(2026, 1, 31), 6, date(2026, 7, 31)),
            (date(2026, 8, 31), 6, date(2027, 2, 28)),
            (date(2026, 11, 15), 3, date(2027, 2, 15)),
            (date(2026, 3, 31), -1, date(2026, 2, 28)),
            (date(2026, 5, 10), 0, date(2026, 5, 10)),
        ],
    )
    def test_moves_by_calendar_months_clamping_to_the_month_end(self, day, months, expected):
        moved = add_months(day, months)

        assert moved == expected


class TestWholeMonthsBetween:
    @pytest.mark.parametrize(
        ("start", "end", "months"),
        [
            (date(2026, 1, 31), date(2026, 7, 30), 5),
            (date(2026, 1, 31), date(2026, 7, 31), 6),
            (date(2026, 3, 1), date(2026, 8, 31), 5),
            (date(2026, 3, 1), date(2026, 9, 1), 6),
            (date(2026, 8, 31), date(2027, 2, 27), 5),
            (date(2026, 8, 31), date(2027, 2, 28), 6),
            (date(2024, 2, 29), date(2025, 2, 28), 12),
            (date(2026, 2, 28), date(2026, 3, 28), 1),
            (date(2026, 2, 28), date(2026, 3, 27), 0),
            (date(2026, 5, 10), date(2026, 5, 10), 0),
            (date(2025, 12, 15), date(2026, 1, 14), 0),
            (date(2025, 12, 15), date(2026, 1, 15), 1),
        ],
    )
    def test_counts_complete_calendar_months(self, start, end, months):
        counted = whole_months_between(start, end)

        assert counted == months

    def test_is_negative_when_the_end_comes_first(self):
        counted = whole_months_between(date(2026, 3, 15), date(2026, 3, 10))

        assert counted == -1

    @given(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 600))
    def test_is_exactly_the_months_added(self, start, months):
        counted = whole_months_between(start, add_months(start, months))

        assert counted == months


class TestAgeInYears:
    @pytest.mark.parametrize(
        ("on", "age"),
        [(date(2055, 4, 30), 64), (date(2055, 5, 1), 65), (date(2056, 4, 30), 65), (date(2056, 5, 1), 66)],
    )
    def test_counts_whole_years_from_the_birth_month(self, on, age):
        counted = age_in_years(birth_year=1990, birth_month=5, on=on)

        assert counted == age
