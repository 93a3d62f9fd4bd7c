"""Reading loan cases against the service level: working days used and left per case, the staff's
approval queue and a case's full record, the dashboard by stage, and application-to-disbursement
times over a period.

Definitions (DOMAIN.md §7, docs/loans-approval.md):

- The clock starts on the day the application was submitted (``submitted_at``, local date) and
  counts working days on the Chinese calendar (``core.calendar``: public holidays off, 调休
  weekend days on) the calendar's way: the submission day does not count, the last day does.
  So a case submitted today has used 0 days; on the next working day it has used 1; today
  counts as soon as it is a working day. The clock stops on the day of disbursement and does
  not pause while a case is returned to the applicant.
- ``loan.service_level_working_days`` (8) are allowed; *days left* = allowed − used. A case not
  yet disbursed is *at risk* with ``loan.service_level_at_risk_working_days`` (2) or fewer left
  and not yet breached; it is *breached* once it has used more than allowed (a disbursed case:
  it took more). The due day is the allowed-th working day after submission.
- Disbursement times are for the applications *submitted* in a period: those disbursed give
  their working days (median and 90th percentile, nearest rank as in
  ``approvals.selectors.percentile``); those still open are counted apart, as are those
  rejected or withdrawn.

Working days for many cases are counted from one calendar query over the whole span
(:class:`_WorkingDays`), the same arithmetic as ``core.calendar.working_days_between``; the
calendar's per-call functions would make a query per distinct date.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts import roles
from approvals.models import ApplicationDocument, ConflictOfInterest, DecisionRecord
from approvals.selectors import percentile
from audit.seals import SealVerdict
from core.models import CalendarDay
from core.policy import policy_snapshot
from loans import approval
from loans.models import OPEN_LOAN_STATUSES, ApprovalAction, LoanApplication, LoanStatus

SERVICE_LEVEL_KEY = "loan.service_level_working_days"
AT_RISK_KEY = "loan.service_level_at_risk_working_days"
_WEEKDAYS = 5


@dataclass(frozen=True)
class ServiceLevel:
    allowed: int  # working days from application to disbursement
    at_risk: int  # at risk with this many working days left or fewer


def service_level(*, on: date | None = None) -> ServiceLevel:
    snapshot = policy_snapshot([SERVICE_LEVEL_KEY, AT_RISK_KEY], on=on or timezone.localdate())
    return ServiceLevel(allowed=snapshot[SERVICE_LEVEL_KEY].value, at_risk=snapshot[AT_RISK_KEY].value)


class _WorkingDays:
    """Working days in ``[first, last]`` from one query: ``between(a, b)`` counts ``(a, b]``."""

    def __init__(self, first: date, last: date):
        exceptions = dict(
            CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_working_day")
        )
        self.first, self.last = first, last
        self._through: dict[date, int] = {}
        self._working: list[date] = []
        count, day = 0, first
        while day <= last:
            working = exceptions.get(day, day.weekday() < _WEEKDAYS)
            if working:
                self._working.append(day)
                if day > first:
                    count += 1
            self._through[day] = count
            day += timedelta(days=1)

    def between(self, start: date, end: date) -> int:
        return self._through[end] - self._through[start]

    def nth_after(self, start: date, n: int) -> date | None:
        """The n-th working day after ``start`` (n ≥ 1), or None beyond ``last``."""
        index = bisect_right(self._working, start) + n - 1
        return self._working[index] if index < len(self._working) else None


@dataclass(frozen=True)
class Clock:
    """One case against the service level."""

    submitted_on: date
    counted_to: date  # today, or the day of disbursement
    used: int
    allowed: int
    due_on: date | None
    at_risk_within: int
    finished: bool  # disbursed (or closed): the clock has stopped

    @property
    def left(self) -> int:
        return self.allowed - self.used

    @property
    def breached(self) -> bool:
        return self.used > self.allowed

    @property
    def at_risk(self) -> bool:
        return not self.finished and not self.breached and self.left <= self.at_risk_within


def _clocks(loans: list[LoanApplication], *, today: date, level: ServiceLevel) -> dict[int, Clock]:
    if not loans:
        return {}
    starts = {loan.pk: approval.submitted_on(loan) for loan in loans}
    ends = {
        loan.pk: timezone.localdate(loan.disbursed_at) if loan.disbursed_at else max(today, starts[loan.pk])
        for loan in loans
    }
    first = min(starts.values())
    # Room after the latest end for the due day of a case submitted late: allowed working days
    # need at most about 1.4 × as many calendar days, plus a long holiday.
    last = max(*ends.values(), max(starts.values()) + timedelta(days=level.allowed * 2 + 21))
    days = _WorkingDays(first, last)
    return {
        loan.pk: Clock(
            submitted_on=starts[loan.pk],
            counted_to=ends[loan.pk],
            used=days.between(starts[loan.pk], ends[loan.pk]),
            allowed=level.allowed,
            due_on=days.nth_after(starts[loan.pk], level.allowed),
            at_risk_within=level.at_risk,
            finished=loan.disbursed_at is not None or loan.status not in OPEN_LOAN_STATUSES,
        )
        for loan in loans
    }


def case_clock(loan: LoanApplication, *, today: date | None = None) -> Clock:
    """The service-level clock of one case (working days used, left, due day)."""
    today = today or timezone.localdate()
    return _clocks([loan], today=today, level=service_level(on=today))[loan.pk]


# The approval queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    loan: LoanApplication
    level: str
    clock: Clock


@dataclass(frozen=True)
class QueueLevel:
    level: str
    rows: tuple[QueueRow, ...]

    @property
    def at_risk(self) -> int:
        return sum(1 for row in self.rows if row.clock.at_risk or row.clock.breached)


def _excluded_for(user, loans: list[LoanApplication], on: date) -> set[int]:
    """Cases ``user`` may not act on, known without a query per case: their own or a declared
    conflict's, one where they acted at another level, or (deputy) beyond their delegation.
    The services check everything again (the spouse too) when they act."""
    person_id = approval.person_id_of(user)
    conflicted = set(ConflictOfInterest.objects.filter(staff=user).values_list("person_id", flat=True))
    if person_id is not None:
        conflicted.add(person_id)
    acted: dict[int, set[str]] = defaultdict(set)
    for loan_id, level in ApprovalAction.objects.filter(
        actor=user, loan_id__in=[loan.pk for loan in loans]
    ).values_list("loan_id", "level"):
        acted[loan_id].add(level)
    own_final = bool(roles.roles_of(user) & approval.ROLES_AT_LEVEL[approval.Level.FINAL])
    limits = [d.max_amount for d in approval.delegations_in_force(delegate=user, on=on)]
    excluded = set()
    for loan in loans:
        level = approval.waiting_level(loan)
        beyond_delegation = (
            level == approval.Level.FINAL
            and not own_final
            and not any(limit is None or loan.amount <= limit for limit in limits)
        )
        if (
            loan.applicant_id in conflicted
            or loan.co_borrower_id in conflicted
            or acted[loan.pk] - {level}
            or beyond_delegation
        ):
            excluded.add(loan.pk)
    return excluded


def approval_queue(*, user, only_actionable: bool = True, today: date | None = None) -> list[QueueLevel]:
    """Cases waiting at a level (受理 for pre-accepted ones), by level in chain order, the oldest
    first; with ``only_actionable`` only the levels and cases ``user`` may act on."""
    today = today or timezone.localdate()
    levels = approval.levels_of(user) if only_actionable else frozenset(approval.LEVELS)
    query = Q(status=LoanStatus.IN_APPROVAL, stage__in=levels)
    if approval.Level.ACCEPTANCE in levels:
        query |= Q(status=LoanStatus.PRE_ACCEPTED)
    loans = list(
        LoanApplication.objects.filter(query)
        .select_related("applicant", "co_borrower")
        .order_by("submitted_at", "pk")
    )
    if only_actionable:
        excluded = _excluded_for(user, loans, today)
        loans = [loan for loan in loans if loan.pk not in excluded]
    clocks = _clocks(loans, today=today, level=service_level(on=today))
    grouped: dict[str, list[QueueRow]] = defaultdict(list)
    for loan in loans:
        level = approval.waiting_level(loan)
        grouped[level].append(QueueRow(loan=loan, level=level, clock=clocks[loan.pk]))
    return [
        QueueLevel(level=level, rows=tuple(grouped[level])) for level in approval.LEVELS if grouped[level]
    ]


# A case's record ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanCase:
    loan: LoanApplication
    clock: Clock
    levels: tuple[str, ...]  # the levels this case needs, in order
    waiting: str | None  # the level it waits at
    actions: tuple[ApprovalAction, ...]  # oldest first
    decisions: tuple[DecisionRecord, ...]  # the eligibility decision(s), oldest first
    documents: tuple[dict, ...] = field(default=())  # pk, filename, content_type, size
    seal: SealVerdict | None = None


def loan_case(*, loan_id: int, today: date | None = None) -> LoanCase:
    """Everything staff read before acting: the case, its clock, the levels, every action, the
    eligibility decision with facts, sources and rule outcomes, the documents sent with it, and
    whether its seal verifies against the case as it is now."""
    loan = (
        LoanApplication.objects.select_related("applicant", "co_borrower", "eligibility", "approval_seal")
        .filter(pk=loan_id)
        .first()
    )
    if loan is None:
        raise approval.LoanNotFound(f"loan application {loan_id}")
    actions = tuple(loan.actions.select_related("actor", "delegation__delegator").order_by("acted_at", "pk"))
    decisions, documents = (), ()
    if loan.eligibility_id is not None:
        decisions = tuple(
            DecisionRecord.objects.filter(application_id=loan.eligibility_id)
            .select_related("decided_by")
            .order_by("decided_at", "pk")
        )
        documents = tuple(
            ApplicationDocument.objects.filter(application_id=loan.eligibility_id)
            .order_by("pk")
            .values("pk", "filename", "content_type", "size")
        )
    return LoanCase(
        loan=loan,
        clock=case_clock(loan, today=today),
        levels=approval.levels_needed(loan),
        waiting=approval.waiting_level(loan),
        actions=actions,
        decisions=decisions,
        documents=documents,
        seal=approval.verify_approval_seal(loan=loan),
    )


# The dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageRow:
    status: str
    level: str  # "" outside approval
    count: int
    at_risk: int
    breached: int
    most_days_used: int


@dataclass(frozen=True)
class SlaDashboard:
    today: date
    service_level: ServiceLevel
    rows: tuple[StageRow, ...]
    urgent: tuple[tuple[LoanApplication, Clock], ...]  # at risk or breached, most days used first

    @property
    def open_cases(self) -> int:
        return sum(row.count for row in self.rows)


def sla_dashboard(*, today: date | None = None) -> SlaDashboard:
    """Open cases by status (and level while in approval) with their clocks; the urgent ones."""
    today = today or timezone.localdate()
    level = service_level(on=today)
    loans = list(
        LoanApplication.objects.filter(status__in=OPEN_LOAN_STATUSES)
        .select_related("applicant")
        .order_by("submitted_at", "pk")
    )
    clocks = _clocks(loans, today=today, level=level)
    grouped: dict[tuple[str, str], list[Clock]] = defaultdict(list)
    for loan in loans:
        grouped[(loan.status, loan.stage)].append(clocks[loan.pk])
    # OPEN_LOAN_STATUSES lists the open statuses in the order a case passes them.
    order = {status: n for n, status in enumerate(OPEN_LOAN_STATUSES)}
    stage_order = {stage: n for n, stage in enumerate(("", *approval.LEVELS))}
    rows = tuple(
        StageRow(
            status=status,
            level=stage,
            count=len(found),
            at_risk=sum(1 for clock in found if clock.at_risk),
            breached=sum(1 for clock in found if clock.breached),
            most_days_used=max(clock.used for clock in found),
        )
        for (status, stage), found in sorted(
            grouped.items(), key=lambda item: (order[item[0][0]], stage_order.get(item[0][1], 9))
        )
    )
    urgent = sorted(
        ((loan, clocks[loan.pk]) for loan in loans if clocks[loan.pk].at_risk or clocks[loan.pk].breached),
        key=lambda pair: (-pair[1].used, pair[0].pk),
    )
    return SlaDashboard(today=today, service_level=level, rows=rows, urgent=tuple(urgent))


@dataclass(frozen=True)
class DisbursementTimes:
    first: date
    last: date
    allowed: int
    submitted: int  # applications submitted in the period
    disbursed: int
    median: int | None  # working days, of the disbursed ones
    p90: int | None
    within_service_level: int  # disbursed in ``allowed`` working days or fewer
    not_yet_disbursed: int  # still open: excluded from the figures
    closed: int  # rejected or withdrawn: excluded too


def disbursement_times(*, first: date, last: date) -> DisbursementTimes:
    """Application-to-disbursement in working days for the applications submitted from ``first``
    to ``last`` (local days, inclusive)."""
    if last < first:
        raise ValueError(f"last {last} is before first {first}")
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    loans = list(
        LoanApplication.objects.filter(submitted_at__gte=start, submitted_at__lt=end).only(
            "pk", "status", "submitted_at", "disbursed_at"
        )
    )
    allowed = service_level(on=last).allowed
    disbursed = [loan for loan in loans if loan.disbursed_at is not None]
    open_or_closed = [loan for loan in loans if loan.disbursed_at is None]
    used: list[int] = []
    if disbursed:
        starts = [approval.submitted_on(loan) for loan in disbursed]
        ends = [timezone.localdate(loan.disbursed_at) for loan in disbursed]
        days = _WorkingDays(min(starts), max(ends))
        used = [days.between(s, e) for s, e in zip(starts, ends, strict=True)]
    return DisbursementTimes(
        first=first,
        last=last,
        allowed=allowed,
        submitted=len(loans),
        disbursed=len(disbursed),
        median=percentile(used, 50),
        p90=percentile(used, 90),
        within_service_level=sum(1 for n in used if n <= allowed),
        not_yet_disbursed=sum(1 for loan in open_or_closed if loan.status in OPEN_LOAN_STATUSES),
        closed=sum(1 for loan in open_or_closed if loan.status not in OPEN_LOAN_STATUSES),
    )
