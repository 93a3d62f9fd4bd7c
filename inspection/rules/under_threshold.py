"""Withdrawals just under a threshold, again and again (approval, medium).

Someone who learns where a line is drawn and stays just below it, application after
application, is splitting or shaping withdrawals to avoid a check. The lines are the rent cap
per month (policy ``withdrawal.rent.monthly_cap``, compared with the amount per month of the
period applied for) and the fixed amounts of ``INSPECTION_UNDER_THRESHOLD_AMOUNTS`` (fen; by
default 50,000 yuan, the line of the central bank's large cash transaction report, 大额现金交易).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from approvals.models import Application, ApplicationStatus
from audit.models import AuditEvent
from core.crypto import mask_id_number, mask_name
from core.money import format_yuan
from core.policy import policy_value
from inspection.rules._common import day_bounds, target_pk, threshold
from inspection.rules.base import APPROVAL, MEDIUM, Finding

WITHDRAWAL = "withdrawal"
RENT = "RENT"
RENT_MONTHLY_CAP = "withdrawal.rent.monthly_cap"


def _settings():
    return (
        threshold("UNDER_THRESHOLD_MIN_COUNT", 3),
        timedelta(days=threshold("UNDER_THRESHOLD_WINDOW_DAYS", 90)),
        threshold("UNDER_THRESHOLD_MARGIN_PERCENT", 5),
        tuple(threshold("UNDER_THRESHOLD_AMOUNTS", (5_000_000,))),
    )


def _near_line(application: Application, *, margin_percent: int, amounts: tuple[int, ...]) -> int | None:
    """The line (fen) the application's amount sits just under, or None."""
    payload = application.payload or {}
    amount = payload.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return None
    candidates = [(amount, line) for line in amounts]
    if application.reason == RENT:
        months = payload.get("period_months", 1)
        months = months if isinstance(months, int) and not isinstance(months, bool) and months > 0 else 1
        cap = policy_value(RENT_MONTHLY_CAP, on=application.submitted_at.date())
        # Compared per month, so a quarterly application is judged like three monthly ones.
        candidates.append((amount // months, cap))
    for value, line in candidates:
        # value in [line × (1 − margin), line): integers only, no float.
        if line > 0 and line * (100 - margin_percent) <= value * 100 and value < line:
            return line
    return None


class WithdrawalsUnderThreshold:
    code = "withdrawals_under_threshold"
    family = APPROVAL
    severity = MEDIUM
    actions = frozenset({"approvals.application_decided"})

    def title(self) -> str:
        return _("Withdrawals repeatedly just under a threshold")

    def on_event(self, event: AuditEvent) -> list[Finding]:
        pk = target_pk(event, Application)
        application = Application.objects.select_related("applicant").filter(pk=pk).first() if pk else None
        if application is None or application.kind != WITHDRAWAL:
            return []
        return self._check(application.applicant, until=application.submitted_at)

    def sweep(self, *, day: date) -> list[Finding]:
        start, end = day_bounds(day)
        applicants = (
            Application.objects.filter(kind=WITHDRAWAL, submitted_at__gte=start, submitted_at__lt=end)
            .select_related("applicant")
            .order_by("applicant_id")
            .distinct()
        )
        seen, findings = set(), []
        for application in applicants:
            if application.applicant_id not in seen:
                seen.add(application.applicant_id)
                findings += self._check(application.applicant, until=end)
        return findings

    def _check(self, person, *, until) -> list[Finding]:
        min_count, window, margin, amounts = _settings()
        near = []
        applications = (
            Application.objects.filter(
                applicant=person, kind=WITHDRAWAL, submitted_at__gt=until - window, submitted_at__lte=until
            )
            .exclude(status=ApplicationStatus.WITHDRAWN)
            .order_by("submitted_at", "pk")
        )
        for application in applications:
            line = _near_line(application, margin_percent=margin, amounts=amounts)
            if line is not None:
                near.append((application, line))
        if len(near) < min_count:
            return []
        evidence = {
            "applicant": mask_name(person.name),
            "applicant_id_number": mask_id_number(person.id_number),
            "window_days": window.days,
            "margin_percent": margin,
            "applications": [
                {
                    "application": application.pk,
                    "reason": application.reason,
                    "status": application.status,
                    "submitted_at": application.submitted_at.isoformat(),
                    "amount_fen": application.payload.get("amount"),
                    "threshold_fen": line,
                }
                for application, line in near
            ],
        }
        title = _("%(person)s applied %(count)s times within %(days)s days just under %(line)s yuan") % {
            "person": mask_name(person.name),
            "count": len(near),
            "days": window.days,
            "line": format_yuan(near[-1][1]),
        }
        return [
            Finding(
                rule=self.code,
                severity=self.severity,
                subject=f"person:{person.pk}",
                title=title,
                evidence=evidence,
            )
        ]
