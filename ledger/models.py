"""The double-entry journal: accounts with cached balances, insert-only entries and lines.

Sign convention: amounts are integer fen. Every line is a debit or a credit, never both.
``LedgerAccount.balance`` is stored in the account's *normal direction*:

- debit-normal kinds (ASSET, EXPENSE): balance = Σ debits − Σ credits;
- credit-normal kinds (FUND, LIABILITY, INCOME): balance = Σ credits − Σ debits.

A personal fund account (FUND) is a liability of the centre: a deposit credits it (balance
goes up), a withdrawal debits it. So every balance is normally ≥ 0 and, for a balanced
journal, Σ debit-normal balances = Σ credit-normal balances.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BusinessType(models.TextChoices):
    """业务类型 of JGJ/T 320-2014 (DOMAIN.md §2): every ledger movement carries one."""

    MONTHLY_DEPOSIT = "01", _("Monthly deposit")
    BACK_PAYMENT = "02", _("Back payment")
    OPEN = "03", _("Account opening")
    UNSEAL = "04", _("Unsealing")
    SEAL = "05", _("Sealing")
    INTERNAL_TRANSFER = "06", _("Internal transfer")
    TRANSFER_OUT = "07", _("Transfer out of the city")
    TRANSFER_IN = "08", _("Transfer in from another city")
    ANNUAL_INTEREST = "09", _("Year-end interest")
    BASE_ADJUSTMENT = "10", _("Base adjustment")
    PARTIAL_WITHDRAWAL = "11", _("Partial withdrawal")
    CLOSING_WITHDRAWAL = "12", _("Closing withdrawal")
    DEFERRAL = "13", _("Deferral")
    FREEZE = "14", _("Freeze")
    UNFREEZE = "15", _("Unfreeze")


#: The standard's Chinese name of each business type, for what is *stored* (journal memos, audit
#: summaries): records read the same whatever language the request that wrote them used. Pages
#: show ``BusinessType(code).label`` instead, in the reader's language.
BUSINESS_TYPE_RECORD_NAMES: dict[str, str] = {
    BusinessType.MONTHLY_DEPOSIT: "汇缴",
    BusinessType.BACK_PAYMENT: "补缴",
    BusinessType.OPEN: "开户",
    BusinessType.UNSEAL: "启封",
    BusinessType.SEAL: "封存",
    BusinessType.INTERNAL_TRANSFER: "内部转移",
    BusinessType.TRANSFER_OUT: "外部转出",
    BusinessType.TRANSFER_IN: "外部转入",
    BusinessType.ANNUAL_INTEREST: "年终结息",
    BusinessType.BASE_ADJUSTMENT: "基数调整",
    BusinessType.PARTIAL_WITHDRAWAL: "部分提取",
    BusinessType.CLOSING_WITHDRAWAL: "销户提取",
    BusinessType.DEFERRAL: "缓缴处理",
    BusinessType.FREEZE: "冻结",
    BusinessType.UNFREEZE: "解冻",
}


class AccountKind(models.TextChoices):
    FUND = "FUND", _("Personal fund account")
    ASSET = "ASSET", _("Asset")
    LIABILITY = "LIABILITY", _("Liability")
    INCOME = "INCOME", _("Income")
    EXPENSE = "EXPENSE", _("Expense")


DEBIT_NORMAL_KINDS = frozenset({AccountKind.ASSET, AccountKind.EXPENSE})


class LedgerAccount(models.Model):
    """A centre account (``BANK_SETTLEMENT``…) or one employee's fund account (``FUND-<no>``)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("account name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    # Cached in the normal direction (module docstring); changed only by ledger.services.
    balance = models.BigIntegerField(
        _("balance (fen)"), default=0, help_text=_("In the account's normal direction.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            # Backstop for the service check: an employee's money can never go below zero.
            models.CheckConstraint(
                condition=~Q(kind="FUND") | Q(balance__gte=0), name="ledger_fund_account_not_negative"
            ),
            # Keeps fund accounts recognisable by code alone in reports and admin searches.
            models.CheckConstraint(
                condition=~Q(kind="FUND") | Q(code__startswith="FUND-"), name="ledger_fund_account_code"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AccountKind.values), name="ledger_account_kind_known"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name} (#{self.pk})"

    @property
    def is_debit_normal(self) -> bool:
        return self.kind in DEBIT_NORMAL_KINDS

    def signed(self, *, debit: int, credit: int) -> int:
        """The change a line makes to this account's balance in its normal direction."""
        return debit - credit if self.is_debit_normal else credit - debit


class JournalEntry(models.Model):
    """One balanced posting; insert-only, corrected only by a reversing entry."""

    business_type = models.CharField(_("business type"), max_length=2, choices=BusinessType.choices)
    business_on = models.DateField(_("business date"))
    # The caller's name for this posting: a replay with the same key returns this entry.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    # Σ debits = Σ credits of the lines, declared up front so the database can check the lines.
    amount = models.BigIntegerField(_("amount (fen)"))
    posted_at = models.DateTimeField(_("posted at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # One-to-one: an entry can be reversed at most once.
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_entry_amount_positive"),
            models.CheckConstraint(
                condition=Q(business_type__in=BusinessType.values), name="ledger_entry_business_type_known"
            ),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="ledger_entry_key_not_empty"),
        ]

    def __str__(self):
        return f"{self.business_type} {self.business_on} {self.amount} fen (#{self.pk})"


class JournalLine(models.Model):
    """One side of an entry on one account: a debit or a credit in fen."""

    # No foreign-key constraint: the journal's triggers already refuse a line whose entry is not
    # in the journal (per statement, migration 0005) and any deletion of an entry (0003), so a
    # row-by-row check at COMMIT would only repeat them, at a third of a bulk posting's time.
    entry = models.ForeignKey(
        JournalEntry,
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        related_name="lines",
        db_constraint=False,
    )
    # No index of its own: the (account, entry) index below serves every lookup by account.
    account = models.ForeignKey(
        LedgerAccount,
        verbose_name=_("ledger account"),
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
    )
    debit = models.BigIntegerField(_("debit (fen)"), default=0)
    credit = models.BigIntegerField(_("credit (fen)"), default=0)

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gte=0) & Q(credit__gte=0), name="ledger_line_amounts_not_negative"
            ),
            # Exactly one side carries money: no empty lines and no netting within a line.
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="ledger_line_one_side",
            ),
        ]
        indexes = [
            # Statements and balance checks read one account's lines in entry order.
            models.Index(fields=["account", "entry"], name="ledger_line_account_entry"),
        ]

    def __str__(self):
        side = f"Dr {self.debit}" if self.debit else f"Cr {self.credit}"
        return f"{side} on account {self.account_id} entry {self.entry_id} (#{self.pk})"
