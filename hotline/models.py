"""The 12329 channels' records: texts received, texts to send, and hotline calls.

Mobiles and the texts sent are personal data (a reply quotes a balance, a call's code lets the
caller in): they are encrypted at rest, and a keyed hash of the mobile (``core.crypto.blind_index``)
counts one number's queries without storing it in clear. Writes go through ``hotline.sms``,
``hotline.ivr`` and ``hotline.outbox``.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from integrations.sms.ports import REFERENCE_MAX_LENGTH


class TextStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting to be sent")
    SENT = "SENT", _("Sent")
    FAILED = "FAILED", _("Not sent")


class TextPurpose(models.TextChoices):
    SMS_REPLY = "SMS_REPLY", _("Answer to a 12329 text")
    IVR_CODE = "IVR_CODE", _("Hotline verification code")


class OutgoingText(models.Model):
    """One text the 12329 channels send: written in the caller's transaction, sent after commit.

    Not a ``notifications`` message: an answer to a text or a call's code belongs in no inbox, and
    a number that is nobody's gets an answer too. ``mobile`` and ``text`` are kept as first written,
    so a resend sends exactly the same (the gateway refuses a reference reused with other content).
    """

    purpose = models.CharField(_("purpose"), max_length=10, choices=TextPurpose.choices)
    # Unique: the gateway's idempotency reference; every attempt uses it, so a retry never texts twice.
    reference = models.CharField(_("reference"), max_length=REFERENCE_MAX_LENGTH, unique=True)
    mobile = EncryptedTextField(_("mobile"))
    text = EncryptedTextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=TextStatus.choices, default=TextStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    gateway_ref = models.CharField(_("gateway reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # A code is worthless once its call has expired, and an answer stale after a while: not sent later.
    send_before = models.DateTimeField(_("send before"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("12329 text sent")
        verbose_name_plural = _("12329 texts sent")
        indexes = [
            # The sweep reads only what is still waiting.
            models.Index(fields=["created_at"], condition=Q(status="PENDING"), name="hotline_text_pending"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TextStatus.values), name="hotline_text_status_known"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=TextPurpose.values), name="hotline_text_purpose_known"
            ),
            # Sent exactly when the gateway accepted it.
            models.CheckConstraint(
                condition=(Q(status="SENT") & Q(sent_at__isnull=False))
                | (~Q(status="SENT") & Q(sent_at__isnull=True)),
                name="hotline_text_sent_at_iff_sent",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.status} (#{self.pk})"


class Query(models.TextChoices):
    """What a text or a menu choice asks for."""

    BALANCE = "BALANCE", _("Balance")
    DEPOSIT = "DEPOSIT", _("Last deposit")
    PROGRESS = "PROGRESS", _("Application progress")
    HELP = "HELP", _("Help")


class InboundOutcome(models.TextChoices):
    ANSWERED = "ANSWERED", _("Answered with the person's data")
    GENERIC = "GENERIC", _("Answered with the help text only")
    LIMITED = "LIMITED", _("Not answered: too many queries from the number")


class InboundSms(models.Model):
    """One text a citizen sent to 12329, as the gateway reported it, and how it was answered."""

    # Unique: the gateway's id of the message, so a retried webhook finds the first and answers once.
    message_id = models.CharField(_("message id"), max_length=64, unique=True)
    mobile_index = models.CharField(_("mobile index"), max_length=64, editable=False)
    received_at = models.DateTimeField(_("received at"))
    query = models.CharField(_("query"), max_length=10, choices=Query.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=InboundOutcome.choices)
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply = models.OneToOneField(
        OutgoingText,
        verbose_name=_("reply"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("12329 text received")
        verbose_name_plural = _("12329 texts received")
        indexes = [
            # The per-number limit counts one number's recent texts.
            models.Index(fields=["mobile_index", "created_at"], name="hotline_inbound_by_mobile"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(query__in=Query.values), name="hotline_inbound_query_known"),
            models.CheckConstraint(
                condition=Q(outcome__in=InboundOutcome.values), name="hotline_inbound_outcome_known"
            ),
            # Personal data goes only to a number that is the person's.
            models.CheckConstraint(
                condition=~Q(outcome="ANSWERED") | Q(person__isnull=False),
                name="hotline_inbound_answered_has_person",
            ),
        ]

    def __str__(self):
        return f"{self.query} {self.outcome} (#{self.pk})"


class CallState(models.TextChoices):
    AWAITING_ID = "AWAITING_ID", _("Waiting for the ID number")
    AWAITING_CODE = "AWAITING_CODE", _("Waiting for the code")
    MENU = "MENU", _("In the menu")
    TRANSFERRED = "TRANSFERRED", _("Transferred to an agent")
    LOCKED = "LOCKED", _("Locked after wrong identity attempts")
    ENDED = "ENDED", _("Ended")


#: A call in one of these takes no more input.
CLOSED_CALL_STATES = (CallState.TRANSFERRED, CallState.LOCKED, CallState.ENDED)


class HotlineCall(models.Model):
    """One call to the 12329 menu, from the greeting to the caller's last choice.

    ``call_id`` is the random handle the telephony system sends back with each key the caller
    presses; the person is known only after the ID number and the code texted to their registered
    mobile both match. ``code_hash`` is a keyed hash: the code itself is only in the text sent.
    """

    call_id = models.CharField(_("call id"), max_length=32, unique=True)
    caller = EncryptedTextField(_("caller number"), blank=True, default="")
    language = models.CharField(_("language"), max_length=10)
    state = models.CharField(
        _("state"), max_length=16, choices=CallState.choices, default=CallState.AWAITING_ID
    )
    # The person the ID number named, before the code proves the caller is them.
    claimed_person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person named"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person verified"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code_hash = models.CharField(_("code hash"), max_length=64, blank=True)
    code_text = models.OneToOneField(
        OutgoingText,
        verbose_name=_("code text"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="call",
    )
    failures = models.PositiveSmallIntegerField(_("wrong identity attempts"), default=0)
    last_choice = models.CharField(_("last menu choice"), max_length=10, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("12329 hotline call")
        verbose_name_plural = _("12329 hotline calls")
        constraints = [
            models.CheckConstraint(condition=Q(state__in=CallState.values), name="hotline_call_state_known"),
            # The menu answers only a verified caller.
            models.CheckConstraint(
                condition=~Q(state="MENU") | Q(person__isnull=False), name="hotline_call_menu_verified"
            ),
        ]

    def __str__(self):
        return f"{self.state} (#{self.pk})"
