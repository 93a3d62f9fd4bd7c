"""The staff's loan approval pages (贷款审批): the queue by level with each case's service-level
clock, a case with everything needed to decide it and the buttons of the level it waits at, the
service-level dashboard, and the director's delegations of final approval.

Every member of staff may read the queue, the cases and the dashboard (the auditor too); the
services decide who may act (role, level, delegation, one level per person, no own or relative's
case) and this module shows their refusal, hiding only the buttons a reader could not use.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import STAFF_DIRECTOR, roles_of
from approvals.documents import open_document
from approvals.models import ApplicationDocument
from core.crypto import mask_id_number
from core.exceptions import DomainError
from core.money import parse_yuan
from loans import approval
from loans.models import ApprovalLevel, LoanStatus
from loans.sla import approval_queue, disbursement_times, loan_case, sla_dashboard
from web.access import audience, staff_only
from web.review import _trace as decision_trace
from web.review import sla_label

director_only = audience(roles=frozenset({STAFF_DIRECTOR}))

DEFAULT_PERIOD_DAYS = 90

_LIMIT_NAMES = {
    "balance_multiple": gettext_lazy("Balance multiple"),
    "repayment_ability": gettext_lazy("Repayment ability"),
    "price_ratio": gettext_lazy("Share of the price"),
    "city_cap": gettext_lazy("City cap"),
}


def _person_label(person) -> str:
    return f"{person.name} ({mask_id_number(person.id_number)})" if person is not None else ""


def _clock_view(clock) -> dict:
    """A case's clock for the page: days used of allowed, the countdown sentence, how urgent."""
    return {
        "used": clock.used,
        "allowed": clock.allowed,
        "due_on": clock.due_on,
        "text": "" if clock.finished else sla_label(working_days_left=clock.left, overdue=clock.breached),
        "urgent": clock.at_risk or clock.breached,
        "breached": clock.breached,
        "finished": clock.finished,
    }


def _level_name(level: str) -> str:
    return approval.level_label(level) if level else ""


@staff_only
def queue(request):
    # Staff who act at no level (the auditor) read every case; the others see theirs unless asked.
    acting = bool(approval.levels_of(request.user))
    show_all = request.GET.get("all") == "1" or not acting
    groups = approval_queue(user=request.user, only_actionable=not show_all)
    shown = [
        {
            "level": group.level,
            "label": _level_name(group.level),
            "urgent": group.at_risk,
            "rows": [
                {
                    "loan": row.loan,
                    "applicant": row.loan.applicant.name,
                    "masked_id": mask_id_number(row.loan.applicant.id_number),
                    "clock": _clock_view(row.clock),
                }
                for row in group.rows
            ],
        }
        for group in groups
    ]
    return render(
        request,
        "web/staff/loan_queue.html",
        {
            "groups": shown,
            "total": sum(len(group["rows"]) for group in shown),
            "show_all": show_all,
            "acting": acting,
            "is_director": STAFF_DIRECTOR in roles_of(request.user),
        },
    )


def _limit_rows(loan) -> list[dict]:
    record = loan.quota_limits or {}
    limits = record.get("limits") or {}
    return [
        {
            "name": name,
            "label": _LIMIT_NAMES.get(name, name),
            "amount": amount,
            "binding": name == record.get("binding"),
        }
        for name, amount in limits.items()
    ]


_BUTTONS = {
    ApprovalLevel.ACCEPTANCE: gettext_lazy("Accept (受理)"),
    ApprovalLevel.FINAL: gettext_lazy("Approve the loan (终审)"),
}


def _render_case(request, pk: int, *, error=None, typed_reason="", status=200):
    try:
        case = loan_case(loan_id=pk)
    except approval.LoanNotFound:
        raise Http404 from None
    loan = case.loan
    refusal = approval.may_act(loan=loan, actor=request.user)
    seal = case.seal
    return render(
        request,
        "web/staff/loan_case.html",
        {
            "case": case,
            "loan": loan,
            "applicant": _person_label(loan.applicant),
            "co_borrower": _person_label(loan.co_borrower),
            "clock": _clock_view(case.clock),
            "levels": [
                {
                    "level": level,
                    "label": _level_name(level),
                    "current": level == case.waiting,
                    "done": [action for action in case.actions if action.level == level],
                }
                for level in case.levels
            ],
            "waiting_label": _level_name(case.waiting or ""),
            "limits": _limit_rows(loan),
            "rate_percent": f"{(loan.annual_rate * 100).normalize():f}",
            "traces": [decision_trace(decision) for decision in case.decisions],
            "can_act": refusal is None,
            "refusal": refusal if case.waiting else None,
            "approve_label": _BUTTONS.get(case.waiting, gettext_lazy("Approve and pass on")),
            "seal": seal,
            "seal_ok": seal is not None and seal.in_force,
            "error": error,
            "typed_reason": typed_reason,
        },
        status=status,
    )


@staff_only
def case(request, pk: int):
    return _render_case(request, pk)


@staff_only
def document(request, pk: int, document_id: int):
    """A document sent with the case's eligibility application, shown inline; the reading is audited."""
    try:
        found = loan_case(loan_id=pk)
    except approval.LoanNotFound:
        raise Http404 from None
    if found.loan.eligibility_id is None:
        raise Http404
    try:
        opened = open_document(
            application_id=found.loan.eligibility_id, document_id=document_id, actor=request.user
        )
    except ApplicationDocument.DoesNotExist:
        raise Http404 from None
    except DomainError as error:
        raise PermissionDenied(error.message) from None
    response = HttpResponse(bytes(opened.content), content_type=opened.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=opened.filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Personal documents: never kept by a browser or proxy cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _accept(pk, actor, reason, level):
    approval.accept_loan_application(loan_id=pk, actor=actor)
    return _("You accepted the loan application.")


def _approve(pk, actor, reason, level):
    loan = approval.approve_level(loan_id=pk, actor=actor, reason=reason, level=level)
    if loan.status == LoanStatus.APPROVED:
        return _("You approved the loan; the approval is sealed and the applicant is told.")
    return _("You approved this level; the case has moved on.")


def _return(pk, actor, reason, level):
    approval.return_loan_application(loan_id=pk, actor=actor, reason=reason, level=level)
    return _("You returned the loan application to the applicant.")


def _reject(pk, actor, reason, level):
    approval.reject_loan_application(loan_id=pk, actor=actor, reason=reason, level=level)
    return _("You rejected the loan application.")


_ACTIONS = {"accept": _accept, "approve": _approve, "return": _return, "reject": _reject}


@require_POST
@staff_only
def act(request, pk: int, action: str):
    """One action, one service call; a refusal is shown on the case page, keeping the typed reason."""
    if action not in _ACTIONS:
        raise Http404
    pk = int(pk)  # from the URL's digits
    typed_reason = request.POST.get("reason", "")
    level = request.POST.get("level") or None
    try:
        done = _ACTIONS[action](pk, request.user, typed_reason, level)
    except approval.LoanNotFound:
        raise Http404 from None
    except DomainError as error:
        return _render_case(
            request,
            pk,
            error={"code": error.code, "message": error.message, "action": action},
            typed_reason=typed_reason,
            status=getattr(error, "http_status", 400),
        )
    messages.success(request, done)
    return redirect("web:staff-loan-case", pk=pk)


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


_STATUS_LABELS = dict(LoanStatus.choices)


@staff_only
def sla(request):
    """Open cases by status and level against the service level, the urgent ones, and the
    application-to-disbursement times of the applications submitted in a chosen period."""
    today = timezone.localdate()
    last = _parse_date(request.GET.get("until")) or today
    first = _parse_date(request.GET.get("since")) or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    invalid = first > last
    if invalid:
        first, last = today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today
    dashboard = sla_dashboard(today=today)
    return render(
        request,
        "web/staff/loan_sla.html",
        {
            "dashboard": dashboard,
            "rows": [
                {
                    "row": row,
                    "status": _STATUS_LABELS.get(row.status, row.status),
                    "level": _level_name(row.level),
                }
                for row in dashboard.rows
            ],
            "urgent": [
                {
                    "loan": loan,
                    "applicant": loan.applicant.name,
                    "masked_id": mask_id_number(loan.applicant.id_number),
                    "status": _STATUS_LABELS.get(loan.status, loan.status),
                    "level": _level_name(loan.stage),
                    "clock": _clock_view(clock),
                }
                for loan, clock in dashboard.urgent
            ],
            "times": disbursement_times(first=first, last=last),
            "first": first,
            "last": last,
            "invalid_period": invalid,
        },
    )


def _render_delegations(request, *, error=None, typed=None, status=200):
    today = timezone.localdate()
    return render(
        request,
        "web/staff/loan_delegations.html",
        {
            "delegations": [
                {
                    "delegation": delegation,
                    "in_force": delegation.revoked_at is None
                    and delegation.valid_from <= today <= delegation.valid_until,
                    "ended": delegation.revoked_at is not None or delegation.valid_until < today,
                }
                for delegation in approval.delegations_overview()
            ],
            "deputies": list(approval.deputy_directors()),
            "error": error,
            "typed": typed or {"valid_from": today.isoformat(), "valid_until": today.isoformat()},
        },
        status=status,
    )


@director_only
def delegations(request):
    """The director's delegations of final approval: every one, a form for a new one, revoking."""
    if request.method != "POST":
        return _render_delegations(request)
    typed = {
        name: request.POST.get(name, "").strip()
        for name in ("delegate", "valid_from", "valid_until", "max_amount")
    }
    try:
        valid_from, valid_until = _parse_date(typed["valid_from"]), _parse_date(typed["valid_until"])
        if valid_from is None or valid_until is None:
            raise approval.InvalidDelegation(_("Enter both dates of the period."), field="valid_from")
        if not typed["delegate"].isdigit():
            raise approval.InvalidDelegation(_("Choose the deputy director."), field="delegate")
        max_amount = parse_yuan(typed["max_amount"]) if typed["max_amount"] else None
        approval.create_final_approval_delegation(
            actor=request.user,
            delegate_id=int(typed["delegate"]),
            valid_from=valid_from,
            valid_until=valid_until,
            max_amount=max_amount,
        )
    except DomainError as error:
        return _render_delegations(
            request,
            error={"code": error.code, "message": error.message},
            typed=typed,
            status=getattr(error, "http_status", 400),
        )
    messages.success(request, _("Final approval is delegated."))
    return redirect("web:staff-loan-delegations")


@require_POST
@director_only
def revoke_delegation(request, pk: int):
    try:
        approval.revoke_final_approval_delegation(delegation_id=pk, actor=request.user)
    except approval.DelegationNotFound:
        raise Http404 from None
    except DomainError as error:
        return _render_delegations(
            request,
            error={"code": error.code, "message": error.message},
            status=getattr(error, "http_status", 400),
        )
    messages.success(request, _("The delegation is revoked."))
    return redirect("web:staff-loan-delegations")
