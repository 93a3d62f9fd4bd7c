"""The real-time pass and the sweep: alerts from findings, one live alert per rule and subject,
a cursor that never looks twice, a broken rule that blocks nothing, owners by load."""

from datetime import date

import pytest
from django.db import transaction

from accounts import roles
from audit.models import AuditEvent
from inspection import engine
from inspection.models import Alert, AlertStatus, InspectionCursor
from inspection.registry import use_rules
from inspection.rules.base import CRITICAL, LOW, Finding
from tests.inspection.factories import AlertFactory, BrokenRule, EchoRule, staff

pytestmark = pytest.mark.django_db


class TestInspectEvents:
    def test_raises_an_alert_for_a_watched_event(self, write_events, auditor):
        rule = EchoRule()
        [event] = write_events("test.watched")

        with use_rules(rule):
            run = engine.inspect_events()

        alert = Alert.objects.get()
        assert (alert.rule, alert.subject, alert.status, alert.hits) == (
            "test.echo",
            f"event:{event.sequence}",
            AlertStatus.OPEN,
            1,
        )
        assert (alert.first_sequence, alert.last_sequence, alert.owner) == (
            event.sequence,
            event.sequence,
            auditor,
        )
        assert run.findings == 1

    def test_records_the_new_alert_in_the_audit_trail(self, write_events):
        write_events("test.watched")

        with use_rules(EchoRule()):
            engine.inspect_events()

        raised = AuditEvent.objects.get(action="inspection.alert_raised")
        assert raised.target_id == str(Alert.objects.get().pk)

    def test_joins_a_repeat_finding_to_the_live_alert(self, write_events):
        rule = EchoRule(subject="payout:7")
        first, second = write_events("test.watched", "test.watched")

        with use_rules(rule):
            engine.inspect_events()

        alert = Alert.objects.get()
        assert alert.hits == 2
        assert [entry["sequence"] for entry in alert.evidence] == [first.sequence, second.sequence]
        assert (alert.first_sequence, alert.last_sequence) == (first.sequence, second.sequence)

    def test_raises_a_new_alert_once_the_last_one_is_closed(self, write_events, auditor):
        rule = EchoRule(subject="payout:7")
        AlertFactory(
            rule="test.echo",
            subject="payout:7",
            status=AlertStatus.CLOSED,
            closed_at="2026-01-01T00:00Z",
            close_note="ok",
        )
        write_events("test.watched")

        with use_rules(rule):
            engine.inspect_events()

        assert Alert.objects.filter(subject="payout:7").count() == 2
        assert Alert.objects.filter(subject="payout:7", status=AlertStatus.OPEN).count() == 1

    def test_keeps_the_first_and_the_latest_evidence(self, write_events):
        rule = EchoRule(subject="payout:7")
        events = write_events(*["test.watched"] * (engine.EVIDENCE_KEPT + 5))

        with use_rules(rule):
            engine.inspect_events()

        alert = Alert.objects.get()
        kept = [entry["sequence"] for entry in alert.evidence]
        assert alert.hits == engine.EVIDENCE_KEPT + 5
        assert len(kept) == engine.EVIDENCE_KEPT
        assert kept[0] == events[0].sequence
        assert kept[-1] == events[-1].sequence

    def test_never_looks_at_an_event_twice(self, write_events):
        rule = EchoRule(subject="payout:7")
        write_events("test.watched", "test.watched")

        with use_rules(rule):
            engine.inspect_events()
            engine.inspect_events()
        [latest] = write_events("test.watched")
        with use_rules(rule):
            engine.inspect_events()

        assert len(rule.seen) == 3
        assert len(set(rule.seen)) == 3
        assert (
            InspectionCursor.objects.get().last_sequence
            == AuditEvent.objects.order_by("-sequence")[0].sequence
        )
        assert latest.sequence in rule.seen

    def test_works_through_the_events_batch_by_batch(self, write_events):
        rule = EchoRule(subject="payout:7")
        write_events(*["test.watched"] * 7)

        with use_rules(rule):
            run = engine.inspect_events(batch_size=3)

        # Seven watched events, and the alert_raised event the first of them led to.
        assert run.events == 8
        assert run.findings == 7
        assert Alert.objects.get().hits == 7

    def test_a_failing_rule_blocks_neither_the_others_nor_the_cursor(self, write_events):
        broken, echo = BrokenRule(code="test.broken"), EchoRule()
        [event] = write_events("test.watched")

        with use_rules(broken, echo):
            run = engine.inspect_events()

        assert broken.seen == [event.sequence]
        assert Alert.objects.filter(rule="test.echo").count() == 1
        assert not Alert.objects.filter(rule="test.broken").exists()
        assert run.failures == 1
        assert InspectionCursor.objects.get().last_sequence >= event.sequence

    def test_matches_a_prefix_pattern(self, write_events):
        rule = EchoRule(actions=frozenset({"ledger.*"}))
        write_events("ledger.post_entry", "ledgers.other", "payouts.created")

        with use_rules(rule):
            engine.inspect_events()

        assert [event.action for event in AuditEvent.objects.filter(sequence__in=rule.seen)] == [
            "ledger.post_entry"
        ]

    def test_never_gives_rules_its_own_events(self, write_events):
        rule = EchoRule(actions=frozenset({"*"}))
        write_events("inspection.alert_raised", "test.any")

        with use_rules(rule):
            engine.inspect_events()

        assert [event.action for event in AuditEvent.objects.filter(sequence__in=rule.seen)] == ["test.any"]

    def test_loads_no_event_when_no_rule_watches_them(self, write_events, django_assert_max_num_queries):
        write_events(*["deposits.list_posted"] * 50)

        with use_rules(EchoRule()), django_assert_max_num_queries(5):
            run = engine.inspect_events()

        assert run.events == 50
        assert not Alert.objects.exists()

    def test_raises_the_severity_of_a_repeat_but_never_lowers_it(self, write_events):
        with transaction.atomic():
            engine.record_finding(
                rule=EchoRule(), finding=Finding("test.echo", LOW, "s:1", "low"), sequence=None
            )
            engine.record_finding(
                rule=EchoRule(), finding=Finding("test.echo", CRITICAL, "s:1", "critical"), sequence=None
            )
            engine.record_finding(
                rule=EchoRule(), finding=Finding("test.echo", LOW, "s:1", "low again"), sequence=None
            )

        assert Alert.objects.get().severity == CRITICAL


class TestNextOwner:
    def test_is_the_auditor_with_the_fewest_live_alerts(self, auditor, other_auditor):
        AlertFactory(owner=auditor)
        AlertFactory(owner=auditor, status=AlertStatus.ACKNOWLEDGED)
        AlertFactory(owner=other_auditor)
        AlertFactory(
            owner=other_auditor, status=AlertStatus.CLOSED, closed_at="2026-01-01T00:00Z", close_note="ok"
        )

        assert engine.next_owner() == other_auditor

    def test_breaks_a_tie_by_the_lower_id(self, auditor, other_auditor):
        first = min(auditor, other_auditor, key=lambda user: user.pk)

        assert engine.next_owner() == first

    def test_is_nobody_without_an_active_auditor(self, db):
        staff(roles.STAFF_CLERK)
        retired = staff(roles.STAFF_AUDITOR)
        retired.is_active = False
        retired.save()

        assert engine.next_owner() is None


class TestSweepDay:
    def test_turns_the_sweep_findings_into_alerts(self, db):
        rule = EchoRule(sweep_findings=[Finding("test.echo", LOW, "unit:3", "Many at the cap")])

        with use_rules(rule):
            run = engine.sweep_day(day=date(2026, 11, 26))

        assert rule.swept == [date(2026, 11, 26)]
        alert = Alert.objects.get()
        assert (alert.subject, alert.first_sequence, run.findings) == ("unit:3", None, 1)

    def test_goes_on_past_a_failing_sweep(self, db):
        broken = BrokenRule(code="test.broken")
        echo = EchoRule(sweep_findings=[Finding("test.echo", LOW, "unit:3", "Many at the cap")])

        with use_rules(broken, echo):
            run = engine.sweep_day(day=date(2026, 11, 26))

        assert (run.failures, run.findings) == (1, 1)
        assert Alert.objects.count() == 1


class BatchEcho(EchoRule):
    """An echo that also looks at a whole batch at once; ``fail_batch`` makes the batch call raise."""

    def __init__(self, *, fail_batch: bool = False, **fields):
        super().__init__(**fields)
        self.fail_batch = fail_batch
        self.batches: list[list[int]] = []

    def on_events(self, events):
        self.batches.append([event.sequence for event in events])
        if self.fail_batch:
            raise RuntimeError("broken batch")
        return [(event.sequence, finding) for event in events for finding in self.on_event(event)]


class TestInspectEventsInBatches:
    def test_gives_a_rule_with_on_events_each_batch_at_once(self, write_events):
        rule = BatchEcho(subject="payout:7")
        events = write_events(*["test.watched"] * 5)

        with use_rules(rule):
            engine.inspect_events(batch_size=3)

        assert rule.batches == [
            [event.sequence for event in events[:3]],
            [event.sequence for event in events[3:]],
        ]
        alert = Alert.objects.get()
        assert alert.hits == 5
        assert [entry["sequence"] for entry in alert.evidence] == [event.sequence for event in events]

    def test_falls_back_to_one_event_at_a_time_when_the_batch_fails(self, write_events):
        rule = BatchEcho(subject="payout:7", fail_batch=True)
        events = write_events("test.watched", "test.watched")

        with use_rules(rule):
            run = engine.inspect_events()

        assert rule.batches == [[event.sequence for event in events]]
        assert Alert.objects.get().hits == 2
        assert run.failures == 0
