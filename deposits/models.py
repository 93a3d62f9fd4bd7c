"""Monthly deposit lists (汇缴清册) and back-payment lists (补缴清册), their rows and their problems.

A list goes: RECEIVED (the file is stored) → CHECKING (read and validated in the background) →
INVALID (problems to fix; never submittable) or READY (every row valid, amounts computed and
staged as lines) → SUBMITTED by the unit's preparer → COLLECTING once the unit's approver
approves (an entrusted-collection order is with the bank) → POSTED when the bank confirms the
debit (one ledger entry credits every account) or COLLECTION_FAILED (nothing posted; the
approver may try the collection again). A preparer may discard a list before submission and an
approver may return one instead of approving it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedBinaryField


class ListKind(models.TextChoices):
    # The codes are the ledger business types the list posts as (DOMAIN.md §2).
    MONTHLY = "01", _("Monthly list")
    BACK_PAYMENT = "02", _("Back-payment list")


class ListStatus(models.TextChoices):
    RECEIVED = "RECEIVED", _("Received")
    CHECKING = "CHECKING", _("Checking")
    INVALID = "INVALID", _("Has errors")
    READY = "READY", _("Ready to submit")
    SUBMITTED = "SUBMITTED", _("Awaiting approval")
    COLLECTING = "COLLECTING", _("Collecting from the bank")
    POSTED = "POSTED", _("Credited")
    COLLECTION_FAILED = "COLLECTION_FAILED", _("Collection failed")
    RETURNED = "RETURNED", _("Returned")
    DISCARDED = "DISCARDED", _("Discarded")


#: Statuses in which a list holds its period: a second monthly list for the same month must wait.
HOLDING_STATUSES = (
    ListStatus.SUBMITTED,
    ListStatus.COLLECTING,
    ListStatus.POSTED,
    ListStatus.COLLECTION_FAILED,
)


class DepositList(models.Model):
    employer = models.ForeignKey(
        "accounts.Employer",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="deposit_lists",
    )
    kind = models.CharField(_("kind"), max_length=2, choices=ListKind.choices)
    # The month paid for, as its first day.
    period = models.DateField(_("period"))
    status = models.CharField(
        _("status"), max_length=20, choices=ListStatus.choices, default=ListStatus.RECEIVED
    )
    filename = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    file_size = models.PositiveIntegerField(_("file size (bytes)"))
    # "xlsx" or the csv encoding found (utf-8-sig, utf-8, gb18030).
    file_format = models.CharField(_("file format"), max_length=16, blank=True)
    # The uploader's language: messages written by the background check read as the page did.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")

    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_valid = models.PositiveIntegerField(_("valid rows"), default=0)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    total_base = models.BigIntegerField(_("total base (fen)"), default=0)
    employer_amount = models.BigIntegerField(_("employer part (fen)"), default=0)
    employee_amount = models.BigIntegerField(_("employee part (fen)"), default=0)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    # When a worker was last asked to check it: the sweeper asks again only after a pause.
    check_queued_at = models.DateTimeField(_("check queued at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or returned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("approved or returned at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=200, blank=True)

    # The collection: one order per attempt, named by the list and the attempt (the bank's
    # idempotency reference, so a resubmission after a lost answer never debits twice).
    collection_attempt = models.PositiveSmallIntegerField(_("collection attempt"), default=0)
    order_ref = models.CharField(_("collection order reference"), max_length=64, blank=True)
    bank_ref = models.CharField(_("bank reference"), max_length=64, blank=True)
    order_accepted_at = models.DateTimeField(_("order accepted at"), null=True, blank=True)
    failure_code = models.CharField(_("bank failure code"), max_length=32, blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry",
        verbose_name=_("journal entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    # Parts of people whose account was closed between approval and the bank's confirmation: the
    # money arrived but cannot be credited to a closed account, so it waits in 暂收款 for staff.
    suspense_count = models.PositiveIntegerField(_("people held in suspense"), default=0)
    suspense_amount = models.BigIntegerField(_("amount held in suspense (fen)"), default=0)
    suspense_entry = models.OneToOneField(
        "ledger.JournalEntry",
        verbose_name=_("suspense entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("deposit list")
        verbose_name_plural = _("deposit lists")
        constraints = [
            models.CheckConstraint(condition=Q(period__day=1), name="deposits_list_period_first_of_month"),
            models.CheckConstraint(condition=Q(kind__in=ListKind.values), name="deposits_list_kind_known"),
            models.CheckConstraint(
                condition=Q(status__in=ListStatus.values), name="deposits_list_status_known"
            ),
            models.CheckConstraint(
                condition=Q(total_base__gte=0) & Q(employer_amount__gte=0) & Q(employee_amount__gte=0),
                name="deposits_list_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(suspense_amount=0, suspense_entry__isnull=True)
                | Q(suspense_amount__gt=0, suspense_entry__isnull=False),
                name="deposits_list_suspense_has_entry",
            ),
            # One monthly list per unit and month goes past submission: two approved lists for the
            # same month would collect and credit the month twice.
            models.UniqueConstraint(
                fields=["employer", "period"],
                condition=Q(kind="01", status__in=[s.value for s in HOLDING_STATUSES]),
                name="deposits_one_monthly_list_per_period",
            ),
            # A posted list has its entry; nothing else has one.
            models.CheckConstraint(
                condition=Q(status=ListStatus.POSTED, journal_entry__isnull=False)
                | (~Q(status=ListStatus.POSTED) & Q(journal_entry__isnull=True)),
                name="deposits_list_posted_has_entry",
            ),
        ]
        indexes = [models.Index(fields=["employer", "uploaded_at"], name="deposits_list_employer_recent")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period:%Y-%m} {self.employer_id} {self.status} (#{self.pk})"

    @property
    def amount(self) -> int:
        return self.employer_amount + self.employee_amount


class DepositListFile(models.Model):
    """The uploaded bytes, kept in the database so a worker on another host can read them."""

    deposit_list = models.OneToOneField(
        DepositList,
        verbose_name=_("deposit list"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="file",
    )
    # The unit's list names its people by ID number: encrypted at rest like the numbers themselves.
    content = EncryptedBinaryField(_("content"))

    class Meta:
        verbose_name = _("deposit list file")
        verbose_name_plural = _("deposit list files")

    def __str__(self):
        return f"file of list {self.deposit_list_id} (#{self.pk})"


class DepositLine(models.Model):
    """One valid row of a READY list: who is paid and how much (staged in bulk, set-based)."""

    # Neither key has an index of its own: the unique (list, account) index serves lookups by list
    # and "deposits_line_account" those by account; a 50,000-row list maintains two indexes, not four.
    deposit_list = models.ForeignKey(
        DepositList,
        verbose_name=_("deposit list"),
        on_delete=models.CASCADE,
        related_name="lines",
        db_index=False,
    )
    row_no = models.PositiveIntegerField(_("row"))
    account = models.ForeignKey(
        "accounts.FundAccount",
        verbose_name=_("fund account"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    base = models.BigIntegerField(_("base (fen)"))
    employer_part = models.BigIntegerField(_("employer part (fen)"))
    employee_part = models.BigIntegerField(_("employee part (fen)"))

    class Meta:
        verbose_name = _("deposit line")
        verbose_name_plural = _("deposit lines")
        constraints = [
            models.UniqueConstraint(fields=["deposit_list", "account"], name="deposits_line_one_per_account"),
            models.CheckConstraint(
                condition=Q(base__gt=0) & Q(employer_part__gte=0) & Q(employee_part__gte=0),
                name="deposits_line_amounts",
            ),
        ]
        # "Was this person already paid for that month?" (back-payments) reads lines by account.
        indexes = [models.Index(fields=["account"], name="deposits_line_account")]

    def __str__(self):
        return f"row {self.row_no} of list {self.deposit_list_id} (#{self.pk})"


class DepositListError(models.Model):
    """One problem found in a list: row (0 = header or whole file), field, stable code, message."""

    deposit_list = models.ForeignKey(
        DepositList, verbose_name=_("deposit list"), on_delete=models.CASCADE, related_name="errors"
    )
    row = models.PositiveIntegerField(_("row"))
    field = models.CharField(_("field"), max_length=20)
    code = models.CharField(_("code"), max_length=40)
    message = models.CharField(_("message"), max_length=500)

    class Meta:
        verbose_name = _("list problem")
        verbose_name_plural = _("list problems")

    def __str__(self):
        return f"row {self.row} {self.field} {self.code} (#{self.pk})"


class CertificatePurpose(models.TextChoices):
    """What the person says a deposit certificate is for (the certificate's "用于" line)."""

    PURCHASE = "PURCHASE", _("Buying a home")
    RENT = "RENT", _("Renting a home")
    LOAN = "LOAN", _("A loan")
    OTHER = "OTHER", _("Other")


class DepositCertificate(models.Model):
    """缴存证明: a fund account as it stood on the issue date, sealed (``deposits.certificate``).

    ``content`` is the certified record exactly as sealed: the seal's digest is its digest, so a
    changed row no longer matches its seal. Never edited; a certificate that no longer stands is
    withdrawn by revoking its seal.
    """

    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="deposit_certificates",
    )
    account = models.ForeignKey(
        "accounts.FundAccount", verbose_name=_("fund account"), on_delete=models.PROTECT, related_name="+"
    )
    seal = models.OneToOneField(
        "audit.ElectronicSeal",
        verbose_name=_("electronic seal"),
        on_delete=models.PROTECT,
        related_name="deposit_certificate",
    )
    purpose = models.CharField(_("certificate purpose"), max_length=10, choices=CertificatePurpose.choices)
    issued_on = models.DateField(_("issued on"))
    content = models.JSONField(_("certified content"))

    class Meta:
        verbose_name = _("deposit certificate")
        verbose_name_plural = _("deposit certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=CertificatePurpose.values), name="deposits_certificate_purpose_known"
            ),
        ]

    def __str__(self):
        return f"deposit certificate {self.seal_id} of person {self.person_id} (#{self.pk})"
