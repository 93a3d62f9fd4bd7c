"""Shared-kernel tables: the working-day calendar and the versioned policy parameters."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DataSource(models.TextChoices):
    PACKAGE = "package", _("chinese-calendar package")
    STAFF = "staff", _("entered by staff")


class CalendarYear(models.Model):
    """A year whose public holidays are known; outside ``complete`` years the calendar is Monday–Friday.

    The State Council publishes each year's arrangement late in the year before; staff enter the
    days (:class:`CalendarDay`) and then mark the year complete.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=10, choices=DataSource.choices)
    complete = models.BooleanField(
        _("complete"),
        default=False,
        help_text=_("Every holiday and adjusted working day of this year has been entered."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        constraints = [
            # A typo such as 20277 would silently leave the real year uncovered.
            models.CheckConstraint(
                condition=Q(year__gte=1900, year__lte=2100), name="core_calendaryear_range"
            ),
        ]

    def __str__(self):
        return f"{self.year} (#{self.pk})"


class CalendarDay(models.Model):
    """A day that differs from the Monday–Friday rule: a weekday holiday or a weekend working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("For example 国庆节 or 调休上班.")
    )
    source = models.CharField(_("source"), max_length=10, choices=DataSource.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        kind = "working" if self.is_working_day else "off"
        return f"{self.date.isoformat()} {kind} {self.name} (#{self.pk})"


class PolicyParameter(models.Model):
    """One version of a policy parameter: ``value`` applies from ``effective_from`` until the next version.

    Versions are never edited once effective (decisions record the pk of the version they
    used); a change is a new row. ``value`` is JSON holding an int (fen, months, days, a
    multiple) or a string (a decimal rate such as ``"0.12"``, a code): never a float. The keys and
    their kinds are listed in :mod:`core.policy`.
    """

    key = models.CharField(_("key"), max_length=100)
    value = models.JSONField(_("value"))
    effective_from = models.DateField(_("effective from"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("policy parameter")
        verbose_name_plural = _("policy parameters")
        constraints = [
            # One value per key and day: "the value on date D" must be unambiguous.
            models.UniqueConstraint(fields=["key", "effective_from"], name="core_policyparameter_key_from"),
        ]

    def __str__(self):
        return f"{self.key} = {self.value} from {self.effective_from.isoformat()} (#{self.pk})"
