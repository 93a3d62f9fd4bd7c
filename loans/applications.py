"""Reading loan applications: who may see one, a person's list, and one application's detail —
the eligibility decision's trace (sources asked, their answers, the reasons), the quota limits,
what remains to do, and the timeline from submission to disbursement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import FundAccount, Person
from appointments.models import BookingStatus
from approvals.models import DecisionPurpose, DecisionRecord
from approvals.selectors import explained_reasons, may_review
from approvals.sources import source_name, sources_for
from ledger.selectors import balance_of
from loans.calculators import LIMITS, percent_text
from loans.models import ApprovalAction, LoanApplication, LoanStatus

#: The limits' names as the pages show them (DOMAIN.md §7).
LIMIT_LABELS = {
    "balance_multiple": _("Balance multiple"),
    "repayment_ability": _("Repayment ability"),
    "price_ratio": _("Share of the price"),
    "city_cap": _("City cap"),
}
_TODO_LABELS = {
    "CO_BORROWER_TO_CONFIRM": _("Your co-borrower confirms from their own login"),
    "CONFIRM_AS_CO_BORROWER": _("Confirm that you borrow together with the applicant"),
    "BOOK_SIGNING": _("Book the contract signing appointment"),
    "COME_TO_SIGN": _("Come to the counter at the booked time, both borrowers with ID cards"),
    "WAIT_FOR_APPROVAL": _("Wait for the centre's approval (8 working days)"),
    "CORRECT_AND_RESUBMIT": _("Correct the application and send it again"),
    "WAIT_FOR_DISBURSEMENT": _("Wait for the loan to be paid to the seller"),
}
_STEP_LABELS = {
    "SUBMITTED": _("Application submitted"),
    "CHECKED": _("Eligibility checked with the data sources"),
    "PRE_ACCEPTED": _("Pre-accepted with a quota"),
    "AWAITING_CO_BORROWER": _("Waiting for the co-borrower"),
    "REJECTED": _("Not eligible"),
    "CO_BORROWER_CONFIRMED": _("Co-borrower confirmed"),
    "SIGNING_BOOKED": _("Contract signing booked"),
    "ACCEPTED": _("Accepted by the centre"),
    "APPROVED": _("Approved"),
    "SIGNED": _("Contract signed"),
    "DISBURSED": _("Loan paid out"),
    "WITHDRAWN": _("Withdrawn"),
    "CLOSED": _("Application closed"),
}
_SOURCE_OUTCOMES = {"OK": _("Answered"), "NOT_FOUND": _("No record"), "UNAVAILABLE": _("Did not answer")}
#: Statuses in which the applicant may book (or re-book) the contract signing.
SIGNING_STATUSES = (LoanStatus.PRE_ACCEPTED, LoanStatus.IN_APPROVAL, LoanStatus.APPROVED)
#: Statuses the applicant may withdraw from; later ones are in the staff's hands.
WITHDRAWABLE_STATUSES = (LoanStatus.AWAITING_CO_BORROWER, LoanStatus.PRE_ACCEPTED, LoanStatus.RETURNED)
APPLICANT = "APPLICANT"
CO_BORROWER = "CO_BORROWER"
STAFF = "STAFF"


def loan_application_visible_to(*, loan_id: int, user) -> tuple[LoanApplication, str] | None:
    """The application and the viewer's role in it (applicant, co-borrower, staff), or None."""
    loan = (
        LoanApplication.objects.select_related("applicant", "co_borrower", "eligibility", "signing_booking")
        .filter(pk=loan_id)
        .first()
    )
    if loan is None or user is None or not user.is_authenticated:
        return None
    person_id = Person.objects.filter(user=user).values_list("pk", flat=True).first()
    if person_id is not None and person_id == loan.applicant_id:
        return loan, APPLICANT
    if person_id is not None and person_id == loan.co_borrower_id:
        return loan, CO_BORROWER
    if may_review(user):
        return loan, STAFF
    return None


@dataclass(frozen=True)
class LoanListItem:
    loan: LoanApplication
    role: str


def loan_applications_of(person: Person) -> list[LoanListItem]:
    """Every loan application ``person`` is on, as applicant or co-borrower, the latest first."""
    rows = (
        LoanApplication.objects.filter(Q(applicant=person) | Q(co_borrower=person))
        .select_related("applicant", "co_borrower")
        .order_by("-submitted_at", "-pk")
    )
    return [LoanListItem(row, APPLICANT if row.applicant_id == person.pk else CO_BORROWER) for row in rows]


@dataclass(frozen=True)
class Limit:
    key: str
    label: str
    amount: int
    binding: bool


@dataclass(frozen=True)
class SourceCheck:
    key: str
    name: str
    outcome: str
    outcome_label: str
    latency_ms: int | None


@dataclass(frozen=True)
class Step:
    step: str
    label: str
    at: datetime | None
    detail: str = ""
    sources: tuple[SourceCheck, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Todo:
    code: str
    label: str


@dataclass(frozen=True)
class LoanDetail:
    loan: LoanApplication
    role: str
    decision: DecisionRecord | None
    outcome: str | None
    reasons: list[dict]
    sources: list[SourceCheck]
    limits: list[Limit]
    binding: str
    todos: list[Todo]
    timeline: list[Step]
    signing: object | None  # the active signing Booking
    may_withdraw: bool
    may_confirm: bool
    may_book: bool
    rate_percent: str


def _decision(loan: LoanApplication) -> DecisionRecord | None:
    if loan.eligibility_id is None:
        return None
    return (
        DecisionRecord.objects.filter(application_id=loan.eligibility_id)
        .exclude(purpose=DecisionPurpose.PRECHECK)
        .order_by("decided_at", "pk")
        .first()
    )


def _sources(decision: DecisionRecord | None, language: str | None) -> list[SourceCheck]:
    if decision is None:
        return []
    checks = []
    for key, answer in sorted((decision.sources or {}).items()):
        outcome = answer.get("outcome", "")
        checks.append(
            SourceCheck(
                key=key,
                name=source_name(key.split(".", 1)[0], language),
                outcome=outcome,
                outcome_label=str(_SOURCE_OUTCOMES.get(outcome, outcome)),
                latency_ms=answer.get("latency_ms"),
            )
        )
    return checks


def quota_limits(loan: LoanApplication) -> tuple[list[Limit], str]:
    stored = loan.quota_limits or {}
    limits = stored.get("limits", {})
    binding = stored.get("binding", "")
    shown = [key for key in LIMITS if key in limits]
    return [Limit(key, str(LIMIT_LABELS[key]), int(limits[key]), key == binding) for key in shown], binding


def active_signing(loan: LoanApplication):
    booking = loan.signing_booking
    if booking is not None and booking.status == BookingStatus.BOOKED and booking.ends_at > timezone.now():
        return booking
    return None


def _todos(loan: LoanApplication, role: str, signing) -> list[str]:
    status = loan.status
    todo: list[str] = []
    if status == LoanStatus.AWAITING_CO_BORROWER:
        todo.append("CONFIRM_AS_CO_BORROWER" if role == CO_BORROWER else "CO_BORROWER_TO_CONFIRM")
        todo += ["BOOK_SIGNING", "WAIT_FOR_APPROVAL"]
    elif status in (LoanStatus.PRE_ACCEPTED, LoanStatus.IN_APPROVAL, LoanStatus.APPROVED):
        todo.append("COME_TO_SIGN" if signing is not None else "BOOK_SIGNING")
        if status != LoanStatus.APPROVED:
            todo.append("WAIT_FOR_APPROVAL")
    elif status == LoanStatus.RETURNED:
        todo.append("CORRECT_AND_RESUBMIT")
    elif status == LoanStatus.SIGNED:
        todo.append("WAIT_FOR_DISBURSEMENT")
    return todo


def _step(name: str, at, *, detail: str = "") -> Step:
    return Step(name, str(_STEP_LABELS[name]), at, detail=detail)


def _timeline(loan: LoanApplication, decision, sources, reasons, signing_booking) -> list[Step]:
    steps = [_step("SUBMITTED", loan.submitted_at)]
    if decision is not None:
        steps.append(
            Step(
                "CHECKED",
                str(_STEP_LABELS["CHECKED"]),
                decision.decided_at,
                sources=tuple(sources),
                reasons=tuple(reason["message"] for reason in reasons),
            )
        )
    if loan.status == LoanStatus.REJECTED and not loan.actions.exists():
        steps.append(_step("REJECTED", loan.closed_at, detail=loan.note))
        return steps
    first = "AWAITING_CO_BORROWER" if loan.co_borrower_id else "PRE_ACCEPTED"
    steps.append(_step(first, decision.decided_at if decision else loan.submitted_at))
    if loan.co_borrower_confirmed_at:
        steps.append(_step("CO_BORROWER_CONFIRMED", loan.co_borrower_confirmed_at))
    if signing_booking is not None:
        steps.append(_step("SIGNING_BOOKED", signing_booking.created_at))
    for action in ApprovalAction.objects.filter(loan=loan).order_by("acted_at", "pk"):
        steps.append(
            Step(
                f"{action.level}_{action.action}",
                f"{action.get_level_display()}: {action.get_action_display()}",
                action.acted_at,
                detail=action.reason,
            )
        )
    for name, at in (
        ("ACCEPTED", loan.accepted_at),
        ("APPROVED", loan.approved_at),
        ("SIGNED", loan.signed_at),
        ("DISBURSED", loan.disbursed_at),
    ):
        if at:
            steps.append(_step(name, at))
    if loan.closed_at:
        name = "WITHDRAWN" if loan.status == LoanStatus.WITHDRAWN else "CLOSED"
        steps.append(_step(name, loan.closed_at, detail=loan.note))
    steps.sort(key=lambda step: step.at or loan.submitted_at)
    return steps


def loan_application_detail(loan: LoanApplication, *, role: str, language: str | None) -> LoanDetail:
    """Everything an application's page and the API show, in ``language`` where it is text."""
    decision = _decision(loan)
    reasons = explained_reasons(decision, language=language) if decision is not None else []
    sources = _sources(decision, language)
    limits, binding = quota_limits(loan)
    signing = active_signing(loan)
    todos = _todos(loan, role, signing)
    return LoanDetail(
        loan=loan,
        role=role,
        decision=decision,
        outcome=decision.outcome if decision is not None else None,
        reasons=reasons,
        sources=sources,
        limits=limits,
        binding=binding,
        todos=[Todo(code, str(_TODO_LABELS[code])) for code in todos],
        timeline=_timeline(loan, decision, sources, reasons, loan.signing_booking),
        signing=signing,
        may_withdraw=role == APPLICANT and loan.status in WITHDRAWABLE_STATUSES,
        may_confirm=role == CO_BORROWER and loan.status == LoanStatus.AWAITING_CO_BORROWER,
        may_book=role == APPLICANT and signing is None and loan.status in SIGNING_STATUSES,
        rate_percent=percent_text(loan.annual_rate),
    )


@dataclass(frozen=True)
class ApplyDefaults:
    """What the apply form can fill in from the centre's own records (amounts in fen)."""

    balance: int
    monthly_income: int | None  # the deposit base: last year's average monthly wage
    has_account: bool


def apply_defaults(person: Person) -> ApplyDefaults:
    account = FundAccount.objects.filter(person=person).select_related("ledger_account").first()
    if account is None:
        return ApplyDefaults(balance=0, monthly_income=None, has_account=False)
    return ApplyDefaults(
        balance=balance_of(account.ledger_account), monthly_income=account.base or None, has_account=True
    )


#: What applying asks, in words, before anything is asked (PIPL): the gatherer of LOAN_ELIGIBILITY
#: asks the credit bureau; the co-borrower check asks 民政 about the applicant's marriage.
OWN_RECORDS = (
    "本中心：您及共同借款人的公积金账户状态、余额和连续缴存月数",
    "This centre: your and your co-borrower's fund account status, balance and months deposited",
)


def consent_texts(language: str | None) -> list[str]:
    """The records applying reads, own records first, in ``language``."""
    english = (language or "").startswith("en")
    # The same list the eligibility gatherer is tested against (approvals.sources): consent names
    # every record asked, no more and no fewer.
    uses = sources_for("LOAN_ELIGIBILITY")
    return [OWN_RECORDS[1] if english else OWN_RECORDS[0], *(use.text(language) for use in uses)]
