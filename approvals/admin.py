"""Admin console for approvals: every decision's full trace, read-only; declared conflicts editable.

Applications, decision records, review cases and actions change only through
``approvals.services`` (which lock, check the state and write the audit event); here staff look.
A decision shows its facts, the parameter versions it used, each rule's outcome and the sources
asked with their outcome and latency. Conflicts of interest are data staff declare themselves.
"""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from approvals.models import (
    Application,
    ConflictOfInterest,
    DecisionRecord,
    ReviewAction,
    ReviewCase,
)
from core.admin import ReadOnlyAdmin


def _pretty(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


class DecisionInline(admin.TabularInline):
    model = DecisionRecord
    fields = ["purpose", "outcome", "rule_set", "rule_set_version", "decision_ms", "decided_at", "decided_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "reason", "status", "channel", "submitted_at", "decided_at", "due_on"]
    list_filter = ["status", "kind", "reason", "channel"]
    date_hierarchy = "submitted_at"
    fields = [
        "kind",
        "reason",
        "applicant",
        "channel",
        "payload",
        "status",
        "submitted_at",
        "decided_at",
        "due_on",
    ]
    readonly_fields = fields
    inlines = [DecisionInline]


@admin.register(DecisionRecord)
class DecisionRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "purpose",
        "rule_set",
        "rule_set_version",
        "outcome",
        "decision_ms",
        "channel",
        "decided_at",
    ]
    list_filter = ["purpose", "outcome", "rule_set", "channel"]
    date_hierarchy = "decided_at"
    list_select_related = ["decided_by"]
    fields = [
        "application",
        "subject",
        "purpose",
        "channel",
        "rule_set",
        "rule_set_version",
        "applied_on",
        "outcome",
        "decision_ms",
        "amount_limit",
        "decided_at",
        "decided_by",
        "note",
        "query_purpose",
        "replay_of",
        "facts_trace",
        "parameters_trace",
        "results_trace",
        "sources_trace",
    ]
    readonly_fields = fields

    @admin.display(description=_("facts"))
    def facts_trace(self, obj):
        return _pretty(obj.facts)

    @admin.display(description=_("parameters"))
    def parameters_trace(self, obj):
        return _pretty(obj.parameters)

    @admin.display(description=_("rule results"))
    def results_trace(self, obj):
        return _pretty(obj.results)

    @admin.display(description=_("sources"))
    def sources_trace(self, obj):
        return _pretty(obj.sources)


class ReviewActionInline(admin.TabularInline):
    model = ReviewAction
    fields = ["action", "actor", "reason", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewCase)
class ReviewCaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "application", "status", "due_on", "claimed_by", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["application", "claimed_by", "decided_by"]
    fields = [
        "application",
        "status",
        "opened_at",
        "due_on",
        "claimed_by",
        "claimed_at",
        "decided_by",
        "decided_at",
        "reason",
    ]
    readonly_fields = fields
    inlines = [ReviewActionInline]


@admin.register(ReviewAction)
class ReviewActionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "action", "actor", "at"]
    list_filter = ["action"]
    list_select_related = ["case", "actor"]
    fields = ["case", "action", "actor", "reason", "at"]
    readonly_fields = fields


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ["pk", "staff", "person", "relation", "declared_at"]
    list_filter = ["relation"]
    list_select_related = ["staff", "person"]
    raw_id_fields = ["staff", "person"]
    fields = ["staff", "person", "relation", "note", "declared_at"]
    readonly_fields = ["declared_at"]
