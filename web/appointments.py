"""Booking a counter visit in the hall: service → counter → day → free slot → confirm, then the
reference code to quote at the counter; the list of one's bookings, where each can be cancelled.

Plain links and forms (no script): every step is a page whose address carries the choices so far,
so the back button and a bookmark work. A ``purpose`` (``loan-application:42``) given to the first
page travels with the choices and is stored on the booking; a ``move`` (a booking's id) makes the
same steps change that booking's time or counter instead of booking anew.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from appointments.selectors import (
    CALENDAR_UNKNOWN,
    COUNTER_CLOSED,
    HOLIDAY,
    NO_HOURS,
    WEEKEND,
    active_services,
    bookable_days,
    booking_of,
    bookings_of,
    day_plans,
    days_between,
    may_change,
    offers_of,
    open_slots,
    service_by_code,
)
from appointments.services import (
    PURPOSE_PATTERN,
    book_appointment,
    cancel_appointment,
    reschedule_appointment,
)
from core.exceptions import DomainError
from web.access import employee_only

_CLOSED_LABELS = {
    HOLIDAY: _("Public holiday"),
    WEEKEND: _("Weekend"),
    CALENDAR_UNKNOWN: _("Not yet bookable"),
    COUNTER_CLOSED: _("Counter closed"),
    NO_HOURS: _("Counter closed"),
}


def _carried(request) -> dict[str, str]:
    """The choices every step passes on: the ``purpose`` and, when moving a booking, its id (``move``)."""
    values = request.POST if request.method == "POST" else request.GET
    purpose = (values.get("purpose") or "").strip()
    move = (values.get("move") or "").strip()
    carried = {
        "purpose": purpose if PURPOSE_PATTERN.match(purpose) else "",
        "move": move if move.isdigit() else "",
    }
    return {key: value for key, value in carried.items() if value}


def _query(carried: dict[str, str], **values) -> str:
    present = {**carried, **{key: value for key, value in values.items() if value}}
    return f"?{urlencode(present)}" if present else ""


def _offer_or_404(service_code: str, counter_code: str | None = None):
    service = service_by_code(service_code)
    if service is None:
        raise Http404(_("There is no such service to book."))
    offers = offers_of(service, counter_code)
    if counter_code is not None and not offers:
        raise Http404(_("This counter does not offer that service."))
    return service, offers


@employee_only
def my_appointments(request):
    now = timezone.now()
    bookings = [
        {"booking": booking, "may_change": may_change(booking, now), "past": booking.ends_at <= now}
        for booking in bookings_of(request.user.person)
    ]
    return render(request, "web/hall/appointments.html", {"bookings": bookings})


@employee_only
def choose_service(request):
    query = _query(_carried(request))
    return render(
        request, "web/hall/appointment_service.html", {"services": active_services(), "query": query}
    )


@employee_only
def choose_counter(request, service: str):
    found, offers = _offer_or_404(service)
    query = _query(_carried(request))
    return render(
        request,
        "web/hall/appointment_counter.html",
        {"service": found, "counters": [offer.counter for offer in offers], "query": query},
    )


def _chosen_day(request, days: list[dict]) -> date | None:
    wanted = request.GET.get("day") or ""
    for day in days:
        if day["day"].isoformat() == wanted:
            return day["day"]
    return next((day["day"] for day in days if day["free"]), None)


@employee_only
def choose_slot(request, service: str, counter: str):
    found, offers = _offer_or_404(service, counter)
    offer = offers[0]
    first, last = bookable_days()
    plans = day_plans([offer.counter], first, last)
    slots = open_slots(
        service=found, counter_code=counter, first=first, last=last, include_full=True, plans=plans
    )
    carried = _carried(request)
    days = []
    for day in days_between(first, last):
        plan = plans[offer.counter_id, day]
        on_day = [slot for slot in slots if timezone.localdate(slot.starts_at) == day]
        days.append(
            {
                "day": day,
                "free": sum(1 for slot in on_day if slot.remaining),
                "closed": ""
                if plan.is_open
                else _CLOSED_LABELS.get(plan.closed_because, _("Counter closed")),
                "note": plan.note,
                "query": _query(carried, day=day.isoformat()),
            }
        )
    chosen = _chosen_day(request, days)
    return render(
        request,
        "web/hall/appointment_slots.html",
        {
            "service": found,
            "counter": offer.counter,
            "capacity": offer.capacity,
            "days": days,
            "chosen": chosen,
            "slots": [slot for slot in slots if timezone.localdate(slot.starts_at) == chosen],
            "carried": carried,
            "query": _query(carried),
        },
    )


def _starts_at(request) -> datetime | None:
    value = parse_datetime((request.POST.get("starts_at") or request.GET.get("starts_at") or "").strip())
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@employee_only
def confirm(request, service: str, counter: str):
    found, offers = _offer_or_404(service, counter)
    starts_at = _starts_at(request)
    carried = _carried(request)
    moving = booking_of(request.user.person, int(carried["move"])) if "move" in carried else None
    context = {
        "service": found,
        "counter": offers[0].counter,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=found.slot_minutes) if starts_at else None,
        "moving": moving,
        "carried": carried,
        "query": _query(carried, day=timezone.localdate(starts_at).isoformat() if starts_at else ""),
        "error": "" if starts_at else _("Choose a time first."),
    }
    if request.method != "POST" or starts_at is None:
        return render(request, "web/hall/appointment_confirm.html", context, status=200 if starts_at else 400)
    try:
        booking = _book_or_move(request, found.code, counter, starts_at, carried)
    except DomainError as error:
        context["error"] = error.message
        context["already_booked"] = error.code == "ALREADY_BOOKED"
        return render(
            request, "web/hall/appointment_confirm.html", context, status=getattr(error, "http_status", 400)
        )
    return redirect(reverse("web:hall-appointment", args=[booking.pk]))


def _book_or_move(request, service: str, counter: str, starts_at: datetime, carried: dict):
    if "move" in carried:
        return reschedule_appointment(
            person=request.user.person,
            booking_id=int(carried["move"]),
            starts_at=starts_at,
            counter=counter,
            actor=request.user,
        )
    return book_appointment(
        person=request.user.person,
        service=service,
        counter=counter,
        starts_at=starts_at,
        actor=request.user,
        purpose_ref=carried.get("purpose", ""),
    )


@employee_only
def detail(request, pk: int):
    booking = booking_of(request.user.person, pk)
    if booking is None:
        raise Http404(_("There is no such booking of yours."))
    return render(
        request,
        "web/hall/appointment_detail.html",
        {"booking": booking, "may_change": may_change(booking), "past": booking.ends_at <= timezone.now()},
    )


@employee_only
def cancel(request, pk: int):
    if request.method != "POST":
        return redirect(reverse("web:hall-appointment", args=[pk]))
    try:
        booking = cancel_appointment(person=request.user.person, booking_id=pk, actor=request.user)
    except DomainError as error:
        if getattr(error, "http_status", 400) == 404:
            raise Http404(error.message) from error
        messages.error(request, error.message)
        return redirect(reverse("web:hall-appointment", args=[pk]))
    messages.success(
        request,
        _("Booking %(reference)s is cancelled; the time is free for others.")
        % {"reference": booking.reference},
    )
    return redirect(reverse("web:hall-appointments"))
