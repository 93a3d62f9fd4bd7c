"""The public page of the weekend rota (周末轮班): which counters open on the coming weekends and
holidays, and when, for anyone planning a visit."""

from django.shortcuts import render

from appointments.rota import coming_rotas

WEEKS_SHOWN = 3  # this week and the next two: the booking horizon is 14 days


def rota(request):
    weeks = coming_rotas(weeks=WEEKS_SHOWN)
    days = [
        {"entry": entry, "cells": week.open_on(entry.day)}
        for week in weeks
        for entry in week.days
        if not entry.past
    ]
    working = [entry for week in weeks for entry in week.working_weekend_days if not entry.past]
    return render(
        request, "web/public/appointment_rota.html", {"days": days, "working_weekend_days": working}
    )
