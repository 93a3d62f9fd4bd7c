import datetime

import pytest
from celery.exceptions import Retry
from celery.schedules import crontab
from django.conf import settings
from django.db import OperationalError
from freezegun import freeze_time

from audit.models import AuditEvent
from fundportal.celery import app
from ledger import tasks
from ledger.interest import SETTLED_ACTION, interest_settled
from ledger.models import JournalEntry
from ledger.selectors import balance_of
from tests.ledger.test_interest import THIS_30_JUNE, _example_account

pytestmark = pytest.mark.django_db


def _raise(error):
    def fail(**kwargs):
        raise error

    return fail


class TestSettleInterestWhenDue:
    @freeze_time("2026-07-01 02:30:00+08:00")
    def test_settles_the_last_30_june_on_the_night_of_1_july(self):
        account = _example_account()

        result = tasks.settle_interest_when_due.delay().get()

        assert result["on"] == "2026-06-30"
        assert result["status"] == "settled"
        assert balance_of(account) == 140_000 + 1_944
        assert interest_settled(on=THIS_30_JUNE)

    @freeze_time("2026-07-15 02:30:00+08:00")
    def test_catches_up_a_missed_1_july_on_a_later_night(self):
        account = _example_account()

        tasks.settle_interest_when_due.delay()

        assert balance_of(account) == 140_000 + 1_944

    @freeze_time("2026-06-30 02:30:00+08:00")
    def test_waits_for_30_june_to_end(self):
        _example_account()

        result = tasks.settle_interest_when_due.delay().get()

        # On 30 June itself the last settlement day is the previous 30 June, not this one.
        assert result["on"] == "2025-06-30"
        assert not JournalEntry.objects.filter(business_type="09", business_on=THIS_30_JUNE).exists()

    def test_does_nothing_once_the_year_is_settled(self, monkeypatch):
        _example_account()
        tasks.settle_interest_when_due.delay(on="2026-06-30")
        before = (JournalEntry.objects.count(), AuditEvent.objects.count())
        monkeypatch.setattr(tasks, "settle_interest", pytest.fail)  # must not even be called

        result = tasks.settle_interest_when_due.delay(on="2026-06-30").get()

        assert result["status"] == "already settled"
        assert (JournalEntry.objects.count(), AuditEvent.objects.count()) == before
        assert AuditEvent.objects.filter(action=SETTLED_ACTION).count() == 1

    def test_retries_a_lost_database_a_bounded_number_of_times(self, monkeypatch):
        task = tasks.settle_interest_when_due
        monkeypatch.setattr(
            tasks, "settle_interest", _raise(OperationalError("server closed the connection"))
        )

        # Eager tasks do not loop through their retries: each attempt is run with its number.
        with pytest.raises(Retry):
            task.apply(kwargs={"on": "2026-06-30"}, retries=task.max_retries - 1)
        with pytest.raises(OperationalError):
            task.apply(kwargs={"on": "2026-06-30"}, retries=task.max_retries)

        assert task.max_retries == 5

    def test_does_not_retry_an_error_that_is_no_outage(self, monkeypatch):
        monkeypatch.setattr(tasks, "settle_interest", _raise(ValueError("a bug")))

        with pytest.raises(ValueError):
            tasks.settle_interest_when_due.apply(kwargs={"on": "2026-06-30"})

    def test_is_acknowledged_only_after_it_ran(self):
        task = tasks.settle_interest_when_due

        assert (task.acks_late, task.reject_on_worker_lost) == (True, True)


class TestBeatSchedule:
    def test_runs_the_settlement_every_night_at_half_past_two(self):
        entry = settings.CELERY_BEAT_SCHEDULE["ledger-settle-interest"]

        assert entry["task"] == tasks.settle_interest_when_due.name
        assert entry["task"] in app.tasks
        assert entry["schedule"] == crontab(hour=2, minute=30)
        night = datetime.datetime(2026, 7, 1, 2, 30, tzinfo=datetime.UTC)
        assert entry["schedule"].is_due(night - datetime.timedelta(days=1)).is_due
