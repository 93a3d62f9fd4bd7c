"""A member of staff deciding their own case or a relative's (approval, critical).

The services refuse such a decision when they can tell (``approvals.services.reviewer_conflict``,
``loans.approval.loan_reviewer_conflict``: the applicant or co-borrower is the reviewer, a person
they declared a conflict with, or the spouse of the marriage record). This rule looks again after
the fact — a conflict declared after the decision, a spouse the civil-affairs source could not
confirm at the claim — and adds what the portal holds about a household: the same registered
mobile or the same bank card as the reviewer's own person record. Same surname plus the same
hukou district is not used: in Xiamen a handful of surnames (陈, 林, 黄) and a handful of districts
cover most people, so it would flag ordinary colleagues far more often than relatives.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Person
from approvals.models import ConflictOfInterest, ReviewCase
from approvals.services import reviewer_conflict
from audit.models import AuditEvent
from core.crypto import mask_id_number, mask_name
from inspection.rules._common import events_of_day, target_pk
from inspection.rules.base import APPROVAL, CRITICAL, Finding
from loans.approval import loan_reviewer_conflict
from loans.models import LoanApplication

CASE_DECISIONS = frozenset({"approvals.case_approve", "approvals.case_reject"})
LOAN_DECISIONS = frozenset({"loans.approval_approve", "loans.approval_return", "loans.approval_reject"})
SHARED_MOBILE = "SHARED_MOBILE"
SHARED_CARD = "SHARED_CARD"
RELATION_LABELS = {
    "SELF": gettext_lazy("their own case"),
    "DECLARED": gettext_lazy("a declared conflict of interest"),
    "SPOUSE": gettext_lazy("their spouse"),
    SHARED_MOBILE: gettext_lazy("the same registered mobile"),
    SHARED_CARD: gettext_lazy("the same bank card"),
}


def _household_links(staff_person: Person | None, parties: list[Person]) -> list[tuple[Person, str]]:
    if staff_person is None:
        return []
    links = []
    for party in parties:
        if party.pk == staff_person.pk:
            continue
        if staff_person.mobile and party.mobile == staff_person.mobile:
            links.append((party, SHARED_MOBILE))
        elif staff_person.bank_card and party.bank_card and party.bank_card == staff_person.bank_card:
            links.append((party, SHARED_CARD))
    return links


def _party_of(relation: str, parties: list[Person], actor) -> Person:
    """Which party (applicant or co-borrower) the services' conflict is about."""
    if relation == "SELF":
        return next((party for party in parties if party.user_id == actor.pk), parties[0])
    if relation == "DECLARED":
        declared = set(
            ConflictOfInterest.objects.filter(staff=actor, person__in=parties).values_list(
                "person_id", flat=True
            )
        )
        return next((party for party in parties if party.pk in declared), parties[0])
    return parties[0]


class StaffConflictOfInterest:
    code = "staff_conflict_of_interest"
    family = APPROVAL
    severity = CRITICAL
    actions = CASE_DECISIONS | LOAN_DECISIONS

    def title(self) -> str:
        return _("Staff decided their own or a relative's case")

    def on_event(self, event: AuditEvent) -> list[Finding]:
        actor = event.actor
        if actor is None:
            return []
        if event.action in CASE_DECISIONS:
            pk = target_pk(event, ReviewCase)
            case = (
                ReviewCase.objects.select_related("application__applicant").filter(pk=pk).first()
                if pk
                else None
            )
            if case is None:
                return []
            relation = reviewer_conflict(application=case.application, actor=actor)
            parties = [case.application.applicant]
            subject = f"staff:{actor.pk}:review-case:{case.pk}"
        elif event.action in LOAN_DECISIONS:
            pk = target_pk(event, LoanApplication)
            loan = (
                LoanApplication.objects.select_related("applicant", "co_borrower").filter(pk=pk).first()
                if pk
                else None
            )
            if loan is None:
                return []
            relation = loan_reviewer_conflict(loan=loan, actor=actor)
            parties = [loan.applicant] + ([loan.co_borrower] if loan.co_borrower_id else [])
            subject = f"staff:{actor.pk}:loan-application:{loan.pk}"
        else:
            return []
        links = [(_party_of(relation, parties, actor), relation)] if relation else []
        links += _household_links(Person.objects.filter(user=actor).first(), parties)
        if not links:
            return []
        evidence = {
            "staff": event.actor_label,
            "staff_user": actor.pk,
            "action": event.action,
            "event": event.sequence,
            "target": event.target_repr,
            "links": [
                {
                    "party": mask_name(party.name),
                    "party_id_number": mask_id_number(party.id_number),
                    "relation": how,
                }
                for party, how in links
            ],
        }
        title = _("%(staff)s decided a case of %(party)s: %(relation)s") % {
            "staff": event.actor_label,
            "party": mask_name(links[0][0].name),
            "relation": RELATION_LABELS.get(links[0][1], links[0][1]),
        }
        return [
            Finding(rule=self.code, severity=self.severity, subject=subject, title=title, evidence=evidence)
        ]

    def sweep(self, *, day: date) -> list[Finding]:
        return [finding for event in events_of_day(day, self.actions) for finding in self.on_event(event)]
