"""Appointments at the service counters (预约办事): where, what, when, and the bookings themselves.

A counter (服务网点) offers some bookable services, each with a slot length and a capacity per
slot. When a counter is open follows three layers, the first that speaks wins:

1. a :class:`CounterDay` for that counter and date (a weekend rota day, a closure for repairs),
   with its own opening periods or, when it has none, the counter's regular hours;
2. the working-day calendar (``core.calendar``): closed on public holidays and ordinary weekends,
   open on adjusted weekend working days (调休);
3. the counter's :class:`OpeningHours` for that weekday (several periods a day).

A :class:`Slot` row exists once somebody has booked that start time at that counter for that
service; its ``booked`` count is what concurrent bookings lock and compare with the capacity
(``appointments.services``). Writes go through ``appointments.services``.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DEFAULT_CAPACITY = 2
REFERENCE_LENGTH = 8
#: The note of the CounterDay rows the weekend rota writes (and the only ones it changes).
ROTA_NOTE = "周末轮班"


class Counter(models.Model):
    """A service counter (服务网点) people visit."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200)
    address_en = models.CharField(_("English address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service counter")
        verbose_name_plural = _("service counters")

    def __str__(self):
        return f"{self.code} {self.name} (#{self.pk})"

    @property
    def label(self) -> str:
        """The name in the request's language (Chinese when no English name is entered)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name

    @property
    def address_label(self) -> str:
        return self.address_en if get_language() == "en" and self.address_en else self.address


class BookableService(models.Model):
    """Something a person books a counter visit for, such as signing a loan contract."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A stable upper-case identifier, for example LOAN_SIGNING."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    active = models.BooleanField(_("active"), default=True)
    counters = models.ManyToManyField(
        Counter, through="CounterService", related_name="services", verbose_name=_("counters")
    )

    class Meta:
        verbose_name = _("bookable service")
        verbose_name_plural = _("bookable services")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][A-Z0-9_]*$"), name="appt_service_code_upper"
            ),
            # A slot shorter than a few minutes or longer than a half-day is a typo.
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="appt_service_slot_minutes_range",
            ),
        ]

    def __str__(self):
        return f"{self.code} (#{self.pk})"

    @property
    def label(self) -> str:
        return self.name_en if get_language() == "en" else self.name


class CounterService(models.Model):
    """A service offered at a counter, and how many people one slot of it takes."""

    counter = models.ForeignKey(Counter, verbose_name=_("counter"), on_delete=models.CASCADE)
    service = models.ForeignKey(BookableService, verbose_name=_("service"), on_delete=models.CASCADE)
    capacity = models.PositiveSmallIntegerField(
        _("capacity per slot"),
        default=DEFAULT_CAPACITY,
        help_text=_("People served at once, e.g. open windows."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service at a counter")
        verbose_name_plural = _("services at counters")
        constraints = [
            models.UniqueConstraint(fields=["counter", "service"], name="appt_counterservice_once"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="appt_counterservice_capacity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.counter_id}/{self.service_id} ×{self.capacity} (#{self.pk})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period of a counter on a weekday; a day may have several (morning, afternoon).

    Saturday and Sunday periods apply only on days the counter opens then: an adjusted working
    weekend (调休) or a :class:`CounterDay` of a rota.
    """

    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="appt_hours_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="appt_hours_closes_after_opening"
            ),
            models.UniqueConstraint(
                fields=["counter", "weekday", "opens_at"], name="appt_hours_one_period_start"
            ),
        ]

    def __str__(self):
        return f"{self.counter_id} {self.weekday} {self.opens_at:%H:%M}–{self.closes_at:%H:%M} (#{self.pk})"


class CounterDay(models.Model):
    """One date on which a counter departs from the calendar and its regular hours.

    Open with periods: exactly those periods. Open without periods: the counter's regular hours
    for that weekday (its Monday hours when it has none that day) — a weekend rota day needs only
    this row. Closed: no bookings that day, whatever the calendar says.
    """

    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    is_open = models.BooleanField(_("open that day"))
    note = models.CharField(
        _("note"), max_length=100, blank=True, help_text=_("For example 周末轮班 or 设备检修.")
    )

    class Meta:
        verbose_name = _("counter day")
        verbose_name_plural = _("counter days")
        constraints = [
            models.UniqueConstraint(fields=["counter", "date"], name="appt_counterday_once"),
        ]

    def __str__(self):
        state = "open" if self.is_open else "closed"
        return f"{self.counter_id} {self.date.isoformat()} {state} (#{self.pk})"


class CounterDayPeriod(models.Model):
    """An opening period of a :class:`CounterDay`."""

    day = models.ForeignKey(
        CounterDay, verbose_name=_("counter day"), on_delete=models.CASCADE, related_name="periods"
    )
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening period")
        verbose_name_plural = _("opening periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="appt_dayperiod_closes_after_opening"
            ),
            models.UniqueConstraint(fields=["day", "opens_at"], name="appt_dayperiod_one_start"),
        ]

    def __str__(self):
        return f"{self.day_id} {self.opens_at:%H:%M}–{self.closes_at:%H:%M} (#{self.pk})"


class Slot(models.Model):
    """A start time of a service at a counter that has been booked at least once.

    ``booked`` counts the bookings holding a place in it; it changes only under this row's lock,
    together with the bookings, so it is the number compared with the capacity.
    """

    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        BookableService, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    booked = models.PositiveSmallIntegerField(_("places taken"), default=0)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            # One row per start: the row whose lock serialises the bookings of that slot.
            models.UniqueConstraint(fields=["counter", "service", "starts_at"], name="appt_slot_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appt_slot_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(booked__gte=0), name="appt_slot_booked_not_negative"),
        ]

    def __str__(self):
        return f"{self.counter_id}/{self.service_id} {self.starts_at.isoformat()} ×{self.booked} (#{self.pk})"


class BookingStatus(models.TextChoices):
    BOOKED = "BOOKED", _("Booked")
    CANCELLED = "CANCELLED", _("Cancelled")
    # The visit's time passed with no attendance recorded; set when the person books the service again.
    EXPIRED = "EXPIRED", _("Time passed")
    # Recorded at the counter (the staff queue view).
    ATTENDED = "ATTENDED", _("Attended")
    NO_SHOW = "NO_SHOW", _("Did not come")


class Booking(models.Model):
    """A person's booking of one slot; its reference code is what they quote at the counter."""

    reference = models.CharField(_("booking reference"), max_length=REFERENCE_LENGTH, unique=True)
    person = models.ForeignKey(
        "accounts.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="bookings"
    )
    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), on_delete=models.PROTECT, related_name="bookings"
    )
    service = models.ForeignKey(
        BookableService, verbose_name=_("service"), on_delete=models.PROTECT, related_name="bookings"
    )
    slot = models.ForeignKey(Slot, verbose_name=_("slot"), on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    # What the visit is for, in another app: "loan-application:42". Not a foreign key: loans sit
    # above appointments in the layers.
    purpose_ref = models.CharField(_("purpose of the visit"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # When the eve-of-visit text went out; cleared when the visit moves, so each visit time gets one.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            # "My bookings", newest visit first.
            models.Index(fields=["person", "-starts_at"], name="appt_booking_person_start"),
            # The day's list at a counter (the queue view).
            models.Index(fields=["counter", "starts_at"], name="appt_booking_counter_start"),
        ]
        constraints = [
            # One booking at a time per person and service: no hoarding of places.
            models.UniqueConstraint(
                fields=["person", "service"],
                condition=Q(status="BOOKED"),
                name="appt_booking_one_active_per_service",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appt_booking_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values), name="appt_booking_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(status="CANCELLED") & Q(cancelled_at__isnull=False))
                | (~Q(status="CANCELLED") & Q(cancelled_at__isnull=True)),
                name="appt_booking_cancelled_at_iff_cancelled",
            ),
        ]

    def __str__(self):
        # No name: this text lands in audit rows and logs.
        return f"{self.reference} {self.status} (#{self.pk})"
