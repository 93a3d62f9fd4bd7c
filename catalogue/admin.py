"""Admin for the service catalogue: staff keep the published items up to date.

Every save goes through ``catalogue.services`` so the audit log records who changed which field
from what to what. Items are never deleted: apps and printed guides refer to their codes, so an
item that no longer applies is withdrawn (unpublished) instead.
"""

from django import forms
from django.contrib import admin, messages
from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from catalogue.models import Channel, ServiceItem
from catalogue.selectors import entry_point_path
from catalogue.services import save_service_item, set_service_items_published


class ServiceItemForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "category",
            "name",
            "name_en",
            "display_order",
            "published",
            "materials",
            "materials_en",
            "notes",
            "notes_en",
            "office",
            "office_en",
            "time_limit_days",
            "fully_online",
            "instant",
            "online_url_name",
            "online_url_argument",
            "appointment_service",
            "channels",
        ]

    def clean_channels(self):
        chosen = set(self.cleaned_data["channels"])
        return [value for value in Channel.values if value in chosen]

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("online_url_name") or ""
        argument = cleaned.get("online_url_argument") or ""
        if argument and not name:
            self.add_error("online_url_argument", _("An argument needs an entry point to go with it."))
        elif name:
            try:
                entry_point_path(url_name=name, argument=argument)
            except NoReverseMatch:
                self.add_error(
                    "online_url_name",
                    _("There is no portal page of that name taking that argument: check the spelling."),
                )
        if cleaned.get("instant") and cleaned.get("time_limit_days"):
            self.add_error(
                "time_limit_days", _("A service approved in seconds is done on the spot: enter 0.")
            )
        return cleaned


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    form = ServiceItemForm
    list_display = [
        "code",
        "name",
        "category",
        "time_limit_days",
        "fully_online",
        "instant",
        "online_url_name",
        "display_order",
        "published",
        "updated_at",
    ]
    list_editable = ["display_order", "published"]
    list_filter = ["category", "published", "fully_online", "instant"]
    search_fields = ["code", "name", "name_en", "notes", "notes_en"]
    ordering = ["category", "display_order", "code"]
    readonly_fields = ["updated_at"]
    actions = ["publish", "withdraw"]
    fieldsets = [
        (None, {"fields": ["code", "category", "name", "name_en", "display_order", "published"]}),
        (
            _("What it needs"),
            {"fields": ["materials", "materials_en", "notes", "notes_en"]},
        ),
        (
            _("Who handles it and how fast"),
            {"fields": ["office", "office_en", "time_limit_days", "fully_online", "instant"]},
        ),
        (
            _("Where to do it"),
            {"fields": ["online_url_name", "online_url_argument", "appointment_service", "channels"]},
        ),
        (None, {"fields": ["updated_at"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = {field: form.initial.get(field) for field in form.changed_data} if change else None
        save_service_item(item=obj, actor=request.user, before=before)

    @admin.action(description=_("Publish the selected items"), permissions=["change"])
    def publish(self, request, queryset):
        changed = set_service_items_published(
            codes=queryset.values_list("code", flat=True), published=True, actor=request.user
        )
        self.message_user(
            request, _("Items published: %(count)s.") % {"count": len(changed)}, messages.SUCCESS
        )

    @admin.action(description=_("Withdraw the selected items from the public"), permissions=["change"])
    def withdraw(self, request, queryset):
        changed = set_service_items_published(
            codes=queryset.values_list("code", flat=True), published=False, actor=request.user
        )
        self.message_user(
            request, _("Items withdrawn: %(count)s.") % {"count": len(changed)}, messages.SUCCESS
        )
