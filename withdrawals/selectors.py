"""Reading withdrawals: an application's timeline from submission to the money on the card, and
what the background sweeps have left to do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from approvals.models import Application, ApplicationStatus, DecisionPurpose, DecisionRecord
from approvals.selectors import explained_reasons
from withdrawals import gateways
from withdrawals.models import (
    InstalmentPayment,
    InstalmentStatus,
    InstructionStatus,
    PaymentStatus,
    StandingInstruction,
    WithdrawalPayment,
)
from withdrawals.services import (
    CLOSING_REASONS,
    INSTRUCTION_PURPOSE,
    KIND,
    MONTHLY_REASON,
    repayment_due_on,
)

# Steps of a withdrawal's timeline, in order.
SUBMITTED = "SUBMITTED"
CHECKED = "CHECKED"
DECIDED = "DECIDED"
HELD = "HELD"
PAID = "PAID"

# Payout statuses as CONTRACT.md names them; the payout's own times, where it has them.
_PAYOUT_TIMES = {"PENDING": "created_at", "SENT": "sent_at", "PAID": "settled_at", "FAILED": "settled_at"}


@dataclass(frozen=True)
class SourceCheck:
    """One data source asked for the decision: ``source`` like ``public_security``."""

    source: str
    operation: str
    outcome: str
    latency_ms: int | None
    at: datetime | None


@dataclass(frozen=True)
class TimelineStep:
    step: str  # SUBMITTED, CHECKED, DECIDED, HELD, PAID
    at: datetime | None
    outcome: str = ""  # DECIDED: APPROVE/REJECT/REFER; PAID: the payout status; HELD: the reason code
    by_staff: bool = False
    reasons: tuple[dict, ...] = ()  # DECIDED: [{code, message}] in the reader's language
    sources: tuple[SourceCheck, ...] = ()  # CHECKED
    amount: int | None = None  # PAID: fen paid out (interest included)
    interest: int | None = None
    closing: bool = False
    times: dict[str, datetime] = field(default_factory=dict)  # PAID: payout status → when


def _checks(decision: DecisionRecord, queries_by_purpose: dict[str, list]) -> tuple[SourceCheck, ...]:
    rows = queries_by_purpose.get(decision.query_purpose) or []
    if rows:
        return tuple(
            SourceCheck(
                source=row.source,
                operation=row.operation,
                outcome=row.outcome,
                latency_ms=row.latency_ms,
                at=row.started_at,
            )
            for row in rows
        )
    # No query-log rows (e.g. a decision made before the log kept its purpose): the record's own.
    checks = []
    for name, answer in sorted((decision.sources or {}).items()):
        source, _dot, operation = name.partition(".")
        checks.append(
            SourceCheck(
                source=source,
                operation=operation,
                outcome=(answer or {}).get("outcome", ""),
                latency_ms=(answer or {}).get("latency_ms"),
                at=None,
            )
        )
    return tuple(checks)


def _payout_step(payment: WithdrawalPayment | None, payout) -> TimelineStep | None:
    if payment is None:
        return None
    if payment.status == PaymentStatus.HELD:
        return TimelineStep(step=HELD, at=payment.held_at, outcome=payment.held_code, closing=payment.closing)
    status = getattr(payout, "status", None) or "PENDING"
    times = {}
    for name, attribute in _PAYOUT_TIMES.items():
        if name in ("PAID", "FAILED") and name != status:
            continue  # one settlement time: the status the payout ended in
        value = getattr(payout, attribute, None) if payout is not None else None
        if value is not None:
            times[name] = value
    if "PENDING" not in times:
        times["PENDING"] = payment.created_at
    return TimelineStep(
        step=PAID,
        at=times.get(status) or max(times.values()),
        outcome=status,
        amount=payment.amount,
        interest=payment.interest,
        closing=payment.closing,
        times=times,
    )


def withdrawal_timeline(application: Application, *, language: str | None = None) -> list[TimelineStep]:
    """The steps of ``application`` in order: submitted → checked (each source asked, with its
    answer and time) → decided (each decision: outcome, reasons, when, whether staff decided) →
    held or paid (the payout's status PENDING/SENT/PAID/FAILED with the time of each)."""
    return withdrawal_timelines([application], language=language)[application.pk]


def withdrawal_timelines(
    applications: Sequence[Application], *, language: str | None = None
) -> dict[int, list[TimelineStep]]:
    """:func:`withdrawal_timeline` of each application, by id, in four queries however many there are."""
    from integrations.models import GovQuery

    ids = [application.pk for application in applications]
    decisions_of: dict[int, list[DecisionRecord]] = {pk: [] for pk in ids}
    for decision in DecisionRecord.objects.filter(application__in=ids).order_by("decided_at", "pk"):
        decisions_of[decision.application_id].append(decision)
    purposes = [d.query_purpose for found in decisions_of.values() for d in found if d.query_purpose]
    queries_by_purpose: dict[str, list] = {}
    if purposes:
        for row in GovQuery.objects.filter(purpose__in=purposes).order_by("started_at", "pk"):
            queries_by_purpose.setdefault(row.purpose, []).append(row)
    payments = {row.application_id: row for row in WithdrawalPayment.objects.filter(application__in=ids)}
    payouts = gateways.payouts_for([p.source_ref for p in payments.values() if p.source_ref])
    timelines = {}
    for application in applications:
        steps = [TimelineStep(step=SUBMITTED, at=application.submitted_at)]
        for decision in decisions_of[application.pk]:
            if decision.purpose == DecisionPurpose.APPLICATION:
                checks = _checks(decision, queries_by_purpose)
                checked_at = max((c.at for c in checks if c.at is not None), default=decision.decided_at)
                steps.append(TimelineStep(step=CHECKED, at=checked_at, sources=checks))
            steps.append(
                TimelineStep(
                    step=DECIDED,
                    at=decision.decided_at,
                    outcome=decision.outcome,
                    by_staff=decision.purpose == DecisionPurpose.REVIEW,
                    reasons=tuple(explained_reasons(decision, language=language)),
                )
            )
        payment = payments.get(application.pk)
        payout = payouts.get(payment.source_ref) if payment is not None and payment.source_ref else None
        paid = _payout_step(payment, payout)
        if paid is not None:
            steps.append(paid)
        timelines[application.pk] = steps
    return timelines


# --- what the sweeps look for -------------------------------------------------------------------


def unpaid_withdrawal_ids(*, decided_since: datetime) -> list[int]:
    """Approved one-off withdrawals with no payment record (decided since ``decided_since``), and
    every held one."""
    fresh = Application.objects.filter(
        kind=KIND,
        status=ApplicationStatus.APPROVED,
        decided_at__gte=decided_since,
        withdrawal_payment__isnull=True,
    ).exclude(reason=MONTHLY_REASON)
    held = WithdrawalPayment.objects.filter(status=PaymentStatus.HELD).values_list(
        "application_id", flat=True
    )
    return sorted(set(fresh.values_list("pk", flat=True)) | set(held))


def unset_instruction_ids(
    *, decided_since: datetime, asked_within: timedelta = timedelta(hours=1)
) -> list[int]:
    """Approved monthly loan repayments without their standing instruction yet.

    Setting one up asks the credit bureau; an application whose bureau was asked within
    ``asked_within`` (it was unavailable, or showed no loan) waits, so a hopeless case costs a
    query an hour rather than one a minute.
    """
    from integrations.models import GovQuery

    ids = list(
        Application.objects.filter(
            kind=KIND,
            reason=MONTHLY_REASON,
            status=ApplicationStatus.APPROVED,
            decided_at__gte=decided_since,
            standing_instruction__isnull=True,
        ).values_list("pk", flat=True)
    )
    if not ids:
        return []
    asked = set(
        GovQuery.objects.filter(
            purpose__in=[f"{INSTRUCTION_PURPOSE}{pk}" for pk in ids],
            started_at__gte=timezone.now() - asked_within,
        ).values_list("purpose", flat=True)
    )
    return [pk for pk in ids if f"{INSTRUCTION_PURPOSE}{pk}" not in asked]


def unrecorded_payout_refs(*, within: timedelta = timedelta(days=30)) -> list[tuple[str, str]]:
    """``(source_ref, "PAID" or "FAILED")`` of withdrawals and monthly instalments whose payout has
    settled but whose hook never recorded it: the process died between the payout's commit and
    the hook, so the employee was never told (and a failed closing's account is still closed)."""
    since = timezone.localdate() - within
    open_refs = list(
        WithdrawalPayment.objects.filter(
            status=PaymentStatus.PAYING, payout_outcome="", posted_on__gte=since
        ).values_list("source_ref", flat=True)
    ) + list(
        InstalmentPayment.objects.filter(
            status=InstalmentStatus.PAYING, payout_outcome="", period__gte=since.replace(day=1)
        ).values_list("source_ref", flat=True)
    )
    payouts = gateways.payouts_for(open_refs)
    settled = [(ref, getattr(payouts.get(ref), "status", None)) for ref in open_refs]
    return [(ref, status) for ref, status in settled if status in ("PAID", "FAILED")]


def due_instalments(*, today: date) -> list[tuple[int, date]]:
    """``(instruction id, month)`` of every active instruction whose instalment is due by ``today``
    this month and not yet paid or skipped."""
    period = today.replace(day=1)
    done = set(InstalmentPayment.objects.filter(period=period).values_list("instruction_id", flat=True))
    due = []
    # An instruction for a loan of this centre's loan book pays nothing out: the loans app
    # offsets that loan's instalments from the fund account itself.
    for pk, day in (
        StandingInstruction.objects.filter(status=InstructionStatus.ACTIVE, first_period__lte=period)
        .filter(loan_account_no="")
        .values_list("pk", "repayment_day")
    ):
        if pk not in done and repayment_due_on(period, day) <= today:
            due.append((pk, period))
    return due


def is_closing_reason(reason: str) -> bool:
    return reason in CLOSING_REASONS


__all__ = [
    "CHECKED",
    "DECIDED",
    "HELD",
    "PAID",
    "SUBMITTED",
    "SourceCheck",
    "TimelineStep",
    "due_instalments",
    "is_closing_reason",
    "unpaid_withdrawal_ids",
    "unrecorded_payout_refs",
    "unset_instruction_ids",
    "withdrawal_timeline",
    "withdrawal_timelines",
]
