"""End to end: an event committed by any service reaches the rules through the audit listener and
the task, and the alert is on the auditors' page at once; a broken rule or task disturbs nothing."""

import pytest
from django.db import transaction
from django.urls import reverse

from audit.services import record_event
from inspection import tasks
from inspection.models import Alert, InspectionCursor
from inspection.registry import use_rules
from tests.inspection.factories import BrokenRule, EchoRule

pytestmark = pytest.mark.django_db


class TestRealTimeInspection:
    def test_an_event_committed_shows_as_an_alert_on_the_page(
        self, client, auditor, django_capture_on_commit_callbacks
    ):
        client.force_login(auditor)

        with use_rules(EchoRule(subject="payout:42")):
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                record_event(actor=None, action="test.watched", summary="a payout to someone else's card")
            page = client.get(reverse("web:staff-alerts"), headers={"HX-Request": "true"}).content.decode()

        alert = Alert.objects.get()
        assert f'id="alert-{alert.pk}"' in page
        assert "Seen test.watched" in page

    def test_a_rolled_back_event_raises_nothing(self, django_capture_on_commit_callbacks):
        rule = EchoRule()

        with (
            use_rules(rule),
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            record_event(actor=None, action="test.watched", summary="lost")
            raise RuntimeError("rolled back")

        assert rule.seen == []
        assert not Alert.objects.exists()

    def test_a_broken_rule_leaves_the_committed_work_alone(self, django_capture_on_commit_callbacks):
        with (
            use_rules(BrokenRule()),
            django_capture_on_commit_callbacks(execute=True),
            transaction.atomic(),
        ):
            event = record_event(actor=None, action="test.watched", summary="kept")

        event.refresh_from_db()
        assert InspectionCursor.objects.get().last_sequence >= event.sequence

    def test_a_task_that_cannot_be_queued_is_swallowed(self, monkeypatch, django_capture_on_commit_callbacks):
        def unreachable(**kwargs):
            raise ConnectionError("broker away")

        monkeypatch.setattr(tasks.inspect_events, "delay", unreachable)

        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            event = record_event(actor=None, action="test.watched", summary="kept")

        assert event.pk is not None

    def test_the_safety_net_catches_up_on_a_lost_announcement(self, write_events):
        rule = EchoRule()
        write_events("test.watched")

        with use_rules(rule):
            tasks.inspect_events_safety_net()

        assert Alert.objects.count() == 1
