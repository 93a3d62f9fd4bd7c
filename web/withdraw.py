"""Applying for a withdrawal in the hall: the reason, one screen of what is checked and with whose
data (consent), the amount and the payout card, then the decision with its reasons at once.

The 秒批 reasons are decided by the rules in seconds; the others go to staff with the documents
the employee uploads here. Each page makes one service call (approvals.services) and shows its
refusals in words.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.selectors import account_summary, payout_card
from approvals.documents import ACCEPTED_TYPES, Upload, max_document_bytes, max_documents
from approvals.models import Application, DecisionPurpose
from approvals.selectors import explained_reasons
from approvals.services import ApplicationInFlight, submit_application
from approvals.sources import own_records_text, source_name, sources_for
from core.exceptions import DomainError
from core.money import InvalidAmount, parse_yuan
from integrations.models import Outcome as SourceOutcome
from web.access import employee_only
from web.reasons import INSTANT_REASONS, reason_label
from withdrawals.models import HeldCode
from withdrawals.selectors import withdrawal_timeline

#: Decided by staff from the documents sent with the application (DOMAIN.md §6, last row).
#: A death is reported by the heirs, not from the holder's own login, so it is not offered here.
DOCUMENT_REASONS = (
    "PURCHASE_ELSEWHERE",
    "BUILD_RENOVATE",
    "COMMERCIAL_LOAN_REPAYMENT",
    "SERIOUS_ILLNESS",
    "DISASTER",
    "ELEVATOR",
    "INCAPACITY",
    "EMIGRATION",
)
#: Reasons that pay the whole balance with interest to date and close the account.
CLOSING_REASONS = ("LEAVING_CITY", "RETIREMENT", "LIXIU")
#: Reasons where the employee may ask for less than the largest amount the rules allow.
AMOUNT_REASONS = ("PURCHASE_IN_CITY", "RENT", "LOAN_REPAYMENT_ANNUAL", *DOCUMENT_REASONS)
#: Paid to the loan, month by month, not to a card.
NO_CARD_REASONS = ("LOAN_REPAYMENT_MONTHLY",)
RENT_PERIODS = (1, 3)


def _offered(reason: str) -> bool:
    return reason in INSTANT_REASONS or reason in DOCUMENT_REASONS


@employee_only
def choose(request):
    return render(
        request,
        "web/hall/withdraw_choose.html",
        {
            "instant": [(code, reason_label(code)) for code in INSTANT_REASONS],
            "documents": [(code, reason_label(code)) for code in DOCUMENT_REASONS],
        },
    )


def _form_context(request, reason: str, *, values: dict, errors: list[str]) -> dict:
    person = request.user.person
    language = get_language()
    return {
        "reason": reason,
        "reason_label": reason_label(reason),
        "instant": reason in INSTANT_REASONS,
        "closing": reason in CLOSING_REASONS,
        "asks_amount": reason in AMOUNT_REASONS,
        "asks_period": reason == "RENT",
        "asks_documents": reason in DOCUMENT_REASONS,
        "needs_card": reason not in NO_CARD_REASONS,
        "periods": RENT_PERIODS,
        "sources": [use.text(language) for use in sources_for(reason)],
        "own_records": own_records_text(language),
        "summary": account_summary(person),
        "card": payout_card(person),
        "accepted_types": ", ".join(ACCEPTED_TYPES),
        "max_document_mb": max_document_bytes() // (1024 * 1024),
        "max_documents": max_documents(),
        "values": values,
        "errors": errors,
    }


def _payload(reason: str, post) -> tuple[dict, list[str]]:
    """The application's payload from the form (amounts in fen), and what is wrong with it."""
    payload: dict = {}
    errors: list[str] = []
    amount_text = (post.get("amount") or "").strip()
    if reason in AMOUNT_REASONS and amount_text:
        try:
            amount = parse_yuan(amount_text)
        except InvalidAmount as error:
            errors.append(str(error.message))
        else:
            if amount <= 0:
                errors.append(
                    str(_("Enter an amount above zero, or leave it empty for the largest allowed."))
                )
            else:
                payload["amount"] = amount
    if reason == "RENT":
        try:
            period = int(post.get("period_months") or 1)
        except ValueError:
            period = 0
        if period not in RENT_PERIODS:
            errors.append(str(_("Choose monthly or quarterly rent withdrawals.")))
        else:
            payload["period_months"] = period
    return payload, errors


@employee_only
def apply(request, reason: str):
    if not _offered(reason):
        raise Http404(_("There is no such withdrawal reason."))
    person = request.user.person
    if request.method != "POST":
        context = _form_context(request, reason, values={}, errors=[])
        return render(request, "web/hall/withdraw_apply.html", context)

    payload, errors = _payload(reason, request.POST)
    if request.POST.get("consent") != "yes":
        errors.append(str(_("Agree to the checks above: the application cannot be decided without them.")))
    if reason not in NO_CARD_REASONS:
        if payout_card(person) is None:
            errors.append(
                str(_("Register a bank card in your own name first: the money is paid only to it."))
            )
        elif request.POST.get("card_confirmed") != "yes":
            errors.append(str(_("Confirm the card the money is to be paid to.")))
    uploads = [Upload(filename=file.name, content=file.read()) for file in request.FILES.getlist("documents")]
    if reason in DOCUMENT_REASONS and not uploads:
        errors.append(
            str(_("Attach the documents that show the reason (photos or scans, PDF, JPEG or PNG)."))
        )
    if errors:
        context = _form_context(request, reason, values=request.POST, errors=errors)
        return render(request, "web/hall/withdraw_apply.html", context, status=400)
    try:
        application = submit_application(
            kind="withdrawal",
            reason=reason,
            applicant=person,
            channel="WEB",
            payload=payload,
            actor=request.user,
            documents=uploads if reason in DOCUMENT_REASONS else (),
        )
    except ApplicationInFlight as error:
        context = _form_context(request, reason, values=request.POST, errors=[error.message])
        context["in_flight"] = True
        return render(request, "web/hall/withdraw_apply.html", context, status=409)
    except DomainError as error:
        context = _form_context(request, reason, values=request.POST, errors=[error.message])
        return render(
            request, "web/hall/withdraw_apply.html", context, status=getattr(error, "http_status", 400)
        )
    return redirect(reverse("web:hall-application", args=[application.pk]))


_STEP_LABELS = {
    "SUBMITTED": _("Application received"),
    "CHECKED": _("Facts checked"),
    "HELD": _("Approved, but not paid yet"),
}
_DECIDED_LABELS = {
    ("APPROVE", False): _("Approved automatically (秒批)"),
    ("REJECT", False): _("Not approved: the rules found a reason"),
    ("REFER", False): _("Referred to staff for review"),
    ("APPROVE", True): _("Approved by staff"),
    ("REJECT", True): _("Not approved by staff"),
}
_PAYOUT_LABELS = {
    "PENDING": _("Payment being prepared"),
    "SENT": _("Payment sent to the bank"),
    "PAID": _("Paid to your bank card"),
    "FAILED": _("The bank could not pay: the money is back in your fund account"),
}
_SOURCE_OUTCOMES = dict(SourceOutcome.choices)
_HELD_BECAUSE = dict(HeldCode.choices)


def _step(step, language: str) -> dict:
    """One timeline step as the page shows it: when, what, and the detail that goes with it."""
    shown = {"at": step.at, "step": step.step, "reasons": [r["message"] for r in step.reasons]}
    if step.step == "DECIDED":
        shown["label"] = _DECIDED_LABELS.get((step.outcome, step.by_staff), step.outcome)
    elif step.step == "PAID":
        shown["label"] = _PAYOUT_LABELS.get(step.outcome, step.outcome)
        shown["amount"] = step.amount
        shown["interest"] = step.interest
        shown["payout_status"] = step.outcome
    else:
        shown["label"] = _STEP_LABELS.get(step.step, step.step)
    if step.step == "HELD":
        shown["reasons"] = [str(_HELD_BECAUSE.get(step.outcome, step.outcome))]
    shown["sources"] = [
        {
            "name": source_name(check.source, language),
            "outcome": _SOURCE_OUTCOMES.get(check.outcome, check.outcome),
            "latency_ms": check.latency_ms,
        }
        for check in step.sources
    ]
    return shown


@employee_only
def application(request, pk: int):
    person = request.user.person
    found = Application.objects.filter(pk=pk, applicant=person).first()
    if found is None:
        raise Http404(_("There is no such application of yours."))
    language = get_language()
    decision = (
        found.decisions.filter(purpose=DecisionPurpose.APPLICATION).order_by("decided_at", "pk").first()
    )
    steps = [_step(step, language) for step in withdrawal_timeline(found, language=language)]
    payout = next((step for step in steps if step["step"] == "PAID"), None)
    return render(
        request,
        "web/hall/application.html",
        {
            "application": found,
            "reason_label": reason_label(found.reason),
            "decision": decision,
            "reasons": explained_reasons(decision, language=language) if decision else [],
            "steps": steps,
            "payout": payout,
            # Until the money has reached the bank's hands, the page looks again by itself.
            "refresh": found.status == "APPROVED"
            and (payout is None or payout["payout_status"] == "PENDING"),
            "requested": found.payload.get("amount"),
            "documents": list(found.documents.values_list("filename", "size")),
        },
    )
