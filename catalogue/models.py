"""The service catalogue (最多跑一趟): what the centre does for people and units, and how to get it done.

Each :class:`ServiceItem` is one published service with what it needs (ideally no materials:
the facts come from the shared government data), who handles it, how long the law allows, and
where to start it: a page of this portal (a URL name in the ``web`` namespace, resolved when
shown), or a counter, with a booking when the appointments app offers one. Chinese and English
text are both stored; ``label`` and the other ``*_label`` properties answer in the request's
language. Staff edit items in the admin, where every change is written to the audit log.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    # DOMAIN.md §10 names three; transfers belong to 归集, as in Nanping's published list.
    DEPOSITS = "DEPOSITS", _("Collection and deposits")
    WITHDRAWALS = "WITHDRAWALS", _("Withdrawals")
    LOANS = "LOANS", _("Loans")


class Channel(models.TextChoices):
    """Where a person can get the service done (DOMAIN.md §11)."""

    WEB_HALL = "WEB_HALL", _("Online service hall")
    MOBILE_APP = "MOBILE_APP", _("Mobile app")
    MINI_PROGRAM = "MINI_PROGRAM", _("WeChat and Alipay mini-programs")
    HOTLINE = "HOTLINE", _("12329 hotline and SMS")
    KIOSK = "KIOSK", _("Self-service kiosks")
    COUNTER = "COUNTER", _("Service counters")


def _in_language(chinese: str, english: str) -> str:
    """English when the request asks for it and an English text is entered, else the Chinese."""
    return english if get_language() == "en" and english else chinese


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ServiceItem(models.Model):
    """One service of the catalogue, as published to the public."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A stable upper-case identifier the API and links use, for example WITHDRAW_RENT."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    materials = models.TextField(
        _("required materials"),
        blank=True,
        help_text=_("One per line. Leave empty when nothing needs to be brought."),
    )
    materials_en = models.TextField(_("required materials in English"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    notes_en = models.TextField(_("notes in English"), blank=True)
    office = models.CharField(_("responsible office"), max_length=100)
    office_en = models.CharField(_("responsible office in English"), max_length=150, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(
        _("legal time limit (working days)"), help_text=_("0 means done on the spot (即时办结).")
    )
    fully_online = models.BooleanField(_("fully online"), default=False)
    instant = models.BooleanField(
        _("approved in seconds (秒批)"),
        default=False,
        help_text=_("Decided by the rules at once, from the shared data, with no one reviewing it."),
    )
    online_url_name = models.CharField(
        _("online entry point"),
        max_length=60,
        blank=True,
        help_text=_(
            "The name of the portal page where the service starts, for example hall-transfer-intra; "
            "empty when it is not offered online."
        ),
    )
    online_url_argument = models.CharField(
        _("argument of the entry point"),
        max_length=40,
        blank=True,
        help_text=_("Only for a page that takes one, for example RENT for hall-withdraw-apply."),
    )
    appointment_service = models.CharField(
        _("bookable service code"),
        max_length=40,
        blank=True,
        help_text=_("The appointments service to book a counter visit for, for example LOAN_SIGNING."),
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][A-Z0-9_]*$"), name="catalogue_code_upper"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="catalogue_category_known"
            ),
            # 秒批 means decided at once: a time limit on it would be a contradiction on the page.
            models.CheckConstraint(
                condition=Q(instant=False) | Q(time_limit_days=0), name="catalogue_instant_is_immediate"
            ),
            # Longer than a season is a typo; the longest legal limits are a few weeks.
            models.CheckConstraint(condition=Q(time_limit_days__lte=90), name="catalogue_time_limit_range"),
            models.CheckConstraint(
                condition=Q(online_url_argument="") | ~Q(online_url_name=""),
                name="catalogue_argument_needs_entry_point",
            ),
        ]
        indexes = [
            # The public list: published items by category, in display order.
            models.Index(fields=["published", "category", "display_order"], name="catalogue_published_order"),
        ]

    def __str__(self):
        return f"{self.code} {self.name} (#{self.pk})"

    @property
    def label(self) -> str:
        return _in_language(self.name, self.name_en)

    @property
    def notes_label(self) -> str:
        return _in_language(self.notes, self.notes_en)

    @property
    def office_label(self) -> str:
        return _in_language(self.office, self.office_en)

    @property
    def material_list(self) -> list[str]:
        """The materials in the request's language, one per entry; empty when none are needed."""
        return _lines(_in_language(self.materials, self.materials_en))

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)

    @property
    def channel_labels(self) -> list[str]:
        known = [channel for channel in Channel if channel.value in self.channels]
        return [str(channel.label) for channel in known]
