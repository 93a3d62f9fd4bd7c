"""The government query log, the sandbox knobs, and the sandbox's government records.

``GovQuery`` is the PIPL query log: who asked which source what for, how long it took and a
digest of the answer — never the ID number, the name or the answer itself.

``SandboxCollection`` and ``SandboxPayment`` are the sandbox bank's own books of
entrusted-collection orders and of payments to cards (``integrations.bank.sandbox``): what a
partner bank would hold, not the centre's record.
``SandboxSms`` likewise is what the sandbox SMS gateway accepted (``integrations.sms.sandbox``).

The other ``Sandbox*`` tables hold the demo city's government records that the sandbox sources
(``integrations.gov.sandbox``) answer from. Persons are keyed by ``id_number_index``
(``core.crypto.blind_index``); the ID number itself is stored encrypted and shown masked.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.crypto import EncryptedTextField, mask_id_number, mask_mobile

from .bank import payments as bank_payments
from .bank import ports as bank_ports
from .gov import ports
from .sms import ports as sms_ports
from .transfer_platform import ports as transfer_ports


class Source(models.TextChoices):
    PUBLIC_SECURITY = ports.PUBLIC_SECURITY, _("Public security (公安)")
    MARKET_REGULATION = ports.MARKET_REGULATION, _("Market regulation (市场监管)")
    SOCIAL_SECURITY = ports.SOCIAL_SECURITY, _("Social security (社保)")
    CIVIL_AFFAIRS = ports.CIVIL_AFFAIRS, _("Civil affairs (民政)")
    EMPLOYMENT_OFFICE = ports.EMPLOYMENT_OFFICE, _("Employment office (就业管理)")
    REAL_ESTATE = ports.REAL_ESTATE, _("Real-estate registry (不动产登记)")
    CREDIT_BUREAU = ports.CREDIT_BUREAU, _("Credit bureau (银行征信)")


class Outcome(models.TextChoices):
    OK = "OK", _("Answered")
    NOT_FOUND = "NOT_FOUND", _("No record")
    UNAVAILABLE = "UNAVAILABLE", _("Unavailable")


class GovQuery(models.Model):
    """One call to a government source (insert-only by convention; written by the registry)."""

    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    operation = models.CharField(_("operation"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=100, help_text=_("e.g. application:42"))
    requested_by = models.CharField(_("requested by"), max_length=150)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    # SHA-256 of the canonical JSON of the answer; empty when the source was unavailable.
    answer_digest = models.CharField(_("answer digest"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("government query")
        verbose_name_plural = _("government queries")
        indexes = [models.Index(fields=["source", "started_at"], name="govquery_source_started")]

    def __str__(self):
        return f"{self.source}.{self.operation} {self.outcome} (#{self.pk})"


class SandboxKnobs(models.Model):
    """Per-source latency and failure rate of the sandbox; empty = the environment's default."""

    source = models.CharField(_("source"), max_length=32, choices=Source.choices, unique=True)
    latency_ms = models.PositiveIntegerField(
        _("latency (ms)"), null=True, blank=True, help_text=_("Empty: SANDBOX_GOV_LATENCY_MS.")
    )
    # Per mille (0–1000), an integer: 100 = one call in ten fails.
    failure_per_mille = models.PositiveSmallIntegerField(
        _("failure rate (‰)"),
        null=True,
        blank=True,
        help_text=_("Calls per thousand that fail; empty: SANDBOX_GOV_FAILURE_RATE."),
    )

    class Meta:
        verbose_name = _("sandbox knobs")
        verbose_name_plural = _("sandbox knobs")
        constraints = [
            # A rate above 1000‰ has no meaning.
            models.CheckConstraint(
                condition=Q(failure_per_mille__lte=1000) | Q(failure_per_mille__isnull=True),
                name="sandboxknobs_failure_per_mille_range",
            )
        ]

    def __str__(self):
        return f"{self.source} (#{self.pk})"


class MaritalStatus(models.TextChoices):
    SINGLE = ports.SINGLE, _("Single")
    MARRIED = ports.MARRIED, _("Married")
    DIVORCED = ports.DIVORCED, _("Divorced")
    WIDOWED = ports.WIDOWED, _("Widowed")


class SandboxCitizen(models.Model):
    """What 公安, 社保, 民政, 就业管理 and the credit bureau's summary know of one person."""

    id_number = EncryptedTextField(_("ID number"))
    id_number_index = models.CharField(_("ID number index"), max_length=64, unique=True, editable=False)
    name = models.CharField(_("full name"), max_length=50)
    # 公安
    alive = models.BooleanField(_("alive"), default=True)
    died_on = models.DateField(_("died on"), null=True, blank=True)
    hukou_region = models.CharField(_("hukou region"), max_length=6, blank=True)
    hukou_since = models.DateField(_("hukou since"), null=True, blank=True)
    settled_abroad = models.BooleanField(_("settled abroad"), default=False)
    settled_abroad_on = models.DateField(_("settled abroad on"), null=True, blank=True)
    # 民政
    marital_status = models.CharField(
        _("marital status"), max_length=10, choices=MaritalStatus.choices, default=MaritalStatus.SINGLE
    )
    spouse_id_number = EncryptedTextField(_("spouse's ID number"), null=True, blank=True)
    spouse_id_number_index = models.CharField(
        _("spouse's ID number index"), max_length=64, blank=True, db_index=True, editable=False
    )
    married_on = models.DateField(_("married on"), null=True, blank=True)
    # 社保
    employer_credit_code = models.CharField(_("employer credit code"), max_length=18, blank=True)
    employer_name = models.CharField(_("employer name"), max_length=100, blank=True)
    employed_since = models.DateField(_("employed since"), null=True, blank=True)
    employment_ended_on = models.DateField(_("employment ended on"), null=True, blank=True)
    retired = models.BooleanField(_("retired"), default=False)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    lixiu = models.BooleanField(_("离休 (retired cadre)"), default=False)
    total_incapacity = models.BooleanField(_("total incapacity"), default=False)
    incapacity_assessed_on = models.DateField(_("incapacity assessed on"), null=True, blank=True)
    # 就业管理
    unemployment_registered_on = models.DateField(_("unemployment registered on"), null=True, blank=True)
    # 银行征信 (the summary; loans are SandboxLoan rows)
    overdue_months_last_24 = models.PositiveSmallIntegerField(_("overdue months in the last 24"), default=0)
    other_monthly_debt = models.BigIntegerField(_("other monthly debt (fen)"), default=0)

    class Meta:
        verbose_name = _("sandbox citizen")
        verbose_name_plural = _("sandbox citizens")
        constraints = [
            models.CheckConstraint(
                condition=Q(other_monthly_debt__gte=0), name="sandboxcitizen_monthly_debt_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(overdue_months_last_24__lte=24), name="sandboxcitizen_overdue_within_24"
            ),
        ]

    def __str__(self):
        return f"{self.masked_id_number} (#{self.pk})"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class SandboxUnit(models.Model):
    """市场监管: one registered unit."""

    class Status(models.TextChoices):
        ACTIVE = ports.UNIT_ACTIVE, _("Active (存续)")
        CANCELLED = ports.UNIT_CANCELLED, _("Cancelled (注销)")
        REVOKED = ports.UNIT_REVOKED, _("Revoked (吊销)")

    credit_code = models.CharField(_("credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=100)
    status = models.CharField(_("status"), max_length=4, choices=Status.choices, default=Status.ACTIVE)
    registered_on = models.DateField(_("registered on"))

    class Meta:
        verbose_name = _("sandbox unit")
        verbose_name_plural = _("sandbox units")

    def __str__(self):
        return f"{self.credit_code} (#{self.pk})"


class SandboxProperty(models.Model):
    """不动产登记: a home owned or under a purchase contract; owners are SandboxPropertyOwner rows."""

    class Kind(models.TextChoices):
        NEW = ports.NEW_HOME, _("New home")
        RESALE = ports.RESALE_HOME, _("Resale home")

    property_id = models.CharField(_("property number"), max_length=40, unique=True)
    region_code = models.CharField(_("region code"), max_length=6)
    address = models.CharField(_("address"), max_length=200)
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    contract_on = models.DateField(_("contract signed on"))
    title_on = models.DateField(_("title registered on"), null=True, blank=True)
    price = models.BigIntegerField(_("price (fen)"))
    loan_amount = models.BigIntegerField(_("loan amount (fen)"), default=0)
    full_payment = models.BooleanField(_("full payment"), default=False)

    class Meta:
        verbose_name = _("sandbox property")
        verbose_name_plural = _("sandbox properties")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="sandboxproperty_price_nonnegative"),
            models.CheckConstraint(
                condition=Q(loan_amount__gte=0) & Q(loan_amount__lte=models.F("price")),
                name="sandboxproperty_loan_within_price",
            ),
        ]

    def __str__(self):
        return f"{self.property_id} (#{self.pk})"


class SandboxPropertyOwner(models.Model):
    """One owner (or buyer) of a sandbox property."""

    property = models.ForeignKey(
        SandboxProperty, verbose_name=_("property"), on_delete=models.CASCADE, related_name="owners"
    )
    id_number = EncryptedTextField(_("ID number"))
    id_number_index = models.CharField(_("ID number index"), max_length=64, db_index=True, editable=False)

    class Meta:
        verbose_name = _("sandbox property owner")
        verbose_name_plural = _("sandbox property owners")
        constraints = [
            models.UniqueConstraint(fields=["property", "id_number_index"], name="sandboxpropertyowner_once")
        ]

    def __str__(self):
        return f"{mask_id_number(self.id_number)} (#{self.pk})"


class SandboxLoan(models.Model):
    """银行征信: one loan on a person's credit file."""

    class Kind(models.TextChoices):
        FUND = ports.FUND_LOAN, _("Provident fund loan")
        COMMERCIAL = ports.COMMERCIAL_LOAN, _("Commercial loan")

    class Status(models.TextChoices):
        REPAYING = ports.REPAYING, _("Repaying")
        SETTLED = ports.SETTLED, _("Settled")

    id_number = EncryptedTextField(_("ID number"))
    id_number_index = models.CharField(_("ID number index"), max_length=64, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    lender = models.CharField(_("lender"), max_length=100)
    principal = models.BigIntegerField(_("principal (fen)"))
    monthly_payment = models.BigIntegerField(_("monthly payment (fen)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REPAYING)
    opened_on = models.DateField(_("opened on"))
    centre = models.CharField(
        _("fund centre"), max_length=20, blank=True, help_text=_("For a fund loan: the lending centre.")
    )

    class Meta:
        verbose_name = _("sandbox loan")
        verbose_name_plural = _("sandbox loans")
        constraints = [
            models.CheckConstraint(condition=Q(principal__gte=0), name="sandboxloan_principal_nonnegative"),
            models.CheckConstraint(
                condition=Q(monthly_payment__gte=0), name="sandboxloan_payment_nonnegative"
            ),
        ]

    def __str__(self):
        return f"{mask_id_number(self.id_number)} {self.kind} (#{self.pk})"


class SandboxBankOrder(models.Model):
    """What the sandbox bank keeps of any order it settles once: amount, timing and outcome.

    Subclasses add the order's own reference and parties, and ``status`` and ``failure_code``
    fields with their own choices (PENDING, a success and FAILED).
    """

    bank_ref = models.CharField(_("bank reference"), max_length=32, unique=True)
    amount = models.BigIntegerField(_("amount (fen)"))
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    due_at = models.DateTimeField(_("due at"), help_text=_("The result is pending until then."))
    settled_on = models.DateField(_("settled on"), null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(class)s_amount_positive"),
            # A failure code exactly on failed orders, a settlement date exactly on settled ones.
            models.CheckConstraint(
                condition=(Q(status="FAILED") & ~Q(failure_code=""))
                | (~Q(status="FAILED") & Q(failure_code="")),
                name="%(class)s_failure_code_iff_failed",
            ),
            models.CheckConstraint(
                condition=(Q(status="PENDING") & Q(settled_on__isnull=True))
                | (~Q(status="PENDING") & Q(settled_on__isnull=False)),
                name="%(class)s_settled_on_iff_settled",
            ),
        ]


class SandboxCollection(SandboxBankOrder):
    """One entrusted-collection order as the sandbox bank holds it (insert, then settle once)."""

    class Status(models.TextChoices):
        PENDING = "PENDING", pgettext_lazy("bank", "Pending")
        SUCCEEDED = bank_ports.SUCCEEDED, pgettext_lazy("bank", "Succeeded")
        FAILED = bank_ports.FAILED, pgettext_lazy("bank", "Failed")

    class FailureCode(models.TextChoices):
        INSUFFICIENT_FUNDS = bank_ports.INSUFFICIENT_FUNDS, pgettext_lazy("bank", "Insufficient funds")
        ACCOUNT_FROZEN = bank_ports.ACCOUNT_FROZEN, pgettext_lazy("bank", "Account frozen")
        ACCOUNT_CLOSED = bank_ports.ACCOUNT_CLOSED, pgettext_lazy("bank", "Account closed")

    # Unique: the caller's idempotency reference; a resubmission finds this row, never a second.
    order_ref = models.CharField(
        _("order reference"), max_length=bank_ports.ORDER_REF_MAX_LENGTH, unique=True
    )
    # The unit's bank account, or a borrower's card: encrypted at rest like every account number.
    payer_account_no = EncryptedTextField(_("payer account number"))
    payer_bank_name = models.CharField(_("payer bank"), max_length=100)
    payer_name = models.CharField(_("payer name"), max_length=100)
    same_bank = models.BooleanField(_("same bank"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    failure_code = models.CharField(_("failure code"), max_length=20, choices=FailureCode.choices, blank=True)

    class Meta(SandboxBankOrder.Meta):
        verbose_name = _("sandbox collection order")
        verbose_name_plural = _("sandbox collection orders")

    def __str__(self):
        return f"{self.order_ref} {self.status} (#{self.pk})"


class SandboxBankKnobs(models.Model):
    """The sandbox bank's knobs as staff set them in the admin; empty = the environment's default.

    One row at most (pk 1): the sandbox plays one bank.
    """

    delay_ms = models.PositiveIntegerField(
        _("result delay (ms)"), null=True, blank=True, help_text=_("Empty: SANDBOX_BANK_DELAY_MS.")
    )
    failure_per_mille = models.PositiveSmallIntegerField(
        _("failure rate (‰)"),
        null=True,
        blank=True,
        help_text=_("Orders per thousand that fail; empty: SANDBOX_BANK_FAILURE_RATE."),
    )
    timeout_per_mille = models.PositiveSmallIntegerField(
        _("timeout rate (‰)"),
        null=True,
        blank=True,
        help_text=_("Calls per thousand that get no answer; empty: SANDBOX_BANK_TIMEOUT_RATE."),
    )

    class Meta:
        verbose_name = _("sandbox bank knobs")
        verbose_name_plural = _("sandbox bank knobs")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="sandboxbankknobs_single_row"),
            models.CheckConstraint(
                condition=(Q(failure_per_mille__lte=1000) | Q(failure_per_mille__isnull=True))
                & (Q(timeout_per_mille__lte=1000) | Q(timeout_per_mille__isnull=True)),
                name="sandboxbankknobs_rates_range",
            ),
        ]

    def __str__(self):
        return f"sandbox bank knobs (#{self.pk})"


class SandboxSms(models.Model):
    """One text message as the sandbox SMS gateway accepted it: what the phone would have shown."""

    # Unique: the sender's idempotency reference; a resend finds this row, never a second.
    reference = models.CharField(_("reference"), max_length=sms_ports.REFERENCE_MAX_LENGTH, unique=True)
    gateway_ref = models.CharField(_("gateway reference"), max_length=32, unique=True)
    mobile = models.CharField(_("mobile"), max_length=11)
    text = models.TextField(_("text"))
    accepted_at = models.DateTimeField(_("accepted at"))

    class Meta:
        verbose_name = _("sandbox text message")
        verbose_name_plural = _("sandbox text messages")

    def __str__(self):
        return f"{self.reference} (#{self.pk})"

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)


class SandboxPayment(SandboxBankOrder):
    """One payment (代付) as the sandbox bank holds it: one row per reference, settled once.

    The unique reference is the whole of "never pay twice": a resubmission finds this row and
    returns its receipt. A row settled PAID is money that reached the card.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Awaiting the bank")
        PAID = bank_payments.PAID, _("Paid to the card")
        FAILED = bank_payments.FAILED, _("Payment failed")

    class FailureCode(models.TextChoices):
        CARD_INVALID = bank_payments.CARD_INVALID, _("No such card")
        ACCOUNT_FROZEN = bank_payments.ACCOUNT_FROZEN, _("Card account frozen")
        NAME_MISMATCH = bank_payments.NAME_MISMATCH, _("Card in another person's name")

    # Unique: the caller's idempotency reference; a resubmission finds this row, never a second.
    reference = models.CharField(_("reference"), max_length=bank_payments.REFERENCE_MAX_LENGTH, unique=True)
    card_no = EncryptedTextField(_("bank card"))
    card_last4 = models.CharField(_("last 4 digits of the bank card"), max_length=4)
    holder_name = models.CharField(_("card holder"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    failure_code = models.CharField(_("failure code"), max_length=20, choices=FailureCode.choices, blank=True)

    class Meta(SandboxBankOrder.Meta):
        verbose_name = _("sandbox payment")
        verbose_name_plural = _("sandbox payments")

    def __str__(self):
        return f"{self.reference} {self.status} (#{self.pk})"


class SandboxTransferLetter(models.Model):
    """One contact letter (联系函) as the sandbox transfer platform holds it.

    ``OUTBOUND`` letters are the ones this centre sent: the sandbox plays the sending centre and
    answers after a delay. ``INBOUND`` letters are the sandbox's other centres writing to us.
    The unique references are the platform's dedup: a letter sent twice finds this row.
    """

    class Direction(models.TextChoices):
        OUTBOUND = "OUT", _("Sent by this centre")
        INBOUND = "IN", _("Sent to this centre")

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    letter_ref = models.CharField(
        _("letter reference"), max_length=transfer_ports.REF_MAX_LENGTH, unique=True
    )
    platform_ref = models.CharField(_("platform reference"), max_length=32, unique=True)
    id_number = EncryptedTextField(_("ID number"))
    name = models.CharField(_("name"), max_length=50)
    other_city_code = models.CharField(_("other city code"), max_length=6)
    other_city_name = models.CharField(_("other city name"), max_length=40, blank=True)
    receiving_account_no = models.CharField(_("receiving account number"), max_length=40, blank=True)
    status = models.CharField(_("platform status"), max_length=2, default=transfer_ports.LETTER_REVIEWED)
    due_at = models.DateTimeField(_("due at"), help_text=_("The next step happens after this time."))
    # This centre's answer to an inbound letter, or the sandbox sender's answer to an outbound one.
    answer = models.JSONField(_("answer"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("sandbox transfer letter")
        verbose_name_plural = _("sandbox transfer letters")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=transfer_ports.STATUSES), name="sandboxtransferletter_status_known"
            )
        ]

    def __str__(self):
        return f"{self.platform_ref} {self.status} (#{self.pk})"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)
