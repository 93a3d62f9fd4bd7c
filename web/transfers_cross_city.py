"""The hall's cross-city transfer pages: apply to bring a fund here, and follow transfers in and out.

The person applies only here, at the receiving centre, by naming the city their fund is in; the
letter, the other centre's answer and the money follow by themselves (``transfers.sweep``).
Each transfer's page shows its steps with their times, and the steps still to come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages as flash
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import AccountStatus
from accounts.selectors import account_summary
from core.exceptions import DomainError
from transfers import timeline as steps_of
from transfers.cities import city_label, city_of, sending_cities
from transfers.incoming import apply_incoming
from transfers.models import (
    OPEN_INCOMING_STATUSES,
    IncomingStatus,
    IncomingTransfer,
    OutgoingStatus,
    OutgoingTransfer,
    RefusalCode,
)
from transfers.selectors import incoming_transfers_query, outgoing_transfers_query
from web.access import employee_only
from web.templatetags.portal import yuan

# An open transfer's page reloads itself this often (seconds): the sweep moves it every minute.
REFRESH_SECONDS = 20


@dataclass(frozen=True)
class StepRow:
    """One line of a transfer's progress: done (with its time) or still to come."""

    step: str
    label: str
    at: datetime | None = None
    done: bool = True


def refusal_reason(code: str) -> str:
    """The refusal code in words; an unknown code as it is."""
    if not code:
        return ""
    return str(RefusalCode(code).label) if code in RefusalCode.values else code


def _incoming_label(step: steps_of.TransferStep, city: str) -> str:
    texts = {
        steps_of.APPLIED: _("You applied to bring your fund here from %(city)s."),
        steps_of.LETTER_SENT: _("Contact letter sent to the %(city)s centre through the national platform."),
        steps_of.LETTER_RECEIVED: _("The %(city)s centre has received the letter."),
        steps_of.NEGOTIATING: _("The two centres are negotiating; nothing is needed from you."),
        steps_of.REFUSED: _("The %(city)s centre refused the transfer: %(reason)s."),
        steps_of.CANCELLED: _("The transfer was cancelled."),
        steps_of.FAILED: _("The transfer failed. Please call 12329."),
        steps_of.COMPLETED: _(
            "%(amount)s yuan credited to your account; %(months)s deposit months merged with yours."
        ),
    }
    return texts[step.step] % {
        "city": city,
        "reason": refusal_reason(step.refusal_code),
        "amount": yuan(step.amount),
        "months": step.merged_months or 0,
    }


def _incoming_pending_label(step: str) -> str:
    return {
        steps_of.LETTER_SENT: _("The contact letter goes to the sending centre."),
        steps_of.LETTER_RECEIVED: _("The sending centre receives the letter and checks your account there."),
        steps_of.COMPLETED: _("The money arrives in your account and the deposit months are merged."),
    }[step]


def _outgoing_label(step: steps_of.TransferStep, city: str) -> str:
    if step.step == steps_of.CHECKED and step.outcome == steps_of.REFUSED:
        text = _("Checked: your fund cannot be transferred now, because: %(reason)s.")
    elif step.step == steps_of.CHECKED:
        text = _("Checked: %(amount)s yuan can be transferred, with %(interest)s yuan interest to date.")
    elif step.step == steps_of.ANSWERED and step.outcome == steps_of.REFUSED:
        text = _("Refusal sent to the %(city)s centre.")
    else:
        text = {
            steps_of.LETTER_RECEIVED: _(
                "The %(city)s centre wrote to us: you asked to transfer your fund there."
            ),
            steps_of.ANSWERED: _("Answer sent to the %(city)s centre: %(amount)s yuan on its way."),
            steps_of.TRANSFERRED_OUT: _(
                "%(amount)s yuan transferred to the %(city)s centre; your account here is closed."
            ),
            steps_of.FAILED: _("The transfer did not complete: the money is back in your account here."),
        }[step.step]
    return text % {
        "city": city,
        "reason": refusal_reason(step.refusal_code),
        "amount": yuan(step.amount),
        "interest": yuan(step.interest or 0),
    }


def _outgoing_pending_label(step: str) -> str:
    return {
        steps_of.CHECKED: _("The centre checks your account: sealed, no loan or withdrawal under way."),
        steps_of.ANSWERED: _("The answer goes to the receiving centre."),
        steps_of.TRANSFERRED_OUT: _("The money is transferred and your account here is closed."),
    }[step]


def incoming_rows(transfer: IncomingTransfer, done: tuple[steps_of.TransferStep, ...]) -> list[StepRow]:
    city = city_label(transfer.sending_city_code, transfer.sending_city_name)
    rows = [StepRow(step=s.step, label=_incoming_label(s, city), at=s.at) for s in done]
    rows += [
        StepRow(step=code, label=_incoming_pending_label(code), done=False)
        for code in steps_of.incoming_steps_to_come(transfer)
    ]
    return rows


def outgoing_rows(transfer: OutgoingTransfer, done: tuple[steps_of.TransferStep, ...]) -> list[StepRow]:
    city = city_label(transfer.receiving_city_code, transfer.receiving_city_name)
    rows = [StepRow(step=s.step, label=_outgoing_label(s, city), at=s.at) for s in done]
    rows += [
        StepRow(step=code, label=_outgoing_pending_label(code), done=False)
        for code in steps_of.outgoing_steps_to_come(transfer)
    ]
    return rows


# The colour of a status badge, by the classes the style sheet has: green is the default.
_TONES = {
    IncomingStatus.PENDING: "submitted",
    IncomingStatus.SENT: "submitted",
    IncomingStatus.NEGOTIATING: "submitted",
    IncomingStatus.REFUSED: "rejected",
    IncomingStatus.FAILED: "rejected",
    IncomingStatus.CANCELLED: "cancelled",
    OutgoingStatus.RECEIVED: "submitted",
    OutgoingStatus.REFUSING: "rejected",
    OutgoingStatus.REPLYING: "submitted",
    OutgoingStatus.REPLIED: "submitted",
}


def tone(status: str) -> str:
    return _TONES.get(status, "completed")


def _last(rows: list[StepRow]) -> StepRow | None:
    done = [row for row in rows if row.done]
    return done[-1] if done else None


@employee_only
@require_http_methods(["GET", "POST"])
def cross_city(request):
    """The application form, and the person's transfers in and out with their latest step."""
    person = request.user.person
    if request.method == "POST":
        return _apply(request, person)
    summary = account_summary(person)
    incoming = list(incoming_transfers_query(person))
    outgoing = list(outgoing_transfers_query(person))
    incoming_steps = steps_of.incoming_timelines(incoming)
    outgoing_steps = steps_of.outgoing_timelines(outgoing)
    return render(
        request,
        "web/hall/transfer_cross_city.html",
        {
            "summary": summary,
            "active": summary is not None and summary.status == AccountStatus.NORMAL,
            "open_transfer": next((t for t in incoming if t.status in OPEN_INCOMING_STATUSES), None),
            "cities": sending_cities(),
            "incoming": [
                {
                    "transfer": transfer,
                    "city": city_label(transfer.sending_city_code, transfer.sending_city_name),
                    "tone": tone(transfer.status),
                    "last": _last(incoming_rows(transfer, incoming_steps[transfer.pk])),
                }
                for transfer in incoming
            ],
            "outgoing": [
                {
                    "transfer": transfer,
                    "city": city_label(transfer.receiving_city_code, transfer.receiving_city_name),
                    "tone": tone(transfer.status),
                    "last": _last(outgoing_rows(transfer, outgoing_steps[transfer.pk])),
                }
                for transfer in outgoing
            ],
        },
    )


def _apply(request, person):
    code = request.POST.get("sending_city", "").strip()
    city = city_of(code)
    if city is None or city not in sending_cities():
        flash.error(request, _("Choose the city your fund is in from the list."))
        return redirect("web:hall-transfer-cross-city")
    try:
        transfer = apply_incoming(
            person=person, sending_city_code=city.code, sending_city_name=city.name, actor=request.user
        )
    except DomainError as error:
        flash.error(request, error.message)
        return redirect("web:hall-transfer-cross-city")
    flash.success(
        request,
        _("Your request is sent. We write to the %(city)s centre now; the money will come by itself.")
        % {"city": city.label},
    )
    return redirect("web:hall-transfer-incoming-detail", pk=transfer.pk)


@employee_only
def incoming_detail(request, pk: int):
    """One transfer in of the person's own (anyone else's: 404) with its progress."""
    transfer = get_object_or_404(incoming_transfers_query(request.user.person), pk=pk)
    rows = incoming_rows(transfer, steps_of.incoming_timeline(transfer))
    return render(
        request,
        "web/hall/transfer_incoming.html",
        {
            "transfer": transfer,
            "city": city_label(transfer.sending_city_code, transfer.sending_city_name),
            "steps": rows,
            "refusal_reason": refusal_reason(transfer.refusal_code),
            "tone": tone(transfer.status),
            "completed": transfer.status == IncomingStatus.COMPLETED,
            "refresh": REFRESH_SECONDS if transfer.status in OPEN_INCOMING_STATUSES else None,
        },
    )


@employee_only
def outgoing_detail(request, pk: int):
    """One transfer out of the person's own account (anyone else's: 404) with its progress."""
    transfer = get_object_or_404(outgoing_transfers_query(request.user.person), pk=pk)
    rows = outgoing_rows(transfer, steps_of.outgoing_timeline(transfer))
    ended = transfer.status in (OutgoingStatus.REFUSED, OutgoingStatus.CLOSED, OutgoingStatus.FAILED)
    return render(
        request,
        "web/hall/transfer_outgoing.html",
        {
            "transfer": transfer,
            "city": city_label(transfer.receiving_city_code, transfer.receiving_city_name),
            "steps": rows,
            "refusal_reason": refusal_reason(transfer.refusal_code),
            "tone": tone(transfer.status),
            "refresh": None if ended else REFRESH_SECONDS,
        },
    )
