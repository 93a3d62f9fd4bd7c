"""Admin for the working-day calendar and the policy parameters.

Staff enter a later year's holidays when the State Council publishes them, then mark the year
complete. Policy changes are new versions: a version already in force (``effective_from`` today
or earlier) is read-only and cannot be deleted, because decisions record its pk; a version
dated in the past cannot be added, because that would change values decisions already used.
"""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from core.models import CalendarDay, CalendarYear, DataSource, PolicyParameter
from core.money import format_yuan, parse_yuan
from core.policy import FEN, PARAMETERS, clean_policy_value


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent, never added, changed or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing only; staff see what their role's view permissions allow."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "complete", "source", "updated_at"]
    list_filter = ["complete", "source"]
    readonly_fields = ["source", "updated_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = DataSource.STAFF
        super().save_model(request, obj, form, change)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_working_day", "name", "source"]
    list_filter = ["is_working_day", "source"]
    date_hierarchy = "date"
    search_fields = ["name"]
    readonly_fields = ["source", "updated_at"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return obj.date.strftime("%a")

    def save_model(self, request, obj, form, change):
        # Whoever touched the row last owns it: a day corrected by staff is no longer the package's.
        obj.source = DataSource.STAFF
        super().save_model(request, obj, form, change)


class PolicyParameterForm(forms.ModelForm):
    """Takes the value as text: amounts in yuan ("2030.00"), rates as fractions ("0.12")."""

    key = forms.ChoiceField(label=_("key"), choices=sorted((key, key) for key in PARAMETERS))
    value_text = forms.CharField(
        label=_("value"),
        help_text=_(
            "Amounts in yuan (2030.00); rates as a fraction (0.12 is 12%); months and days as whole numbers."
        ),
    )

    class Meta:
        model = PolicyParameter
        fields = ["key", "value_text", "effective_from", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None:
            spec = PARAMETERS.get(instance.key)
            shown = instance.value
            if spec is not None and spec.kind == FEN and isinstance(shown, int):
                shown = format_yuan(shown)
            self.fields["value_text"].initial = str(shown)

    def clean_effective_from(self):
        effective_from = self.cleaned_data["effective_from"]
        if effective_from < timezone.localdate():
            raise forms.ValidationError(
                _("A new version cannot take effect in the past: decisions already used the old value.")
            )
        return effective_from

    def clean(self):
        cleaned = super().clean()
        key, text = cleaned.get("key"), cleaned.get("value_text")
        if key and text is not None:
            try:
                raw = parse_yuan(text) if PARAMETERS[key].kind == FEN else text
                cleaned["value"] = clean_policy_value(key, raw)
            except DomainError as error:
                self.add_error("value_text", error.message)
        return cleaned

    def save(self, commit=True):
        self.instance.value = self.cleaned_data["value"]
        return super().save(commit=commit)


@admin.register(PolicyParameter)
class PolicyParameterAdmin(admin.ModelAdmin):
    form = PolicyParameterForm
    list_display = ["key", "shown_value", "effective_from", "in_force", "created_by", "created_at"]
    list_filter = ["key"]
    search_fields = ["key", "note"]
    ordering = ["key", "-effective_from"]

    @admin.display(description=_("value"))
    def shown_value(self, obj):
        spec = PARAMETERS.get(obj.key)
        if spec is not None and spec.kind == FEN and isinstance(obj.value, int):
            return _("%(amount)s yuan") % {"amount": format_yuan(obj.value)}
        return obj.value

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj):
        return obj.effective_from <= timezone.localdate()

    @staticmethod
    def _is_in_force(obj) -> bool:
        return obj is not None and obj.effective_from <= timezone.localdate()

    def get_readonly_fields(self, request, obj=None):
        if self._is_in_force(obj):
            # Only the note may be corrected on a version decisions may already have used.
            return ["key", "shown_value", "effective_from", "created_by", "created_at"]
        return ["created_by", "created_at"]

    def get_fields(self, request, obj=None):
        if self._is_in_force(obj):
            return ["key", "shown_value", "effective_from", "note", "created_by", "created_at"]
        return ["key", "value_text", "effective_from", "note", "created_by", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._is_in_force(obj):
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_actions(self, request):
        # The bulk delete would bypass the per-version check below.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if self._is_in_force(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
