"""The loan approval chain (受理 → 初审 → 复审 → 终审): the only writer of a case's approval actions,
of its status while staff decide it, of its approval seal, and of final-approval delegations.

Levels. A case waits at 受理 (ACCEPTANCE) while PRE_ACCEPTED, then at ``stage`` while IN_APPROVAL.
Which levels it needs depends on its amount: above ``loan.approval.second_review_above`` (fen,
the version in force on the day the application was submitted, so a later change of the figure
never reshapes a case in progress) it passes 复审 (SECOND); at or below, 初审 hands it straight
to 终审. Approving at 终审 makes the case APPROVED and stamps the electronic seal over its
approval record (:func:`approval_record`); a return (RETURNED) or a rejection (REJECTED) at any
level needs a reason, which the applicant reads.

Who may act (DOMAIN.md §7, :data:`ROLES_AT_LEVEL`): a clerk (受理员) accepts and does 初审; a
section chief (科长) does 复审 and may do 初审; the director (主任) does 终审; a deputy director
(副主任) does 终审 only under a :class:`~loans.models.FinalApprovalDelegation` in force today
(period covers today, not revoked, the loan within its ``max_amount``), named on the action.
Whatever the role: one person acts on one level of a case only, and never on their own case or
a relative's — the applicant or the co-borrower is themselves, a person they declared a conflict
with, or their spouse (:func:`loan_reviewer_conflict`, the approvals review queue's rule).

Each service locks the case row (two staff acting at once: one waits, then finds the case moved
on), checks its state and the actor, writes the action, the case and the audit event in one
durable transaction, and writes the applicant's in-portal message there too: it exists exactly
when the decision does, and its SMS goes out after commit (``notifications.services.notify``).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import Person, User
from approvals.models import ConflictOfInterest
from approvals.services import reviewer_conflict
from audit.chain import canonical_time
from audit.seals import SealVerdict, document_digest, seal_document, verify_seal
from audit.services import record_event
from core.crypto import mask_id_number
from core.exceptions import DomainError
from core.money import format_yuan
from core.policy import policy_value
from loans.models import ApprovalAction, ApprovalLevel, FinalApprovalDelegation, LoanApplication, LoanStatus
from notifications.text import yuan

SECOND_REVIEW_KEY = "loan.approval.second_review_above"
SEAL_KIND = "LOAN_APPROVAL"
#: The applicant's messages lead to the loan's own page in the hall, which shows the whole case.
APPLICANT_LINK = "/hall/loans/{pk}/"
#: A reason is kept whole in the case; its SMS is shortened by the notifications app.
REASON_MAX_LENGTH = 2000

Level = ApprovalLevel
Action = ApprovalAction.Action

#: Every level in order; a case needs all but possibly SECOND (see :func:`levels_needed`).
LEVELS = (Level.ACCEPTANCE, Level.FIRST, Level.SECOND, Level.FINAL)

#: The roles that may act at each level in their own right; a deputy director also acts at
#: FINAL, by delegation only.
ROLES_AT_LEVEL = {
    Level.ACCEPTANCE: frozenset({roles.STAFF_CLERK}),
    Level.FIRST: frozenset({roles.STAFF_CLERK, roles.STAFF_SECTION_CHIEF}),
    Level.SECOND: frozenset({roles.STAFF_SECTION_CHIEF}),
    Level.FINAL: frozenset({roles.STAFF_DIRECTOR}),
}


# Refusals -------------------------------------------------------------------------------------


class LoanNotFound(DomainError):
    code = "LOAN_NOT_FOUND"
    http_status = 404


class LoanNotInApproval(DomainError):
    code = "LOAN_NOT_IN_APPROVAL"
    http_status = 409


class LoanLevelChanged(DomainError):
    code = "LOAN_LEVEL_CHANGED"
    http_status = 409


class ApproverNotStaff(DomainError):
    code = "APPROVER_NOT_STAFF"
    http_status = 403


class LevelNotPermitted(DomainError):
    code = "LEVEL_NOT_PERMITTED"
    http_status = 403


class NoValidDelegation(DomainError):
    code = "NO_VALID_DELEGATION"
    http_status = 403


class DelegationLimitExceeded(DomainError):
    code = "DELEGATION_LIMIT_EXCEEDED"
    http_status = 403


class ActedAtAnotherLevel(DomainError):
    code = "ACTED_AT_ANOTHER_LEVEL"
    http_status = 403


class ApproverConflict(DomainError):
    code = "APPROVER_CONFLICT"
    http_status = 403


class ReasonRequired(DomainError):
    code = "REASON_REQUIRED"
    http_status = 400


class DelegationNotPermitted(DomainError):
    code = "DELEGATION_NOT_PERMITTED"
    http_status = 403


class InvalidDelegation(DomainError):
    code = "INVALID_DELEGATION"
    http_status = 400


class DelegationNotFound(DomainError):
    code = "DELEGATION_NOT_FOUND"
    http_status = 404


class DelegationAlreadyRevoked(DomainError):
    code = "DELEGATION_ALREADY_REVOKED"
    http_status = 409


_CONFLICT_MESSAGES = {
    "SELF": _("You may not act on a loan application in which you are the applicant or the co-borrower."),
    "DECLARED": _("You have declared a conflict of interest with the applicant or the co-borrower."),
    "SPOUSE": _("You may not act on your spouse's loan application."),
}


# Levels ---------------------------------------------------------------------------------------


def submitted_on(loan: LoanApplication) -> date:
    return timezone.localdate(loan.submitted_at)


def levels_needed(loan: LoanApplication) -> tuple[str, ...]:
    """The levels this case passes, in order: SECOND only above the second-review threshold."""
    threshold = policy_value(SECOND_REVIEW_KEY, on=submitted_on(loan))
    if loan.amount > threshold:
        return tuple(LEVELS)
    return tuple(level for level in LEVELS if level != Level.SECOND)


def waiting_level(loan: LoanApplication) -> str | None:
    """The level the case waits at (ACCEPTANCE while pre-accepted), or None when no level does."""
    if loan.status == LoanStatus.PRE_ACCEPTED:
        return Level.ACCEPTANCE
    if loan.status == LoanStatus.IN_APPROVAL:
        return loan.stage
    return None


def _level_after(loan: LoanApplication, level: str) -> str | None:
    needed = levels_needed(loan)
    later = needed[needed.index(level) + 1 :] if level in needed else ()
    return later[0] if later else None


def level_label(level: str) -> str:
    return str(Level(level).label)


# Who may act ----------------------------------------------------------------------------------


def levels_of(user) -> frozenset[str]:
    """The levels ``user`` may act at by role (FINAL for a deputy director: by delegation only)."""
    if user is None or not user.is_active or not user.is_staff:
        return frozenset()
    held = roles.roles_of(user)
    levels = {level for level, allowed in ROLES_AT_LEVEL.items() if held & allowed}
    if roles.STAFF_DEPUTY_DIRECTOR in held:
        levels.add(Level.FINAL)
    return frozenset(levels)


def delegations_in_force(*, delegate, on: date):
    """The delegations to ``delegate`` in force on ``on``: period covers it, not revoked, and the
    delegating director still active and a director."""
    return FinalApprovalDelegation.objects.filter(
        delegate=delegate,
        valid_from__lte=on,
        valid_until__gte=on,
        revoked_at__isnull=True,
        delegator__is_active=True,
        delegator__groups__name=roles.STAFF_DIRECTOR,
    ).distinct()


def _delegation_for(loan: LoanApplication, actor, on: date) -> FinalApprovalDelegation:
    in_force = list(delegations_in_force(delegate=actor, on=on).order_by("pk"))
    if not in_force:
        raise NoValidDelegation(
            _("A deputy director acts at final approval only under a director's delegation in force today.")
        )
    covering = [d for d in in_force if d.max_amount is None or loan.amount <= d.max_amount]
    if not covering:
        largest = max(d.max_amount for d in in_force)
        raise DelegationLimitExceeded(
            _("Your delegation covers loans of up to %(limit)s yuan; this loan is %(amount)s yuan.")
            % {"limit": format_yuan(largest), "amount": format_yuan(loan.amount)}
        )
    return covering[0]


def _require_staff(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active or not actor.is_staff:
        raise ApproverNotStaff(_("Only members of staff act on loan applications."))


def _authority(loan: LoanApplication, actor, level: str, on: date) -> FinalApprovalDelegation | None:
    """The delegation the actor uses at ``level`` (None: their own role), or the refusal."""
    held = roles.roles_of(actor)
    if held & ROLES_AT_LEVEL[level]:
        return None
    if level == Level.FINAL and roles.STAFF_DEPUTY_DIRECTOR in held:
        return _delegation_for(loan, actor, on)
    raise LevelNotPermitted(
        _("Your role may not act at the level %(level)s.") % {"level": level_label(level)}
    )


def person_id_of(user) -> int | None:
    return Person.objects.filter(user=user).values_list("pk", flat=True).first()


def loan_reviewer_conflict(*, loan: LoanApplication, actor) -> str | None:
    """Why ``actor`` may not act on ``loan`` ("SELF", "DECLARED", "SPOUSE"), or None.

    The approvals review queue's rule (:func:`approvals.services.reviewer_conflict`) over the
    eligibility decision — the applicant, declared conflicts with them, and the spouse the
    decision's marriage record named — extended to the co-borrower: a member of staff who is
    the co-borrower, or declared a conflict with them, may not act either.
    """
    parties = [loan.applicant_id] + ([loan.co_borrower_id] if loan.co_borrower_id else [])
    if person_id_of(actor) in parties:
        return "SELF"
    if ConflictOfInterest.objects.filter(staff=actor, person_id__in=parties).exists():
        return "DECLARED"
    if loan.eligibility_id is not None:
        return reviewer_conflict(application=loan.eligibility, actor=actor)
    return None


def _check_actor(loan: LoanApplication, actor, level: str, on: date) -> FinalApprovalDelegation | None:
    delegation = _authority(loan, actor, level, on)
    if ApprovalAction.objects.filter(loan=loan, actor=actor).exclude(level=level).exists():
        raise ActedAtAnotherLevel(
            _("You have acted at another level of this case: one person acts on one level only.")
        )
    conflict = loan_reviewer_conflict(loan=loan, actor=actor)
    if conflict is not None:
        raise ApproverConflict(_CONFLICT_MESSAGES[conflict])
    return delegation


def may_act(*, loan: LoanApplication, actor, on: date | None = None) -> DomainError | None:
    """The refusal ``actor`` would meet acting on ``loan`` now, or None: for showing buttons only
    (the services check again under the lock)."""
    level = waiting_level(loan)
    if level is None:
        return LoanNotInApproval(_("This loan application is not waiting for approval."))
    try:
        _require_staff(actor)
        _check_actor(loan, actor, level, on or timezone.localdate())
    except DomainError as refusal:
        return refusal
    return None


# The approval record and its seal -------------------------------------------------------------


def approval_record(loan: LoanApplication) -> dict:
    """The case's canonical approval record, the document the seal signs: who borrows (masked),
    what was approved, and every action with its level, actor and time."""
    applicant = Person.objects.only("id_number").get(pk=loan.applicant_id)
    co_borrower = (
        Person.objects.only("id_number").get(pk=loan.co_borrower_id) if loan.co_borrower_id else None
    )
    actions = (
        ApprovalAction.objects.filter(loan_id=loan.pk).select_related("actor").order_by("acted_at", "pk")
    )
    return {
        "loan_application": loan.pk,
        "applicant": mask_id_number(applicant.id_number),
        "co_borrower": mask_id_number(co_borrower.id_number) if co_borrower else "",
        "amount_fen": loan.amount,
        "term_months": loan.term_months,
        "annual_rate": f"{loan.annual_rate:.5f}",
        "repayment_method": loan.repayment_method,
        "quota_fen": loan.quota,
        "actions": [
            {
                "level": action.level,
                "action": action.action,
                "actor_id": action.actor_id,
                "actor": action.actor.get_username(),
                "at": canonical_time(action.acted_at),
                "delegation": action.delegation_id,
            }
            for action in actions
        ],
    }


def approval_digest(loan: LoanApplication) -> str:
    return document_digest(approval_record(loan))


def verify_approval_seal(*, loan: LoanApplication) -> SealVerdict | None:
    """Whether the case's seal is the centre's and still matches the case as it is now (None: no seal)."""
    if loan.approval_seal_id is None:
        return None
    return verify_seal(code=loan.approval_seal.code, digest=approval_digest(loan))


# The use cases --------------------------------------------------------------------------------


def _locked(loan_id: int) -> LoanApplication:
    # The row lock serialises staff acting on one case; no join, so only the case row is locked.
    loan = LoanApplication.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None:
        raise LoanNotFound(_("There is no loan application No. %(number)s.") % {"number": loan_id})
    return loan


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ReasonRequired(_("Give a reason: the applicant reads it."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ReasonRequired(
            _("Keep the reason to %(count)s characters.") % {"count": REASON_MAX_LENGTH}, field="reason"
        )
    return reason


# The applicant's messages: message ids rendered in the applicant's language (notifications.text).
_APPROVED_TITLE = _("Housing fund loan application approved")
_APPROVED_TEXT = _(
    "The housing fund loan you applied for, %(amount)s yuan over %(term)s months, has been approved. "
    "Come to the counter as booked to sign the loan contract."
)
_RETURNED_TITLE = _("Housing fund loan application returned for correction")
_RETURNED_TEXT = _(
    "Your housing fund loan application (No. %(number)s) has been returned because: %(reason)s. Correct "
    "it as asked and submit it again."
)
_REJECTED_TITLE = _("Housing fund loan application not approved")
_REJECTED_TEXT = _(
    "Your housing fund loan application (No. %(number)s) was not approved because: %(reason)s. Call 12329 "
    "with any question."
)


def _notify_applicant(loan: LoanApplication, action: str, reason: str) -> None:
    """The applicant's message, in the applicant's language (the reason as staff wrote it)."""
    from notifications.services import notify

    applicant = Person.objects.get(pk=loan.applicant_id)
    if action == Action.APPROVE:
        kind, title, body = "loan_approved", _APPROVED_TITLE, _APPROVED_TEXT
    elif action == Action.RETURN:
        kind, title, body = "loan_returned", _RETURNED_TITLE, _RETURNED_TEXT
    else:
        kind, title, body = "loan_rejected", _REJECTED_TITLE, _REJECTED_TEXT
    notify(
        person=applicant,
        kind=kind,
        title=title,
        body=body,
        params={
            "amount": yuan(loan.amount),
            "term": loan.term_months,
            "number": loan.pk,
            "reason": reason.rstrip("。."),
        },
        link=APPLICANT_LINK.format(pk=loan.pk),
    )


# The levels as a sentence names them (the labels quote the Chinese term for staff).
_LEVEL_NAMES = {
    Level.ACCEPTANCE: _("acceptance"),
    Level.FIRST: _("the first review"),
    Level.SECOND: _("the second review"),
    Level.FINAL: _("the final approval"),
}


def _notify_level_passed(loan: LoanApplication, passed: str, following: str) -> None:
    """The applicant follows the case up the chain: each level passed is a message of its own."""
    from notifications.services import notify

    notify(
        person=Person.objects.get(pk=loan.applicant_id),
        kind="loan_level_passed",
        title=_("Housing fund loan application moved on"),
        body=_(
            "Your housing fund loan application (No. %(number)s) has passed %(level)s and is now at %(next)s."
        ),
        params={"number": loan.pk, "level": _LEVEL_NAMES[passed], "next": _LEVEL_NAMES[following]},
        link=APPLICANT_LINK.format(pk=loan.pk),
    )


def _act(*, loan_id: int, actor, action: str, reason: str, level: str | None, only_at: str | None = None):
    reason = _clean_reason(reason, required=action != Action.APPROVE)
    _require_staff(actor)
    with transaction.atomic(durable=True):
        loan = _locked(loan_id)
        waiting = waiting_level(loan)
        if waiting is None or (only_at is not None and waiting != only_at):
            raise LoanNotInApproval(
                _("This loan application is not waiting for %(level)s.")
                % {"level": level_label(only_at) if only_at else _("approval")}
            )
        if level is not None and level != waiting:
            # The page showed one level; someone acted first and the case moved on.
            raise LoanLevelChanged(
                _("Someone acted on this case first: it now waits at %(level)s.")
                % {"level": level_label(waiting)}
            )
        now = timezone.now()
        delegation = _check_actor(loan, actor, waiting, timezone.localdate(now))
        ApprovalAction.objects.create(
            loan=loan,
            level=waiting,
            action=action,
            actor=actor,
            delegation=delegation,
            reason=reason,
            acted_at=now,
        )
        fields = ["status", "stage"]
        following = _level_after(loan, waiting) if action == Action.APPROVE else None
        if action == Action.APPROVE and following is not None:
            loan.status, loan.stage = LoanStatus.IN_APPROVAL, following
            if waiting == Level.ACCEPTANCE:
                loan.accepted_at = now
                fields.append("accepted_at")
        elif action == Action.APPROVE:
            loan.status, loan.stage, loan.approved_at = LoanStatus.APPROVED, "", now
            loan.approval_seal = seal_document(
                kind=SEAL_KIND,
                subject=f"loan-application:{loan.pk}",
                digest=approval_digest(loan),
                signer=actor,
            )
            fields += ["approved_at", "approval_seal"]
        elif action == Action.RETURN:
            loan.status, loan.stage, loan.note = LoanStatus.RETURNED, "", reason
            fields.append("note")
        else:
            loan.status, loan.stage, loan.note, loan.closed_at = LoanStatus.REJECTED, "", reason, now
            fields += ["note", "closed_at"]
        loan.save(update_fields=fields)
        record_event(
            actor=actor,
            action=f"loans.approval_{action.lower()}",
            target=loan,
            summary=f"贷款申请 #{loan.pk} {waiting} {action} → {loan.status} {loan.stage}".strip(),
            data={
                "level": waiting,
                "action": action,
                "status": loan.status,
                "stage": loan.stage,
                "delegation": delegation.pk if delegation else None,
                "seal": loan.approval_seal.code if loan.approval_seal_id else None,
            },
        )
        if action != Action.APPROVE or following is None:
            _notify_applicant(loan, action, reason)
        else:
            _notify_level_passed(loan, waiting, following)
    return loan


def accept_loan_application(*, loan_id: int, actor) -> LoanApplication:
    """A clerk accepts (受理) a pre-accepted case: it goes into approval at the next level."""
    return _act(
        loan_id=loan_id, actor=actor, action=Action.APPROVE, reason="", level=None, only_at=Level.ACCEPTANCE
    )


def approve_level(*, loan_id: int, actor, reason: str = "", level: str | None = None) -> LoanApplication:
    """Pass the case on from the level it waits at; at 终审 it is APPROVED and sealed.

    ``level``: the level the actor saw (a page); if the case has moved on since, it is refused
    with ``LOAN_LEVEL_CHANGED`` rather than acted on at a level they did not look at.
    """
    return _act(loan_id=loan_id, actor=actor, action=Action.APPROVE, reason=reason, level=level)


def return_loan_application(*, loan_id: int, actor, reason: str, level: str | None = None) -> LoanApplication:
    """Send the case back to the applicant for changes (RETURNED), saying why."""
    return _act(loan_id=loan_id, actor=actor, action=Action.RETURN, reason=reason, level=level)


def reject_loan_application(*, loan_id: int, actor, reason: str, level: str | None = None) -> LoanApplication:
    """Refuse the loan (REJECTED, closed), saying why."""
    return _act(loan_id=loan_id, actor=actor, action=Action.REJECT, reason=reason, level=level)


# Delegations ----------------------------------------------------------------------------------


def _require_director(actor) -> None:
    _require_staff(actor)
    if roles.STAFF_DIRECTOR not in roles.roles_of(actor):
        raise DelegationNotPermitted(_("Only the director delegates or revokes final approval."))


def deputy_directors():
    """The active deputy directors, who may receive a delegation."""
    return User.objects.filter(
        is_active=True, is_staff=True, groups__name=roles.STAFF_DEPUTY_DIRECTOR
    ).order_by("username")


def create_final_approval_delegation(
    *, actor, delegate_id: int, valid_from: date, valid_until: date, max_amount: int | None = None
) -> FinalApprovalDelegation:
    """The director delegates final approval (终审) to a deputy director for a period, optionally
    for loans up to ``max_amount`` fen."""
    _require_director(actor)
    delegate = deputy_directors().filter(pk=delegate_id).first()
    if delegate is None:
        raise InvalidDelegation(
            _("Final approval can be delegated to an active deputy director only."),
            code="DELEGATE_NOT_DEPUTY_DIRECTOR",
            field="delegate",
        )
    today = timezone.localdate()
    if valid_from < today:
        raise InvalidDelegation(
            _("A delegation cannot start in the past."), code="DELEGATION_STARTS_IN_PAST", field="valid_from"
        )
    if valid_until < valid_from:
        raise InvalidDelegation(
            _("The delegation must end on or after the day it starts."),
            code="DELEGATION_PERIOD_INVALID",
            field="valid_until",
        )
    if max_amount is not None and max_amount <= 0:
        raise InvalidDelegation(
            _("Give an amount above zero, or none for loans of any amount."),
            code="DELEGATION_AMOUNT_INVALID",
            field="max_amount",
        )
    with transaction.atomic(durable=True):
        delegation = FinalApprovalDelegation.objects.create(
            delegator=actor,
            delegate=delegate,
            valid_from=valid_from,
            valid_until=valid_until,
            max_amount=max_amount,
        )
        record_event(
            actor=actor,
            action="loans.delegation_created",
            target=delegation,
            summary=f"终审授权 {actor.get_username()} → {delegate.get_username()} {valid_from}–{valid_until}",
            data={
                "delegate": delegate.pk,
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat(),
                "max_amount_fen": max_amount,
            },
        )
    return delegation


def revoke_final_approval_delegation(*, delegation_id: int, actor) -> FinalApprovalDelegation:
    """The director ends a delegation now; actions already taken under it stand."""
    _require_director(actor)
    with transaction.atomic(durable=True):
        delegation = FinalApprovalDelegation.objects.select_for_update().filter(pk=delegation_id).first()
        if delegation is None:
            raise DelegationNotFound(_("There is no such delegation."))
        if delegation.revoked_at is not None:
            raise DelegationAlreadyRevoked(_("This delegation was revoked before."))
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        record_event(
            actor=actor,
            action="loans.delegation_revoked",
            target=delegation,
            summary=f"终审授权 #{delegation.pk} 已撤销",
            data={"delegate": delegation.delegate_id},
        )
    return delegation


def delegations_overview():
    """Every delegation, newest first, with both parties (the director's page)."""
    return FinalApprovalDelegation.objects.select_related("delegator", "delegate").order_by(
        "-created_at", "-pk"
    )
