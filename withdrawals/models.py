"""Paying approved withdrawals: one payment record per application, standing monthly instructions.

Models hold data and database-enforced integrity only; every write goes through
``withdrawals.services``. The money itself lives in the ledger (the withdrawal's journal entry)
and in the payouts app (the payment to the card); these rows tie an application to both.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    HELD = "HELD", _("Held")
    PAYING = "PAYING", _("Paid out of the account")


class HeldCode(models.TextChoices):
    """Why an approved withdrawal is not paid yet; each is retried until it clears."""

    NO_VERIFIED_CARD = "NO_VERIFIED_CARD", _("No verified bank card in the applicant's name")
    NO_ACCOUNT = "NO_ACCOUNT", _("No fund account")
    ACCOUNT_CLOSED = "ACCOUNT_CLOSED", _("Account closed")
    ACCOUNT_FROZEN = "ACCOUNT_FROZEN", _("Account frozen")
    WITHDRAWALS_LOCKED = "WITHDRAWALS_LOCKED", _("Withdrawals locked by the employee")
    AMOUNT_UNKNOWN = "AMOUNT_UNKNOWN", _("No approved amount")
    BALANCE_TOO_LOW = "BALANCE_TOO_LOW", _("Balance below the approved amount")
    BALANCE_ZERO = "BALANCE_ZERO", _("Nothing to pay")


class PayoutOutcome(models.TextChoices):
    PAID = "PAID", _("Paid")
    FAILED = "FAILED", _("Failed")


class WithdrawalPayment(models.Model):
    """How an approved withdrawal application was paid (or why it is held): one per application."""

    application = models.OneToOneField(
        "approvals.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="withdrawal_payment",
    )
    account = models.ForeignKey(
        "accounts.FundAccount",
        verbose_name=_("fund account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="withdrawal_payments",
    )
    status = models.CharField(_("status"), max_length=8, choices=PaymentStatus.choices)
    held_code = models.CharField(_("held because"), max_length=20, choices=HeldCode.choices, blank=True)
    closing = models.BooleanField(_("closes the account"), default=False)
    # What left the fund account (principal and, for a closing, the interest to date).
    amount = models.BigIntegerField(_("amount (fen)"), default=0)
    interest = models.BigIntegerField(_("interest to date (fen)"), default=0)
    entry = models.OneToOneField(
        "ledger.JournalEntry",
        verbose_name=_("withdrawal entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The payout's source_ref: how the payouts app and this row find each other.
    source_ref = models.CharField(_("payout reference"), max_length=64, blank=True)
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    # The payout's result once its hook ran (a retried hook then does nothing).
    payout_outcome = models.CharField(
        _("payout outcome"), max_length=8, choices=PayoutOutcome.choices, blank=True
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    reopened_on = models.DateField(_("account re-opened on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("withdrawal payment")
        verbose_name_plural = _("withdrawal payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values), name="withdrawals_payment_status_known"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(interest__gte=0),
                name="withdrawals_payment_amounts_not_negative",
            ),
            # Held: a reason and nothing posted. Paying: posted, with a payout reference.
            models.CheckConstraint(
                condition=(Q(status=PaymentStatus.HELD) & ~Q(held_code="") & Q(entry__isnull=True))
                | (
                    Q(status=PaymentStatus.PAYING, held_code="", entry__isnull=False, amount__gt=0)
                    & ~Q(source_ref="")
                ),
                name="withdrawals_payment_held_or_paying",
            ),
            models.UniqueConstraint(
                fields=["source_ref"],
                condition=~Q(source_ref=""),
                name="withdrawals_payment_source_ref_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], condition=Q(status="HELD"), name="withdrawals_payment_held_idx"),
        ]

    def __str__(self):
        return f"withdrawal payment {self.status} of application {self.application_id} (#{self.pk})"


class InstructionStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("Active")
    ENDED = "ENDED", _("Ended")


class StandingInstruction(models.Model):
    """委托按月还贷: each month on the repayment day, the instalment leaves the fund account for the loan."""

    application = models.OneToOneField(
        "approvals.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="standing_instruction",
    )
    person = models.ForeignKey(
        "accounts.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=InstructionStatus.choices, default=InstructionStatus.ACTIVE
    )
    monthly_amount = models.BigIntegerField(_("monthly instalment (fen)"))
    # The loan's instalments fall on the day of the month it was disbursed (clamped to month end).
    repayment_day = models.PositiveSmallIntegerField(_("repayment day"))
    lender = models.CharField(_("lender"), max_length=100, blank=True)
    # A loan of this centre's own loan book: the loans app takes each instalment from the fund
    # account itself (loans.collection, fund offset), so this instruction pays nothing out.
    loan_account_no = models.CharField(_("loan account number"), max_length=20, blank=True)
    loan_opened_on = models.DateField(_("loan disbursed on"))
    # The first month paid: the month of approval, or the next when its repayment day had passed.
    first_period = models.DateField(_("first month"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("standing instruction")
        verbose_name_plural = _("standing instructions")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_amount__gt=0), name="withdrawals_instruction_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(repayment_day__gte=1, repayment_day__lte=31),
                name="withdrawals_instruction_day_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InstructionStatus.values), name="withdrawals_instruction_status_known"
            ),
            models.CheckConstraint(
                condition=Q(first_period__day=1), name="withdrawals_instruction_first_period_first_day"
            ),
            models.CheckConstraint(
                condition=~Q(status=InstructionStatus.ENDED) | Q(ended_at__isnull=False),
                name="withdrawals_instruction_ended_has_time",
            ),
        ]

    def __str__(self):
        return f"standing instruction {self.status} of application {self.application_id} (#{self.pk})"


class InstalmentStatus(models.TextChoices):
    PAYING = "PAYING", _("Paid out of the account")
    SKIPPED = "SKIPPED", _("Skipped")


class InstalmentPayment(models.Model):
    """One month of a standing instruction: paid once, or skipped with the reason."""

    instruction = models.ForeignKey(
        StandingInstruction, verbose_name=_("instruction"), on_delete=models.PROTECT, related_name="payments"
    )
    # The month, as its first day.
    period = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=8, choices=InstalmentStatus.choices)
    skipped_code = models.CharField(_("skipped because"), max_length=20, choices=HeldCode.choices, blank=True)
    amount = models.BigIntegerField(_("amount (fen)"), default=0)
    entry = models.OneToOneField(
        "ledger.JournalEntry",
        verbose_name=_("withdrawal entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_ref = models.CharField(_("payout reference"), max_length=64, blank=True)
    payout_outcome = models.CharField(
        _("payout outcome"), max_length=8, choices=PayoutOutcome.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("instalment payment")
        verbose_name_plural = _("instalment payments")
        constraints = [
            # One per month: what makes a repeated monthly run pay nothing twice.
            models.UniqueConstraint(
                fields=["instruction", "period"], name="withdrawals_instalment_once_a_month"
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="withdrawals_instalment_period_first_day"
            ),
            models.CheckConstraint(
                condition=(Q(status=InstalmentStatus.SKIPPED) & ~Q(skipped_code="") & Q(entry__isnull=True))
                | (Q(status=InstalmentStatus.PAYING, skipped_code="", entry__isnull=False, amount__gt=0)),
                name="withdrawals_instalment_paid_or_skipped",
            ),
        ]

    def __str__(self):
        return f"instalment {self.period:%Y-%m} {self.status} (#{self.pk})"
