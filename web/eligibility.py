"""The hall's "Can I withdraw in seconds?" pre-check and the employee's own applications with their timelines.

A pre-check asks the same rules as an application would, with the same government data, but makes
no application and pays nothing; its decision record (purpose PRECHECK) is kept like any other.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from approvals.selectors import applications_of, explained_reasons, localized_reasons
from approvals.services import check_eligibility
from core.exceptions import DomainError
from loans.models import LoanApplication
from web.access import employee_only
from web.reasons import INSTANT_REASONS, reason_label

_EVENT_LABELS = {
    "SUBMITTED": _("Application received"),
    "CLAIMED": _("A member of staff took up your case"),
    "RELEASED": _("Your case went back to the review queue"),
    "APPROVED": _("Approved by staff"),
    "REJECTED": _("Not approved by staff"),
}
_DECIDED_LABELS = {
    "APPROVE": _("Approved automatically (秒批)"),
    "REJECT": _("Not approved: the rules found a reason"),
    "REFER": _("Referred to staff for review"),
}


def _choices():
    return [(code, reason_label(code)) for code in INSTANT_REASONS]


@employee_only
def check(request):
    chosen = request.POST.get("reason", "") if request.method == "POST" else request.GET.get("reason", "")
    context = {"choices": _choices(), "chosen": chosen, "result": None, "error": None}
    if request.method == "POST":
        if chosen not in INSTANT_REASONS:
            context["error"] = _("Choose one of the reasons below.")
            return render(request, "web/hall/check.html", context, status=400)
        try:
            decision = check_eligibility(
                reason=chosen, person=request.user.person, channel="WEB", actor=request.user
            )
        except DomainError as error:
            context["error"] = error.message
            return render(request, "web/hall/check.html", context, status=getattr(error, "http_status", 400))
        context["result"] = {
            "outcome": decision.outcome,
            "reason_label": reason_label(chosen),
            "reasons": explained_reasons(decision, language=get_language()),
            "max_amount": decision.amount_limit,
            "decision": decision,
        }
    return render(request, "web/hall/check.html", context)


def timeline_event(event) -> dict:
    if event.what == "DECIDED":
        label = _DECIDED_LABELS.get(event.outcome, event.outcome)
    else:
        label = _EVENT_LABELS.get(event.what, event.what)
    return {
        "at": event.at,
        "what": event.what,
        "label": label,
        "reasons": [r["message"] for r in localized_reasons(event.reasons, language=get_language())],
    }


@employee_only
def applications(request):
    timelines = [
        {
            "application": timeline.application,
            "url": _page_of(timeline.application),
            "reason_label": reason_label(timeline.application.reason),
            "events": [timeline_event(event) for event in timeline.events],
        }
        for timeline in applications_of(request.user.person)
    ]
    return render(request, "web/hall/applications.html", {"timelines": timelines})


def _page_of(application) -> str:
    # A loan's eligibility check is followed on the loan's own page, which shows the whole case.
    if application.kind == "loan":
        loan = LoanApplication.objects.filter(eligibility=application).values_list("pk", flat=True).first()
        if loan is not None:
            return reverse("web:hall-loan", args=[loan])
    return reverse("web:hall-application", args=[application.pk])
