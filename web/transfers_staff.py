"""The staff's cross-city transfer pages (异地转移接续): both directions in one list filtered by
direction and state (by default what needs a person's look), a page per transfer with its audit
trail, and "ask the platform now", which takes the step the minute sweep would take next.

With the sandbox platform, the list also lets staff have another centre write to us about one of
our accounts, to try the transfer out. Every member of staff reads these pages; the auditor only
reads, the others may also act.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import STAFF_AUDITOR, STAFF_ROLES, roles_of
from core.exceptions import DomainError
from integrations.transfer_platform import ports
from integrations.transfer_platform.ports import PlatformUnavailable
from transfers import advance, staff_selectors
from transfers.models import IncomingTransfer, OutgoingTransfer, RefusalCode
from transfers.sandbox_letters import sandbox_in_use, write_sandbox_letter
from transfers.staff_selectors import ATTENTION, DIRECTIONS, INCOMING, OUTGOING, STATES
from web.access import audience, staff_only

PER_PAGE = 50
ACTING_ROLES = STAFF_ROLES - {STAFF_AUDITOR}
# The auditor reads every page but takes no step: asking the platform changes a transfer.
acting_staff_only = audience(roles=ACTING_ROLES)

STATE_LABELS = {
    staff_selectors.ATTENTION: gettext_lazy("Needs a look"),
    staff_selectors.NEGOTIATING: gettext_lazy("In negotiation"),
    staff_selectors.FAILED: gettext_lazy("Failed"),
    staff_selectors.REFUSED: gettext_lazy("Refused"),
    staff_selectors.STUCK: gettext_lazy("Stuck"),
    staff_selectors.OPEN: gettext_lazy("Under way"),
    staff_selectors.FINISHED: gettext_lazy("Finished"),
    staff_selectors.ALL: gettext_lazy("All"),
}
DIRECTION_LABELS = {INCOMING: gettext_lazy("Transfer in"), OUTGOING: gettext_lazy("Transfer out")}
PLATFORM_STATUS_LABELS = {
    ports.COMPLETED: gettext_lazy("Completed"),
    ports.LETTER_REVIEWED: gettext_lazy("Letter reviewed"),
    ports.LETTER_RECEIVED: gettext_lazy("Letter received by the other centre"),
    ports.CANCELLED: gettext_lazy("Cancelled"),
    ports.NEGOTIATING: gettext_lazy("Centres negotiating"),
    ports.REJECTED: gettext_lazy("Rejected"),
    ports.FAILED: gettext_lazy("Failed"),
}
REFUSAL_LABELS = dict(RefusalCode.choices)
CHECK_LABELS = {
    "account": gettext_lazy("A fund account here"),
    "sealed": gettext_lazy("The account is sealed"),
    "no_unsettled_loan": gettext_lazy("No unsettled loan or guarantee"),
    "no_open_withdrawal": gettext_lazy("No open withdrawal application"),
}
STEP_LABELS = {
    "send_letter": gettext_lazy("Send the contact letter"),
    "follow_letter": gettext_lazy("Ask the platform where the letter stands"),
    "check_letter": gettext_lazy("Check the letter and decide the answer"),
    "send_answer": gettext_lazy("Send the answer"),
    "confirm_transfer": gettext_lazy("Ask the platform whether the money arrived"),
}
SANDBOX_DEFAULTS = {"account_no": "", "city_code": "310000", "city_name": "上海市"}


def _platform_status(code: str) -> str:
    if not code:
        return ""
    return f"{code} {PLATFORM_STATUS_LABELS.get(code, '')}".strip()


def _refusal(code: str) -> str:
    return str(REFUSAL_LABELS.get(code, code)) if code else ""


def _row(direction: str, transfer, started_at, moved_at, cutoff) -> dict:
    person = transfer.person
    incoming = direction == INCOMING
    return {
        "direction": direction,
        "direction_label": DIRECTION_LABELS[direction],
        "transfer": transfer,
        "url": reverse(
            "web:staff-transfer-incoming" if incoming else "web:staff-transfer-outgoing", args=[transfer.pk]
        ),
        "reference": transfer.letter_ref if incoming else transfer.platform_ref,
        "name": person.name if person else "",
        "masked_id": person.masked_id_number if person else "",
        "city": transfer.sending_city_name if incoming else transfer.receiving_city_name,
        "city_code": transfer.sending_city_code if incoming else transfer.receiving_city_code,
        "status": transfer.get_status_display(),
        "platform_status": _platform_status(transfer.platform_status) if incoming else "",
        "amount": transfer.amount,
        "refusal": _refusal(transfer.refusal_code),
        "started_at": started_at,
        "moved_at": moved_at,
        "stuck": _is_open(direction, transfer.status) and moved_at < cutoff,
    }


def _is_open(direction: str, status: str) -> bool:
    steps = advance.INCOMING_STEPS if direction == INCOMING else advance.OUTGOING_STEPS
    return advance.next_step(steps, status) is not None


def _query(params, name: str, allowed, default):
    value = params.get(name, "")
    return value if value in allowed else default


def _render_list(request, *, error=None, typed=None, status=200):
    direction = _query(request.GET, "direction", DIRECTIONS, "")
    state = _query(request.GET, "state", STATES, ATTENTION)
    now = timezone.now()
    cutoff = staff_selectors.stuck_cutoff(now)
    counts = staff_selectors.transfer_counts_query(direction=direction or None, cutoff=cutoff)
    rows = staff_selectors.staff_transfers_query(direction=direction or None, state=state, cutoff=cutoff)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    found = staff_selectors.transfers_by_key([(each, pk) for each, pk, _started, _moved in listed])
    sandbox = sandbox_in_use()
    return render(
        request,
        "web/staff/transfers.html",
        {
            "rows": [
                _row(each, found[(each, pk)], started, moved, cutoff) for each, pk, started, moved in listed
            ],
            "page": page,
            "direction": direction,
            "state": state,
            "state_label": STATE_LABELS[state],
            "states": [
                {"state": each, "label": STATE_LABELS[each], "count": counts[each], "current": each == state}
                for each in STATES
            ],
            "directions": [{"direction": "", "label": _("Both directions")}]
            + [{"direction": each, "label": DIRECTION_LABELS[each]} for each in DIRECTIONS],
            "now": now,
            "stuck_after": staff_selectors.STUCK_AFTER_WORKING_DAYS,
            "can_act": bool(roles_of(request.user) & ACTING_ROLES),
            "sandbox": sandbox,
            "typed": typed or SANDBOX_DEFAULTS,
            "error": error,
        },
        status=status,
    )


@staff_only
def transfers(request):
    return _render_list(request)


def _step_label(steps, status: str) -> str:
    step = advance.next_step(steps, status)
    return STEP_LABELS.get(step.__name__, step.__name__) if step else ""


@staff_only
def incoming_detail(request, pk: int):
    try:
        transfer = staff_selectors.incoming_transfer_query(transfer_id=pk)
    except IncomingTransfer.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "web/staff/transfer_incoming.html",
        {
            "transfer": transfer,
            "platform_status": _platform_status(transfer.platform_status),
            "refusal": _refusal(transfer.refusal_code),
            "trail": staff_selectors.transfer_trail_query(transfer),
            "next_step": _step_label(advance.INCOMING_STEPS, transfer.status),
            "can_act": bool(roles_of(request.user) & ACTING_ROLES),
        },
    )


@staff_only
def outgoing_detail(request, pk: int):
    try:
        transfer = staff_selectors.outgoing_transfer_query(transfer_id=pk)
    except OutgoingTransfer.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "web/staff/transfer_outgoing.html",
        {
            "transfer": transfer,
            "refusal": _refusal(transfer.refusal_code),
            "checks": [
                {"name": name, "label": CHECK_LABELS.get(name, name), "passed": passed}
                for name, passed in (transfer.checks or {}).items()
            ],
            "entries": staff_selectors.outgoing_entries_query(transfer),
            "trail": staff_selectors.transfer_trail_query(transfer),
            "next_step": _step_label(advance.OUTGOING_STEPS, transfer.status),
            "can_act": bool(roles_of(request.user) & ACTING_ROLES),
        },
    )


def _failure(error: PlatformUnavailable | DomainError) -> str:
    if isinstance(error, PlatformUnavailable):
        return _("The transfer platform did not answer. Nothing changed; the sweep asks again every minute.")
    return _("The step was refused: %(message)s (%(code)s)") % {"message": error.message, "code": error.code}


def _ask_now(request, service, pk: int, detail: str):
    """One step, one service call; the outcome (or why there was none) is the next page's message."""
    try:
        done = service(transfer_id=pk, actor=request.user)
    except (IncomingTransfer.DoesNotExist, OutgoingTransfer.DoesNotExist):
        raise Http404 from None
    except (PlatformUnavailable, DomainError) as error:
        messages.error(request, _failure(error))
    else:
        status = done.transfer.get_status_display()
        if done.moved:
            messages.success(request, _("Done: the transfer is now “%(status)s”.") % {"status": status})
        else:
            messages.info(
                request,
                _("The platform was asked; nothing has changed yet (“%(status)s”).") % {"status": status},
            )
    return redirect(detail, pk=pk)


@require_POST
@acting_staff_only
def incoming_ask(request, pk: int):
    return _ask_now(request, advance.advance_incoming, pk, "web:staff-transfer-incoming")


@require_POST
@acting_staff_only
def outgoing_ask(request, pk: int):
    return _ask_now(request, advance.advance_outgoing, pk, "web:staff-transfer-outgoing")


@require_POST
@acting_staff_only
def fetch_letters(request):
    """Fetch the letters other centres wrote to us now, rather than at the next sweep."""
    try:
        fetched = advance.receive_letters_now(actor=request.user)
    except (PlatformUnavailable, DomainError) as error:
        messages.error(request, _failure(error))
    else:
        messages.success(request, _("Letters to us on the platform: %(count)s.") % {"count": len(fetched)})
    return redirect(reverse("web:staff-transfers") + "?state=open")


@require_POST
@acting_staff_only
def sandbox_letter(request):
    """Sandbox only: another centre writes to us about one of our accounts (as the command does)."""
    typed = {name: request.POST.get(name, "").strip() for name in SANDBOX_DEFAULTS}
    try:
        letter = write_sandbox_letter(
            account_no=typed["account_no"] or None,
            city_code=typed["city_code"],
            city_name=typed["city_name"],
            actor=request.user,
        )
    except DomainError as error:
        return _render_list(
            request,
            error={"code": error.code, "message": error.message, "field": error.field},
            typed=typed,
            status=400,
        )
    messages.success(
        request,
        _(
            "The sandbox centre of %(city)s wrote to us about account %(account)s (letter %(ref)s). "
            "Fetch the letters, or wait for the sweep."
        )
        % {"city": letter.city_name, "account": letter.account_no, "ref": letter.platform_ref},
    )
    return redirect("web:staff-transfers")
