"""The staff review queue (审核队列): referred cases with their SLA countdown, a case's decision trace,
and the reviewer's actions (claim, release, approve, reject), each one service call.

Every member of staff may read the queue and the traces; only the deciding roles may act (the
auditor looks but never acts). The services refuse whoever may not act — a role without the
permission to decide, the applicant, a declared conflict or the spouse — and this module shows
their refusal; it only hides the buttons a reader could not use.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals import services
from approvals.documents import open_document
from approvals.models import ApplicationDocument, CaseStatus, ReviewCase
from approvals.selectors import case_detail, may_review, reason_message, review_queue
from core.calendar import working_days_between
from core.crypto import mask_id_number
from core.exceptions import DomainError
from web.access import staff_only
from web.reasons import REASON_LABELS, reason_label


def sla_label(*, working_days_left: int, overdue: bool) -> str:
    if overdue:
        days = max(1, -working_days_left)
        return ngettext("overdue by %(days)d working day", "overdue by %(days)d working days", days) % {
            "days": days
        }
    if working_days_left <= 0:
        return _("due today")
    return ngettext("%(days)d working day left", "%(days)d working days left", working_days_left) % {
        "days": working_days_left
    }


def _applicant_label(person) -> str:
    return f"{person.name} ({mask_id_number(person.id_number)})"


@staff_only
def queue(request):
    reason = request.GET.get("reason") or None
    if reason is not None and reason not in REASON_LABELS:
        reason = None
    mine = request.GET.get("mine") == "1"
    groups = review_queue(reason=reason)
    shown = []
    for group in groups:
        rows = [
            {
                "case": item.case,
                "application": item.application,
                "applicant": _applicant_label(item.application.applicant),
                "sla": sla_label(working_days_left=item.working_days_left, overdue=item.overdue),
                "urgent": item.overdue or item.working_days_left <= 0,
            }
            for item in group.items
            if not mine or item.case.claimed_by_id == request.user.pk
        ]
        if rows:
            shown.append(
                {
                    "reason": group.reason,
                    "label": reason_label(group.reason),
                    "rows": rows,
                    "urgent": sum(1 for row in rows if row["urgent"]),
                }
            )
    return render(
        request,
        "web/staff/review/queue.html",
        {
            "groups": shown,
            "total": sum(len(group["rows"]) for group in shown),
            "reason": reason,
            "mine": mine,
            "reason_choices": [(code, str(label)) for code, label in REASON_LABELS.items()],
        },
    )


def _fact_text(value) -> str:
    """A stored fact for reading: the engine's UNKNOWN marker in words, structures as compact JSON."""
    if isinstance(value, dict) and value.get("unknown") is True:
        return _("unknown (the source did not answer)")
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def _trace(decision) -> dict:
    """A decision record laid out for reading: every rule with its reason in the page's language."""
    language = get_language()
    return {
        "decision": decision,
        "facts": [(name, _fact_text(value)) for name, value in sorted(decision.facts.items())],
        "parameters": sorted(decision.parameters.items()),
        "results": [
            {
                "rule": result.get("rule", ""),
                "status": result.get("status", ""),
                "code": (result.get("reason") or {}).get("code", ""),
                "text": reason_message(result.get("reason"), language=language),
            }
            for result in decision.results
        ],
        "sources": sorted(decision.sources.items()),
    }


def _days_left(due_on) -> int:
    """Working days from today to ``due_on`` (0 = due today), negative once overdue."""
    today = timezone.localdate()
    if due_on >= today:
        return working_days_between(today, due_on)
    return -working_days_between(due_on, today)


def _render_case(request, review_case, *, error=None, typed_reason="", status=200):
    detail = case_detail(review_case)
    # Only for showing the buttons: the services decide who may act.
    actor_may_decide = may_review(request.user)
    is_claimant = detail.case.claimed_by_id == request.user.pk
    days_left = _days_left(detail.case.due_on)
    overdue = detail.case.due_on < timezone.localdate()
    return render(
        request,
        "web/staff/review/case.html",
        {
            "detail": detail,
            "case": detail.case,
            "application": detail.application,
            "reason_label": reason_label(detail.application.reason),
            "applicant": _applicant_label(detail.application.applicant),
            "traces": [_trace(decision) for decision in detail.decisions],
            "may_decide": actor_may_decide,
            "can_claim": actor_may_decide and detail.case.status == CaseStatus.OPEN,
            "can_decide": actor_may_decide and detail.case.status == CaseStatus.CLAIMED and is_claimant,
            "sla": sla_label(working_days_left=days_left, overdue=overdue),
            "sla_urgent": overdue or days_left <= 0,
            "error": error,
            "typed_reason": typed_reason,
            "documents": list(
                detail.application.documents.order_by("pk").values("pk", "filename", "content_type", "size")
            ),
        },
        status=status,
    )


@staff_only
def case(request, pk: int):
    return _render_case(request, get_object_or_404(ReviewCase, pk=pk))


@staff_only
def document(request, pk: int, document_id: int):
    """One uploaded document, shown inline (PDF or image) to reviewing staff; the reading is audited."""
    review_case = get_object_or_404(ReviewCase, pk=pk)
    try:
        found = open_document(
            application_id=review_case.application_id, document_id=document_id, actor=request.user
        )
    except ApplicationDocument.DoesNotExist:
        raise Http404 from None
    except DomainError as error:
        raise PermissionDenied(error.message) from None
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=found.filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Personal documents: never kept by a browser or proxy cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _claim(review_case, actor, reason):
    services.claim_case(case=review_case, actor=actor)


def _release(review_case, actor, reason):
    services.release_case(case=review_case, actor=actor)


def _approve(review_case, actor, reason):
    services.approve_case(case=review_case, actor=actor, reason=reason)


def _reject(review_case, actor, reason):
    services.reject_case(case=review_case, actor=actor, reason=reason)


_ACTIONS = {
    "claim": (_claim, gettext_lazy("You claimed the case.")),
    "release": (_release, gettext_lazy("You released the case back to the queue.")),
    "approve": (_approve, gettext_lazy("You approved the application.")),
    "reject": (_reject, gettext_lazy("You rejected the application.")),
}


@require_POST
@staff_only
def act(request, pk: int, action: str):
    """One reviewer action, one service call; a refusal is shown on the case page, keeping the text."""
    if action not in _ACTIONS:
        raise Http404
    review_case = get_object_or_404(ReviewCase, pk=pk)
    typed_reason = request.POST.get("reason", "")
    call, done = _ACTIONS[action]
    try:
        call(review_case, request.user, typed_reason)
    except DomainError as error:
        return _render_case(
            request,
            review_case,
            error={"code": error.code, "message": error.message, "action": action},
            typed_reason=typed_reason,
            status=getattr(error, "http_status", 400),
        )
    messages.success(request, done)
    return redirect("web:staff-review-case", pk=review_case.pk)
