"""The auditors' work on an alert: each step, who may take it, notes, history and the audit trail."""

import pytest

from accounts import roles
from audit.models import AuditEvent
from inspection import services
from inspection.models import AlertAction, AlertStatus
from tests.inspection.factories import AlertFactory, staff

pytestmark = pytest.mark.django_db


def _closed(**fields):
    return AlertFactory(
        status=AlertStatus.CLOSED, closed_at="2026-11-01T08:00Z", close_note="checked", **fields
    )


class TestAcknowledgeAlert:
    def test_acknowledges_an_open_alert_and_takes_it_when_unowned(self, auditor):
        alert = AlertFactory(owner=None)

        services.acknowledge_alert(alert_id=alert.pk, actor=auditor)

        alert.refresh_from_db()
        assert (alert.status, alert.owner) == (AlertStatus.ACKNOWLEDGED, auditor)
        assert AlertAction.objects.get(alert=alert).action == "acknowledge"

    def test_writes_the_audit_event_with_the_step(self, auditor):
        alert = AlertFactory()

        services.acknowledge_alert(alert_id=alert.pk, actor=auditor)

        event = AuditEvent.objects.get(action="inspection.alert_acknowledge")
        assert (event.actor, event.target_id) == (auditor, str(alert.pk))

    def test_refuses_an_alert_already_acknowledged(self, auditor):
        alert = AlertFactory(status=AlertStatus.ACKNOWLEDGED)

        with pytest.raises(services.WrongAlertState):
            services.acknowledge_alert(alert_id=alert.pk, actor=auditor)

    @pytest.mark.parametrize("role", [roles.STAFF_DIRECTOR, roles.STAFF_DEPUTY_DIRECTOR, roles.STAFF_CLERK])
    def test_refuses_a_role_that_only_reads_or_not_at_all(self, role):
        alert = AlertFactory()

        with pytest.raises(services.NotAllowedToWorkAlerts):
            services.acknowledge_alert(alert_id=alert.pk, actor=staff(role))

        assert not AuditEvent.objects.filter(action__startswith="inspection.").exists()


class TestAssignAlert:
    def test_gives_the_alert_to_another_auditor(self, auditor, other_auditor):
        alert = AlertFactory(owner=auditor)

        services.assign_alert(alert_id=alert.pk, actor=auditor, assignee_id=other_auditor.pk, note="yours")

        alert.refresh_from_db()
        action = AlertAction.objects.get(alert=alert)
        assert alert.owner == other_auditor
        assert (action.action, action.assignee, action.note) == ("assign", other_auditor, "yours")
        assert AuditEvent.objects.filter(action="inspection.alert_assign").count() == 1

    def test_an_administrator_may_be_given_an_alert(self, auditor):
        admin = staff(roles.ADMIN)
        alert = AlertFactory(owner=auditor)

        services.assign_alert(alert_id=alert.pk, actor=auditor, assignee_id=admin.pk)

        alert.refresh_from_db()
        assert alert.owner == admin

    def test_refuses_someone_who_does_not_work_alerts(self, auditor, director):
        alert = AlertFactory(owner=auditor)

        with pytest.raises(services.NotAnAuditor):
            services.assign_alert(alert_id=alert.pk, actor=auditor, assignee_id=director.pk)

        alert.refresh_from_db()
        assert alert.owner == auditor

    def test_refuses_a_closed_alert(self, auditor, other_auditor):
        alert = _closed(owner=auditor)

        with pytest.raises(services.WrongAlertState):
            services.assign_alert(alert_id=alert.pk, actor=auditor, assignee_id=other_auditor.pk)


class TestCommentOnAlert:
    def test_adds_the_comment_to_the_history(self, auditor):
        alert = _closed()

        services.comment_on_alert(alert_id=alert.pk, actor=auditor, note="  asked the bank  ")

        assert AlertAction.objects.get(alert=alert).note == "asked the bank"
        assert AuditEvent.objects.filter(action="inspection.alert_comment").count() == 1

    def test_needs_a_note(self, auditor):
        alert = AlertFactory()

        with pytest.raises(services.NoteRequired):
            services.comment_on_alert(alert_id=alert.pk, actor=auditor, note="  ")


class TestCloseAlert:
    def test_closes_with_the_note_who_and_when(self, auditor):
        alert = AlertFactory(status=AlertStatus.ACKNOWLEDGED)

        services.close_alert(alert_id=alert.pk, actor=auditor, note="The card is the applicant's.")

        alert.refresh_from_db()
        assert (alert.status, alert.closed_by, alert.close_note) == (
            AlertStatus.CLOSED,
            auditor,
            "The card is the applicant's.",
        )
        assert alert.closed_at is not None
        assert (
            AuditEvent.objects.filter(action="inspection.alert_close", target_id=str(alert.pk)).count() == 1
        )

    def test_needs_a_note(self, auditor):
        alert = AlertFactory()

        with pytest.raises(services.NoteRequired):
            services.close_alert(alert_id=alert.pk, actor=auditor, note="")

        alert.refresh_from_db()
        assert alert.status == AlertStatus.OPEN
        assert not AlertAction.objects.exists()

    def test_the_database_refuses_a_closed_alert_without_a_note(self, db):
        from django.db import IntegrityError

        with pytest.raises(IntegrityError):
            AlertFactory(status=AlertStatus.CLOSED, closed_at="2026-11-01T08:00Z", close_note="")

    def test_refuses_an_alert_already_closed(self, auditor):
        alert = _closed()

        with pytest.raises(services.WrongAlertState):
            services.close_alert(alert_id=alert.pk, actor=auditor, note="again")


class TestReopenAlert:
    def test_opens_a_closed_alert_and_clears_its_closing(self, auditor):
        alert = _closed()

        services.reopen_alert(alert_id=alert.pk, actor=auditor, note="The bank wrote again.")

        alert.refresh_from_db()
        assert (alert.status, alert.closed_at, alert.close_note) == (AlertStatus.OPEN, None, "")
        assert AuditEvent.objects.filter(action="inspection.alert_reopen").count() == 1

    def test_refuses_when_a_newer_alert_on_the_same_subject_is_live(self, auditor):
        alert = _closed(subject="payout:9")
        AlertFactory(subject="payout:9")

        with pytest.raises(services.AnotherAlertIsLive):
            services.reopen_alert(alert_id=alert.pk, actor=auditor, note="again")

        alert.refresh_from_db()
        assert alert.status == AlertStatus.CLOSED

    def test_refuses_an_alert_that_is_not_closed(self, auditor):
        alert = AlertFactory()

        with pytest.raises(services.WrongAlertState):
            services.reopen_alert(alert_id=alert.pk, actor=auditor, note="again")
