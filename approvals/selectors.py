"""Reading approvals: the review queue with its SLA countdown, a case's full trace, an applicant's
timeline, the reasons that explain a decision, and the straight-through figures of the dashboard.

Percentiles are computed in Python over the selected rows' ``decision_ms`` / ``latency_ms``
(nearest-rank), so the figures are the same on SQLite and PostgreSQL; a dashboard period holds
at most a few hundred thousand integers, read with ``values_list``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Person
from approvals.models import (
    Application,
    CaseStatus,
    DecisionPurpose,
    DecisionRecord,
    Outcome,
    ReviewAction,
    ReviewCase,
)
from core.calendar import working_days_between

# Pre-checks are not decisions on an application and would flatter the straight-through share.
_AUTOMATIC = DecisionPurpose.APPLICATION

#: Who may claim, release and decide review cases (every staff role but the auditor, see
#: :mod:`accounts.roles`).
DECIDE_PERMISSION = "approvals.decide_reviewcase"


def may_review(user) -> bool:
    """Whether ``user`` may claim, release and decide review cases (an active member of staff
    holding :data:`DECIDE_PERMISSION`)."""
    return bool(user is not None and user.is_active and user.is_staff and user.has_perm(DECIDE_PERMISSION))


# Reasons -------------------------------------------------------------------------------------

#: The rule statuses that explain an outcome: a rejection by its failing rules, a referral by the
#: rules that could not decide or that ask for a person.
EXPLAINING_STATUSES = {Outcome.REJECT: {"FAIL"}, Outcome.REFER: {"UNKNOWN", "REFER"}}


def _explaining(outcome: str, results: list[dict]) -> list[dict]:
    """The stored reasons ``{code, zh_hans, en}`` of the rules behind ``outcome``, in rule order."""
    wanted = EXPLAINING_STATUSES.get(outcome, set())
    return [result["reason"] for result in results if result.get("status") in wanted and result.get("reason")]


def reason_message(reason: dict | None, *, language: str | None) -> str:
    """A stored reason ``{code, zh_hans, en}`` in ``language`` (Chinese unless English), falling back
    to the other language and then to the code."""
    if not reason:
        return ""
    if (language or "").lower().startswith("en"):
        return reason.get("en") or reason.get("zh_hans") or reason.get("code", "")
    return reason.get("zh_hans") or reason.get("en") or reason.get("code", "")


def localized_reasons(reasons: Iterable[dict], *, language: str | None) -> list[dict]:
    """Stored reasons as ``[{code, message}]`` in ``language``, each code once, in their order.

    Two rules can fail for one cause (e.g. an unsealed account): the applicant reads it once.
    """
    out: dict[str, dict] = {}
    for reason in reasons:
        code = reason.get("code", "")
        if code not in out:
            out[code] = {"code": code, "message": reason_message(reason, language=language)}
    return list(out.values())


def explained_reasons(decision: DecisionRecord, *, language: str | None) -> list[dict]:
    """Why ``decision`` rejected or referred, as ``[{code, message}]`` in ``language``; empty for an
    approval. A reviewer's decision is explained by the reason they gave (code ``REVIEWER``)."""
    return localized_reasons(_deciding_reasons(decision), language=language)


def deciding_reasons(decision: DecisionRecord) -> list[dict]:
    """Why ``decision`` rejected or referred, as stored reasons ``{code, zh_hans, en}``, each code once
    (the applicant's message reads them in the applicant's language)."""
    out: dict[str, dict] = {}
    for reason in _deciding_reasons(decision):
        out.setdefault(reason.get("code", ""), reason)
    return list(out.values())


def _deciding_reasons(decision: DecisionRecord) -> tuple[dict, ...]:
    if decision.purpose == DecisionPurpose.REVIEW:
        return (_reviewer_reason(decision.note),)
    return tuple(_explaining(decision.outcome, decision.results))


def _reviewer_reason(text: str) -> dict:
    return {"code": "REVIEWER", "zh_hans": text, "en": text}


def percentile(values: list[int], p: float) -> int | None:
    """Nearest-rank percentile of ``values`` (``p`` in 0–100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


# The review queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    case: ReviewCase
    application: Application
    working_days_left: int  # negative when overdue
    overdue: bool


@dataclass(frozen=True)
class QueueGroup:
    reason: str
    items: tuple[QueueItem, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)


def _working_days_left(today: date, due_on: date) -> int:
    if due_on >= today:
        return working_days_between(today, due_on)
    return -working_days_between(due_on, today)


def review_queue(*, reason: str | None = None, today: date | None = None) -> list[QueueGroup]:
    """Open and claimed cases grouped by reason, the most urgent first in each group.

    ``working_days_left`` counts working days from today to the due date (0 = due today);
    a case past its due date is overdue with a negative count.
    """
    today = today or timezone.localdate()
    cases = (
        ReviewCase.objects.filter(status__in=[CaseStatus.OPEN, CaseStatus.CLAIMED])
        .select_related("application__applicant", "claimed_by")
        .order_by("due_on", "opened_at", "pk")
    )
    if reason is not None:
        cases = cases.filter(application__reason=reason)
    # One calendar computation per distinct due date, not per case.
    left: dict[date, int] = {}
    groups: dict[str, list[QueueItem]] = defaultdict(list)
    for case in cases:
        if case.due_on not in left:
            left[case.due_on] = _working_days_left(today, case.due_on)
        days = left[case.due_on]
        groups[case.application.reason].append(
            QueueItem(
                case=case, application=case.application, working_days_left=days, overdue=case.due_on < today
            )
        )
    return [QueueGroup(reason=name, items=tuple(items)) for name, items in sorted(groups.items())]


# A case's trace ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseDetail:
    case: ReviewCase
    application: Application
    decisions: tuple[DecisionRecord, ...]  # oldest first: the automatic one, then the reviewer's
    actions: tuple[ReviewAction, ...]
    queries: tuple = field(default=())  # GovQuery rows of the automatic decision

    @property
    def automatic(self) -> DecisionRecord | None:
        return next((d for d in self.decisions if d.purpose == DecisionPurpose.APPLICATION), None)


def case_detail(case: ReviewCase) -> CaseDetail:
    """Everything a reviewer needs: facts, parameter versions, each rule's outcome, the sources asked
    with their outcome and latency (``decision.sources``) and the matching query-log rows."""
    from integrations.models import GovQuery

    case = ReviewCase.objects.select_related("application", "claimed_by", "decided_by").get(pk=case.pk)
    decisions = tuple(
        DecisionRecord.objects.filter(application_id=case.application_id)
        .select_related("decided_by")
        .order_by("decided_at", "pk")
    )
    actions = tuple(case.actions.select_related("actor").order_by("at", "pk"))
    purposes = [d.query_purpose for d in decisions if d.query_purpose]
    queries = (
        tuple(GovQuery.objects.filter(purpose__in=purposes).order_by("started_at", "pk")) if purposes else ()
    )
    return CaseDetail(
        case=case, application=case.application, decisions=decisions, actions=actions, queries=queries
    )


# An applicant's timeline ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    what: str  # SUBMITTED, DECIDED, CLAIMED, RELEASED, APPROVED, REJECTED
    outcome: str | None = None
    reasons: tuple[dict, ...] = ()  # {code, zh_hans, en} of the deciding rules, or the reviewer's


@dataclass(frozen=True)
class ApplicationTimeline:
    application: Application
    events: tuple[TimelineEvent, ...]


def applications_of(person: Person) -> list[ApplicationTimeline]:
    """The person's applications, newest first, each with its timeline (what the employee sees).

    Reviewers are not named: the employee sees that staff acted, and the reason they gave.
    """
    applications = list(Application.objects.filter(applicant=person).order_by("-submitted_at", "-pk"))
    ids = [a.pk for a in applications]
    decisions = defaultdict(list)
    for decision in DecisionRecord.objects.filter(application_id__in=ids).order_by("decided_at", "pk"):
        decisions[decision.application_id].append(decision)
    actions = defaultdict(list)
    for action in (
        ReviewAction.objects.filter(case__application_id__in=ids).select_related("case").order_by("at", "pk")
    ):
        actions[action.case.application_id].append(action)
    timelines = []
    for application in applications:
        events = [TimelineEvent(at=application.submitted_at, what="SUBMITTED")]
        for decision in decisions[application.pk]:
            if decision.purpose == DecisionPurpose.APPLICATION:
                events.append(
                    TimelineEvent(
                        at=decision.decided_at,
                        what="DECIDED",
                        outcome=decision.outcome,
                        reasons=_deciding_reasons(decision),
                    )
                )
        for action in actions[application.pk]:
            if action.action in ("APPROVE", "REJECT"):
                events.append(
                    TimelineEvent(
                        at=action.at,
                        what=f"{action.action}D",
                        outcome=action.action,
                        reasons=(_reviewer_reason(action.reason),),
                    )
                )
            else:
                events.append(TimelineEvent(at=action.at, what=f"{action.action}ED"))
        events.sort(key=lambda event: event.at)
        timelines.append(ApplicationTimeline(application=application, events=tuple(events)))
    return timelines


# Dashboard -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    total: int
    automatic: int  # decided without a person: APPROVE or REJECT

    @property
    def share(self) -> float | None:
        return self.automatic / self.total if self.total else None


@dataclass(frozen=True)
class SourceFigures:
    source: str
    calls: int
    answered: int  # OK or NOT_FOUND
    unavailable: int
    p50_ms: int | None
    p95_ms: int | None
    p99_ms: int | None

    @property
    def availability(self) -> float | None:
        return self.answered / self.calls if self.calls else None


@dataclass(frozen=True)
class StraightThroughFigures:
    since: datetime
    until: datetime
    decisions: int
    overall: Share
    by_reason: dict[str, Share]
    by_channel: dict[str, Share]
    p50_ms: int | None
    p95_ms: int | None
    p99_ms: int | None
    referral_reasons: list[tuple[str, int]]  # (code, count), most common first
    rejection_reasons: list[tuple[str, int]]
    sources: list[SourceFigures]
    # Each listed code's wording in the requested language, as the period's latest decision gave it.
    reason_texts: dict[str, str] = field(default_factory=dict)


def _shares(rows, key: str) -> dict[str, Share]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        totals[row[key]][0] += row["total"]
        totals[row[key]][1] += row["automatic"]
    return {name: Share(total=t, automatic=a) for name, (t, a) in sorted(totals.items())}


def straight_through_figures(
    *,
    since: datetime,
    until: datetime,
    top: int = 5,
    language: str | None = None,
    purpose: str = _AUTOMATIC,
) -> StraightThroughFigures:
    """Automatic decisions in ``[since, until)`` — on applications by default, or on citizens'
    eligibility pre-checks with ``purpose=PRECHECK``: how many were decided without staff
    (by reason and by channel), how fast, why the others were referred or rejected, and how the
    government sources behaved in the same period (from the query log).

    Reason texts are written by the rule sets (some with the applicant's dates and amounts), so
    each listed code's wording is the one the period's latest decision carried, in ``language``.
    """
    from integrations.models import GovQuery
    from integrations.models import Outcome as QueryOutcome

    if purpose not in (DecisionPurpose.APPLICATION, DecisionPurpose.PRECHECK):
        raise ValueError(f"automatic decisions are applications or pre-checks, not {purpose!r}")
    decisions = DecisionRecord.objects.filter(purpose=purpose, decided_at__gte=since, decided_at__lt=until)
    rows = list(
        decisions.values("rule_set", "channel").annotate(
            total=Count("pk"), automatic=Count("pk", filter=~Q(outcome=Outcome.REFER))
        )
    )
    total = sum(row["total"] for row in rows)
    automatic = sum(row["automatic"] for row in rows)
    times = list(decisions.values_list("decision_ms", flat=True))
    referral, rejection = Counter(), Counter()
    latest: dict[str, dict] = {}  # code -> the stored reason of its latest decision
    explained = (
        decisions.filter(outcome__in=list(EXPLAINING_STATUSES))
        .order_by("-decided_at", "-pk")
        .values_list("outcome", "results")
    )
    for outcome, results in explained:
        counter = rejection if outcome == Outcome.REJECT else referral
        for reason in _explaining(outcome, results):
            counter[reason["code"]] += 1
            latest.setdefault(reason["code"], reason)
    referral_reasons, rejection_reasons = referral.most_common(top), rejection.most_common(top)
    latencies: dict[str, list[int]] = defaultdict(list)
    answered: Counter = Counter()
    unavailable: Counter = Counter()
    queries = GovQuery.objects.filter(started_at__gte=since, started_at__lt=until)
    for source, outcome, latency in queries.values_list("source", "outcome", "latency_ms"):
        latencies[source].append(latency)
        if outcome in (QueryOutcome.OK, QueryOutcome.NOT_FOUND):
            answered[source] += 1
        else:
            unavailable[source] += 1
    sources = [
        SourceFigures(
            source=source,
            calls=len(values),
            answered=answered[source],
            unavailable=unavailable[source],
            p50_ms=percentile(values, 50),
            p95_ms=percentile(values, 95),
            p99_ms=percentile(values, 99),
        )
        for source, values in sorted(latencies.items())
    ]
    return StraightThroughFigures(
        since=since,
        until=until,
        decisions=total,
        overall=Share(total=total, automatic=automatic),
        by_reason=_shares(rows, "rule_set"),
        by_channel=_shares(rows, "channel"),
        p50_ms=percentile(times, 50),
        p95_ms=percentile(times, 95),
        p99_ms=percentile(times, 99),
        referral_reasons=referral_reasons,
        rejection_reasons=rejection_reasons,
        sources=sources,
        reason_texts={
            code: reason_message(latest[code], language=language)
            for code, _count in (*referral_reasons, *rejection_reasons)
        },
    )
