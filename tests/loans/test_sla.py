"""The loan service level: working days used and left on the Chinese calendar, the queue, the
dashboard and application-to-disbursement times."""

from datetime import date

import pytest

from core.calendar import add_working_days, working_days_between
from loans.approval import approve_level
from loans.models import ApprovalLevel, LoanStatus
from loans.sla import (
    _WorkingDays,
    approval_queue,
    case_clock,
    disbursement_times,
    loan_case,
    sla_dashboard,
)
from tests.accounts.factories import PersonFactory
from tests.loans.factories_approval import (
    LARGE_LOAN,
    SMALL_LOAN,
    clerk,
    delegation,
    deputy_director,
    director,
    disbursed,
    loan_at,
    local_moment,
    section_chief,
)
from tests.loans.factories_approval import loan_case as pre_accepted

pytestmark = pytest.mark.django_db

# The National Day holiday of 2026 (seeded calendar): 1–7 October off, Saturday 10 October a
# working day (调休). A case submitted on Tuesday 29 September counts 30 September, 8, 9, 10
# (the Saturday), 12, 13, 14 and 15 October: its eighth working day is Thursday 15 October.
SUBMITTED = date(2026, 9, 29)


def _submitted_before_the_holiday(**fields):
    return loan_at(ApprovalLevel.FIRST, submitted_at=local_moment(SUBMITTED), **fields)


class TestCaseClock:
    def test_the_submission_day_does_not_count(self):
        loan = _submitted_before_the_holiday()

        clock = case_clock(loan, today=SUBMITTED)

        assert clock.used == 0
        assert clock.left == 8

    def test_public_holidays_do_not_count(self):
        loan = _submitted_before_the_holiday()

        clock = case_clock(loan, today=date(2026, 10, 7))

        assert clock.used == 1

    def test_the_adjusted_working_saturday_counts(self):
        loan = _submitted_before_the_holiday()

        on_the_saturday = case_clock(loan, today=date(2026, 10, 10))
        on_the_sunday = case_clock(loan, today=date(2026, 10, 11))

        assert on_the_saturday.used == 4
        assert on_the_sunday.used == 4

    def test_the_due_day_is_the_eighth_working_day_after_submission(self):
        loan = _submitted_before_the_holiday()

        clock = case_clock(loan, today=SUBMITTED)

        assert clock.due_on == date(2026, 10, 15)
        assert clock.due_on == add_working_days(SUBMITTED, 8)

    def test_is_at_risk_with_two_working_days_left(self):
        loan = _submitted_before_the_holiday()

        calm = case_clock(loan, today=date(2026, 10, 12))
        at_risk = case_clock(loan, today=date(2026, 10, 13))

        assert (calm.left, calm.at_risk) == (3, False)
        assert (at_risk.left, at_risk.at_risk, at_risk.breached) == (2, True, False)

    def test_is_breached_the_working_day_after_the_due_day(self):
        loan = _submitted_before_the_holiday()

        due_today = case_clock(loan, today=date(2026, 10, 15))
        late = case_clock(loan, today=date(2026, 10, 16))

        assert (due_today.left, due_today.at_risk, due_today.breached) == (0, True, False)
        assert (late.left, late.at_risk, late.breached) == (-1, False, True)

    def test_stops_on_the_day_of_disbursement(self):
        loan = disbursed(submitted_on=SUBMITTED, disbursed_on=date(2026, 10, 12))

        clock = case_clock(loan, today=date(2026, 11, 25))

        assert clock.used == 5
        assert clock.finished
        assert not clock.at_risk


class TestWorkingDays:
    def test_counts_as_the_calendar_does_across_holidays_and_adjusted_days(self):
        days = _WorkingDays(date(2026, 1, 1), date(2026, 12, 31))
        pairs = [
            (date(2026, 1, 1), date(2026, 1, 5)),
            (date(2026, 2, 10), date(2026, 3, 2)),
            (date(2026, 4, 30), date(2026, 5, 11)),
            (SUBMITTED, date(2026, 10, 16)),
            (date(2026, 3, 3), date(2026, 3, 3)),
        ]

        assert [days.between(a, b) for a, b in pairs] == [working_days_between(a, b) for a, b in pairs]

    def test_finds_the_nth_working_day_as_the_calendar_does(self):
        days = _WorkingDays(date(2026, 2, 1), date(2026, 3, 31))

        assert days.nth_after(date(2026, 2, 13), 3) == add_working_days(date(2026, 2, 13), 3)


class TestDisbursementTimes:
    def test_gives_the_median_and_90th_percentile_of_the_disbursed_cases(self):
        monday = date(2026, 11, 2)
        for used in (2, 3, 4, 5, 6, 7, 8, 9, 10, 12):
            disbursed(submitted_on=monday, disbursed_on=add_working_days(monday, used))

        times = disbursement_times(first=date(2026, 11, 1), last=date(2026, 11, 30))

        assert times.disbursed == 10
        assert times.median == 6
        assert times.p90 == 10
        assert times.within_service_level == 7

    def test_counts_cases_not_yet_disbursed_apart(self):
        monday = date(2026, 11, 2)
        disbursed(submitted_on=monday, disbursed_on=date(2026, 11, 5))
        loan_at(ApprovalLevel.FIRST, submitted_at=local_moment(monday))
        loan_at(ApprovalLevel.FINAL, submitted_at=local_moment(monday))
        pre_accepted(status=LoanStatus.REJECTED, submitted_at=local_moment(monday))

        times = disbursement_times(first=date(2026, 11, 1), last=date(2026, 11, 30))

        assert times.submitted == 4
        assert (times.disbursed, times.median, times.p90) == (1, 3, 3)
        assert times.not_yet_disbursed == 2
        assert times.closed == 1

    def test_leaves_out_cases_submitted_outside_the_period(self):
        disbursed(submitted_on=date(2026, 10, 30), disbursed_on=date(2026, 11, 4))

        times = disbursement_times(first=date(2026, 11, 1), last=date(2026, 11, 30))

        assert (times.submitted, times.disbursed, times.median) == (0, 0, None)

    def test_counts_the_holiday_as_the_calendar_does(self):
        disbursed(submitted_on=SUBMITTED, disbursed_on=date(2026, 10, 16))

        times = disbursement_times(first=SUBMITTED, last=SUBMITTED)

        assert times.median == 9
        assert times.within_service_level == 0


class TestDashboard:
    def test_counts_open_cases_by_status_and_level_with_their_clocks(self):
        today = date(2026, 10, 14)
        _submitted_before_the_holiday()
        # Thursday 24 September: the Mid-Autumn Festival (25 September) does not count either.
        loan_at(ApprovalLevel.FINAL, submitted_at=local_moment(date(2026, 9, 24)))
        pre_accepted(submitted_at=local_moment(date(2026, 10, 13)))
        disbursed(submitted_on=SUBMITTED, disbursed_on=date(2026, 10, 9))

        dashboard = sla_dashboard(today=today)

        rows = {(row.status, row.level): row for row in dashboard.rows}
        assert list(rows) == [("PRE_ACCEPTED", ""), ("IN_APPROVAL", "FIRST"), ("IN_APPROVAL", "FINAL")]
        assert (rows[("IN_APPROVAL", "FIRST")].count, rows[("IN_APPROVAL", "FIRST")].at_risk) == (1, 1)
        assert rows[("IN_APPROVAL", "FINAL")].breached == 1
        assert dashboard.open_cases == 3
        assert [clock.used for _loan, clock in dashboard.urgent] == [9, 7]


class TestApprovalQueue:
    def test_a_clerk_sees_acceptance_and_first_review(self):
        pre_accepted()
        loan_at(ApprovalLevel.FIRST)
        loan_at(ApprovalLevel.SECOND, amount=LARGE_LOAN)
        loan_at(ApprovalLevel.FINAL)

        queue = approval_queue(user=clerk(), today=date(2026, 11, 25))

        assert [group.level for group in queue] == ["ACCEPTANCE", "FIRST"]

    def test_a_section_chief_sees_first_and_second_review(self):
        loan_at(ApprovalLevel.FIRST)
        loan_at(ApprovalLevel.SECOND, amount=LARGE_LOAN)

        queue = approval_queue(user=section_chief(), today=date(2026, 11, 25))

        assert [group.level for group in queue] == ["FIRST", "SECOND"]

    def test_leaves_out_a_case_the_user_acted_on_at_another_level(self):
        loan = loan_at(ApprovalLevel.FIRST, amount=LARGE_LOAN)
        chief = section_chief()
        approve_level(loan_id=loan.pk, actor=chief)

        queue = approval_queue(user=chief, today=date(2026, 11, 25))

        assert queue == []

    def test_leaves_out_the_user_s_own_case_as_co_borrower(self):
        reviewer = clerk()
        loan_at(ApprovalLevel.FIRST, co_borrower=PersonFactory(user=reviewer))

        assert approval_queue(user=reviewer, today=date(2026, 11, 25)) == []

    def test_a_deputy_sees_final_cases_within_the_delegation_in_force(self):
        small = loan_at(ApprovalLevel.FINAL, amount=SMALL_LOAN)
        loan_at(ApprovalLevel.FINAL, amount=LARGE_LOAN)
        deputy = deputy_director()
        today = date(2026, 11, 25)
        delegation(
            delegator=director(), delegate=deputy, valid_from=today, valid_until=today, max_amount=SMALL_LOAN
        )

        queue = approval_queue(user=deputy, today=today)

        assert [row.loan for group in queue for row in group.rows] == [small]

    def test_a_deputy_without_delegation_sees_nothing_to_act_on(self):
        loan_at(ApprovalLevel.FINAL)

        assert approval_queue(user=deputy_director(), today=date(2026, 11, 25)) == []

    def test_every_case_when_not_only_the_actionable(self):
        pre_accepted()
        loan_at(ApprovalLevel.FINAL)

        queue = approval_queue(user=deputy_director(), only_actionable=False, today=date(2026, 11, 25))

        assert [group.level for group in queue] == ["ACCEPTANCE", "FINAL"]


class TestLoanCase:
    def test_reads_the_case_with_its_levels_clock_and_actions(self):
        loan = loan_at(ApprovalLevel.FIRST, amount=LARGE_LOAN, submitted_at=local_moment(SUBMITTED))
        approve_level(loan_id=loan.pk, actor=clerk())

        case = loan_case(loan_id=loan.pk, today=date(2026, 10, 12))

        assert case.levels == ("ACCEPTANCE", "FIRST", "SECOND", "FINAL")
        assert case.waiting == "SECOND"
        assert [action.level for action in case.actions] == ["FIRST"]
        assert case.clock.used == 5
        assert case.seal is None
