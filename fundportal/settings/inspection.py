"""The electronic audit (电子稽核): rule thresholds and the sweeps' schedule.

Star-imported at the end of base.py, which adds INSPECTION_BEAT_SCHEDULE to Celery beat's.
"""

from celery.schedules import crontab

INSPECTION_BEAT_SCHEDULE: dict = {
    # The real-time pass is queued by every commit that writes audit events; this catches up
    # when such an announcement was lost (a worker died, the broker was away).
    "inspection-safety-net": {"task": "inspection.tasks.inspect_events_safety_net", "schedule": 60.0},
    # Every rule's sweep of yesterday and yesterday's daily audit report, after midnight's
    # postings and before the 02:30 interest run (CELERY_TIMEZONE).
    "inspection-nightly-sweep": {
        "task": "inspection.tasks.nightly_sweep",
        "schedule": crontab(hour=1, minute=30),
    },
}

# The centre's office hours (local time), for "decided outside working hours" in the daily
# report; a day that is not a working day (core.calendar) is outside them all day.
INSPECTION_WORKING_HOURS = ("08:30", "17:30")
