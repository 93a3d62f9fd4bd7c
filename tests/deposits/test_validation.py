"""Checking list rows against people, accounts, the period and the base policy."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccountStatus
from core.models import PolicyParameter
from deposits.reading import RawRow, read_list
from deposits.validation import expected_period, validate_list
from tests.accounts.factories import EmployerFactory, FundAccountFactory, resident_id
from tests.deposits.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

PERIOD = date(2026, 10, 1)
ON = date(2026, 11, 20)


@pytest.fixture
def employer():
    return EmployerFactory(paid_up_to=date(2026, 9, 1), employer_rate_bp=1200, employee_rate_bp=500)


def row_of(account, *, name=None, base="8000.00", account_no=None):
    person = account.person
    return (
        person.id_number,
        person.name if name is None else name,
        base,
        account.account_no if account_no is None else account_no,
    )


def codes(validation):
    return [(error.row, error.field, error.code) for error in validation.errors]


class TestValidateList:
    def test_reports_every_problem_of_a_file_at_once_with_rows_and_fields(self, employer):
        here = FundAccountFactory.create_batch(8, employer=employer)
        elsewhere = FundAccountFactory()
        sealed = FundAccountFactory(
            employer=employer, status=AccountStatus.SEALED, sealed_on=date(2026, 6, 30)
        )
        wrong_check = resident_id(900)[:17] + ("0" if resident_id(900)[17] != "0" else "1")
        data = csv_bytes(
            [
                row_of(here[0]),
                (wrong_check, "赵六", "8000", ""),
                row_of(here[1], name="王五"),
                (resident_id(901), "钱七", "8000", ""),
                row_of(elsewhere),
                row_of(here[2], account_no="350200000000"),
                row_of(here[3], base="2000"),
                row_of(here[4], base="31000.01"),
                row_of(here[5], base="八千"),
                row_of(here[6], base="-8000"),
                row_of(here[7], base="8000.001"),
                row_of(here[0], base="9000"),
                row_of(sealed),
                ("", "", "8000", ""),
            ]
        )

        validation = validate_list(
            read_list(data, filename="list.csv").rows, employer=employer, period=date(2026, 11, 1), on=ON
        )

        assert codes(validation) == [
            (0, "period", "WRONG_PERIOD"),
            (2, "id_number", "INVALID_ID_NUMBER"),
            (3, "name", "NAME_MISMATCH"),
            (4, "id_number", "UNKNOWN_PERSON"),
            (5, "id_number", "NOT_EMPLOYED_HERE"),
            (6, "account_no", "ACCOUNT_NO_MISMATCH"),
            (7, "base", "BASE_BELOW_FLOOR"),
            (8, "base", "BASE_ABOVE_CAP"),
            (9, "base", "INVALID_AMOUNT"),
            (10, "base", "INVALID_AMOUNT"),
            (11, "base", "INVALID_AMOUNT"),
            (12, "id_number", "DUPLICATE_ROW"),
            (13, "id_number", "NOT_EMPLOYED_HERE"),
            (14, "id_number", "INVALID_ID_NUMBER"),
            (14, "name", "MISSING_VALUE"),
        ]
        assert "第 1 行" in validation.errors[11].message
        assert [line.row_no for line in validation.lines] == [1]

    def test_computes_each_part_rounded_separately_and_the_totals(self, employer):
        account = FundAccountFactory(employer=employer)
        data = xlsx_bytes([row_of(account, base=8123.45)])

        validation = validate_list(
            read_list(data, filename="list.xlsx").rows, employer=employer, period=PERIOD, on=ON
        )

        line = validation.lines[0]
        assert (validation.errors, line.person_id, line.account_id) == ([], account.person_id, account.pk)
        assert (line.base, line.employer_part, line.employee_part) == (812345, 97481, 40617)
        assert (validation.totals.valid_rows, validation.totals.amount) == (1, 97481 + 40617)

    def test_uses_the_rounding_and_floor_in_force_for_the_period(self, employer):
        PolicyParameter.objects.create(key="deposit.rounding", value="YUAN_HALF_UP", effective_from=PERIOD)
        PolicyParameter.objects.create(key="deposit.base.floor", value=250000, effective_from=PERIOD)
        account = FundAccountFactory(employer=employer)
        rows = [
            RawRow(1, account.person.id_number, account.person.name, "8123.45", ""),
            RawRow(2, *row_of(FundAccountFactory(employer=employer), base="2400")),
        ]

        validation = validate_list(rows, employer=employer, period=PERIOD, on=ON)

        assert (validation.lines[0].employer_part, validation.lines[0].employee_part) == (97500, 40600)
        assert codes(validation) == [(2, "base", "BASE_BELOW_FLOOR")]

    def test_matches_names_whatever_the_spaces_and_middle_dot(self, employer):
        account = FundAccountFactory(employer=employer, person__name="阿依古丽·买买提")

        validation = validate_list(
            [RawRow(1, account.person.id_number.lower(), " 阿依古丽•买买提 ", "8000", "")],
            employer=employer,
            period=PERIOD,
            on=ON,
        )

        assert validation.errors == []

    def test_says_nothing_more_about_cells_refused_while_reading(self, employer):
        account = FundAccountFactory(employer=employer)
        row = RawRow(1, account.person.id_number, account.person.name, "", "", unreadable=frozenset({"base"}))

        validation = validate_list([row], employer=employer, period=PERIOD, on=ON)

        assert (validation.errors, validation.lines) == ([], [])

    def test_accepts_any_past_month_for_a_units_first_list_but_not_a_future_one(self):
        employer = EmployerFactory(paid_up_to=None)

        past = validate_list([], employer=employer, period=date(2026, 3, 1), on=ON)
        future = validate_list([], employer=employer, period=date(2026, 12, 1), on=ON)

        assert (codes(past), codes(future)) == ([], [(0, "period", "WRONG_PERIOD")])

    def test_takes_next_months_list_but_not_one_further_ahead(self):
        # ON is 2026-11-20: December's list may be prepared, January's not yet.
        paid_to_november = EmployerFactory(paid_up_to=date(2026, 11, 1))
        paid_to_december = EmployerFactory(paid_up_to=date(2026, 12, 1))

        december = validate_list([], employer=paid_to_november, period=date(2026, 12, 1), on=ON)
        january = validate_list([], employer=paid_to_december, period=date(2027, 1, 1), on=ON)

        assert codes(december) == []
        assert codes(january) == [(0, "period", "WRONG_PERIOD")]
        assert "2026-12" in january.errors[0].message

    def test_refuses_a_period_that_is_not_the_first_of_a_month(self, employer):
        with pytest.raises(ValueError):
            validate_list([], employer=employer, period=date(2026, 10, 2), on=ON)

    def test_costs_as_many_queries_for_200_rows_as_for_20(self, employer):
        accounts = FundAccountFactory.create_batch(200, employer=employer)
        rows = [RawRow(n, *row_of(account)) for n, account in enumerate(accounts, start=1)]

        with CaptureQueriesContext(connection) as small:
            few = validate_list(rows[:20], employer=employer, period=PERIOD, on=ON)
        with CaptureQueriesContext(connection) as large:
            many = validate_list(rows, employer=employer, period=PERIOD, on=ON)

        assert (len(few.lines), len(many.lines)) == (20, 200)
        assert len(large.captured_queries) == len(small.captured_queries) <= 3


class TestExpectedPeriod:
    def test_is_the_month_after_the_paid_up_month_across_a_year_end(self):
        assert expected_period(EmployerFactory.build(paid_up_to=date(2026, 12, 1))) == date(2027, 1, 1)
