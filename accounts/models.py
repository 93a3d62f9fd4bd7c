"""People and organisations: users and roles, Person 职工, Employer 单位, FundAccount 个人账户.

Models hold data and database-enforced integrity only; every write goes through
``accounts.services``. Personal data (ID numbers, bank cards, bank accounts) is encrypted at
rest with ``core.crypto`` and shown masked everywhere, ``__str__`` included.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.crypto import EncryptedTextField, mask_bank_card, mask_id_number

# Contribution rates are stored in basis points (1/10000): 1200 = 12.00%. Integers keep the
# arithmetic exact, and basis points leave room for the half-percent rates some units choose.
RATE_MIN_BP = 500
RATE_MAX_BP = 1200


class User(AbstractUser):
    """A login: an employee, an employer operator or a member of the centre's staff.

    Roles are Django groups (see ``accounts.roles``); an employee logs in with the ID number
    of the ``Person`` linked to this user.
    """

    # Set for employer operators (preparer, approver) only: the unit whose lists they handle.
    employer = models.ForeignKey(
        "accounts.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="operators"
    )

    def __str__(self):
        return f"{self.username} (#{self.pk})"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Person(models.Model):
    """职工: one natural person known to the centre, identified by resident ID number."""

    id_number = EncryptedTextField()
    # HMAC of the normalised ID number (core.crypto.blind_index): exact lookup and uniqueness
    # without storing the number in clear.
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=50)
    # Derived from the ID number at registration (parity of the 17th digit, digits 7–14).
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_date = models.DateField()
    mobile = models.CharField(max_length=11)
    hukou_region = models.CharField(max_length=6)
    bank_card = EncryptedTextField(null=True, blank=True)
    bank_card_last4 = models.CharField(max_length=4, blank=True)
    bank_card_verified_at = models.DateTimeField(null=True, blank=True)
    user = models.OneToOneField(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "职工 person"
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="accounts_person_sex_known"),
            # A card is verified only if there is a card.
            models.CheckConstraint(
                condition=Q(bank_card_verified_at__isnull=True) | Q(bank_card__isnull=False),
                name="accounts_person_verified_card_exists",
            ),
        ]

    def __str__(self):
        # No name either: this text lands in audit rows and logs, which must stay masked.
        return f"{self.masked_id_number} (#{self.pk})"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_bank_card(self) -> str:
        return mask_bank_card(self.bank_card) if self.bank_card else ""


class EmployerStatus(models.TextChoices):
    """单位账户状态 (DOMAIN.md §2)."""

    NORMAL = "01", "正常"
    OPENED = "02", "开户"
    DEFERRED = "03", "缓缴"
    CLOSED = "04", "销户"
    SEALED = "05", "封存"
    OTHER = "99", "其他"


class Employer(models.Model):
    """单位: an employer paying in for its employees, with its unit account at the centre."""

    credit_code = models.CharField(max_length=18, unique=True)
    # Early Fujian pilot codes fail the GB 32100 check yet are legal: such a unit stays 开户
    # until a member of staff confirms the code (credit_code_confirmed_at).
    credit_code_checksum_ok = models.BooleanField()
    credit_code_confirmed_at = models.DateTimeField(null=True, blank=True)
    credit_code_confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    unit_account_no = models.CharField(max_length=11, unique=True)
    bank_account_no = EncryptedTextField()
    bank_name = models.CharField(max_length=100)
    employer_rate_bp = models.PositiveSmallIntegerField(default=RATE_MAX_BP)
    employee_rate_bp = models.PositiveSmallIntegerField(default=RATE_MAX_BP)
    status = models.CharField(max_length=2, choices=EmployerStatus.choices, default=EmployerStatus.OPENED)
    # 缴至年月: the last month fully paid, stored as the 1st of that month.
    paid_up_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "单位 employer"
        permissions = [("confirm_credit_code", "Can confirm a legacy credit code that fails its check")]
        constraints = [
            models.CheckConstraint(
                condition=Q(employer_rate_bp__gte=RATE_MIN_BP, employer_rate_bp__lte=RATE_MAX_BP),
                name="accounts_employer_rate_5_to_12_percent",
            ),
            models.CheckConstraint(
                condition=Q(employee_rate_bp__gte=RATE_MIN_BP, employee_rate_bp__lte=RATE_MAX_BP),
                name="accounts_employee_rate_5_to_12_percent",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EmployerStatus.values), name="accounts_employer_status_known"
            ),
            # An unconfirmed legacy credit code keeps the unit in 开户: it cannot pay in yet.
            models.CheckConstraint(
                condition=Q(credit_code_checksum_ok=True)
                | Q(credit_code_confirmed_at__isnull=False)
                | Q(status=EmployerStatus.OPENED),
                name="accounts_employer_credit_code_confirmed",
            ),
            models.CheckConstraint(
                condition=Q(paid_up_to__isnull=True) | Q(paid_up_to__day=1),
                name="accounts_employer_paid_up_to_first_of_month",
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.credit_code} (#{self.pk})"

    @property
    def masked_bank_account_no(self) -> str:
        return mask_bank_card(self.bank_account_no)


class AccountStatus(models.TextChoices):
    """个人账户状态 (DOMAIN.md §2)."""

    NORMAL = "01", "正常"
    SEALED = "02", "封存"
    MERGED = "03", "合并销户"
    TRANSFERRED_OUT = "04", "外部转出销户"
    CLOSED_BY_WITHDRAWAL = "05", "提取销户"
    FROZEN = "06", "冻结"
    OTHER = "99", "其他"


CLOSED_STATUSES = (AccountStatus.MERGED, AccountStatus.TRANSFERRED_OUT, AccountStatus.CLOSED_BY_WITHDRAWAL)


class FundAccount(models.Model):
    """个人账户: a person's one fund account in the city; its money lives in the ledger.

    ``account_no`` is 12 digits: the city prefix (4), a sequence (7) and a Luhn check digit
    (see ``accounts.numbering``).
    """

    account_no = models.CharField(max_length=12, unique=True)
    # One-to-one is the database's guarantee of DOMAIN.md §4 "one person, one account".
    person = models.OneToOneField("accounts.Person", on_delete=models.PROTECT, related_name="fund_account")
    # The current employer, or the last one for a sealed or closed account (kept as history).
    employer = models.ForeignKey(
        "accounts.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="fund_accounts"
    )
    status = models.CharField(max_length=2, choices=AccountStatus.choices, default=AccountStatus.NORMAL)
    base = models.BigIntegerField(help_text="缴存基数 in fen")
    opened_on = models.DateField()
    sealed_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    ledger_account = models.OneToOneField(
        "ledger.LedgerAccount", on_delete=models.PROTECT, related_name="fund_account"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "个人账户 fund account"
        constraints = [
            models.CheckConstraint(condition=Q(base__gte=0), name="accounts_fundaccount_base_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=AccountStatus.values), name="accounts_fundaccount_status_known"
            ),
            # A normal account has a unit paying into it and is neither sealed nor closed.
            models.CheckConstraint(
                condition=~Q(status=AccountStatus.NORMAL)
                | Q(employer__isnull=False, sealed_on__isnull=True, closed_on__isnull=True),
                name="accounts_fundaccount_normal_consistent",
            ),
            # The withdrawal rules count months from sealed_on, so a sealed account must have it.
            models.CheckConstraint(
                condition=~Q(status=AccountStatus.SEALED)
                | Q(sealed_on__isnull=False, closed_on__isnull=True),
                name="accounts_fundaccount_sealed_consistent",
            ),
            # Closed (03/04/05) exactly when closed_on is set.
            models.CheckConstraint(
                condition=Q(status__in=CLOSED_STATUSES, closed_on__isnull=False)
                | (~Q(status__in=CLOSED_STATUSES) & Q(closed_on__isnull=True)),
                name="accounts_fundaccount_closed_iff_closed_on",
            ),
            models.CheckConstraint(
                condition=Q(sealed_on__isnull=True) | Q(sealed_on__gte=F("opened_on")),
                name="accounts_fundaccount_sealed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="accounts_fundaccount_closed_after_opened",
            ),
        ]

    def __str__(self):
        return f"{self.account_no} (#{self.pk})"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class NumberSequence(models.Model):
    """The last number handed out for a numbering series (``fund_account``, ``unit_account``).

    A locked counter row rather than MAX()+1: concurrent openings queue on the row instead of
    racing to the same number, and a bulk opening reserves a block in one update.
    """

    name = models.CharField(max_length=32, primary_key=True)
    last_value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} at {self.last_value} (#{self.pk})"
