"""In-portal messages to a person and the SMS outbox behind the ones that are also texted.

Title and body are stored text, rendered in the person's language when the message was written
(``language``; empty on messages written before people chose one, which are Chinese): a message
reads the same whenever it is looked at later. Writes go through ``notifications.services``.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.sms.ports import REFERENCE_MAX_LENGTH, TEXT_MAX_LENGTH


class MessageKind(models.TextChoices):
    """Every kind of message the portal writes, one per status change that matters to a person.

    ``notify`` accepts other lower-case kinds too (shown as they are); docs/notifications.md
    says when each is written. The appointments app's kinds are ``appointment_<event>``.
    """

    # Deposits and the account
    DEPOSIT_ARRIVED = "deposit_arrived", _("Deposit arrived")
    ACCOUNT_MOVED = "account_moved", _("Account moved to a new employer")
    ACCOUNTS_MERGED = "accounts_merged", _("Accounts merged")
    # Withdrawals and their payment
    WITHDRAWAL_DECIDED = "withdrawal_decided", _("Withdrawal decision")
    WITHDRAWAL_HELD = "withdrawal_held", _("Withdrawal waiting to be paid")
    WITHDRAWAL_LOCK_CHANGED = "withdrawal_lock_changed", _("Withdrawal lock")
    PAYOUT_SENT = "payout_sent", _("Payment sent to your bank")
    PAYOUT_PAID = "payout_paid", _("Payment credited")
    PAYOUT_FAILED = "payout_failed", _("Payment returned")
    LOAN_REPAYMENT_SKIPPED = "loan_repayment_skipped", _("Monthly loan repayment not made")
    # Loans: the application and its approval chain
    LOAN_PRE_ACCEPTED = "loan_pre_accepted", _("Loan application pre-accepted")
    LOAN_CO_BORROWER_ASKED = "loan_co_borrower_asked", _("Co-borrower confirmation asked")
    LOAN_CO_BORROWER_CONFIRMED = "loan_co_borrower_confirmed", _("Co-borrower confirmed")
    LOAN_RESUBMITTED = "loan_resubmitted", _("Loan application resubmitted")
    LOAN_WITHDRAWN = "loan_withdrawn", _("Loan application withdrawn")
    LOAN_SIGNING_BOOKED = "loan_signing_booked", _("Contract signing booked")
    LOAN_LEVEL_PASSED = "loan_level_passed", _("Loan application passed a review level")
    LOAN_APPROVED = "loan_approved", _("Loan approved")
    LOAN_RETURNED = "loan_returned", _("Loan application returned")
    LOAN_REJECTED = "loan_rejected", _("Loan application rejected")
    # Loans: the contract, the money, the repayments
    LOAN_CONTRACT_SIGNED = "loan_contract_signed", _("Loan contract signed")
    LOAN_DISBURSED = "loan_disbursed", _("Loan disbursed")
    LOAN_DISBURSEMENT_FAILED = "loan_disbursement_failed", _("Loan disbursement failed")
    LOAN_REPAYMENT_COLLECTED = "loan_repayment_collected", _("Loan repayment collected")
    LOAN_REPAYMENT_FAILED = "loan_repayment_failed", _("Loan repayment failed")
    LOAN_OVERDUE = "loan_overdue", _("Loan repayment overdue")
    LOAN_PREPAID = "loan_prepaid", _("Loan prepayment received")
    LOAN_REPRICED = "loan_repriced", _("Loan rate changed")
    LOAN_SETTLED = "loan_settled", _("Loan settled")
    # Transfers between cities
    TRANSFER_IN = "transfer_in", _("Transfer in from another city")
    TRANSFER_OUT = "transfer_out", _("Transfer out to another city")
    # Appointments (written by the appointments app)
    APPOINTMENT_BOOKED = "appointment_booked", _("Appointment booked")
    APPOINTMENT_RESCHEDULED = "appointment_rescheduled", _("Appointment changed")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("Appointment cancelled")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")


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
    language = models.CharField(_("language"), max_length=10, blank=True)
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


class NoticeBatch(models.Model):
    """One bulk notice (``notify_many`` with a key), written once however often its task runs.

    The key names what was announced (``deposit-list:42``); a second run finds it and writes
    nothing, so a lost or repeated task and the sweep behind it never tell a person twice.
    """

    # Unique: the idempotency of the batch; a racing second writer waits on it and then fails.
    key = models.CharField(_("batch key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    count = models.PositiveIntegerField(_("messages"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("bulk notice")
        verbose_name_plural = _("bulk notices")

    def __str__(self):
        return f"{self.key} (#{self.pk})"


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
