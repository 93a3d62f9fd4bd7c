"""Many newcomers at the cap base on a unit's monthly list (finance, medium).

A unit that suddenly lists people it did not list the month before, many of them at the cap
base (缴存基数上限, policy ``deposit.base.cap``), may be selling places on its payroll: a few
months of large deposits buy a person a fund loan (挂靠缴存). The rule looks at a monthly list
when it is submitted (or imported) and compares it with the unit's list for the month before.
A unit with no list the month before counts everyone as new.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from audit.models import AuditEvent
from core.crypto import mask_name
from core.money import format_yuan
from core.policy import policy_value
from deposits.models import HOLDING_STATUSES, DepositLine, DepositList, ListKind
from inspection.rules._common import day_bounds, target_pk, threshold
from inspection.rules.base import FINANCE, MEDIUM, Finding

BASE_CAP = "deposit.base.cap"
#: Names shown in the evidence, masked; the counts are always whole.
EVIDENCE_LIMIT = 20


def _previous_month(period: date) -> date:
    return date(period.year - 1, 12, 1) if period.month == 1 else date(period.year, period.month - 1, 1)


class CapBaseNewcomers:
    code = "cap_base_newcomers"
    family = FINANCE
    severity = MEDIUM
    actions = frozenset({"deposits.list_submitted", "deposits.list_imported"})

    def title(self) -> str:
        return _("Many newcomers at the cap base on a unit's list")

    def on_event(self, event: AuditEvent) -> list[Finding]:
        pk = target_pk(event, DepositList)
        deposit_list = DepositList.objects.select_related("employer").filter(pk=pk).first() if pk else None
        return self._check(deposit_list) if deposit_list is not None else []

    def sweep(self, *, day: date) -> list[Finding]:
        start, end = day_bounds(day)
        lists = DepositList.objects.select_related("employer").filter(
            kind=ListKind.MONTHLY, submitted_at__gte=start, submitted_at__lt=end
        )
        return [finding for deposit_list in lists.order_by("pk") for finding in self._check(deposit_list)]

    def _check(self, deposit_list: DepositList) -> list[Finding]:
        if deposit_list.kind != ListKind.MONTHLY:
            return []
        min_people = threshold("CAP_BASE_NEWCOMERS_MIN", 5)
        min_percent = threshold("CAP_BASE_NEWCOMERS_PERCENT", 30)
        previous = (
            DepositList.objects.filter(
                employer_id=deposit_list.employer_id,
                kind=ListKind.MONTHLY,
                period=_previous_month(deposit_list.period),
                status__in=HOLDING_STATUSES,
            )
            .order_by("-pk")
            .first()
        )
        known = (
            set(DepositLine.objects.filter(deposit_list=previous).values_list("account_id", flat=True))
            if previous
            else set()
        )
        cap = policy_value(BASE_CAP, on=deposit_list.period)
        newcomers = [
            line
            for line in DepositLine.objects.filter(deposit_list=deposit_list)
            .select_related("account__person")
            .order_by("row_no")
            if line.account_id not in known
        ]
        at_cap = [line for line in newcomers if line.base >= cap]
        if len(at_cap) < min_people or len(at_cap) * 100 < min_percent * len(newcomers):
            return []
        employer = deposit_list.employer
        evidence = {
            "deposit_list": deposit_list.pk,
            "unit": employer.name,
            "unit_account_no": employer.unit_account_no,
            "period": f"{deposit_list.period:%Y-%m}",
            "previous_list": previous.pk if previous else None,
            "rows": DepositLine.objects.filter(deposit_list=deposit_list).count(),
            "newcomers": len(newcomers),
            "newcomers_at_cap": len(at_cap),
            "cap_fen": cap,
            "people": [
                {
                    "account": line.account.account_no,
                    "name": mask_name(line.account.person.name),
                    "base_fen": line.base,
                }
                for line in at_cap[:EVIDENCE_LIMIT]
            ],
        }
        title = _("%(unit)s lists %(count)s newcomers at the cap base of %(cap)s yuan for %(period)s") % {
            "unit": employer.name,
            "count": len(at_cap),
            "cap": format_yuan(cap),
            "period": f"{deposit_list.period:%Y-%m}",
        }
        return [
            Finding(
                rule=self.code,
                severity=self.severity,
                subject=f"deposit-list:{deposit_list.pk}",
                title=title,
                evidence=evidence,
            )
        ]
