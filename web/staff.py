"""The staff console's front page: the centre at a glance, and the way into the admin console."""

from django.shortcuts import render
from django.utils import timezone

from accounts.overview import centre_overview
from core.calendar import calendar_coverage
from core.tasks import last_heartbeat_at
from web.access import staff_only


@staff_only
def home(request):
    today = timezone.localdate()
    heartbeat_at = last_heartbeat_at()
    return render(
        request,
        "web/staff/home.html",
        {
            "overview": centre_overview(),
            "heartbeat_at": heartbeat_at,
            # A worker that has not beaten for 3 minutes (beat runs every minute) is stale.
            "heartbeat_stale": heartbeat_at is None or (timezone.now() - heartbeat_at).total_seconds() > 180,
            "calendar_known": calendar_coverage(today.year) and calendar_coverage(today.year + 1),
            "next_year": today.year + 1,
        },
    )
