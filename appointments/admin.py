"""Admin for the appointment set-up (counters, services, hours, day overrides) and a read-only view
of bookings.

The set-up is configuration staff maintain by hand, as the calendar is. Bookings change only
through ``appointments.services`` (which lock the slot, keep its count and write the audit
event), so they are read-only here; the person is shown by name only.
"""

from itertools import pairwise

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from appointments.models import (
    BookableService,
    Booking,
    Counter,
    CounterDay,
    CounterDayPeriod,
    CounterService,
    OpeningHours,
)
from core.admin import ReadOnlyAdmin


class NoOverlapFormSet(forms.BaseInlineFormSet):
    """Opening periods of one day (and weekday) may not overlap: a slot would be offered twice."""

    day_field: str | None = None

    def clean(self):
        super().clean()
        periods = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("opens_at") or not data.get("closes_at"):
                continue
            if data["closes_at"] <= data["opens_at"]:
                raise forms.ValidationError(_("A period must close after it opens."))
            periods.append(
                (data.get(self.day_field) if self.day_field else None, data["opens_at"], data["closes_at"])
            )
        periods.sort(key=lambda period: (period[0] is None, period[0] or 0, period[1]))
        for earlier, later in pairwise(periods):
            if earlier[0] == later[0] and later[1] < earlier[2]:
                raise forms.ValidationError(_("Opening periods of the same day overlap."))


class WeekdayPeriodsFormSet(NoOverlapFormSet):
    day_field = "weekday"


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    formset = WeekdayPeriodsFormSet
    extra = 0


class CounterServiceInline(admin.TabularInline):
    model = CounterService
    extra = 0


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "address", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "address"]
    inlines = [OpeningHoursInline, CounterServiceInline]


@admin.register(BookableService)
class BookableServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "slot_minutes", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "name_en"]
    inlines = [CounterServiceInline]


class CounterDayPeriodInline(admin.TabularInline):
    model = CounterDayPeriod
    formset = NoOverlapFormSet
    extra = 0


@admin.register(CounterDay)
class CounterDayAdmin(admin.ModelAdmin):
    list_display = ["date", "counter", "is_open", "note"]
    list_filter = ["is_open", "counter"]
    list_select_related = ["counter"]
    date_hierarchy = "date"
    search_fields = ["note", "counter__name"]
    inlines = [CounterDayPeriodInline]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["reference", "starts_at", "counter", "service", "status", "person_name", "purpose_ref"]
    list_filter = ["status", "counter", "service"]
    list_select_related = ["counter", "service", "person"]
    search_fields = ["=reference", "=purpose_ref"]
    date_hierarchy = "starts_at"
    fields = [
        "reference",
        "person_name",
        "counter",
        "service",
        "starts_at",
        "ends_at",
        "status",
        "purpose_ref",
        "created_at",
        "updated_at",
        "cancelled_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("person"))
    def person_name(self, obj):
        return obj.person.name
