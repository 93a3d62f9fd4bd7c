"""Applications, their decision records (insert-only), the staff review queue and declared conflicts.

Models hold data and database-enforced integrity only; every write goes through
``approvals.services``. Nothing here holds a raw ID number or name: facts are stored masked, and
where a reviewer conflict must be checked later the decision keeps a blind index
(``core.crypto.blind_index``) in ``private_facts``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedBinaryField


class Channel(models.TextChoices):
    WEB = "WEB", _("Web hall")
    APP = "APP", _("Mobile app")
    WECHAT = "WECHAT", _("WeChat mini-program")
    ALIPAY = "ALIPAY", _("Alipay mini-program")
    COUNTER = "COUNTER", _("Counter")
    API = "API", _("API")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "SUBMITTED", _("Submitted")
    APPROVED = "APPROVED", _("Approved")
    REJECTED = "REJECTED", _("Rejected")
    REFERRED = "REFERRED", _("Referred to staff")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn")


#: An application in one of these is "in flight": at most one per applicant and reason.
OPEN_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.REFERRED)
DECIDED_APPLICATION_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)


class Application(models.Model):
    """An application (a withdrawal, a loan) decided by a rule set, automatically or by staff."""

    kind = models.CharField(_("kind"), max_length=32, help_text=_("The owning business, e.g. withdrawal."))
    reason = models.CharField(_("reason"), max_length=40, help_text=_("The rule set that decides it."))
    applicant = models.ForeignKey(
        "accounts.Person", verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="applications"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    due_on = models.DateField(_("due on"), help_text=_("The legal decision deadline, in working days."))

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="approvals_application_status_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="approvals_application_channel_known"
            ),
            # A final decision has a time; an open application has none yet.
            models.CheckConstraint(
                condition=~Q(status__in=DECIDED_APPLICATION_STATUSES) | Q(decided_at__isnull=False),
                name="approvals_application_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=OPEN_APPLICATION_STATUSES) | Q(decided_at__isnull=True),
                name="approvals_application_open_undecided",
            ),
            # DOMAIN.md §6: at most one application per person and reason is in flight. The
            # database enforces it so two concurrent submissions cannot both get through.
            models.UniqueConstraint(
                fields=["applicant", "reason"],
                condition=Q(status__in=OPEN_APPLICATION_STATUSES),
                name="approvals_one_open_application_per_reason",
            ),
        ]
        indexes = [models.Index(fields=["submitted_at"], name="approvals_app_submitted_idx")]

    def __str__(self):
        return f"{self.kind} {self.reason} {self.status} (#{self.pk})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES


class Outcome(models.TextChoices):
    APPROVE = "APPROVE", _("Approve")
    REJECT = "REJECT", _("Reject")
    REFER = "REFER", _("Refer to staff")


class DecisionPurpose(models.TextChoices):
    APPLICATION = "APPLICATION", _("Automatic decision on an application")
    PRECHECK = "PRECHECK", _("Eligibility pre-check")
    REVIEW = "REVIEW", _("Staff review decision")


class DecisionRecord(models.Model):
    """One decision and everything needed to explain or replay it; the database refuses changes.

    ``parameters`` maps each policy key to ``{value, effective_from, pk}`` (the version used);
    ``facts`` is the rule set's facts dataclass as JSON (masked, no ID numbers or names);
    ``results`` lists every rule's ``{rule, status, code, zh_hans, en}``; ``sources`` maps each
    data source asked to ``{outcome, latency_ms}``; ``decision_ms`` runs from the start of
    gathering to the end of evaluation.
    """

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    # Whose case it is: also set for a pre-check, which has no application.
    subject = models.ForeignKey(
        "accounts.Person", verbose_name=_("subject"), on_delete=models.PROTECT, related_name="decisions"
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=DecisionPurpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    rule_set = models.CharField(_("rule set"), max_length=40)
    rule_set_version = models.PositiveIntegerField(_("rule set version"))
    applied_on = models.DateField(_("rules applied on"), help_text=_("Parameters in force on this date."))
    parameters = models.JSONField(_("parameters"), default=dict)
    facts = models.JSONField(_("facts"), default=dict)
    # Blind indexes (never ID numbers) needed later, e.g. the spouse's for the maker-checker rule.
    private_facts = models.JSONField(_("private facts"), default=dict, blank=True)
    results = models.JSONField(_("rule results"), default=list)
    sources = models.JSONField(_("sources"), default=dict)
    decision_ms = models.PositiveIntegerField(_("decision time (ms)"))
    # The GovQuery.purpose under which the sources were asked: joins the query log to the decision.
    query_purpose = models.CharField(_("query purpose"), max_length=64, blank=True)
    # The largest amount the rules allow (fen), when the rule set fixes one.
    amount_limit = models.BigIntegerField(_("amount limit (fen)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    # None: the system decided automatically.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, help_text=_("The reviewer's reason for a staff decision."))
    replay_of = models.ForeignKey(
        "self",
        verbose_name=_("replay of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replays",
    )

    class Meta:
        verbose_name = _("decision record")
        verbose_name_plural = _("decision records")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="approvals_decision_outcome_known"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=DecisionPurpose.values), name="approvals_decision_purpose_known"
            ),
            models.CheckConstraint(
                condition=Q(purpose=DecisionPurpose.PRECHECK) | Q(application__isnull=False),
                name="approvals_decision_application_unless_precheck",
            ),
            models.CheckConstraint(
                condition=~Q(purpose=DecisionPurpose.PRECHECK) | Q(application__isnull=True),
                name="approvals_decision_precheck_without_application",
            ),
            # A staff decision names its reviewer; an automatic one has none.
            models.CheckConstraint(
                condition=(Q(purpose=DecisionPurpose.REVIEW) & Q(decided_by__isnull=False))
                | (~Q(purpose=DecisionPurpose.REVIEW) & Q(decided_by__isnull=True)),
                name="approvals_decision_reviewer_iff_review",
            ),
            models.CheckConstraint(
                condition=~Q(purpose=DecisionPurpose.REVIEW) | ~Q(outcome=Outcome.REFER),
                name="approvals_decision_review_is_final",
            ),
            models.CheckConstraint(
                condition=Q(amount_limit__isnull=True) | Q(amount_limit__gte=0),
                name="approvals_decision_amount_limit_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["purpose", "decided_at"], name="approvals_dec_purpose_at_idx")]

    def __str__(self):
        return f"{self.rule_set} v{self.rule_set_version} {self.outcome} (#{self.pk})"


class CaseStatus(models.TextChoices):
    OPEN = "OPEN", _("Open")
    CLAIMED = "CLAIMED", _("Claimed")
    APPROVED = "APPROVED", _("Approved")
    REJECTED = "REJECTED", _("Rejected")


class ReviewCase(models.Model):
    """A referred application waiting in the staff review queue (one per application)."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="review_case"
    )
    status = models.CharField(_("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_on = models.DateField(_("due on"))
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why the reviewer decided as they did."))

    class Meta:
        verbose_name = _("review case")
        verbose_name_plural = _("review cases")
        permissions = [("decide_reviewcase", "Can claim and decide review cases")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="approvals_case_status_known"
            ),
            # Exactly one claimant while claimed, none while open.
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLAIMED)
                | Q(claimed_by__isnull=False, claimed_at__isnull=False),
                name="approvals_case_claimed_has_claimant",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.OPEN) | Q(claimed_by__isnull=True, decided_by__isnull=True),
                name="approvals_case_open_unclaimed",
            ),
            # A decision names the reviewer, the time and a reason.
            models.CheckConstraint(
                condition=~Q(status__in=[CaseStatus.APPROVED, CaseStatus.REJECTED])
                | (Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(reason="")),
                name="approvals_case_decided_complete",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="approvals_case_status_due_idx")]

    def __str__(self):
        return f"case {self.status} (#{self.pk})"


class ReviewActionKind(models.TextChoices):
    CLAIM = "CLAIM", _("Claim")
    RELEASE = "RELEASE", _("Release")
    APPROVE = "APPROVE", _("Approve")
    REJECT = "REJECT", _("Reject")


class ReviewAction(models.Model):
    """One step in a case's history; the database refuses changes."""

    case = models.ForeignKey(
        ReviewCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="actions"
    )
    action = models.CharField(_("action"), max_length=8, choices=ReviewActionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("review action")
        verbose_name_plural = _("review actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ReviewActionKind.values), name="approvals_action_kind_known"
            ),
        ]

    def __str__(self):
        return f"{self.action} on case {self.case_id} (#{self.pk})"


class ConflictRelation(models.TextChoices):
    SPOUSE = "SPOUSE", _("Spouse")
    RELATIVE = "RELATIVE", _("Relative")
    OTHER = "OTHER", _("Other")


class ConflictOfInterest(models.Model):
    """A staff member's declared interest in a person: they may not review that person's cases."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="conflicts_of_interest",
    )
    person = models.ForeignKey(
        "accounts.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    relation = models.CharField(_("relation"), max_length=10, choices=ConflictRelation.choices)
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["staff", "person"], name="approvals_conflict_once_per_pair"),
            models.CheckConstraint(
                condition=Q(relation__in=ConflictRelation.values), name="approvals_conflict_relation_known"
            ),
        ]

    def __str__(self):
        return f"conflict of user {self.staff_id} (#{self.pk})"


class ApplicationDocument(models.Model):
    """A document an applicant sent with an application for staff to review (image or PDF).

    Kept in the database beside the application, as deposit list files are: one backup, one
    permission model, and a case's evidence cannot go missing from a file system on its own.
    """

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="documents"
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # A scan of a contract or an ID card: encrypted at rest like the numbers it shows.
    content = EncryptedBinaryField(_("content"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="approvals_document_not_empty"),
        ]

    def __str__(self):
        return f"{self.filename} of application {self.application_id} (#{self.pk})"
