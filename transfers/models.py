"""Account transfers (转移, DOMAIN.md §8): cross-city transfers through the national platform.

Intra-city moves change the fund account itself (``accounts``); what is recorded here is the
conversation with other centres: contact letters (联系函) in and out and their platform statuses.

``IncomingTransfer``: a person of this centre asked to bring their fund from another city; we
write to the sending centre and, when it has paid, credit the money (business type 08) and keep
its deposit history (the merged months). ``OutgoingTransfer``: another centre wrote to us about
one of our account holders; we check, answer with principal + interest to date and the history,
move the money out (type 07), and close the account (04) when the platform confirms.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.transfer_platform import ports


class IncomingStatus(models.TextChoices):
    PENDING = "PENDING", _("Letter being sent")
    SENT = "SENT", _("Letter sent")
    NEGOTIATING = "NEGOTIATING", _("Centres negotiating")
    COMPLETED = "COMPLETED", _("Transferred in")
    REFUSED = "REFUSED", _("Refused by the sending centre")
    CANCELLED = "CANCELLED", _("Cancelled")
    FAILED = "FAILED", _("Failed")


OPEN_INCOMING_STATUSES = (IncomingStatus.PENDING, IncomingStatus.SENT, IncomingStatus.NEGOTIATING)


class OutgoingStatus(models.TextChoices):
    RECEIVED = "RECEIVED", _("Letter received")
    REFUSING = "REFUSING", _("Refusal being sent")
    REFUSED = "REFUSED", _("Refused")
    REPLYING = "REPLYING", _("Reply being sent")
    REPLIED = "REPLIED", _("Replied, awaiting confirmation")
    CLOSED = "CLOSED", _("Transferred out")
    FAILED = "FAILED", _("Failed")


class RefusalCode(models.TextChoices):
    ACCOUNT_NOT_SEALED = ports.ACCOUNT_NOT_SEALED, _("The account is not sealed")
    LOAN_UNSETTLED = ports.LOAN_UNSETTLED, _("A loan or guarantee is not settled")
    WITHDRAWAL_OPEN = ports.WITHDRAWAL_OPEN, _("A withdrawal application is open")
    NO_ACCOUNT = ports.NO_ACCOUNT, _("No fund account here")
    NO_BALANCE = ports.NO_BALANCE, _("Nothing to transfer")


class IncomingTransfer(models.Model):
    """转入: one person's request to bring their fund here from another city."""

    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="incoming_transfers",
    )
    account = models.ForeignKey(
        "accounts.FundAccount", verbose_name=_("fund account"), on_delete=models.PROTECT, related_name="+"
    )
    sending_city_code = models.CharField(_("sending city code"), max_length=6)
    sending_city_name = models.CharField(_("sending city"), max_length=40)
    status = models.CharField(
        _("status"), max_length=12, choices=IncomingStatus.choices, default=IncomingStatus.PENDING
    )
    platform_status = models.CharField(_("platform status"), max_length=2, blank=True)
    # Our idempotency reference: a letter sent again under it is the same letter.
    letter_ref = models.CharField(_("letter reference"), max_length=ports.REF_MAX_LENGTH, unique=True)
    platform_ref = models.CharField(
        _("platform reference"), max_length=32, null=True, blank=True, unique=True
    )
    letter_sent_at = models.DateTimeField(_("letter sent at"), null=True, blank=True)
    principal = models.BigIntegerField(_("principal (fen)"), null=True, blank=True)
    interest = models.BigIntegerField(_("interest (fen)"), null=True, blank=True)
    sender_opened_on = models.DateField(_("opened at the sending centre on"), null=True, blank=True)
    paid_up_to = models.DateField(_("paid up to (month)"), null=True, blank=True)
    merged_months = models.PositiveIntegerField(_("deposit months merged"), null=True, blank=True)
    last_six_continuous = models.BooleanField(_("last 6 months continuous"), null=True, blank=True)
    refusal_code = models.CharField(_("refusal code"), max_length=24, blank=True)
    credited_entry = models.OneToOneField(
        "ledger.JournalEntry",
        verbose_name=_("credit entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    credited_on = models.DateField(_("credited on"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("incoming transfer")
        verbose_name_plural = _("incoming transfers")
        constraints = [
            # One open request per person: a second letter for the same fund would be paid twice.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_INCOMING_STATUSES),
                name="transfers_incoming_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=IncomingStatus.values), name="transfers_incoming_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(principal__isnull=True) | Q(principal__gte=0))
                & (Q(interest__isnull=True) | Q(interest__gte=0)),
                name="transfers_incoming_amounts_nonnegative",
            ),
            # Completed exactly when the money was credited.
            models.CheckConstraint(
                condition=(
                    Q(status=IncomingStatus.COMPLETED)
                    & Q(credited_entry__isnull=False, credited_on__isnull=False, principal__isnull=False)
                )
                | (~Q(status=IncomingStatus.COMPLETED) & Q(credited_entry__isnull=True)),
                name="transfers_incoming_completed_iff_credited",
            ),
            models.CheckConstraint(
                condition=Q(status=IncomingStatus.PENDING) | Q(platform_ref__isnull=False),
                name="transfers_incoming_sent_has_platform_ref",
            ),
        ]

    def __str__(self):
        return f"incoming {self.letter_ref} {self.status} (#{self.pk})"

    @property
    def amount(self) -> int | None:
        return None if self.principal is None else self.principal + (self.interest or 0)


class OutgoingTransfer(models.Model):
    """转出: another centre's letter about one of our account holders, and our answer."""

    # The platform's reference: a letter delivered twice is recognised by it.
    platform_ref = models.CharField(_("platform reference"), max_length=32, unique=True)
    id_number_index = models.CharField(_("ID number index"), max_length=64, db_index=True, editable=False)
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outgoing_transfers",
    )
    account = models.ForeignKey(
        "accounts.FundAccount",
        verbose_name=_("fund account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving_city_code = models.CharField(_("receiving city code"), max_length=6)
    receiving_city_name = models.CharField(_("receiving city"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutgoingStatus.choices, default=OutgoingStatus.RECEIVED
    )
    checks = models.JSONField(_("checks"), default=dict, blank=True)
    refusal_code = models.CharField(_("refusal code"), max_length=24, choices=RefusalCode.choices, blank=True)
    principal = models.BigIntegerField(_("principal (fen)"), null=True, blank=True)
    interest = models.BigIntegerField(_("interest (fen)"), null=True, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    paid_up_to = models.DateField(_("paid up to (month)"), null=True, blank=True)
    months_deposited = models.PositiveIntegerField(_("months deposited"), null=True, blank=True)
    last_six_continuous = models.BooleanField(_("last 6 months continuous"), null=True, blank=True)
    paid_entry = models.OneToOneField(
        "ledger.JournalEntry",
        verbose_name=_("transfer-out entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_sent_at = models.DateTimeField(_("answer sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("outgoing transfer")
        verbose_name_plural = _("outgoing transfers")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OutgoingStatus.values), name="transfers_outgoing_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(principal__isnull=True) | Q(principal__gte=0))
                & (Q(interest__isnull=True) | Q(interest__gte=0)),
                name="transfers_outgoing_amounts_nonnegative",
            ),
            # A refusal carries its reason code, and only a refusal does.
            models.CheckConstraint(
                condition=(Q(status__in=["REFUSING", "REFUSED"]) & ~Q(refusal_code=""))
                | (~Q(status__in=["REFUSING", "REFUSED"]) & Q(refusal_code="")),
                name="transfers_outgoing_refusal_code_iff_refused",
            ),
            # Money left the account exactly for a reply.
            models.CheckConstraint(
                condition=~Q(status__in=["REPLYING", "REPLIED", "CLOSED"])
                | Q(paid_entry__isnull=False, principal__isnull=False, account__isnull=False),
                name="transfers_outgoing_reply_paid",
            ),
            models.CheckConstraint(
                condition=Q(status=OutgoingStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=OutgoingStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="transfers_outgoing_closed_iff_closed_at",
            ),
        ]

    def __str__(self):
        return f"outgoing {self.platform_ref} {self.status} (#{self.pk})"

    @property
    def amount(self) -> int | None:
        return None if self.principal is None else self.principal + (self.interest or 0)
