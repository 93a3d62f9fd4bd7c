"""accounts.overview.employer_overview: a unit's front page figures, one query whatever its size."""

import random
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccountStatus, FundAccount, Person
from accounts.numbering import FUND_ACCOUNT, format_number
from accounts.overview import employer_overview
from accounts.roster import roster_accounts, roster_rows
from accounts.selectors import monthly_parts
from core.models import PolicyParameter
from core.money import FEN_HALF_UP, YUAN_HALF_UP
from ledger.services import open_fund_ledger_accounts
from tests.accounts.factories import EmployerFactory, FundAccountFactory, PersonFactory

pytestmark = pytest.mark.django_db

LARGE_UNIT = 3000
# At 11.5% and 7.25%: 0; a part of exactly half a fen (bases 100 and 200) and of exactly half a
# yuan (10,000 and 20,000); the seeded floor and cap.
EDGE_BASES = (0, 100, 200, 10_000, 20_000, 203_000, 3_100_000)


def _rounding_in_force(rounding):
    PolicyParameter.objects.create(
        key="deposit.rounding", value=rounding, effective_from=timezone.localdate()
    )


def _open_accounts(unit, bases, *, first=0, status=AccountStatus.NORMAL):
    """Accounts at ``unit`` with these bases, inserted in bulk: thousands in a second or two."""
    people = Person.objects.bulk_create(PersonFactory.build_batch(len(bases)))
    numbers = [format_number(FUND_ACCOUNT, 8_000_000 + first + n) for n in range(len(bases))]
    ledger = open_fund_ledger_accounts(account_nos=numbers)
    sealed_on = date(2026, 1, 31) if status == AccountStatus.SEALED else None
    FundAccount.objects.bulk_create(
        FundAccount(
            account_no=number,
            person=person,
            employer=unit,
            status=status,
            base=base,
            opened_on=date(2020, 1, 1),
            sealed_on=sealed_on,
            ledger_account=ledger[number],
        )
        for number, person, base in zip(numbers, people, bases, strict=True)
    )


def _sum_per_account(unit, rounding):
    bases = FundAccount.objects.filter(employer=unit, status=AccountStatus.NORMAL).values_list(
        "base", flat=True
    )
    return sum(
        sum(
            monthly_parts(
                base=base,
                employer_rate_bp=unit.employer_rate_bp,
                employee_rate_bp=unit.employee_rate_bp,
                rounding=rounding,
            )
        )
        for base in bases
    )


def _queries(unit) -> int:
    with CaptureQueriesContext(connection) as captured:
        employer_overview(unit)
    return len(captured)


@pytest.fixture
def large_unit(db):
    """A unit of 3,000 normal accounts with bases drawn at random and on the rounding edges, and
    a few sealed ones, at rates that make halves common."""
    unit = EmployerFactory(employer_rate_bp=1150, employee_rate_bp=725)
    rng = random.Random(30000)
    bases = list(EDGE_BASES) + [rng.randint(203_000, 3_100_000) for _ in range(LARGE_UNIT - len(EDGE_BASES))]
    _open_accounts(unit, bases)
    _open_accounts(unit, [812_345, 500], first=LARGE_UNIT, status=AccountStatus.SEALED)
    return unit


class TestEmployerOverview:
    @pytest.mark.parametrize("rounding", [FEN_HALF_UP, YUAN_HALF_UP])
    def test_totals_the_parts_of_every_normal_account_each_rounded_on_its_own(self, large_unit, rounding):
        _rounding_in_force(rounding)

        overview = employer_overview(large_unit)

        assert overview.monthly_total == _sum_per_account(large_unit, rounding)

    def test_agrees_with_the_roster_s_rows(self, large_unit):
        rows = roster_rows(roster_accounts(large_unit), large_unit)

        overview = employer_overview(large_unit)

        assert overview.monthly_total == sum(row.monthly_amount for row in rows)

    def test_asks_the_same_few_queries_for_three_thousand_accounts_as_for_one(self, large_unit):
        small_unit = EmployerFactory(employer_rate_bp=1150, employee_rate_bp=725)
        FundAccountFactory(employer=small_unit)

        assert _queries(large_unit) == _queries(small_unit) == 2  # the rounding rule, the figures

    def test_counts_the_accounts_by_status(self, large_unit):
        overview = employer_overview(large_unit)

        counts = {row.status: row.count for row in overview.accounts_by_status}
        assert counts == {AccountStatus.NORMAL: LARGE_UNIT, AccountStatus.SEALED: 2}

    def test_rounds_a_half_fen_up_for_each_part(self):
        unit = EmployerFactory(employer_rate_bp=1000, employee_rate_bp=1000)
        FundAccountFactory(employer=unit, base=5)  # 0.5 fen for each part

        assert employer_overview(unit).monthly_total == 2

    def test_rounds_each_part_to_the_yuan_under_the_yuan_rule(self):
        _rounding_in_force(YUAN_HALF_UP)
        unit = EmployerFactory(employer_rate_bp=1000, employee_rate_bp=1000)
        FundAccountFactory(employer=unit, base=500)  # 50 fen for each part

        assert employer_overview(unit).monthly_total == 200

    def test_leaves_out_sealed_accounts(self):
        unit = EmployerFactory()
        FundAccountFactory(employer=unit, base=500_000)
        FundAccountFactory(
            employer=unit, base=900_000, status=AccountStatus.SEALED, sealed_on=date(2025, 5, 31)
        )

        assert employer_overview(unit).monthly_total == 2 * 60_000

    def test_shows_zero_for_a_unit_without_accounts(self):
        unit = EmployerFactory()

        overview = employer_overview(unit)

        assert (overview.monthly_total, overview.accounts_by_status) == (0, [])
