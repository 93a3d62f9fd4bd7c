"""The auditors' pages: the alert list (refreshed every 15 s), one alert with its evidence, events and
history and the forms to work it, and the daily audit reports with their PDF.

Auditors and administrators work alerts; the director and deputy directors read them; any other
role gets 403.
"""

from datetime import date
from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import ADMIN, STAFF_AUDITOR, roles_of
from core.exceptions import DomainError
from inspection import selectors, services
from inspection.models import AlertActionKind, AlertStatus, Family, Severity
from inspection.registry import active_rules
from inspection.report import build_daily_report, report_pdf
from inspection.rules.base import FAMILIES, SEVERITIES
from web.access import audience
from web.certificates import pdf_attachment

PER_PAGE = 50
REFRESH_SECONDS = 15
readers_only = audience(roles=services.READING_ROLES)
workers_only = audience(roles=services.WORKING_ROLES)


@rules.predicate
def reads_alerts(user) -> bool:
    return services.may_read_alerts(user)


# For templates ({% test_rule "web.read_alerts" user %}): the staff console links here for them.
rules.set_rule("web.read_alerts", reads_alerts)

STATUS_FILTERS = {
    "live": gettext_lazy("Not closed"),
    AlertStatus.OPEN: gettext_lazy("Open"),
    AlertStatus.ACKNOWLEDGED: gettext_lazy("Acknowledged"),
    AlertStatus.CLOSED: pgettext_lazy("alert status", "Closed"),
    "": gettext_lazy("All"),
}
SEVERITY_LABELS = dict(Severity.choices)
FAMILY_LABELS = dict(Family.choices)
ACTION_LABELS = dict(AlertActionKind.choices)


def audit_event_url(sequence) -> str:
    """The audit log's page of one event, or "" while that page does not exist."""
    try:
        return reverse("web:staff-audit-event", kwargs={"sequence": sequence})
    except NoReverseMatch:
        return ""


def _choice(params, name: str, allowed, default: str = "") -> str:
    value = params.get(name, default)
    return value if value in allowed else default


def _filters(params) -> dict:
    return {
        "status": _choice(params, "status", STATUS_FILTERS, "live"),
        "severity": _choice(params, "severity", SEVERITIES),
        "family": _choice(params, "family", FAMILIES),
        "rule": (params.get("rule") or "")[:64],
        "owner": _owner_filter(params.get("owner", "")),
    }


def _rule_titles() -> dict[str, str]:
    titles = {}
    for rule in active_rules():
        try:
            titles[rule.code] = str(rule.title())
        except Exception:
            titles[rule.code] = rule.code
    return titles


def _owner_filter(value: str) -> str:
    return value if value == "none" or value.isdigit() else ""


def _alert_row(alert, titles: dict[str, str] | None = None) -> dict:
    return {
        "alert": alert,
        "rule_title": (titles or {}).get(alert.rule, ""),
        "severity_label": SEVERITY_LABELS.get(alert.severity, alert.severity),
        "family_label": FAMILY_LABELS.get(alert.family, alert.family),
        "status_label": alert.get_status_display(),
        "owner": alert.owner.get_username() if alert.owner_id else "",
    }


def _list_context(request) -> dict:
    filters = _filters(request.GET)
    titles = _rule_titles()
    page = Paginator(selectors.alerts_query(**filters), PER_PAGE).get_page(request.GET.get("page"))
    counts = selectors.alert_counts()
    query = urlencode({name: value for name, value in filters.items() if value})
    return {
        "rows": [_alert_row(alert, titles) for alert in page.object_list],
        "page": page,
        "filters": filters,
        "query": query,
        "statuses": [
            {"value": value, "label": label, "count": _status_count(counts["status"], value)}
            for value, label in STATUS_FILTERS.items()
        ],
        "severities": [
            {"value": value, "label": SEVERITY_LABELS[value], "count": counts["severity"].get(value, 0)}
            for value in reversed(SEVERITIES)
        ],
        "families": [
            {"value": value, "label": FAMILY_LABELS[value], "count": counts["family"].get(value, 0)}
            for value in FAMILIES
        ],
        "owners": _workers(),
        "refresh_seconds": REFRESH_SECONDS,
    }


def _status_count(by_status: dict, value: str) -> int:
    if value == "live":
        return by_status.get(AlertStatus.OPEN, 0) + by_status.get(AlertStatus.ACKNOWLEDGED, 0)
    if value == "":
        return sum(by_status.values())
    return by_status.get(value, 0)


def _workers() -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[STAFF_AUDITOR, ADMIN])
        .distinct()
        .order_by("username")
    )


@readers_only
def alerts(request):
    context = _list_context(request)
    # htmx asks every 15 s for the list alone; the page around it stays as it is.
    template = "web/staff/inspection/_alert_list.html" if request.htmx else "web/staff/inspection/alerts.html"
    return render(request, template, context)


@readers_only
def alert_detail(request, pk: int):
    return _render_detail(request, pk)


def _render_detail(request, pk: int, *, error: DomainError | None = None, status: int = 200):
    alert = selectors.alert_of(pk)
    if alert is None:
        raise Http404
    events = [
        {"event": event, "url": audit_event_url(event.sequence)} for event in selectors.alert_events(alert)
    ]
    history = [
        {"action": action, "label": ACTION_LABELS.get(action.action, action.action)}
        for action in selectors.alert_history(alert)
    ]
    return render(
        request,
        "web/staff/inspection/alert.html",
        {
            **_alert_row(alert, _rule_titles()),
            "evidence": alert.evidence or [],
            "events": events,
            "history": history,
            "can_work": services.may_work_alerts(request.user),
            "workers": [user for user in _workers() if user.pk != alert.owner_id],
            "error": error,
        },
        status=status,
    )


def _act(request, pk: int, work, done: str):
    try:
        work()
    except DomainError as error:
        return _render_detail(request, pk, error=error, status=400)
    messages.success(request, done)
    return redirect("web:staff-alert", pk=pk)


@workers_only
@require_POST
def acknowledge(request, pk: int):
    note = request.POST.get("note", "")
    return _act(
        request,
        pk,
        lambda: services.acknowledge_alert(alert_id=pk, actor=request.user, note=note),
        _("The alert is acknowledged."),
    )


@workers_only
@require_POST
def assign(request, pk: int):
    assignee = request.POST.get("assignee", "")
    note = request.POST.get("note", "")
    return _act(
        request,
        pk,
        lambda: services.assign_alert(
            alert_id=pk,
            actor=request.user,
            assignee_id=int(assignee) if assignee.isdigit() else 0,
            note=note,
        ),
        _("The alert is assigned."),
    )


@workers_only
@require_POST
def comment(request, pk: int):
    note = request.POST.get("note", "")
    return _act(
        request,
        pk,
        lambda: services.comment_on_alert(alert_id=pk, actor=request.user, note=note),
        _("Your comment is added."),
    )


@workers_only
@require_POST
def close(request, pk: int):
    note = request.POST.get("note", "")
    return _act(
        request,
        pk,
        lambda: services.close_alert(alert_id=pk, actor=request.user, note=note),
        _("The alert is closed."),
    )


@workers_only
@require_POST
def reopen(request, pk: int):
    note = request.POST.get("note", "")
    return _act(
        request,
        pk,
        lambda: services.reopen_alert(alert_id=pk, actor=request.user, note=note),
        _("The alert is open again."),
    )


@readers_only
def reports(request):
    page = Paginator(selectors.reports_query(), PER_PAGE).get_page(request.GET.get("page"))
    can_build = bool(roles_of(request.user) & services.WORKING_ROLES)
    return render(
        request,
        "web/staff/inspection/reports.html",
        {"page": page, "can_build": can_build, "today": timezone.localdate()},
    )


@workers_only
@require_POST
def build_report(request):
    """An auditor need not wait for the night: build (again) a day's report with the figures true now."""
    try:
        day = date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        messages.error(request, _("Give the day as YYYY-MM-DD."))
        return redirect("web:staff-audit-reports")
    if day > timezone.localdate():
        messages.error(request, _("A report is built for today or a day before, not a day to come."))
        return redirect("web:staff-audit-reports")
    build_daily_report(day=day)
    messages.success(
        request, _("The report for %(day)s is built with the figures as they stand now.") % {"day": day}
    )
    return redirect("web:staff-audit-report", day=day.isoformat())


def _report(day: str):
    try:
        on = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    report = selectors.report_of(on)
    if report is None:
        raise Http404
    return report


@readers_only
def report(request, day: str):
    report = _report(day)
    figures = report.figures
    return render(
        request,
        "web/staff/inspection/report.html",
        {
            "report": report,
            "finance": figures["finance"],
            "network": figures["network"],
            "approval": figures["approval"],
            "alerts": figures["alerts"],
            "payouts": [
                {"label": label, **figures["finance"]["payouts"][key]}
                for key, label in (
                    ("created", pgettext("payouts", "Created")),
                    ("sent", _("Sent to the bank")),
                    ("paid", _("Paid")),
                    ("failed", _("Failed")),
                )
            ],
            "alert_rules": _alert_rules(figures["alerts"]),
            "severities": [
                {
                    "label": SEVERITY_LABELS[value],
                    "raised": figures["alerts"]["raised_by_severity"].get(value, 0),
                    "closed": figures["alerts"]["closed_by_severity"].get(value, 0),
                }
                for value in reversed(SEVERITIES)
            ],
        },
    )


def _alert_rules(alerts: dict) -> list[dict]:
    rules = sorted(
        set(alerts["raised_by_rule"]) | set(alerts["acknowledged_by_rule"]) | set(alerts["closed_by_rule"])
    )
    return [
        {
            "rule": rule,
            "raised": alerts["raised_by_rule"].get(rule, 0),
            "acknowledged": alerts["acknowledged_by_rule"].get(rule, 0),
            "closed": alerts["closed_by_rule"].get(rule, 0),
        }
        for rule in rules
    ]


@readers_only
def report_download(request, day: str):
    report = _report(day)
    return pdf_attachment(report_pdf(report), filename=f"audit-report-{report.day.isoformat()}.pdf")
