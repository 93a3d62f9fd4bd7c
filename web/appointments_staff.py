"""The staff's appointment pages: planning the weekend rota (周末轮班) week by week, and the
counter's queue of the day, where staff record who came and who did not.

Every member of staff reads both pages. The rota is planned by section chiefs and directors
(``appointments.rota.ROTA_PLANNER_ROLES``); the queue is worked by every member of staff but the
auditor, who only reads.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import STAFF_AUDITOR, STAFF_ROLES, roles_of
from appointments.rota import (
    DEFAULT_PERIODS,
    Opening,
    copy_weekend_rota,
    hours_text,
    may_plan_rota,
    parse_hours,
    parse_week,
    plan_weekend_rota,
    week_code,
    weekend_rota,
)
from appointments.selectors import active_counters, booking_by_reference, counter_queue
from appointments.services import record_arrival, record_no_show
from core.crypto import mask_id_number
from core.exceptions import DomainError
from web.access import audience, staff_only

# The auditor reads the queue but records nothing: arrivals change a booking.
ACTING_ROLES = STAFF_ROLES - {STAFF_AUDITOR}
acting_staff_only = audience(roles=ACTING_ROLES)
DEFAULT_HOURS = hours_text(DEFAULT_PERIODS)
QUEUE_ACTIONS = {"arrived": record_arrival, "no-show": record_no_show}


def _rota_url(monday: date) -> str:
    return f"{reverse('web:staff-appointment-rota')}?{urlencode({'week': week_code(monday)})}"


def _openings(post) -> list[Opening]:
    """The ticked counter-days of the rota form, each with the hours typed beside it."""
    openings = []
    for value in post.getlist("open"):
        counter, _sep, day = value.partition("|")
        try:
            on = date.fromisoformat(day)
        except ValueError:
            continue
        openings.append(Opening(counter, on, parse_hours(post.get(f"hours-{counter}-{day}", ""))))
    return openings


def _rota_days(rota, posted) -> list[dict]:
    """Each rota day with a cell per counter: ticked and its hours as saved, or as just posted."""
    ticked = set(posted.getlist("open")) if posted is not None else None
    days = []
    for entry in rota.days:
        cells = []
        for _counter, row in rota.rows:
            cell = next(cell for cell in row if cell.day == entry.day)
            key = f"{cell.counter.code}|{entry.day.isoformat()}"
            name = f"hours-{cell.counter.code}-{entry.day.isoformat()}"
            cells.append(
                {
                    "cell": cell,
                    "key": key,
                    "name": name,
                    "checked": key in ticked if ticked is not None else cell.is_open,
                    "hours": posted.get(name, "") if posted is not None else cell.hours or DEFAULT_HOURS,
                }
            )
        days.append({"entry": entry, "cells": cells})
    return days


def _rota_context(request, week, *, error: str = "", posted=None) -> dict:
    rota = weekend_rota(week)
    return {
        "rota": rota,
        "days": _rota_days(rota, posted),
        "previous": week_code(rota.monday - timedelta(weeks=1)),
        "next": week_code(rota.monday + timedelta(weeks=1)),
        "may_plan": may_plan_rota(request.user),
        "error": error,
    }


@staff_only
def rota(request):
    """The week's weekend days and holidays for every counter; planners open and close them."""
    week = request.POST.get("week") if request.method == "POST" else request.GET.get("week")
    try:
        monday = parse_week(week)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(reverse("web:staff-appointment-rota"))
    if request.method != "POST":
        return render(request, "web/staff/appointment_rota.html", _rota_context(request, monday))
    if not may_plan_rota(request.user):
        raise PermissionDenied
    try:
        change = plan_weekend_rota(week=monday, openings=_openings(request.POST), actor=request.user)
    except DomainError as error:
        context = _rota_context(request, monday, error=error.message, posted=request.POST)
        return render(
            request, "web/staff/appointment_rota.html", context, status=getattr(error, "http_status", 400)
        )
    if change.unchanged:
        messages.info(
            request, _("The rota of %(week)s was already so: nothing changed.") % {"week": change.week}
        )
    else:
        messages.success(
            request,
            _("The rota of %(week)s is saved: %(opened)s opened, %(changed)s changed, %(closed)s closed.")
            % {
                "week": change.week,
                "opened": len(change.opened),
                "changed": len(change.changed),
                "closed": len(change.closed),
            },
        )
    return redirect(_rota_url(monday))


@staff_only
@require_POST
def rota_copy(request):
    """Plan next week as this week is planned."""
    if not may_plan_rota(request.user):
        raise PermissionDenied
    try:
        monday = parse_week(request.POST.get("week"))
        change = copy_weekend_rota(week=monday, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_rota_url(parse_week(None)))
    if change.skipped:
        messages.info(
            request,
            _("Not copied, being working days next week: %(days)s.")
            % {"days": ", ".join(day.isoformat() for day in change.skipped)},
        )
    messages.success(request, _("The rota is copied to %(week)s.") % {"week": change.week})
    return redirect(_rota_url(monday + timedelta(weeks=1)))


def _queue_url(counter: str, day: date, anchor: str = "") -> str:
    query = urlencode({"counter": counter, "date": day.isoformat()})
    return f"{reverse('web:staff-appointment-queue')}?{query}{anchor}"


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


@staff_only
def queue(request):
    """A counter's bookings of one day by slot; the reference a person quotes finds theirs."""
    reference = (request.GET.get("reference") or "").strip()
    if reference:
        found = booking_by_reference(reference)
        if found is None:
            messages.error(
                request, _("No booking has the reference %(reference)s.") % {"reference": reference}
            )
        else:
            return redirect(
                _queue_url(found.counter.code, timezone.localdate(found.starts_at), f"#booking-{found.pk}")
            )
    counters = active_counters()
    chosen = next(
        (c for c in counters if c.code == request.GET.get("counter")), counters[0] if counters else None
    )
    day = _day(request.GET.get("date"))
    bookings = counter_queue(chosen, day) if chosen else []
    rows = [
        {"booking": booking, "masked_id": mask_id_number(booking.person.id_number)} for booking in bookings
    ]
    return render(
        request,
        "web/staff/appointment_queue.html",
        {
            "counters": counters,
            "counter": chosen,
            "day": day,
            "slots": [
                (starts_at, list(group))
                for starts_at, group in groupby(rows, lambda r: r["booking"].starts_at)
            ],
            "waiting": sum(1 for booking in bookings if booking.status == "BOOKED"),
            "may_act": bool(roles_of(request.user) & ACTING_ROLES),
            "reference": reference,
        },
    )


@acting_staff_only
@require_POST
def queue_act(request, pk: int, action: str):
    """Record that the person came (``arrived``) or did not (``no-show``)."""
    service = QUEUE_ACTIONS.get(action)
    if service is None:
        raise PermissionDenied
    back = _queue_url(request.POST.get("counter", ""), _day(request.POST.get("date")), f"#booking-{pk}")
    try:
        booking = service(booking_id=pk, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    done = _("%(reference)s: arrived.") if action == "arrived" else _("%(reference)s: did not come.")
    messages.success(request, done % {"reference": booking.reference})
    return redirect(back)
