"""The staff's audit log pages: search the hash-chained log, read one event, export a search.

Auditors, section chiefs, deputy directors, directors and administrators read the log; a clerk
does not (the log records the clerks' own work). Pages hold the newest events first and page by
sequence (``before`` / ``after``), never by counting the table.
"""

import csv
import json

import rules
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.roles import (
    ADMIN,
    STAFF_AUDITOR,
    STAFF_DEPUTY_DIRECTOR,
    STAFF_DIRECTOR,
    STAFF_SECTION_CHIEF,
    roles_of,
)
from audit import selectors
from audit.exports import EXPORT_LIMIT, export_audit_events
from audit.models import AuditEvent
from web.access import audience

PER_PAGE = 50
AUDIT_LOG_ROLES = frozenset(
    {STAFF_AUDITOR, STAFF_DIRECTOR, STAFF_DEPUTY_DIRECTOR, STAFF_SECTION_CHIEF, ADMIN}
)
audit_log_readers = audience(roles=AUDIT_LOG_ROLES)


@rules.predicate
def reads_audit_log(user) -> bool:
    return bool(roles_of(user) & AUDIT_LOG_ROLES)


# For templates ({% test_rule "web.read_audit_log" user %}): the staff console links here for them.
rules.set_rule("web.read_audit_log", reads_audit_log)

CHANNEL_LABELS = {
    "web": _("Web pages"),
    "api": _("API (mobile and partner apps)"),
    "sms": _("12329 text"),
    "ivr": _("12329 phone"),
    "admin": _("Admin console"),
    "system": _("System (scheduled tasks, commands)"),
}
CSV_COLUMNS = (
    "sequence",
    "occurred_at",
    "actor",
    "actor_roles",
    "action",
    "target_type",
    "target_id",
    "target",
    "summary",
    "changes",
    "channel",
    "source_ip",
    "request_id",
    "hash",
)


class AuditSearchForm(forms.Form):
    text = forms.CharField(label=_("Text"), required=False, max_length=100)
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.CharField(
        label=_("Action starts with"), required=False, max_length=100, help_text=_("For example withdrawals.")
    )
    target_type = forms.ChoiceField(label=_("Record type"), required=False)
    target_id = forms.CharField(label=_("Record ID"), required=False, max_length=64)
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Any channel")), *CHANNEL_LABELS.items()],
    )
    source_ip = forms.GenericIPAddressField(label=_("Source IP"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput({"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_type"].choices = [("", _("Any record")), *selectors.target_types_query()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned

    def search(self) -> selectors.AuditSearch:
        data = {
            name: value.strip() if isinstance(value, str) else value
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }
        return selectors.AuditSearch(**data)


@audit_log_readers
def search(request):
    form = AuditSearchForm(request.GET or None)
    page = None
    if not request.GET or form.is_valid():
        audit_search = form.search() if request.GET else selectors.AuditSearch()
        page = selectors.audit_page_query(
            audit_search,
            before=_sequence(request.GET.get("before")),
            after=_sequence(request.GET.get("after")),
            limit=PER_PAGE,
        )
    filters = request.GET.copy()
    for name in ("before", "after"):
        filters.pop(name, None)
    return render(
        request,
        "web/staff/audit/search.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(event) for event in page.events] if page else [],
            "filters": filters.urlencode(),
            "filter_items": [(name, value) for name, value in filters.items() if value],
            "export_limit": EXPORT_LIMIT,
        },
    )


@audit_log_readers
def event(request, sequence: int):
    try:
        found = selectors.audit_event_query(sequence=sequence)
    except AuditEvent.DoesNotExist:
        raise Http404 from None
    data = dict(found.data or {})
    changes = data.pop("changes", None) or {}
    return render(
        request,
        "web/staff/audit/event.html",
        {
            "event": found,
            "row": _row(found),
            "check": selectors.event_check_query(found),
            "changes": [
                {"field": name, "before": _text(before), "after": _text(after)}
                for name, (before, after) in changes.items()
            ],
            "data": json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) if data else "",
        },
    )


@audit_log_readers
@require_POST
def export(request):
    form = AuditSearchForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "web/staff/audit/search.html",
            {"form": form, "page": None, "rows": [], "filter_items": [], "export_limit": EXPORT_LIMIT},
            status=400,
        )
    events = export_audit_events(actor=request.user, search=form.search())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Chinese text correctly only with the BOM
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for each in events:
        row = _row(each)
        writer.writerow(
            [
                _cell(value)
                for value in (
                    each.sequence,
                    timezone.localtime(each.occurred_at).isoformat(),
                    each.actor_label,
                    each.actor_roles,
                    each.action,
                    row["target_type"],
                    each.target_id,
                    each.target_repr,
                    each.summary,
                    json.dumps((each.data or {}).get("changes", {}), ensure_ascii=False),
                    each.channel,
                    each.source_ip or "",
                    each.request_id,
                    each.hash,
                )
            ]
        )
    return response


def _row(event: AuditEvent) -> dict:
    target_type = ""
    if event.target_type_id is not None:
        content_type = ContentType.objects.get_for_id(event.target_type_id)
        target_type = f"{content_type.app_label}.{content_type.model}"
    return {
        "event": event,
        "target_type": target_type,
        "channel": CHANNEL_LABELS.get(event.channel, event.channel),
        "roles": event.actor_roles.split(",") if event.actor_roles else [],
    }


def _sequence(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _cell(value) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: quote such a cell."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
