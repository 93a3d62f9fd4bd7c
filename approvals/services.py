"""Deciding applications (秒批) and the staff review queue (maker-checker): the only writers of approvals.

An automatic decision gathers its facts first, outside any transaction (own data, then the
government sources in parallel under one deadline, see :mod:`approvals.providers`), evaluates the
rule set, and only then opens one durable transaction that writes the application, its decision
record, the review case when referred, the sources' query log (one INSERT) and, last, the audit
event. A decision that fails still writes its query log. A kind's hook runs after commit.

Review services refuse an actor without the permission to decide cases (the auditor only reads),
lock the case, check its state and the reviewer (never the applicant, a declared conflict or the
applicant's spouse), and write the action, the audit event and — for a decision — a decision
record by the reviewer, in one transaction.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from accounts.selectors import withdrawals_locked
from approvals import providers, registry
from approvals.documents import check_documents
from approvals.engine import RULE_SETS, Evaluation, RuleSet, evaluate, rule_set
from approvals.models import (
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    CaseStatus,
    Channel,
    ConflictOfInterest,
    DecisionPurpose,
    DecisionRecord,
    Outcome,
    ReviewAction,
    ReviewActionKind,
    ReviewCase,
)
from approvals.selectors import deciding_reasons, may_review
from audit.services import record_event
from core.calendar import add_working_days
from core.crypto import blind_index
from core.exceptions import DomainError
from core.policy import UnknownPolicyParameter, policy_snapshot, policy_value
from integrations.gov.registry import QueryLog
from notifications.messages import withdrawal_decided
from notifications.services import notify

DEADLINE_KEY = "withdrawal.decision_deadline_working_days"
# The legal deadline (DOMAIN.md §6) when no parameter is in force, e.g. in a flushed database.
DEFAULT_DEADLINE_WORKING_DAYS = 3
SYSTEM = "system:approvals"

_STATUS_FOR = {
    Outcome.APPROVE: ApplicationStatus.APPROVED,
    Outcome.REJECT: ApplicationStatus.REJECTED,
    Outcome.REFER: ApplicationStatus.REFERRED,
}


class ApplicationInFlight(DomainError):
    code = "APPLICATION_IN_FLIGHT"
    http_status = 409


class UnknownReason(DomainError):
    code = "UNKNOWN_REASON"
    http_status = 400


class InvalidApplication(DomainError):
    code = "INVALID_APPLICATION"
    http_status = 400


class ReviewerConflict(DomainError):
    code = "REVIEWER_CONFLICT"
    http_status = 403


class ReviewerNotStaff(DomainError):
    code = "REVIEWER_NOT_STAFF"
    http_status = 403


class ReviewerNotPermitted(DomainError):
    code = "REVIEWER_NOT_PERMITTED"
    http_status = 403


class CaseNotOpen(DomainError):
    code = "CASE_NOT_OPEN"
    http_status = 409


class NotClaimant(DomainError):
    code = "NOT_CLAIMANT"
    http_status = 409


class ReasonRequired(DomainError):
    code = "REASON_REQUIRED"
    http_status = 400


class ApplicantLockedWithdrawals(DomainError):
    code = "APPLICANT_LOCKED_WITHDRAWALS"
    http_status = 409


@dataclass(frozen=True)
class _Decided:
    """An evaluated decision, not yet written: everything the decision record stores."""

    rule_set: RuleSet
    applied_on: date
    parameters: dict
    evaluation: Evaluation
    gathered: providers.Gathered
    decision_ms: int
    query_purpose: str
    amount_limit: int | None

    @property
    def outcome(self) -> str:
        return Outcome(self.evaluation.outcome.value)


def _rule_set_for(reason: str) -> RuleSet:
    import approvals.rulesets  # noqa: F401  (the rule sets register themselves on import)

    if reason not in RULE_SETS:
        raise UnknownReason(
            _("There is no application reason called %(reason)s.") % {"reason": reason}, field="reason"
        )
    return rule_set(reason)


def _requester(actor) -> str:
    return actor.get_username() if actor is not None else SYSTEM


def _parameter_record(snapshot) -> dict:
    records = {}
    for key, version in snapshot.items():
        record = version.as_record()
        record.pop("key", None)
        records[key] = record
    return records


# A rule set's parameter versions for a day, kept a few seconds: they are read for every decision
# and change a few times a year. A new version reaches decisions within PARAMETER_CACHE_SECONDS,
# and each decision records the versions it actually used.
PARAMETER_CACHE_SECONDS = 5.0
_parameter_cache: dict[tuple[str, date], tuple[float, dict]] = {}


def clear_parameter_cache() -> None:
    _parameter_cache.clear()
    _deadline_cache.clear()


def _parameter_snapshot(rules: RuleSet, on: date) -> dict:
    key = (rules.name, on)
    cached = _parameter_cache.get(key)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    snapshot = policy_snapshot(rules.parameters, on=on)
    _parameter_cache[key] = (now + PARAMETER_CACHE_SECONDS, snapshot)
    return snapshot


def _decide(
    *, reason: str, person: Person, payload: dict, actor, query_purpose: str, query_log: QueryLog
) -> _Decided:
    """Gather (outside any transaction) and evaluate; writes nothing: the query log waits in ``query_log``."""
    rules = _rule_set_for(reason)
    applied_on = timezone.localdate()
    snapshot = _parameter_snapshot(rules, applied_on)
    params = {key: version.value for key, version in snapshot.items()}
    started = time.monotonic()
    try:
        gathered = providers.gather_facts(
            rules,
            person=person,
            payload=payload,
            params=params,
            on=applied_on,
            purpose=query_purpose,
            requested_by=_requester(actor),
            query_log=query_log,
        )
    except providers.InvalidPayload as error:
        raise InvalidApplication(str(error), field="payload") from error
    evaluation = evaluate(rules, gathered.facts, params)
    decision_ms = round((time.monotonic() - started) * 1000)
    return _Decided(
        rule_set=rules,
        applied_on=applied_on,
        parameters=_parameter_record(snapshot),
        evaluation=evaluation,
        gathered=gathered,
        decision_ms=decision_ms,
        query_purpose=query_purpose,
        amount_limit=rules.amount_limit(gathered.facts, params),
    )


def _decision_record(
    decided: _Decided, *, purpose: str, person: Person, channel: str, application=None
) -> DecisionRecord:
    return DecisionRecord.objects.create(
        application=application,
        subject=person,
        purpose=purpose,
        channel=channel,
        rule_set=decided.rule_set.name,
        rule_set_version=decided.rule_set.version,
        applied_on=decided.applied_on,
        parameters=decided.parameters,
        facts=decided.gathered.facts.to_json(),
        private_facts=decided.gathered.private,
        results=[result.to_json() for result in decided.evaluation.results],
        sources={
            name: {"outcome": answer.outcome, "latency_ms": answer.latency_ms}
            for name, answer in decided.gathered.sources.items()
        },
        decision_ms=decided.decision_ms,
        outcome=decided.outcome,
        query_purpose=decided.query_purpose,
        amount_limit=decided.amount_limit,
    )


def _reason_codes(evaluation: Evaluation) -> list[str]:
    return [reason.code for reason in evaluation.reasons]


_deadline_cache: dict[date, tuple[float, date]] = {}


def _deadline(submitted_on: date) -> date:
    """The legal decision deadline for an application submitted on ``submitted_on``.

    The same for every application of a day: kept as long as the parameter snapshots.
    """
    cached = _deadline_cache.get(submitted_on)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    try:
        days = policy_value(DEADLINE_KEY, on=submitted_on)
    except UnknownPolicyParameter:
        days = DEFAULT_DEADLINE_WORKING_DAYS
    due_on = add_working_days(submitted_on, days)
    _deadline_cache[submitted_on] = (now + PARAMETER_CACHE_SECONDS, due_on)
    return due_on


def _check_channel(channel: str) -> None:
    if channel not in Channel.values:
        raise InvalidApplication(
            _("There is no channel called %(channel)s.") % {"channel": channel}, field="channel"
        )


def _in_flight() -> ApplicationInFlight:
    return ApplicationInFlight(
        _("An application for this reason is already being processed."), field="reason"
    )


def _schedule_hook(application: Application, decision: DecisionRecord) -> None:
    hook = registry.hook_for(application.kind)
    if hook is not None:
        transaction.on_commit(lambda: hook(application=application, decision=decision))


#: The path of the applicant's applications in the hall, where a decision's message links.
APPLICATIONS_LINK = "/hall/applications/"


def _tell_applicant(application: Application, decision: DecisionRecord) -> None:
    """A withdrawal's applicant reads its decision (approved, rejected, referred) in the portal and by
    text; a loan's eligibility is told by the loans app, in its own words."""
    if application.kind != "withdrawal":
        return
    requested = (application.payload or {}).get("amount")
    amount = decision.amount_limit
    if isinstance(requested, int) and not isinstance(requested, bool) and requested > 0:
        amount = requested if amount is None else min(requested, amount)
    notice = withdrawal_decided(
        reason=application.reason,
        outcome=decision.outcome,
        reasons=deciding_reasons(decision),
        amount=amount or None,
        application_id=application.pk,
        link=APPLICATIONS_LINK,
    )
    notify(person=application.applicant, **notice.as_kwargs())


def submit_application(
    *, kind: str, reason: str, applicant: Person, channel: str, payload: dict, actor, documents=()
):
    """Decide an application now: APPROVED, REJECTED (with reasons) or REFERRED to the review queue.

    ``documents`` are :class:`approvals.documents.Upload` for staff to review, checked (type by
    content, size, count) before anything is asked and kept in the transaction that writes the
    application. Raises :class:`ApplicationInFlight` when the applicant already has an open
    application for ``reason`` (checked before any source is asked, and again by the database at
    insert), and :class:`approvals.documents.DocumentRefused` for a document it cannot take.
    """
    if not registry.is_valid_kind(kind):
        raise InvalidApplication(_("There is no application kind called %(kind)s.") % {"kind": kind})
    _check_channel(channel)
    _rule_set_for(reason)
    payload = dict(payload or {})
    checked_documents = check_documents(documents)
    # Cheap early refusal: no government query for a duplicate. The unique constraint below is
    # what actually guarantees it when two submissions race.
    if Application.objects.filter(
        applicant=applicant, reason=reason, status__in=OPEN_APPLICATION_STATUSES
    ).exists():
        raise _in_flight()
    gathering_from = timezone.now()
    query_log = QueryLog()
    logged = False
    try:
        application = _write_application(
            kind=kind,
            reason=reason,
            applicant=applicant,
            channel=channel,
            payload=payload,
            actor=actor,
            gathering_from=gathering_from,
            query_log=query_log,
            documents=checked_documents,
        )
        logged = True
    finally:
        if not logged and not query_log.committed:
            # Refused, failed or rolled back: the sources were asked all the same, and say so.
            query_log.write()
    return application


def _write_application(
    *, kind, reason, applicant, channel, payload, actor, gathering_from, query_log: QueryLog, documents
) -> Application:
    decided = _decide(
        reason=reason,
        person=applicant,
        payload=payload,
        actor=actor,
        query_purpose=f"application:{uuid.uuid4()}",
        query_log=query_log,
    )
    submitted_at = timezone.now()
    due_on = _deadline(timezone.localdate(submitted_at))
    status = _STATUS_FOR[decided.outcome]
    with transaction.atomic(durable=True):
        # Submissions for one applicant queue here. The partial unique constraint alone cannot
        # stop two racing submissions that are both decided at once (APPROVED is not "open"), so
        # whoever comes second also refuses an application made while it was gathering facts.
        # no_key: the lock does not block other rows that merely reference the person. SQLite has
        # no row locks: its IMMEDIATE transactions already queue every writer, so it skips the read.
        if connection.features.has_select_for_update:
            Person.objects.select_for_update(no_key=True).filter(pk=applicant.pk).values_list("pk").get()
        if (
            Application.objects.filter(applicant=applicant, reason=reason)
            .filter(Q(status__in=OPEN_APPLICATION_STATUSES) | Q(submitted_at__gte=gathering_from))
            .exists()
        ):
            raise _in_flight()
        application = Application(
            kind=kind,
            reason=reason,
            applicant=applicant,
            channel=channel,
            payload=payload,
            status=status,
            submitted_at=submitted_at,
            decided_at=None if status in OPEN_APPLICATION_STATUSES else submitted_at,
            due_on=due_on,
        )
        try:
            # No savepoint: losing the race ends the whole transaction, which rolls back.
            application.save(force_insert=True)
        except IntegrityError as error:
            raise _in_flight() from error
        decision = _decision_record(
            decided,
            purpose=DecisionPurpose.APPLICATION,
            person=applicant,
            channel=channel,
            application=application,
        )
        if status == ApplicationStatus.REFERRED:
            ReviewCase.objects.create(application=application, due_on=due_on, opened_at=submitted_at)
        _tell_applicant(application, decision)
        ApplicationDocument.objects.bulk_create(
            ApplicationDocument(
                application=application,
                filename=document.filename,
                content_type=document.content_type,
                size=document.size,
                sha256=document.sha256,
                content=document.content,
                uploaded_at=submitted_at,
            )
            for document in documents
        )
        query_log.write()
        # Registered before the hook: a hook that raises after the commit must not log twice.
        transaction.on_commit(query_log.mark_committed)
        _schedule_hook(application, decision)
        # Last before commit: the chain's append lock is held from here to the commit.
        record_event(
            actor=actor,
            actor_label=None if actor is not None else SYSTEM,
            action="approvals.application_decided",
            target=application,
            summary=f"{kind} {reason}: {decided.outcome} (decision #{decision.pk}, {decided.decision_ms} ms)",
            data={
                "decision": decision.pk,
                "outcome": decided.outcome,
                "channel": channel,
                "reasons": _reason_codes(decided.evaluation),
                # What staff will review, fixed in the chain: a swapped file would not match.
                **(
                    {"documents": [{"name": d.filename, "sha256": d.sha256} for d in documents]}
                    if documents
                    else {}
                ),
            },
        )
    return application


def check_eligibility(*, reason: str, person: Person, channel: str, actor, payload: dict | None = None):
    """A citizen's pre-check: the same decision without an application; returns the DecisionRecord."""
    _check_channel(channel)
    query_log = QueryLog()
    logged = False
    try:
        decided = _decide(
            reason=reason,
            person=person,
            payload=dict(payload or {}),
            actor=actor,
            query_purpose=f"precheck:{uuid.uuid4()}",
            query_log=query_log,
        )
        with transaction.atomic(durable=True):
            record = _decision_record(
                decided, purpose=DecisionPurpose.PRECHECK, person=person, channel=channel
            )
            query_log.write()
        logged = True
    finally:
        if not logged:
            # Failed or rolled back: the sources were asked all the same, and say so.
            query_log.write()
    return record


# The review queue -----------------------------------------------------------------------------


def _locked_case(case: ReviewCase) -> ReviewCase:
    # The row lock serialises reviewers acting on one case (SQLite's IMMEDIATE transactions
    # already serialise every writer).
    return ReviewCase.objects.select_for_update().select_related("application").get(pk=case.pk)


def _require_reviewer(actor) -> None:
    if actor is None or not actor.is_active or not actor.is_staff:
        raise ReviewerNotStaff(_("Only members of staff review cases."))
    if not may_review(actor):
        raise ReviewerNotPermitted(_("Your role may read review cases but not act on them."))


def _staff_person_id(actor) -> int | None:
    return Person.objects.filter(user=actor).values_list("pk", flat=True).first()


def _spouse_indexes(application: Application) -> set[str]:
    indexes = set()
    for private in DecisionRecord.objects.filter(application=application).values_list(
        "private_facts", flat=True
    ):
        spouse = (private or {}).get("spouse_index")
        if spouse:
            indexes.add(spouse)
    return indexes


def reviewer_conflict(
    *, application: Application, actor, spouse_indexes: set[str] = frozenset()
) -> str | None:
    """Why ``actor`` may not review ``application`` ("SELF", "DECLARED", "SPOUSE"), or None.

    The spouse is the one the decision's recorded marriage record named, or one of
    ``spouse_indexes`` (asked from 民政 at claim time when no decision looked the marriage up).
    """
    person_id = _staff_person_id(actor)
    if person_id is not None and person_id == application.applicant_id:
        return "SELF"
    if ConflictOfInterest.objects.filter(staff=actor, person_id=application.applicant_id).exists():
        return "DECLARED"
    if person_id is not None:
        index = Person.objects.filter(pk=person_id).values_list("id_number_index", flat=True).first()
        if index and index in (_spouse_indexes(application) | set(spouse_indexes)):
            return "SPOUSE"
    return None


# How the spouse rule was checked at a claim (kept in the audit event).
SPOUSE_RECORDED = "recorded"  # the decision's facts looked the marriage up
SPOUSE_ASKED = "asked"  # 民政 was asked at the claim
SPOUSE_UNAVAILABLE = "unavailable"  # 民政 did not answer: only declared conflicts protect
SPOUSE_NOT_NEEDED = "not_needed"  # the reviewer is no depositor, so cannot be the spouse


def _spouse_at_claim(case: ReviewCase, actor) -> tuple[set[str], str]:
    """The applicant's spouse (blind index) for the conflict check, asked outside any transaction.

    Rules that do not need the marriage (retirement, leaving the city) never looked it up; then
    民政 is asked now, once, under the case's purpose. Unavailable fails open, and says so in the
    audit trail: blocking every review while 民政 is down would stop the queue.
    """
    if _staff_person_id(actor) is None:
        return set(), SPOUSE_NOT_NEEDED
    recorded = DecisionRecord.objects.filter(application_id=case.application_id).values_list(
        "private_facts", flat=True
    )
    if any((private or {}).get("marriage_checked") for private in recorded):
        return set(), SPOUSE_RECORDED
    from approvals.gathering import gather
    from integrations.gov import ports
    from integrations.gov.registry import gov_source

    applicant = Person.objects.only("id_number").get(pk=case.application.applicant_id)
    source = gov_source(ports.CIVIL_AFFAIRS, purpose=f"review:case:{case.pk}", requested_by=_requester(actor))
    answer = gather({"marriage": lambda timeout: source.marriage(applicant.id_number, timeout=timeout)})[
        "marriage"
    ]
    if not answer.answered:
        return set(), SPOUSE_UNAVAILABLE
    record = answer.value
    if record is not None and record.status == ports.MARRIED and record.spouse_id_number:
        return {blind_index(record.spouse_id_number)}, SPOUSE_ASKED
    return set(), SPOUSE_ASKED


_CONFLICT_MESSAGES = {
    "SELF": _("You may not review your own application."),
    "DECLARED": _("You have declared a conflict of interest with this applicant."),
    "SPOUSE": _("You may not review your spouse's application."),
}


def _check_reviewer(case: ReviewCase, actor, spouse_indexes: set[str] = frozenset()) -> None:
    _require_reviewer(actor)
    conflict = reviewer_conflict(application=case.application, actor=actor, spouse_indexes=spouse_indexes)
    if conflict is not None:
        raise ReviewerConflict(_CONFLICT_MESSAGES[conflict])


def _act(case: ReviewCase, actor, action: str, reason: str = "", **data) -> None:
    ReviewAction.objects.create(case=case, action=action, actor=actor, reason=reason)
    record_event(
        actor=actor,
        action=f"approvals.case_{action.lower()}",
        target=case,
        summary=f"case #{case.pk} of application #{case.application_id}: {action}",
        data={"application": case.application_id, "status": case.status, **data},
    )


def claim_case(*, case: ReviewCase, actor) -> ReviewCase:
    """Take an OPEN case: it becomes CLAIMED by ``actor``, the only one who may decide or release it."""
    _require_reviewer(actor)
    spouse_indexes, spouse_check = _spouse_at_claim(case, actor)
    with transaction.atomic(durable=True):
        case = _locked_case(case)
        if case.status != CaseStatus.OPEN:
            raise CaseNotOpen(_("This case is not open: someone has claimed or decided it."))
        _check_reviewer(case, actor, spouse_indexes)
        case.status = CaseStatus.CLAIMED
        case.claimed_by = actor
        case.claimed_at = timezone.now()
        case.save(update_fields=["status", "claimed_by", "claimed_at"])
        _act(case, actor, ReviewActionKind.CLAIM, spouse_check=spouse_check)
    return case


def _require_claimant(case: ReviewCase, actor) -> None:
    if case.status != CaseStatus.CLAIMED:
        raise CaseNotOpen(_("This case is not claimed: claim it first."))
    if actor is None or case.claimed_by_id != actor.pk:
        raise NotClaimant(_("Only the member of staff who claimed this case may act on it."))


def release_case(*, case: ReviewCase, actor) -> ReviewCase:
    """Give a claimed case back to the queue (OPEN); only its claimant may."""
    _require_reviewer(actor)
    with transaction.atomic(durable=True):
        case = _locked_case(case)
        _require_claimant(case, actor)
        case.status = CaseStatus.OPEN
        case.claimed_by = None
        case.claimed_at = None
        case.save(update_fields=["status", "claimed_by", "claimed_at"])
        _act(case, actor, ReviewActionKind.RELEASE)
    return case


def _review_decision(*, case: ReviewCase, actor, reason: str, outcome: str) -> ReviewCase:
    _require_reviewer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Give a reason for the decision."), field="reason")
    with transaction.atomic(durable=True):
        case = _locked_case(case)
        _require_claimant(case, actor)
        # Checked again: a conflict may have been declared since the claim.
        _check_reviewer(case, actor)
        application = Application.objects.select_for_update().get(pk=case.application_id)
        # The applicant's own lock binds staff too: a case referred before the lock was turned on
        # must not pay out while it is on (rejecting stays possible).
        if (
            outcome == Outcome.APPROVE
            and application.kind == "withdrawal"
            and withdrawals_locked(application.applicant)
        ):
            raise ApplicantLockedWithdrawals(
                _("The applicant has locked withdrawals from their account: approve only once they unlock.")
            )
        automatic = (
            DecisionRecord.objects.filter(application=application, purpose=DecisionPurpose.APPLICATION)
            .order_by("-decided_at", "-pk")
            .first()
        )
        now = timezone.now()
        decision = DecisionRecord.objects.create(
            application=application,
            subject_id=application.applicant_id,
            purpose=DecisionPurpose.REVIEW,
            channel=application.channel,
            rule_set=automatic.rule_set if automatic else application.reason,
            rule_set_version=automatic.rule_set_version if automatic else 0,
            applied_on=automatic.applied_on if automatic else timezone.localdate(now),
            parameters=automatic.parameters if automatic else {},
            facts=automatic.facts if automatic else {},
            private_facts=automatic.private_facts if automatic else {},
            results=automatic.results if automatic else [],
            sources=automatic.sources if automatic else {},
            decision_ms=0,
            outcome=outcome,
            decided_at=now,
            decided_by=actor,
            note=reason,
            amount_limit=automatic.amount_limit if automatic else None,
        )
        case.status = CaseStatus.APPROVED if outcome == Outcome.APPROVE else CaseStatus.REJECTED
        case.decided_by = actor
        case.decided_at = now
        case.reason = reason
        case.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        application.status = _STATUS_FOR[outcome]
        application.decided_at = now
        application.save(update_fields=["status", "decided_at"])
        _act(
            case,
            actor,
            ReviewActionKind.APPROVE if outcome == Outcome.APPROVE else ReviewActionKind.REJECT,
            reason,
        )
        _tell_applicant(application, decision)
        _schedule_hook(application, decision)
    return case


def approve_case(*, case: ReviewCase, actor, reason: str) -> ReviewCase:
    """The claimant approves: the application becomes APPROVED; a decision record names them."""
    return _review_decision(case=case, actor=actor, reason=reason, outcome=Outcome.APPROVE)


def reject_case(*, case: ReviewCase, actor, reason: str) -> ReviewCase:
    """The claimant rejects, giving the reason the applicant will read."""
    return _review_decision(case=case, actor=actor, reason=reason, outcome=Outcome.REJECT)
