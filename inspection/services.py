"""The auditors' work on alerts: acknowledge, assign, comment, close with a note, reopen.

Each is one durable transaction that locks the alert, checks its state, writes the history row
and the audit event together. Auditors and administrators work alerts; directors only read them.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import ADMIN, STAFF_AUDITOR, STAFF_DEPUTY_DIRECTOR, STAFF_DIRECTOR, roles_of
from audit.services import record_event
from core.exceptions import DomainError
from inspection.models import Alert, AlertAction, AlertActionKind, AlertStatus

#: Roles that work alerts, and those that may also read them.
WORKING_ROLES = frozenset({STAFF_AUDITOR, ADMIN})
READING_ROLES = WORKING_ROLES | {STAFF_DIRECTOR, STAFF_DEPUTY_DIRECTOR}
NOTE_MAX = 2000


class AlertError(DomainError):
    code = "ALERT_ERROR"


class NotAllowedToWorkAlerts(AlertError):
    code = "NOT_ALLOWED"


class AlertNotFound(AlertError):
    code = "ALERT_NOT_FOUND"


class WrongAlertState(AlertError):
    code = "WRONG_ALERT_STATE"


class NoteRequired(AlertError):
    code = "NOTE_REQUIRED"


class NotAnAuditor(AlertError):
    code = "NOT_AN_AUDITOR"


class AnotherAlertIsLive(AlertError):
    code = "ANOTHER_ALERT_LIVE"


def may_work_alerts(user) -> bool:
    return bool(roles_of(user) & WORKING_ROLES)


def may_read_alerts(user) -> bool:
    return bool(roles_of(user) & READING_ROLES)


def acknowledge_alert(*, alert_id: int, actor, note: str = "") -> Alert:
    """An auditor has seen the alert and is looking into it; an unowned alert becomes theirs."""
    with transaction.atomic(durable=True):
        alert = _locked(alert_id, actor)
        if alert.status != AlertStatus.OPEN:
            raise WrongAlertState(_("Only an open alert can be acknowledged."))
        alert.status = AlertStatus.ACKNOWLEDGED
        if alert.owner_id is None:
            alert.owner = actor
        alert.save(update_fields=["status", "owner"])
        _history(alert, actor, AlertActionKind.ACKNOWLEDGE, note, summary="确认预警")
    return alert


def assign_alert(*, alert_id: int, actor, assignee_id: int, note: str = "") -> Alert:
    """Give the alert to another auditor (or an administrator)."""
    with transaction.atomic(durable=True):
        alert = _locked(alert_id, actor)
        if alert.status == AlertStatus.CLOSED:
            raise WrongAlertState(_("A closed alert cannot be assigned; reopen it first."))
        assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None or not may_work_alerts(assignee):
            raise NotAnAuditor(_("Alerts can only be given to an auditor or an administrator."))
        alert.owner = assignee
        alert.save(update_fields=["owner"])
        _history(
            alert,
            actor,
            AlertActionKind.ASSIGN,
            note,
            assignee=assignee,
            summary=f"预警转交 {assignee.get_username()}",
        )
    return alert


def comment_on_alert(*, alert_id: int, actor, note: str) -> Alert:
    with transaction.atomic(durable=True):
        alert = _locked(alert_id, actor)
        _history(alert, actor, AlertActionKind.COMMENT, _required(note), summary="预警备注")
    return alert


def close_alert(*, alert_id: int, actor, note: str) -> Alert:
    """Close the alert, saying what was found; a new finding afterwards raises a new alert."""
    note = _required(note)
    with transaction.atomic(durable=True):
        alert = _locked(alert_id, actor)
        if alert.status == AlertStatus.CLOSED:
            raise WrongAlertState(_("The alert is already closed."))
        alert.status = AlertStatus.CLOSED
        alert.closed_at = timezone.now()
        alert.closed_by = actor
        alert.close_note = note
        alert.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
        _history(alert, actor, AlertActionKind.CLOSE, note, summary="关闭预警")
    return alert


def reopen_alert(*, alert_id: int, actor, note: str) -> Alert:
    """Open a closed alert again (its closing stays in the history)."""
    note = _required(note)
    try:
        with transaction.atomic(durable=True):
            alert = _locked(alert_id, actor)
            if alert.status != AlertStatus.CLOSED:
                raise WrongAlertState(_("Only a closed alert can be reopened."))
            alert.status = AlertStatus.OPEN
            alert.closed_at = None
            alert.closed_by = None
            alert.close_note = ""
            alert.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
            _history(alert, actor, AlertActionKind.REOPEN, note, summary="重新打开预警")
    except IntegrityError as error:
        # The partial unique constraint: the rule has raised a new alert on the same subject.
        raise AnotherAlertIsLive(
            _("A newer alert about the same thing is open; work that one instead.")
        ) from error
    return alert


def _locked(alert_id: int, actor) -> Alert:
    if not may_work_alerts(actor):
        raise NotAllowedToWorkAlerts(_("Only auditors and administrators work alerts."))
    # Locked: two auditors acting at once take turns and the second sees the first's change.
    alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise AlertNotFound(_("No such alert."))
    return alert


def _required(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise NoteRequired(_("Write a note."), field="note")
    return note[:NOTE_MAX]


def _history(alert: Alert, actor, kind: str, note: str, *, summary: str, assignee=None) -> None:
    note = (note or "").strip()[:NOTE_MAX]
    AlertAction.objects.create(alert=alert, actor=actor, action=kind, note=note, assignee=assignee)
    record_event(
        actor=actor,
        action=f"inspection.alert_{kind}",
        target=alert,
        summary=f"{summary} #{alert.pk} {alert.rule}",
        data={
            "alert": alert.pk,
            "rule": alert.rule,
            "status": alert.status,
            "owner": alert.owner_id,
            **({"assignee": assignee.pk} if assignee is not None else {}),
        },
    )
