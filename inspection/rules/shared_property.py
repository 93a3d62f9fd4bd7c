"""One property used for withdrawals by unrelated people (approval, high).

A purchase withdrawal names the property (``property_id`` in the application). Several people
may draw on one home only as its buyers or their family. The facts the decisions recorded link
applicants: the registered buyers (the home was in their own or their spouse's registry records,
``property.relation``) belong together, and so do spouses of the marriage record
(``spouse_index`` in the private facts). Applicants left in more than one group on one property
within the window make an alert — typically a "parent" or "child" whose kinship staff accepted
on documents, since no data source proves kinship. Applications rejected or withdrawn do not
count: nothing was drawn.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from accounts.models import Person
from approvals.models import Application, ApplicationStatus, DecisionRecord
from audit.models import AuditEvent
from core.crypto import blind_index, mask_id_number, mask_name
from inspection.rules._common import day_bounds, mask_reference, target_pk, threshold
from inspection.rules.base import APPROVAL, HIGH, Finding

WINDOW_DAYS = "SHARED_PROPERTY_WINDOW_DAYS"
#: The decision found the home in the applicant's own or their spouse's registry records.
BUYER_RELATIONS = ("self", "spouse")
COUNTED_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.REFERRED, ApplicationStatus.APPROVED)


def _property_of(application: Application) -> str:
    value = (application.payload or {}).get("property_id")
    return value.strip() if isinstance(value, str) else ""


class PropertySharedByUnrelated:
    code = "property_shared_by_unrelated"
    family = APPROVAL
    severity = HIGH
    actions = frozenset({"approvals.application_decided", "approvals.case_approve"})

    def title(self) -> str:
        return _("One property used for withdrawals by unrelated people")

    def on_event(self, event: AuditEvent) -> list[Finding]:
        pk = target_pk(event, Application) or (event.data or {}).get("application")
        application = Application.objects.filter(pk=pk).first() if pk else None
        if application is None or not _property_of(application):
            return []
        return self._check(_property_of(application), around=application.submitted_at)

    def sweep(self, *, day: date) -> list[Finding]:
        start, end = day_bounds(day)
        seen, findings = set(), []
        for application in Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end).order_by(
            "pk"
        ):
            property_id = _property_of(application)
            if property_id and property_id not in seen:
                seen.add(property_id)
                findings += self._check(property_id, around=end)
        return findings

    def _check(self, property_id: str, *, around) -> list[Finding]:
        window = timedelta(days=threshold(WINDOW_DAYS, 365))
        applications = list(
            Application.objects.filter(
                payload__property_id=property_id,
                status__in=COUNTED_STATUSES,
                submitted_at__gt=around - window,
                submitted_at__lte=around + window,
            )
            .select_related("applicant")
            .order_by("submitted_at", "pk")
        )
        people = {application.applicant_id: application.applicant for application in applications}
        groups = _related_groups(people, [application.pk for application in applications])
        if len(groups) < 2:
            return []
        evidence = {
            "property": mask_reference(property_id),
            "window_days": window.days,
            "unrelated_groups": len(groups),
            "applications": [
                {
                    "application": application.pk,
                    "reason": application.reason,
                    "status": application.status,
                    "submitted_at": application.submitted_at.isoformat(),
                    "applicant": mask_name(application.applicant.name),
                    "applicant_id_number": mask_id_number(application.applicant.id_number),
                    "amount_fen": (application.payload or {}).get("amount"),
                }
                for application in applications
            ],
        }
        title = _(
            "Property %(property)s: withdrawals by %(people)s people in %(groups)s unrelated households"
        ) % {
            "property": mask_reference(property_id),
            "people": len(people),
            "groups": len(groups),
        }
        # Keyed by the property's keyed hash: the subject names it without showing it.
        subject = f"property:{blind_index(property_id)[:32]}"
        return [
            Finding(rule=self.code, severity=self.severity, subject=subject, title=title, evidence=evidence)
        ]


def _related_groups(people: dict[int, Person], application_ids: list[int]) -> list[set[int]]:
    """The applicants in groups of people the decisions' facts link: the property's registered
    buyers (the home was found in their own records or their spouse's) form one group, and a
    spouse of the marriage record joins their partner's."""
    person_of_index = {person.id_number_index: pk for pk, person in people.items()}
    # 0 stands for "the registered buyers"; person keys are positive.
    parent = {pk: pk for pk in [0, *people]}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    records = DecisionRecord.objects.filter(application_id__in=application_ids).values_list(
        "subject_id", "facts", "private_facts"
    )
    for subject_id, facts, private in records:
        if subject_id not in parent:
            continue
        home = (facts or {}).get("property")
        if isinstance(home, dict) and home.get("relation") in BUYER_RELATIONS:
            parent[root(subject_id)] = root(0)
        spouse = person_of_index.get((private or {}).get("spouse_index") or "")
        if spouse is not None:
            parent[root(subject_id)] = root(spouse)
    groups: dict[int, set[int]] = {}
    for pk in people:
        groups.setdefault(root(pk), set()).add(pk)
    return list(groups.values())
