import pytest

from approvals.models import ConflictOfInterest
from approvals.services import approve_case, claim_case
from audit.models import AuditEvent
from inspection.rules.base import CRITICAL
from inspection.rules.staff_conflict import SHARED_CARD, SHARED_MOBILE, StaffConflictOfInterest
from loans.approval import accept_loan_application
from tests.accounts.factories import PersonFactory
from tests.approvals.factories import referred_case, staff_with_person
from tests.loans.factories_approval import loan_case

pytestmark = pytest.mark.django_db


def decide(case, reviewer) -> AuditEvent:
    approve_case(case=claim_case(case=case, actor=reviewer), actor=reviewer, reason="材料齐全")
    return AuditEvent.objects.filter(action="approvals.case_approve").latest("sequence")


class TestStaffConflictOfInterest:
    def test_is_quiet_when_the_reviewer_has_no_link_to_the_applicant(self):
        case = referred_case()
        reviewer = staff_with_person(username="reviewer")

        findings = StaffConflictOfInterest().on_event(decide(case, reviewer))

        assert findings == []

    def test_reports_a_reviewer_who_shares_the_applicants_mobile(self):
        applicant = PersonFactory(mobile="13900001111")
        case = referred_case(applicant=applicant)
        reviewer = staff_with_person(PersonFactory(mobile="13900001111"), username="reviewer")

        findings = StaffConflictOfInterest().on_event(decide(case, reviewer))

        assert len(findings) == 1
        finding = findings[0]
        assert (finding.rule, finding.severity) == ("staff_conflict_of_interest", CRITICAL)
        assert finding.subject == f"staff:{reviewer.pk}:review-case:{case.pk}"
        assert [link["relation"] for link in finding.evidence["links"]] == [SHARED_MOBILE]
        assert finding.evidence["links"][0]["party_id_number"] == applicant.masked_id_number
        assert applicant.name not in str(finding)

    def test_reports_a_conflict_declared_after_the_decision(self):
        case = referred_case()
        reviewer = staff_with_person(username="reviewer")
        event = decide(case, reviewer)
        ConflictOfInterest.objects.create(
            staff=reviewer, person=case.application.applicant, relation="RELATIVE"
        )

        findings = StaffConflictOfInterest().on_event(event)

        assert [link["relation"] for link in findings[0].evidence["links"]] == ["DECLARED"]


class TestStaffConflictOfInterestOnLoans:
    def test_reports_a_clerk_accepting_a_loan_whose_co_borrower_shares_their_bank_card(self):
        card = "6222021234567890128"
        clerk = staff_with_person(PersonFactory(bank_card=card, bank_card_last4="0128"), username="clerk")
        co_borrower = PersonFactory(bank_card=card, bank_card_last4="0128")
        loan = loan_case(co_borrower=co_borrower)
        accept_loan_application(loan_id=loan.pk, actor=clerk)
        event = AuditEvent.objects.filter(action="loans.approval_approve").latest("sequence")

        findings = StaffConflictOfInterest().on_event(event)

        assert [finding.subject for finding in findings] == [f"staff:{clerk.pk}:loan-application:{loan.pk}"]
        links = findings[0].evidence["links"]
        assert [(link["party_id_number"], link["relation"]) for link in links] == [
            (co_borrower.masked_id_number, SHARED_CARD)
        ]

    def test_is_quiet_on_a_clerk_with_no_link_to_either_borrower(self):
        clerk = staff_with_person(username="clerk")
        loan = loan_case(co_borrower=PersonFactory())
        accept_loan_application(loan_id=loan.pk, actor=clerk)
        event = AuditEvent.objects.filter(action="loans.approval_approve").latest("sequence")

        findings = StaffConflictOfInterest().on_event(event)

        assert findings == []
