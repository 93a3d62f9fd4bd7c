"""People and organisations: users and roles, Person 职工, Employer 单位, FundAccount 个人账户.

Models hold data and database-enforced integrity only; every write goes through
``accounts.services``. Personal data (ID numbers, bank cards, bank accounts) is encrypted at
rest with ``core.crypto`` and shown masked everywhere, ``__str__`` included.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
        "accounts.Employer",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operators",
        help_text=_("For employer operators only: the unit whose lists they handle."),
    )
    # An employer operator's mobile, so the centre can reach the unit's clerk; blank for staff and
    # employees (an employee's mobile belongs to their Person).
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)

    def __str__(self):
        return f"{self.username} (#{self.pk})"


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Language(models.TextChoices):
    """The languages the portal writes to a person in (settings.LANGUAGES); each named in itself."""

    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class Person(models.Model):
    """职工: one natural person known to the centre, identified by resident ID number."""

    id_number = EncryptedTextField(_("ID number"))
    # HMAC of the normalised ID number (core.crypto.blind_index): exact lookup and uniqueness
    # without storing the number in clear.
    id_number_index = models.CharField(_("ID number index"), max_length=64, unique=True, editable=False)
    name = models.CharField(_("full name"), max_length=50)
    # Derived from the ID number at registration (parity of the 17th digit, digits 7–14).
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    mobile = models.CharField(_("mobile"), max_length=11)
    hukou_region = models.CharField(
        _("hukou region"), max_length=6, help_text=_("The 6-digit administrative code of the hukou.")
    )
    bank_card = EncryptedTextField(_("bank card"), null=True, blank=True)
    bank_card_last4 = models.CharField(_("last 4 digits of the bank card"), max_length=4, blank=True)
    bank_card_verified_at = models.DateTimeField(_("bank card verified at"), null=True, blank=True)
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    # The language of the person's messages and texts (notifications), chosen in the hall or the app.
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="accounts_person_sex_known"),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="accounts_person_language_known"
            ),
            # A card is verified only if there is a card.
            models.CheckConstraint(
                condition=Q(bank_card_verified_at__isnull=True) | Q(bank_card__isnull=False),
                name="accounts_person_verified_card_exists",
            ),
        ]
        # A 12329 text is answered by the person its mobile belongs to: found by index, not a scan.
        indexes = [models.Index(fields=["mobile"], name="accounts_person_mobile_idx")]

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

    NORMAL = "01", _("Normal")
    OPENED = "02", _("Opened")
    DEFERRED = "03", _("Deferred")
    CLOSED = "04", _("Closed")
    SEALED = "05", _("Sealed")
    OTHER = "99", _("Other")


class Employer(models.Model):
    """单位: an employer paying in for its employees, with its unit account at the centre."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    # Early Fujian pilot codes fail the GB 32100 check yet are legal: such a unit stays 开户
    # until a member of staff confirms the code (credit_code_confirmed_at).
    credit_code_checksum_ok = models.BooleanField(_("credit code check character correct"))
    credit_code_confirmed_at = models.DateTimeField(_("credit code confirmed at"), null=True, blank=True)
    credit_code_confirmed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("credit code confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("unit name"), max_length=200)
    unit_account_no = models.CharField(_("unit account number"), max_length=11, unique=True)
    bank_account_no = EncryptedTextField(_("bank account number"))
    bank_name = models.CharField(_("bank"), max_length=100)
    employer_rate_bp = models.PositiveSmallIntegerField(
        _("employer rate (basis points)"), default=RATE_MAX_BP, help_text=_("1200 basis points = 12%.")
    )
    employee_rate_bp = models.PositiveSmallIntegerField(
        _("employee rate (basis points)"), default=RATE_MAX_BP, help_text=_("1200 basis points = 12%.")
    )
    status = models.CharField(
        _("status"), max_length=2, choices=EmployerStatus.choices, default=EmployerStatus.OPENED
    )
    # 缴至年月: the last month fully paid, stored as the 1st of that month.
    paid_up_to = models.DateField(
        _("paid up to"),
        null=True,
        blank=True,
        help_text=_("The last month fully paid, stored as the first day of that month."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
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

    NORMAL = "01", _("Normal")
    SEALED = "02", _("Sealed")
    MERGED = "03", _("Closed (merged)")
    TRANSFERRED_OUT = "04", _("Closed (transferred out)")
    CLOSED_BY_WITHDRAWAL = "05", _("Closed (withdrawn)")
    FROZEN = "06", _("Frozen")
    OTHER = "99", _("Other")


#: The standard's Chinese name of each account status, for what is *stored* (audit summaries):
#: records read the same whatever language the request that wrote them used.
ACCOUNT_STATUS_RECORD_NAMES: dict[str, str] = {
    AccountStatus.NORMAL: "正常",
    AccountStatus.SEALED: "封存",
    AccountStatus.MERGED: "合并销户",
    AccountStatus.TRANSFERRED_OUT: "外部转出销户",
    AccountStatus.CLOSED_BY_WITHDRAWAL: "提取销户",
    AccountStatus.FROZEN: "冻结",
    AccountStatus.OTHER: "其他",
}


CLOSED_STATUSES = (AccountStatus.MERGED, AccountStatus.TRANSFERRED_OUT, AccountStatus.CLOSED_BY_WITHDRAWAL)


class FundAccount(models.Model):
    """个人账户: a person's one fund account in the city; its money lives in the ledger.

    ``account_no`` is 12 digits: the city prefix (4), a sequence (7) and a Luhn check digit
    (see ``accounts.numbering``).
    """

    account_no = models.CharField(_("account number"), max_length=12, unique=True)
    # One-to-one is the database's guarantee of DOMAIN.md §4 "one person, one account".
    person = models.OneToOneField(
        "accounts.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="fund_account"
    )
    # The current employer, or the last one for a sealed or closed account (kept as history).
    employer = models.ForeignKey(
        "accounts.Employer",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_accounts",
        help_text=_("The current unit, or the last one of a sealed or closed account."),
    )
    status = models.CharField(
        _("status"), max_length=2, choices=AccountStatus.choices, default=AccountStatus.NORMAL
    )
    base = models.BigIntegerField(_("deposit base (fen)"), help_text=_("The monthly deposit base, in fen."))
    opened_on = models.DateField(_("opened on"))
    sealed_on = models.DateField(_("sealed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    ledger_account = models.OneToOneField(
        "ledger.LedgerAccount",
        verbose_name=_("ledger account"),
        on_delete=models.PROTECT,
        related_name="fund_account",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("fund account")
        verbose_name_plural = _("fund accounts")
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

    name = models.CharField(_("series"), max_length=32, primary_key=True)
    last_value = models.BigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.name} at {self.last_value} (#{self.pk})"


class WithdrawalLock(models.Model):
    """An employee's own lock on withdrawals from their account (as CPF members can lock theirs).

    Locking takes effect at once; an unlock only after a cooling-off period
    (``settings.WITHDRAWAL_UNLOCK_COOLING_OFF_HOURS``), so someone who has stolen the password
    cannot unlock and withdraw in one sitting, and the owner, warned by text, has time to lock
    again. Withdrawals are locked at time t when a row exists, ``locked_at`` ≤ t and
    ``unlocks_at`` is empty or later than t. One row per person, changed in place by
    ``accounts.services``; every change is in the audit trail.
    """

    person = models.OneToOneField(
        "accounts.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="withdrawal_lock"
    )
    locked_at = models.DateTimeField(_("locked at"))
    unlock_requested_at = models.DateTimeField(_("unlock requested at"), null=True, blank=True)
    unlocks_at = models.DateTimeField(
        _("unlocks at"), null=True, blank=True, help_text=_("Withdrawals stay locked until then.")
    )

    class Meta:
        verbose_name = _("withdrawal lock")
        verbose_name_plural = _("withdrawal locks")
        constraints = [
            # An unlock is requested and scheduled together, never later than it takes effect.
            models.CheckConstraint(
                condition=Q(unlock_requested_at__isnull=True, unlocks_at__isnull=True)
                | Q(
                    unlock_requested_at__isnull=False,
                    unlocks_at__isnull=False,
                    unlocks_at__gte=F("unlock_requested_at"),
                ),
                name="accounts_withdrawallock_unlock_consistent",
            ),
            models.CheckConstraint(
                condition=Q(unlock_requested_at__isnull=True) | Q(unlock_requested_at__gte=F("locked_at")),
                name="accounts_withdrawallock_unlock_after_lock",
            ),
        ]

    def __str__(self):
        return f"withdrawal lock of person {self.person_id} (#{self.pk})"

    def locked_on(self, at) -> bool:
        """Locked at ``at`` as the row stands (earlier lock periods live in the audit trail only)."""
        return self.locked_at <= at and (self.unlocks_at is None or at < self.unlocks_at)


class AccountMoveKind(models.TextChoices):
    MOVE = "MOVE", _("Moved to a new unit")
    MERGE = "MERGE", _("Duplicate account merged in")


#: 内部转移: the business type (DOMAIN.md §2) every intra-city move and merge carries.
INTERNAL_TRANSFER = "06"


class AccountMove(models.Model):
    """An intra-city transfer (内部转移, business type 06) of a fund account, kept as its history.

    MOVE: a sealed account moved to a new unit of the city and was unsealed there (the account,
    its number and its ledger stay the same). MERGE: a duplicate account of the same person
    (legacy data) was absorbed into ``account``: its whole balance moved by ``entry`` and it was
    closed as 03. Written by ``accounts.services`` and ``transfers.intra_city`` in the same
    transaction as the change; insert-only.
    """

    kind = models.CharField(_("kind"), max_length=5, choices=AccountMoveKind.choices)
    business_type = models.CharField(_("business type"), max_length=2, default=INTERNAL_TRANSFER)
    # The account that moved, or the surviving account of a merge.
    account = models.ForeignKey(
        FundAccount, verbose_name=_("fund account"), on_delete=models.PROTECT, related_name="moves"
    )
    # One-to-one: an account is absorbed at most once.
    merged_account = models.OneToOneField(
        FundAccount,
        verbose_name=_("merged account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_into",
    )
    from_employer = models.ForeignKey(
        Employer,
        verbose_name=_("from unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_employer = models.ForeignKey(
        Employer,
        verbose_name=_("to unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    moved_on = models.DateField(_("moved on"))
    amount = models.BigIntegerField(_("amount moved (fen)"), default=0)
    entry = models.OneToOneField(
        "ledger.JournalEntry",
        verbose_name=_("journal entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("account move")
        verbose_name_plural = _("account moves")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AccountMoveKind.values), name="accounts_accountmove_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(business_type=INTERNAL_TRANSFER), name="accounts_accountmove_business_type_06"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="accounts_accountmove_amount_not_negative"
            ),
            # A move goes to a unit and moves no money; a merge names the absorbed account, and
            # money moved exactly when an entry was posted.
            models.CheckConstraint(
                condition=(
                    Q(kind=AccountMoveKind.MOVE, to_employer__isnull=False, merged_account__isnull=True)
                    & Q(amount=0, entry__isnull=True)
                )
                | (
                    Q(kind=AccountMoveKind.MERGE, merged_account__isnull=False)
                    & (Q(amount=0, entry__isnull=True) | Q(amount__gt=0, entry__isnull=False))
                ),
                name="accounts_accountmove_kind_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(merged_account=F("account")), name="accounts_accountmove_not_into_itself"
            ),
        ]
        indexes = [models.Index(fields=["account", "moved_on"], name="accounts_move_account_idx")]

    def __str__(self):
        return f"{self.kind} of account {self.account_id} on {self.moved_on} (#{self.pk})"


class CarriedDepositHistory(models.Model):
    """Deposit time brought from another city by a cross-city transfer in (DOMAIN.md §8).

    The sending centre states when the account was opened there, the last month paid, how many
    months were paid and whether the last six ran on; those months are merged with the months
    deposited here (``approvals.providers``) and stated again if the account later moves on
    (``transfers.history``). Written by ``transfers.incoming`` in the transaction that credits
    the money; insert-only, one per platform reference.
    """

    account = models.ForeignKey(
        FundAccount,
        verbose_name=_("fund account"),
        on_delete=models.PROTECT,
        related_name="carried_histories",
    )
    city_code = models.CharField(_("sending city code"), max_length=6)
    city_name = models.CharField(_("sending city"), max_length=40, blank=True)
    reference = models.CharField(_("platform reference"), max_length=32, unique=True)
    opened_on = models.DateField(_("opened at the sending centre on"))
    paid_up_to = models.DateField(_("paid up to (month)"))
    months = models.PositiveIntegerField(_("months deposited"))
    last_six_continuous = models.BooleanField(_("last 6 months continuous"))
    carried_on = models.DateField(_("carried in on"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("carried deposit history")
        verbose_name_plural = _("carried deposit histories")
        constraints = [
            models.CheckConstraint(
                condition=Q(paid_up_to__day=1), name="accounts_carried_paid_up_to_first_of_month"
            ),
        ]

    def __str__(self):
        return f"{self.months} months from {self.city_code} for account {self.account_id} (#{self.pk})"


class PersonalField(models.TextChoices):
    """A person's data that is shown masked and may be revealed, with a reason, to senior staff."""

    ID_NUMBER = "id_number", _("ID number")
    BANK_CARD = "bank_card", _("bank card")


class PersonalDataAccess(models.Model):
    """One look at a person's full ID or card number: who, whose, which, why, when and from where.

    Written by ``accounts.disclosure`` in the transaction that reads the value, beside its audit
    event; insert-only (the database refuses UPDATE and DELETE), like the ledger. The model also
    carries the permission to unmask at all, ``accounts.view_unmasked_personal_data``.
    """

    actor = models.ForeignKey(
        User, verbose_name=_("looked at by"), on_delete=models.PROTECT, related_name="personal_data_accesses"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="data_accesses"
    )
    field = models.CharField(_("field"), max_length=20, choices=PersonalField.choices)
    reason = models.TextField(_("reason"))
    channel = models.CharField(_("channel"), max_length=10)
    source_ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        permissions = [("view_unmasked_personal_data", _("Can see full ID and bank card numbers"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=PersonalField.values), name="accounts_personaldataaccess_field_known"
            ),
            # The service asks for a sentence; the database at least refuses an empty reason.
            models.CheckConstraint(condition=~Q(reason=""), name="accounts_personaldataaccess_has_reason"),
        ]
        indexes = [
            models.Index(fields=["person", "accessed_at"], name="accounts_pda_person_idx"),
            models.Index(fields=["accessed_at"], name="accounts_pda_accessed_idx"),
        ]

    def __str__(self):
        return f"{self.field} of person {self.person_id} by user {self.actor_id} (#{self.pk})"
