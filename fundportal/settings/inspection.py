"""The electronic audit (电子稽核): rule thresholds and the sweeps' schedule.

Star-imported at the end of base.py, which adds INSPECTION_BEAT_SCHEDULE to Celery beat's.
"""

INSPECTION_BEAT_SCHEDULE: dict = {}
