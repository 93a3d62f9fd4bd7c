"""A statement reconciles with the ledger: opening + credits − debits = closing = the last day's balance."""

from datetime import date, timedelta

import pytest

from accounts.statements import (
    DEPOSITS,
    INTEREST,
    LOAN,
    TRANSFERS_IN,
    TRANSFERS_OUT,
    WITHDRAWALS,
    InvalidStatementRange,
    fund_statement,
    month_end_balances,
    months_back,
    statement_range,
    summarise,
    yearly_summary,
)
from ledger.models import BusinessType
from ledger.selectors import balance_of
from tests.accounts.factories import FundAccountFactory
from tests.accounts.statement_history import History, monthly_history, random_history

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)


@pytest.fixture
def account():
    return FundAccountFactory(opened_on=date(2019, 3, 1))


@pytest.fixture
def history(account):
    return History(account)


@pytest.fixture
def other_fund():
    """Another member's fund account with money for transfers between the two."""
    other = FundAccountFactory()
    History(other).deposit(date(2019, 1, 2), 100_000_000)
    return other.ledger_account


def reconciles(statement) -> bool:
    return (
        statement.opening_balance + statement.total_credit - statement.total_debit
        == statement.closing_balance
    )


class TestFundStatement:
    @pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
    def test_reconciles_with_the_ledger_for_any_range_of_a_random_history(
        self, account, history, other_fund, seed
    ):
        random_history(history, seed=seed, start=date(2019, 3, 1), days=2_000, other_fund=other_fund)
        last = date(2019, 3, 1) + timedelta(days=2_000)
        cuts = [date(2019, 3, 1), date(2020, 2, 29), date(2021, 6, 30), date(2022, 12, 31), last]

        statements = [
            fund_statement(account, date_from=start, date_to=end)
            for start in cuts
            for end in cuts
            if start <= end
        ]

        for statement in statements:
            assert reconciles(statement)
            assert statement.opening_balance == history.balance_on(statement.date_from - timedelta(days=1))
            assert statement.closing_balance == history.balance_on(statement.date_to)
        whole = fund_statement(account, date_from=date(2019, 1, 1), date_to=last)
        assert whole.closing_balance == balance_of(account.ledger_account)
        assert {line.business_type for line in whole.lines} >= {"01", "06", "07", "08", "09", "11"}
        assert any(line.reversal for line in whole.lines)

    def test_opens_with_the_balance_at_the_end_of_the_day_before(self, account, history):
        history.deposit(date(2026, 2, 28), 100_000)
        history.deposit(date(2026, 3, 1), 50_000)

        statement = fund_statement(account, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))

        assert statement.opening_balance == 100_000
        assert [(line.posted_on, line.credit, line.balance_after) for line in statement.lines] == [
            (date(2026, 3, 1), 50_000, 150_000)
        ]
        assert statement.closing_balance == 150_000

    def test_shows_a_reversal_as_its_own_line_and_nets_it_in_the_totals(self, account, history):
        history.deposit(date(2026, 1, 5), 300_000)
        wrong = history.withdraw(date(2026, 2, 1), 80_000)
        history.reverse(wrong, date(2026, 2, 3))

        statement = fund_statement(account, date_from=date(2026, 1, 1), date_to=date(2026, 2, 28))

        assert [(line.debit, line.credit, line.reversal) for line in statement.lines[1:]] == [
            (80_000, 0, False),
            (0, 80_000, True),
        ]
        withdrawals = next(total for total in statement.totals if total.business_type == "11")
        assert (withdrawals.credit, withdrawals.debit) == (80_000, 80_000)
        assert statement.closing_balance == 300_000

    def test_says_opening_equals_closing_for_a_range_without_movements(self, account, history):
        history.deposit(date(2025, 5, 15), 120_000)

        statement = fund_statement(account, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30))

        assert statement.lines == []
        assert statement.opening_balance == statement.closing_balance == 120_000

    def test_names_the_business_type_and_masks_the_id_number(self, account, history):
        history.interest(date(2026, 6, 30), 1_234)

        statement = fund_statement(account, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))

        assert statement.lines[0].business_type == BusinessType.ANNUAL_INTEREST
        assert statement.lines[0].business_type_label == "年终结息"
        assert statement.holder_id_masked.count("*") == 10
        assert account.person.id_number not in statement.holder_id_masked

    def test_reads_twenty_years_of_monthly_movements_in_two_queries(
        self, account, history, django_assert_num_queries
    ):
        monthly_history(history, first_year=2006, years=20)

        with django_assert_num_queries(2):
            statement = fund_statement(account, date_from=date(2006, 1, 1), date_to=date(2025, 12, 31))

        assert len(statement.lines) == 20 * 13
        assert statement.closing_balance == balance_of(account.ledger_account)


class TestStatementRange:
    def test_defaults_to_this_year_until_today(self):
        assert statement_range(date_from=None, date_to=None, today=TODAY) == (date(2026, 1, 1), TODAY)

    def test_starts_on_the_first_of_january_of_a_given_end_date(self):
        assert statement_range(date_from=None, date_to=date(2024, 5, 2), today=TODAY) == (
            date(2024, 1, 1),
            date(2024, 5, 2),
        )

    @pytest.mark.parametrize(
        ("start", "end", "code", "field"),
        [
            (date(2026, 5, 1), date(2026, 1, 1), "START_AFTER_END", "from"),
            (date(2026, 1, 1), date(2026, 11, 28), "DATE_IN_FUTURE", "to"),
            (date(2026, 12, 1), None, "DATE_IN_FUTURE", "from"),
            (date(2006, 11, 27), date(2026, 11, 27), "RANGE_TOO_LONG", "from"),
        ],
    )
    def test_refuses_a_range_naming_the_date_to_change(self, start, end, code, field):
        with pytest.raises(InvalidStatementRange) as refusal:
            statement_range(date_from=start, date_to=end, today=TODAY)

        assert (refusal.value.code, refusal.value.field) == (code, field)

    def test_accepts_twenty_years_less_a_day(self):
        assert statement_range(date_from=date(2006, 11, 28), date_to=TODAY, today=TODAY)[0] == date(
            2006, 11, 28
        )


class TestMonthEndBalances:
    def test_gives_one_balance_per_month_as_the_statement_has_it_at_each_month_end(
        self, account, history, other_fund
    ):
        random_history(history, seed=7, start=date(2024, 1, 1), days=1_000, other_fund=other_fund)
        first, last = months_back(count=24, today=TODAY)

        months = month_end_balances(account, first_month=first, last_month=last, today=TODAY)

        assert len(months) == 24
        assert (months[0].month, months[-1].month) == (date(2024, 12, 1), date(2026, 11, 1))
        assert months[-1].as_of == TODAY
        for month in months:
            assert month.balance == history.balance_on(month.as_of)


class TestYearlySummary:
    def test_each_year_adds_up_to_the_statement_of_that_year(self, account, history, other_fund):
        random_history(history, seed=11, start=date(2019, 3, 1), days=2_700, other_fund=other_fund)

        years = yearly_summary(account, today=TODAY)

        assert [year.year for year in years] == list(range(2019, 2027))
        for year in years:
            statement = fund_statement(account, date_from=year.date_from, date_to=year.date_to)
            money_in = year.deposits + year.interest + year.transfers_in + year.other
            money_out = year.withdrawals + year.transfers_out + year.loan
            assert (year.opening_balance, year.closing_balance) == (
                statement.opening_balance,
                statement.closing_balance,
            )
            assert money_in - money_out == statement.total_credit - statement.total_debit
        assert years[-1].closing_balance == balance_of(account.ledger_account)

    def test_sorts_each_kind_of_movement_into_its_figure(self, account, history, other_fund):
        history.deposit(date(2026, 1, 15), 200_000)
        history.deposit(date(2026, 2, 15), 50_000, back_payment=True)
        history.interest(date(2026, 6, 30), 3_000)
        history.transfer_in(date(2026, 3, 1), 400_000)
        history.internal(date(2026, 3, 2), 7_000, other_fund=other_fund, incoming=True)
        history.withdraw(date(2026, 4, 1), 60_000)
        history.withdraw(date(2026, 4, 2), 20_000, memo="委托按月还贷 2026-04 申请 #9")
        history.loan_offset(date(2026, 4, 3), 30_000)
        failed = history.transfer_out(date(2026, 5, 1), 100_000)
        history.reverse(failed, date(2026, 5, 3))
        history.internal(date(2026, 5, 4), 9_000, other_fund=other_fund, incoming=False)

        figures = summarise(fund_statement(account, date_from=date(2026, 1, 1), date_to=TODAY).lines)

        assert figures[DEPOSITS] == 250_000
        assert figures[INTEREST] == 3_000
        assert figures[TRANSFERS_IN] == 407_000
        assert figures[WITHDRAWALS] == 60_000
        assert figures[LOAN] == 50_000
        assert figures[TRANSFERS_OUT] == 9_000  # the failed transfer out came back
