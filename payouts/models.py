"""Payouts: money the centre owes an employee, on its way to their own bank card (自动支取入账).

A payout is written by the caller's transaction together with the posting that moved the money
from the employee's fund account to PAYOUT_CLEARING (``debit_entry``): the outbox. From there:

    PENDING ──relay──▶ SENT ──bank: paid──▶ PAID     (settle_entry: PAYOUT_CLEARING → BANK_SETTLEMENT)
                        │  └──bank: failed──▶ FAILED  (refund_entry: the reversal of debit_entry)
                        └──bank never accepted it──▶ PENDING (sent again, same reference)

``reference`` is the bank's idempotency key, so a payout is paid at most once however often it
is sent; ``source_ref`` is the caller's, so a payout is created at most once per withdrawal.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField, mask_bank_card


class PayoutStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting to be sent")
    SENT = "SENT", _("Sent to the bank")
    PAID = "PAID", _("Paid")
    FAILED = "FAILED", _("Payment failed")


#: Settled: nothing more happens to a payout in one of these.
FINAL_STATUSES = (PayoutStatus.PAID, PayoutStatus.FAILED)


class Payout(models.Model):
    """One payment to an employee's card, and the ledger entries that account for it."""

    reference = models.CharField(_("payment reference"), max_length=64, unique=True)
    person = models.ForeignKey(
        "accounts.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="payouts"
    )
    amount = models.BigIntegerField(_("amount (fen)"))
    card_no = EncryptedTextField(_("bank card"))
    card_last4 = models.CharField(_("last 4 digits of the bank card"), max_length=4)
    holder_name = models.CharField(_("card holder"), max_length=50)
    purpose = models.CharField(_("payout purpose"), max_length=32, help_text=_("e.g. withdrawal"))
    # The caller's idempotency key ("withdrawal:123"): one payout per business event.
    source_ref = models.CharField(_("source reference"), max_length=100, unique=True)
    application = models.ForeignKey(
        "approvals.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payouts",
    )
    # One-to-one: a posting into payout clearing pays out once, and is refunded at most once.
    debit_entry = models.OneToOneField(
        "ledger.JournalEntry", verbose_name=_("debit entry"), on_delete=models.PROTECT, related_name="+"
    )
    settle_entry = models.OneToOneField(
        "ledger.JournalEntry",
        verbose_name=_("settlement entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refund_entry = models.OneToOneField(
        "ledger.JournalEntry",
        verbose_name=_("refund entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    failure_code = models.CharField(_("failure code"), max_length=32, blank=True)
    bank_ref = models.CharField(_("bank reference"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payouts_payout_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=PayoutStatus.values), name="payouts_payout_status_known"
            ),
            # Sent at least once before it can be SENT or settled.
            models.CheckConstraint(
                condition=Q(status="PENDING") | (Q(sent_at__isnull=False) & Q(attempts__gte=1)),
                name="payouts_payout_sent_has_attempt",
            ),
            # Paid exactly when the settlement is posted; failed exactly when refunded, with a reason.
            models.CheckConstraint(
                condition=(Q(status="PAID") & Q(settle_entry__isnull=False))
                | (~Q(status="PAID") & Q(settle_entry__isnull=True)),
                name="payouts_payout_paid_iff_settled",
            ),
            models.CheckConstraint(
                condition=(Q(status="FAILED") & Q(refund_entry__isnull=False) & ~Q(failure_code=""))
                | (~Q(status="FAILED") & Q(refund_entry__isnull=True) & Q(failure_code="")),
                name="payouts_payout_failed_iff_refunded",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["PAID", "FAILED"], settled_at__isnull=False)
                | (~Q(status__in=["PAID", "FAILED"]) & Q(settled_at__isnull=True)),
                name="payouts_payout_settled_at_iff_final",
            ),
        ]
        indexes = [
            # The relay claims PENDING payouts in id order; a partial index keeps that scan short.
            models.Index(fields=["id"], condition=Q(status="PENDING"), name="payouts_pending"),
            # Reconciliation looks for SENT payouts by age.
            models.Index(fields=["sent_at"], condition=Q(status="SENT"), name="payouts_sent_by_age"),
        ]

    def __str__(self):
        # No card number and no name: this lands in audit rows and logs.
        return f"{self.reference} {self.status} (#{self.pk})"

    @property
    def masked_card(self) -> str:
        return mask_bank_card(self.card_no)
