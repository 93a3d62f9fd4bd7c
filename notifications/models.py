"""In-portal messages to a person and the SMS outbox behind the ones that are also texted.

Title and body are stored text, in Chinese whatever the language of the request that caused
them: a message reads the same to whoever looks at it later (the reasoning of
``ledger.models.BUSINESS_TYPE_RECORD_NAMES``). Writes go through ``notifications.services``.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.sms.ports import REFERENCE_MAX_LENGTH, TEXT_MAX_LENGTH


class MessageKind(models.TextChoices):
    """The kinds the portal writes; ``notify`` accepts other lower-case kinds too (shown as they are)."""

    PAYOUT_SENT = "payout_sent", _("Payment sent to your bank")
    PAYOUT_PAID = "payout_paid", _("Payment credited")
    PAYOUT_FAILED = "payout_failed", _("Payment returned")
    WITHDRAWAL_DECIDED = "withdrawal_decided", _("Withdrawal decision")
    WITHDRAWAL_LOCK_CHANGED = "withdrawal_lock_changed", _("Withdrawal lock")


class Message(models.Model):
    """One message in a person's in-portal inbox (站内消息)."""

    person = models.ForeignKey(
        "accounts.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="messages"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=MessageKind.choices)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("body"))
    # A path inside the portal (the application, the statement), never an outside address.
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("in-portal message")
        verbose_name_plural = _("in-portal messages")
        indexes = [
            # The inbox, newest first.
            models.Index(fields=["person", "-created_at", "-id"], name="notif_message_inbox"),
            # The unread badge is counted on every hall page: only unread rows in the index.
            models.Index(fields=["person"], condition=Q(read_at__isnull=True), name="notif_message_unread"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="notif_message_title_not_empty"),
            models.CheckConstraint(
                condition=Q(link="") | Q(link__startswith="/"), name="notif_message_link_inside_portal"
            ),
        ]

    def __str__(self):
        # No title: it may quote amounts, and this text lands in audit rows and logs.
        return f"{self.kind} (#{self.pk})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class SmsStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting to be sent")
    SENT = "SENT", _("Sent")
    FAILED = "FAILED", _("Not sent")


class SmsOutbox(models.Model):
    """The text message of one in-portal message: written with it, sent after commit, retried.

    ``mobile`` and ``text`` are kept as they were when the message was written, so a resend
    sends exactly what the first attempt did (the gateway refuses a reference reused with other
    content).
    """

    message = models.OneToOneField(
        Message, verbose_name=_("in-portal message"), on_delete=models.PROTECT, related_name="sms"
    )
    # Unique: the gateway's idempotency reference; every attempt uses it, so a retry never texts twice.
    reference = models.CharField(_("reference"), max_length=REFERENCE_MAX_LENGTH, unique=True)
    mobile = models.CharField(_("mobile"), max_length=11)
    text = models.CharField(_("text"), max_length=TEXT_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    gateway_ref = models.CharField(_("gateway reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        indexes = [
            # The sweeper reads only what is still waiting.
            models.Index(
                fields=["created_at"], condition=Q(status="PENDING"), name="notif_smsoutbox_pending"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SmsStatus.values), name="notif_smsoutbox_status_known"
            ),
            # Sent exactly when the gateway accepted it.
            models.CheckConstraint(
                condition=(Q(status="SENT") & Q(sent_at__isnull=False))
                | (~Q(status="SENT") & Q(sent_at__isnull=True)),
                name="notif_smsoutbox_sent_at_iff_sent",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.status} (#{self.pk})"
