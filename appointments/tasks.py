"""Background work on appointments: the text the day before a visit."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from appointments import selectors, services


@shared_task(acks_late=True, task_reject_on_worker_lost=True, ignore_result=True)
def remind_tomorrows_visits() -> int:
    """Every hour of the day: text each person with a visit tomorrow, once (``reminded_at``).

    Hourly rather than once a day so a worker that was down at the usual time still reminds
    before the evening; bookings made later in the day for tomorrow are reminded too.
    """
    tomorrow = timezone.localdate() + timedelta(days=1)
    return sum(
        services.remind_booking(booking_id=booking_id)
        for booking_id in selectors.bookings_to_remind(tomorrow)
    )
