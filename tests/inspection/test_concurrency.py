"""Two workers on PostgreSQL: the cursor's lock keeps them off each other's events, and findings
racing on one (rule, subject) end in one live alert holding every hit."""

import threading

import pytest
from django.db import connection, transaction

from audit.models import AuditEvent
from audit.services import PendingEvent, record_events
from inspection import engine, tasks
from inspection.models import Alert, InspectionCursor
from inspection.registry import use_rules
from inspection.rules.base import HIGH, Finding
from tests.inspection.factories import EchoRule

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class SubjectByTarget(EchoRule):
    """Five subjects, so that both workers would raise the same alerts if they looked at the same events."""

    def on_event(self, event):
        self.seen.append(event.sequence)
        return [Finding(self.code, HIGH, f"group:{event.sequence % 5}", "grouped", {"n": event.sequence})]


def _race(work, workers: int = 2) -> list[Exception]:
    barrier = threading.Barrier(workers)
    errors: list[Exception] = []

    def run():
        try:
            barrier.wait()
            work()
        except Exception as error:  # collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    connection.close()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.fixture(autouse=True)
def _no_queued_inspection(monkeypatch):
    # Committed transactions here really run their after-commit work: the eager task would
    # inspect the events before the workers race for them.
    monkeypatch.setattr(tasks.inspect_events, "delay", lambda **kwargs: None)


class TestInspectEventsConcurrently:
    def test_two_workers_never_look_at_the_same_event(self):
        with transaction.atomic():
            record_events([PendingEvent(None, "test.watched", f"event {n}") for n in range(300)])
        rule = SubjectByTarget()

        with use_rules(rule):
            errors = _race(lambda: engine.inspect_events(batch_size=40))

        assert errors == []
        assert len(rule.seen) == 300
        assert len(set(rule.seen)) == 300
        assert Alert.objects.count() == 5
        assert sum(Alert.objects.values_list("hits", flat=True)) == 300
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)[0]
        assert InspectionCursor.objects.get().last_sequence == last


class TestRecordFindingConcurrently:
    def test_racing_findings_on_one_subject_share_one_alert(self):
        rule = EchoRule()

        def find():
            for _ in range(10):
                with transaction.atomic(durable=True):
                    engine.record_finding(
                        rule=rule, finding=Finding(rule.code, HIGH, "card:42", "same card"), sequence=None
                    )

        errors = _race(find, workers=4)

        assert errors == []
        alert = Alert.objects.get()
        assert alert.hits == 40
