"""Housing loans (公积金贷款, DOMAIN.md §7): the application from pre-acceptance to disbursement,
its approval chain and the delegation of the final level.

A loan application moves through::

    AWAITING_CO_BORROWER ─▶ PRE_ACCEPTED ─▶ IN_APPROVAL ─▶ APPROVED ─▶ SIGNED ─▶ DISBURSED
            │                   │               │  ▲
            └─▶ WITHDRAWN ◀─────┘               ▼  │ (resubmitted)
                                            RETURNED          any open status ─▶ REJECTED

- the employee applies online: eligibility is decided by the LOAN_ELIGIBILITY rule set through
  ``approvals`` (the decision record keeps facts, sources and rules), and the quota is computed
  from the centre's own balances with the calculator (``quota_limits`` keeps every limit);
- with a co-borrower spouse the application waits for their confirmation from their own login;
- ``stage`` is the level the case waits at while IN_APPROVAL: 受理 (acceptance at the signing
  appointment or by a clerk), 初审, 复审, 终审 — which levels a case needs depends on its amount
  (policy parameters); each level's action is a :class:`ApprovalAction`;
- the final approval stamps an electronic seal (``audit.seals``) over the case's approval record.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField


class LoanStatus(models.TextChoices):
    AWAITING_CO_BORROWER = "AWAITING_CO_BORROWER", _("Waiting for the co-borrower")
    PRE_ACCEPTED = "PRE_ACCEPTED", _("Pre-accepted")
    IN_APPROVAL = "IN_APPROVAL", _("In approval")
    RETURNED = "RETURNED", _("Returned for changes")
    APPROVED = "APPROVED", _("Approved")
    SIGNED = "SIGNED", _("Contract signed")
    DISBURSED = "DISBURSED", _("Disbursed")
    REJECTED = "REJECTED", _("Rejected")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn")


#: An applicant has at most one loan application in these statuses (database constraint).
OPEN_LOAN_STATUSES = (
    LoanStatus.AWAITING_CO_BORROWER,
    LoanStatus.PRE_ACCEPTED,
    LoanStatus.IN_APPROVAL,
    LoanStatus.RETURNED,
    LoanStatus.APPROVED,
    LoanStatus.SIGNED,
)


class ApprovalLevel(models.TextChoices):
    ACCEPTANCE = "ACCEPTANCE", _("Acceptance (受理)")
    FIRST = "FIRST", _("First review (初审)")
    SECOND = "SECOND", _("Second review (复审)")
    FINAL = "FINAL", _("Final approval (终审)")


class RepaymentMethod(models.TextChoices):
    EQUAL_INSTALMENT = "EQUAL_INSTALMENT", _("Equal instalments (等额本息)")
    EQUAL_PRINCIPAL = "EQUAL_PRINCIPAL", _("Equal principal (等额本金)")


class PropertyKind(models.TextChoices):
    NEW = "NEW", _("New home (商品房)")
    RESALE = "RESALE", _("Second-hand home (二手房)")


class LoanApplication(models.Model):
    """One person's application for a housing fund loan, from pre-acceptance to disbursement."""

    applicant = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="loan_applications",
    )
    co_borrower = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("co-borrower"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="co_borrowed_loan_applications",
    )
    co_borrower_confirmed_at = models.DateTimeField(_("co-borrower confirmed at"), null=True, blank=True)
    # The eligibility decision (rule set LOAN_ELIGIBILITY) with its facts, sources and reasons.
    eligibility = models.OneToOneField(
        "approvals.Application",
        verbose_name=_("eligibility decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loan_application",
    )
    status = models.CharField(_("status"), max_length=24, choices=LoanStatus.choices)
    stage = models.CharField(
        _("approval level"),
        max_length=12,
        choices=ApprovalLevel.choices,
        blank=True,
        help_text=_("The level the case waits at while in approval."),
    )
    # The home: from the property register (不动产) or the filed purchase contract.
    property_kind = models.CharField(_("kind of home"), max_length=8, choices=PropertyKind.choices)
    property_ref = models.CharField(
        _("contract or certificate number"),
        max_length=64,
        help_text=_("As filed with the property register."),
    )
    property_address = models.CharField(_("address of the home"), max_length=200, blank=True)
    house_price = models.BigIntegerField(_("price (fen)"))
    first_home = models.BooleanField(_("first home"))
    seller_name = models.CharField(_("seller"), max_length=100, blank=True)
    seller_account = EncryptedTextField(_("seller's bank account"), blank=True, default="")
    # What the employee asks for and what the rules allow.
    amount = models.BigIntegerField(_("amount (fen)"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    repayment_method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    annual_rate = models.DecimalField(_("annual rate"), max_digits=7, decimal_places=5)
    quota = models.BigIntegerField(_("pre-approved quota (fen)"))
    quota_limits = models.JSONField(
        _("quota limits"), default=dict, help_text=_("Every limit, in fen, and which binds.")
    )
    monthly_income = models.BigIntegerField(_("monthly income (fen)"))
    other_monthly_debt = models.BigIntegerField(_("other monthly debt (fen)"), default=0)
    # Times of the milestones: the service level (8 working days) runs from submitted_at.
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("contract signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contract signed before"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disbursed_at = models.DateTimeField(_("disbursed at"), null=True, blank=True)
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True, help_text=_("Rejected or withdrawn.")
    )
    note = models.TextField(_("note"), blank=True, help_text=_("The last return or rejection reason."))
    # The counter appointment (service LOAN_SIGNING) at which both borrowers sign the contract.
    signing_booking = models.ForeignKey(
        "appointments.Booking",
        verbose_name=_("contract signing appointment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approval_seal = models.OneToOneField(
        "audit.ElectronicSeal",
        verbose_name=_("approval seal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")
        constraints = [
            # One loan application in progress per person, whatever the channel or a race.
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status__in=OPEN_LOAN_STATUSES),
                name="loans_one_open_application_per_applicant",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loans_amount_positive"),
            models.CheckConstraint(condition=Q(house_price__gt=0), name="loans_house_price_positive"),
            models.CheckConstraint(condition=Q(quota__gte=0), name="loans_quota_not_negative"),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="loans_term_positive"),
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="loans_income_not_negative"),
            models.CheckConstraint(condition=Q(other_monthly_debt__gte=0), name="loans_debt_not_negative"),
            models.CheckConstraint(
                condition=~Q(co_borrower=models.F("applicant")), name="loans_co_borrower_not_applicant"
            ),
            # A level to wait at exactly while in approval.
            models.CheckConstraint(
                condition=Q(status=LoanStatus.IN_APPROVAL, stage__gt="")
                | (~Q(status=LoanStatus.IN_APPROVAL) & Q(stage="")),
                name="loans_stage_only_in_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[LoanStatus.APPROVED, LoanStatus.SIGNED, LoanStatus.DISBURSED])
                | Q(approved_at__isnull=False, approval_seal__isnull=False),
                name="loans_approved_sealed",
            ),
        ]

    def __str__(self):
        return f"Loan application {self.status} (#{self.pk})"


class ApprovalAction(models.Model):
    """One level's act on a loan case: approve (pass to the next level), return, or reject."""

    class Action(models.TextChoices):
        APPROVE = "APPROVE", _("Approved")
        RETURN = "RETURN", _("Returned")
        REJECT = "REJECT", _("Rejected")

    loan = models.ForeignKey(
        LoanApplication, verbose_name=_("loan application"), on_delete=models.PROTECT, related_name="actions"
    )
    level = models.CharField(_("level"), max_length=12, choices=ApprovalLevel.choices)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    # The director whose final-approval authority the actor used, when acting by delegation.
    delegation = models.ForeignKey(
        "loans.FinalApprovalDelegation",
        verbose_name=_("delegation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    reason = models.TextField(_("reason"), blank=True)
    acted_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("approval action")
        verbose_name_plural = _("approval actions")
        constraints = [
            # A return or a rejection always says why.
            models.CheckConstraint(
                condition=Q(action="APPROVE") | ~Q(reason=""), name="loans_action_reason_given"
            ),
        ]

    def __str__(self):
        return f"{self.level} {self.action} (#{self.pk})"


class FinalApprovalDelegation(models.Model):
    """The director's authority for the final level (终审) delegated to a deputy director for a period."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("delegated by"), on_delete=models.PROTECT, related_name="+"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("delegated to"), on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    max_amount = models.BigIntegerField(
        _("up to (fen)"), null=True, blank=True, help_text=_("Empty: loans of any amount.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("final approval delegation")
        verbose_name_plural = _("final approval delegations")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="loans_delegation_period"
            ),
            models.CheckConstraint(
                condition=~Q(delegate=models.F("delegator")), name="loans_delegation_to_another"
            ),
        ]

    def __str__(self):
        return f"Delegation {self.valid_from}–{self.valid_until} (#{self.pk})"


class LoanAccountStatus(models.TextChoices):
    DISBURSING = "DISBURSING", _("Being disbursed")
    ACTIVE = "ACTIVE", _("Repaying")
    NOT_DISBURSED = "NOT_DISBURSED", _("Disbursement failed")
    SETTLED = "SETTLED", _("Settled")


class CollectionMode(models.TextChoices):
    """How the monthly instalment is collected (the borrower chooses; DOMAIN.md §7)."""

    BANK_DEBIT = "BANK_DEBIT", _("Debit from my bank card")
    # 委托按月还贷: from the fund account; a month the balance is short falls back to the card.
    FUND_OFFSET = "FUND_OFFSET", _("Offset from my fund account (委托按月还贷)")


class LoanAccount(models.Model):
    """The loan as lent (贷款账户): its terms, repayment day and schedule; opened at disbursement.

    The principal still owed is the balance of ``ledger_account`` (``LOAN-<account_no>``, an
    asset of the centre), never a column here: the ledger is the only place a balance changes.
    While DISBURSING the money sits in payout clearing on its way to the seller; NOT_DISBURSED
    means the bank could not pay and the posting was reversed (nothing is owed), until staff retry.
    """

    application = models.OneToOneField(
        LoanApplication, verbose_name=_("loan application"), on_delete=models.PROTECT, related_name="account"
    )
    account_no = models.CharField(_("loan account number"), max_length=20, unique=True)
    ledger_account = models.OneToOneField(
        "ledger.LedgerAccount", verbose_name=_("ledger account"), on_delete=models.PROTECT, related_name="+"
    )
    principal = models.BigIntegerField(_("principal (fen)"))
    annual_rate = models.DecimalField(_("annual rate"), max_digits=7, decimal_places=5)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    repayment_method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    repayment_day = models.PositiveSmallIntegerField(_("repayment day"))
    opened_on = models.DateField(_("disbursement date"))
    first_due_on = models.DateField(_("first instalment due on"))
    status = models.CharField(_("status"), max_length=16, choices=LoanAccountStatus.choices)
    # The payout of the latest disbursement attempt; earlier failed ones stay in the payouts app.
    payout = models.OneToOneField(
        "payouts.Payout",
        verbose_name=_("disbursement payout"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disbursement_attempts = models.PositiveSmallIntegerField(_("disbursement attempts"), default=1)
    collection_mode = models.CharField(
        _("how instalments are collected"),
        max_length=12,
        choices=CollectionMode.choices,
        default=CollectionMode.BANK_DEBIT,
    )
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    settlement_seal = models.OneToOneField(
        "audit.ElectronicSeal",
        verbose_name=_("loan-settled certificate seal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("loan account")
        verbose_name_plural = _("loan accounts")
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="loans_account_principal_positive"),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="loans_account_term_positive"),
            # Day 29–31 is missing from some months: the repayment day is capped at 28.
            models.CheckConstraint(
                condition=Q(repayment_day__gte=1, repayment_day__lte=28), name="loans_account_repayment_day"
            ),
            models.CheckConstraint(
                condition=Q(first_due_on__gt=models.F("opened_on")),
                name="loans_account_first_due_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(disbursement_attempts__gte=1), name="loans_account_attempts_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LoanAccountStatus.values), name="loans_account_status_known"
            ),
            # Money is on its way or lent only through a payout.
            models.CheckConstraint(
                condition=~Q(status__in=[LoanAccountStatus.DISBURSING, LoanAccountStatus.ACTIVE])
                | Q(payout__isnull=False),
                name="loans_account_disbursed_by_payout",
            ),
            models.CheckConstraint(
                condition=Q(status=LoanAccountStatus.SETTLED, settled_on__isnull=False)
                | (~Q(status=LoanAccountStatus.SETTLED) & Q(settled_on__isnull=True)),
                name="loans_account_settled_has_date",
            ),
            models.CheckConstraint(
                condition=Q(collection_mode__in=CollectionMode.values),
                name="loans_account_collection_mode_known",
            ),
        ]

    def __str__(self):
        return f"Loan account {self.account_no} {self.status} (#{self.pk})"


class InstalmentStatus(models.TextChoices):
    DUE = "DUE", _("Due")
    PAID = "PAID", _("Repaid")
    OVERDUE = "OVERDUE", _("Overdue")
    # A prepayment, a re-pricing or the settlement replaced it; the row stays as the old schedule.
    SUPERSEDED = "SUPERSEDED", _("Replaced by a new schedule")


#: The instalments still owed: not repaid and not replaced.
UNPAID_INSTALMENT_STATUSES = (InstalmentStatus.DUE, InstalmentStatus.OVERDUE)


class LoanInstalment(models.Model):
    """One month of a loan account's repayment schedule (还款计划), amounts in fen."""

    account = models.ForeignKey(
        LoanAccount, verbose_name=_("loan account"), on_delete=models.PROTECT, related_name="instalments"
    )
    period = models.PositiveSmallIntegerField(_("instalment number"))
    due_on = models.DateField(_("instalment due on"))
    payment = models.BigIntegerField(_("payment (fen)"))
    principal = models.BigIntegerField(_("principal (fen)"))
    interest = models.BigIntegerField(_("interest (fen)"))
    remaining = models.BigIntegerField(_("principal remaining (fen)"))
    status = models.CharField(
        _("status"), max_length=12, choices=InstalmentStatus.choices, default=InstalmentStatus.DUE
    )
    paid_on = models.DateField(_("repaid on"), null=True, blank=True)
    # The overdue penalty (罚息) collected with it; the instalment's own payment never changes.
    penalty = models.BigIntegerField(_("overdue penalty paid (fen)"), default=0)
    # When an instalment first went overdue: the borrower is told once, not every morning.
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan instalment")
        verbose_name_plural = _("loan instalments")
        ordering = ["account", "period", "pk"]
        constraints = [
            # A replaced instalment keeps its number: the new schedule's row takes it over.
            models.UniqueConstraint(
                fields=["account", "period"],
                condition=~Q(status="SUPERSEDED"),
                name="loans_instalment_one_per_period",
            ),
            models.CheckConstraint(condition=Q(penalty__gte=0), name="loans_instalment_penalty_not_negative"),
            models.CheckConstraint(
                condition=Q(status="PAID", paid_on__isnull=False)
                | (~Q(status="PAID") & Q(paid_on__isnull=True)),
                name="loans_instalment_paid_has_date",
            ),
            models.CheckConstraint(condition=Q(period__gte=1), name="loans_instalment_period_positive"),
            models.CheckConstraint(
                condition=Q(principal__gte=0), name="loans_instalment_principal_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(interest__gte=0), name="loans_instalment_interest_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(remaining__gte=0), name="loans_instalment_remaining_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(payment=models.F("principal") + models.F("interest")),
                name="loans_instalment_payment_is_principal_and_interest",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InstalmentStatus.values), name="loans_instalment_status_known"
            ),
        ]

    def __str__(self):
        return f"Instalment {self.period} due {self.due_on} (#{self.pk})"


class LoanMovement(models.TextChoices):
    """贷款业务类型 of the loan side (DOMAIN.md §2): what each repayment is, in the loan's own ledger."""

    DISBURSEMENT = "01", _("Disbursement (发放)")
    REPAYMENT = "02", _("Repayment (正常还款)")
    PREPAYMENT = "03", _("Prepayment (提前还款)")
    OVERDUE_REPAYMENT = "04", _("Overdue repayment (逾期还款)")
    FUND_REPAYMENT = "05", _("Repayment from the fund account (公积金提取还款)")
    SETTLEMENT = "06", _("Settlement (结清)")


class RepaymentKind(models.TextChoices):
    INSTALMENT = "INSTALMENT", _("Monthly instalment")
    PREPAYMENT = "PREPAYMENT", _("Partial prepayment")
    SETTLEMENT = "SETTLEMENT", _("Full settlement")


class RepaymentStatus(models.TextChoices):
    COLLECTING = "COLLECTING", _("Being collected")
    SUCCEEDED = "SUCCEEDED", _("Money in")
    FAILED = "FAILED", _("Not collected")


class PrepaymentOption(models.TextChoices):
    SHORTEN_TERM = "SHORTEN_TERM", _("Shorten the term, keep the payment")
    LOWER_PAYMENT = "LOWER_PAYMENT", _("Keep the term, lower the payment")


class LoanRepayment(models.Model):
    """One attempt to take money in for a loan (还款): an instalment, a prepayment or the settlement.

    A fund-account offset is posted at once (SUCCEEDED or never written); a bank debit is a
    collection order (``order_ref``, the bank's idempotency key and the posting's) that stays
    COLLECTING until the bank settles it. The ledger entry exists exactly when SUCCEEDED.
    """

    account = models.ForeignKey(
        LoanAccount, verbose_name=_("loan account"), on_delete=models.PROTECT, related_name="repayments"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RepaymentKind.choices)
    channel = models.CharField(_("paid by"), max_length=12, choices=CollectionMode.choices)
    movement = models.CharField(_("loan movement"), max_length=2, choices=LoanMovement.choices)
    # The instalment a monthly collection pays; empty for a prepayment or the settlement.
    instalment = models.ForeignKey(
        LoanInstalment,
        verbose_name=_("instalment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repayments",
    )
    option = models.CharField(
        _("after the prepayment"), max_length=16, choices=PrepaymentOption.choices, blank=True
    )
    amount = models.BigIntegerField(_("amount (fen)"))
    principal = models.BigIntegerField(_("principal (fen)"))
    interest = models.BigIntegerField(_("interest (fen)"))
    penalty = models.BigIntegerField(_("overdue penalty (fen)"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=RepaymentStatus.choices)
    order_ref = models.CharField(_("reference"), max_length=64, unique=True)
    bank_ref = models.CharField(_("bank reference"), max_length=64, blank=True)
    order_accepted_at = models.DateTimeField(_("accepted by the bank at"), null=True, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=32, blank=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    settled_on = models.DateField(_("received on"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan repayment")
        verbose_name_plural = _("loan repayments")
        ordering = ["account", "created_at", "pk"]
        indexes = [models.Index(fields=["status", "channel"], name="loans_repayment_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount=models.F("principal") + models.F("interest") + models.F("penalty")),
                name="loans_repayment_amount_is_its_parts",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loans_repayment_amount_positive"),
            models.CheckConstraint(
                condition=Q(principal__gte=0, interest__gte=0, penalty__gte=0),
                name="loans_repayment_parts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status=RepaymentStatus.SUCCEEDED, entry__isnull=False, settled_on__isnull=False)
                | (~Q(status=RepaymentStatus.SUCCEEDED) & Q(entry__isnull=True)),
                name="loans_repayment_posted_when_received",
            ),
            models.CheckConstraint(
                condition=Q(kind=RepaymentKind.INSTALMENT, instalment__isnull=False)
                | (~Q(kind=RepaymentKind.INSTALMENT) & Q(instalment__isnull=True)),
                name="loans_repayment_instalment_names_its_month",
            ),
            models.CheckConstraint(
                condition=Q(kind=RepaymentKind.PREPAYMENT) & ~Q(option="")
                | ~Q(kind=RepaymentKind.PREPAYMENT) & Q(option=""),
                name="loans_repayment_prepayment_has_option",
            ),
            # One collection in flight per loan: the bank debits nothing twice for one month.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status=RepaymentStatus.COLLECTING),
                name="loans_repayment_one_in_flight",
            ),
        ]

    def __str__(self):
        return f"Repayment {self.kind} {self.status} {self.order_ref} (#{self.pk})"


class ScheduleChangeKind(models.TextChoices):
    PREPAYMENT = "PREPAYMENT", _("Prepayment")
    REPRICING = "REPRICING", _("Re-pricing on 1 January")
    SETTLEMENT = "SETTLEMENT", _("Settlement")


class LoanScheduleChange(models.Model):
    """A change of a running loan's schedule: what it was, what it became and why.

    The replaced instalments stay as SUPERSEDED rows, so the old schedule can always be shown.
    """

    account = models.ForeignKey(
        LoanAccount, verbose_name=_("loan account"), on_delete=models.PROTECT, related_name="schedule_changes"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ScheduleChangeKind.choices)
    effective_on = models.DateField(_("effective on"))
    repayment = models.OneToOneField(
        LoanRepayment,
        verbose_name=_("repayment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schedule_change",
    )
    old_rate = models.DecimalField(_("rate before"), max_digits=7, decimal_places=5)
    new_rate = models.DecimalField(_("rate after"), max_digits=7, decimal_places=5)
    old_months = models.PositiveSmallIntegerField(_("instalments left before"))
    new_months = models.PositiveSmallIntegerField(_("instalments left after"))
    old_payment = models.BigIntegerField(_("next payment before (fen)"))
    new_payment = models.BigIntegerField(_("next payment after (fen)"))
    # The replaced instalments' interest less the new ones'; negative when a rate rose.
    interest_change = models.BigIntegerField(_("interest saved (fen)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("loan schedule change")
        verbose_name_plural = _("loan schedule changes")
        ordering = ["account", "effective_on", "pk"]
        constraints = [
            # A loan re-prices at most once on each 1 January, however often the job runs.
            models.UniqueConstraint(
                fields=["account", "effective_on"],
                condition=Q(kind="REPRICING"),
                name="loans_schedule_one_repricing_a_year",
            ),
        ]

    def __str__(self):
        return f"Schedule change {self.kind} {self.effective_on} (#{self.pk})"
