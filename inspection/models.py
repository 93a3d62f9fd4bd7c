"""The electronic audit's records: where the real-time pass stands, alerts, their history, daily reports."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inspection.rules.base import (
    APPROVAL,
    CRITICAL,
    FINANCE,
    HIGH,
    LOW,
    MEDIUM,
    NETWORK,
)


class Severity(models.TextChoices):
    LOW = LOW, _("Low")
    MEDIUM = MEDIUM, _("Medium")
    HIGH = HIGH, _("High")
    CRITICAL = CRITICAL, _("Critical")


#: Severities from the least to the most serious: a repeat finding never lowers an alert's.
SEVERITY_RANK = {LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3}


class Family(models.TextChoices):
    FINANCE = FINANCE, _("Finance")
    NETWORK = NETWORK, _("Network and information")
    APPROVAL = APPROVAL, _("Business approval")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", pgettext_lazy("alert status", "Closed")


#: Not closed: a new finding for the same rule and subject joins such an alert.
LIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class InspectionCursor(models.Model):
    """The one row saying up to which audit sequence the real-time pass has looked.

    Locked (``select_for_update``) for the length of a batch, so two workers never look at the
    same events; it moves forward in the same transaction as the alerts the batch raised.
    """

    last_sequence = models.BigIntegerField(_("last sequence inspected"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection cursor")
        verbose_name_plural = _("inspection cursors")
        constraints = [
            # A single row: the engine always reads and locks pk 1.
            models.CheckConstraint(condition=Q(pk=1), name="inspection_cursor_single_row"),
            models.CheckConstraint(condition=Q(last_sequence__gte=0), name="inspection_cursor_not_negative"),
        ]

    def __str__(self):
        return f"inspected up to #{self.last_sequence} (#{self.pk})"


class Alert(models.Model):
    """One problem an audit rule found, worked by the auditors until closed with a note."""

    rule = models.CharField(_("rule"), max_length=64, db_index=True)
    family = models.CharField(_("family"), max_length=16, choices=Family.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    subject = models.CharField(_("subject"), max_length=200, help_text=_("What the alert is about."))
    title = models.CharField(_("title"), max_length=300)
    # A bounded list of findings (first and most recent), personal data masked by the rules.
    evidence = models.JSONField(_("evidence"), default=list, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    hits = models.PositiveIntegerField(_("findings"), default=1)
    first_sequence = models.BigIntegerField(_("first audit sequence"), null=True, blank=True)
    last_sequence = models.BigIntegerField(_("last audit sequence"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    close_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            # A repeated finding joins the live alert instead of flooding the auditors.
            models.UniqueConstraint(
                fields=["rule", "subject"],
                condition=~Q(status="closed"),
                name="inspection_alert_one_live_per_rule_subject",
            ),
            # Closing says why and when; an alert that is not closed carries no closing.
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_at__isnull=False) & ~Q(close_note=""))
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="inspection_alert_closed_with_note",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "acknowledged", "closed"]),
                name="inspection_alert_status_known",
            ),
            models.CheckConstraint(condition=Q(hits__gte=1), name="inspection_alert_hits_positive"),
        ]
        indexes = [
            # The auditors' list: by status, newest first.
            models.Index(fields=["status", "-raised_at"], name="inspection_alert_status"),
            models.Index(fields=["raised_at"], name="inspection_alert_raised"),
        ]

    def __str__(self):
        return f"{self.rule} {self.subject} {self.status} (#{self.pk})"

    @property
    def is_live(self) -> bool:
        return self.status != AlertStatus.CLOSED


class AlertActionKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    ASSIGN = "assign", _("Assigned")
    COMMENT = "comment", _("Commented")
    CLOSE = "close", pgettext_lazy("alert status", "Closed")
    REOPEN = "reopen", _("Reopened")


class AlertAction(models.Model):
    """One step an auditor took on an alert; insert-only history shown on the alert's page."""

    alert = models.ForeignKey(
        Alert, verbose_name=_("alert"), on_delete=models.PROTECT, related_name="actions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=16, choices=AlertActionKind.choices)
    note = models.TextField(_("note"), blank=True)
    # For an assignment: to whom.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("alert action")
        verbose_name_plural = _("alert actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["acknowledge", "assign", "comment", "close", "reopen"]),
                name="inspection_alert_action_known",
            ),
        ]

    def __str__(self):
        return f"{self.action} on alert {self.alert_id} (#{self.pk})"


class AuditReport(models.Model):
    """The daily audit report (每日稽核报告) of one local day: its figures as built that night."""

    day = models.DateField(_("day"), unique=True)
    figures = models.JSONField(_("figures"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("daily audit report")
        verbose_name_plural = _("daily audit reports")

    def __str__(self):
        return f"audit report {self.day:%Y-%m-%d} (#{self.pk})"
