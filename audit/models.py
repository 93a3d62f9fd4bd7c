"""The hash-chained audit log: one insert-only row per consequential action."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One recorded action, chained to the previous one by ``prev_hash``.

    ``hash`` is the SHA-256 of a canonical JSON of the other fields plus ``prev_hash``
    (see ``audit.chain``), so changing or removing any row breaks every later link.
    The database refuses UPDATE, DELETE and TRUNCATE of these rows (migrations 0002 and 0006).
    Who acted is kept with where from: the actor's roles at the time, the channel (web, api, sms,
    ivr, admin, system), the source IP and the request id (``core.request_context``).
    """

    sequence = models.BigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a process (seeding, a scheduled task)."),
    )
    actor_label = models.CharField(_("actor name"), max_length=150)
    actor_roles = models.CharField(
        _("actor's roles"), max_length=200, blank=True, help_text=_("Comma-separated, as held then.")
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("target type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_id = models.CharField(_("target ID"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), help_text=_("Personal data masked."))
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    channel = models.CharField(_("channel"), max_length=16, blank=True, db_index=True)
    source_ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # The staff search filters by target, by actor and by time; each ends in the sequence
            # so that a page of the newest first is an index range scan.
            models.Index(fields=["target_type", "target_id", "sequence"], name="audit_event_target"),
            models.Index(fields=["actor_label", "sequence"], name="audit_event_actor"),
            models.Index(fields=["occurred_at"], name="audit_event_occurred"),
        ]
        constraints = [
            # The chain starts at 1 and grows; gaps are checked by verify_audit_chain.
            models.CheckConstraint(condition=Q(sequence__gte=1), name="audit_event_sequence_positive"),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.action} by {self.actor_label} (#{self.pk})"


class AuditAnchor(models.Model):
    """A signed note of the chain's head at one moment (``audit.anchors``): the sequence and hash
    of the last event then. Also appended to a file outside the database, so removing the tail of
    the chain together with its anchors in the database still shows. Insert-only (migration 0006).
    """

    sequence = models.BigIntegerField(_("sequence"), unique=True)
    hash = models.CharField(_("hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"))
    key_id = models.CharField(_("signing key"), max_length=32)
    signature = models.CharField(_("signature"), max_length=100)

    class Meta:
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")
        constraints = [
            models.CheckConstraint(condition=Q(sequence__gte=1), name="audit_anchor_sequence_positive"),
        ]

    def __str__(self):
        return f"anchor #{self.sequence} {self.hash[:12]} (#{self.pk})"


class ElectronicSeal(models.Model):
    """A signed record that a document was sealed (``audit.seals``); never edited, only revoked."""

    code = models.CharField(_("verification code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=32, help_text=_("What the seal approves or issues."))
    subject = models.CharField(
        _("sealed record"), max_length=100, db_index=True, help_text=_("For example loan-case:42.")
    )
    digest = models.CharField(
        _("document digest"), max_length=64, help_text=_("SHA-256 of the sealed document.")
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_label = models.CharField(_("signer name"), max_length=150)
    signed_at = models.DateTimeField(_("signed at"))
    key_id = models.CharField(_("signing key"), max_length=32)
    signature = models.CharField(_("signature"), max_length=100)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("electronic seal")
        verbose_name_plural = _("electronic seals")
        constraints = [
            # A revocation always says why.
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="audit_seal_revoked_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.code} (#{self.pk})"
