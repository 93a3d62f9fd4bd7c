from datetime import date

import pytest
from django.utils import timezone

from approvals.models import ApplicationStatus
from approvals.services import approve_case, claim_case, submit_application
from audit.models import AuditEvent
from inspection.rules.base import HIGH
from inspection.rules.shared_property import PropertySharedByUnrelated
from integrations.gov import ports
from integrations.gov.fakes import FakeRealEstate
from tests.approvals.factories import account_with_deposits, staff_user

pytestmark = pytest.mark.django_db

PROPERTY = "XM-2024-0001234"


def home(*owners):
    return ports.Property(
        property_id=PROPERTY,
        region_code="350203",
        address="思明区某路1号",
        kind=ports.NEW_HOME,
        contract_on=date(2024, 5, 1),
        title_on=None,
        price=300_000_000,
        loan_amount=200_000_000,
        full_payment=False,
        owners=owners,
    )


def depositor():
    return account_with_deposits(today=timezone.localdate(), months=12).person


def apply_for_purchase(person, amount=1_000_000):
    return submit_application(
        kind="withdrawal",
        reason="PURCHASE_IN_CITY",
        applicant=person,
        channel="WEB",
        payload={"property_id": PROPERTY, "amount": amount},
        actor=None,
    )


def decided_event(application) -> AuditEvent:
    return AuditEvent.objects.get(action="approvals.application_decided", target_id=str(application.pk))


class TestPropertySharedByUnrelated:
    def test_is_quiet_when_the_registered_co_owners_both_withdraw(self, sources):
        buyer, co_owner = depositor(), depositor()
        sources(real_estate=FakeRealEstate(properties=[home(buyer.id_number, co_owner.id_number)]))
        apply_for_purchase(buyer)
        second = apply_for_purchase(co_owner)

        findings = PropertySharedByUnrelated().on_event(decided_event(second))

        assert second.status == ApplicationStatus.APPROVED
        assert findings == []

    def test_reports_someone_outside_the_buyers_household_approved_on_the_same_property(self, sources):
        buyer, outsider = depositor(), depositor()
        sources(real_estate=FakeRealEstate(properties=[home(buyer.id_number)]))
        first = apply_for_purchase(buyer)
        # The registry does not answer for the second applicant: the case goes to staff, who approve.
        sources(real_estate=FakeRealEstate(unavailable=True))
        second = apply_for_purchase(outsider)
        reviewer = staff_user(username="reviewer")
        case = claim_case(case=second.review_case, actor=reviewer)
        approve_case(case=case, actor=reviewer, reason="购房合同与亲属关系证明已核")
        event = AuditEvent.objects.filter(action="approvals.case_approve").latest("sequence")

        findings = PropertySharedByUnrelated().on_event(event)

        assert first.status == ApplicationStatus.APPROVED
        assert len(findings) == 1
        finding = findings[0]
        assert (finding.rule, finding.severity) == ("property_shared_by_unrelated", HIGH)
        assert finding.subject.startswith("property:")
        assert PROPERTY not in finding.subject
        assert finding.evidence["unrelated_groups"] == 2
        assert [a["application"] for a in finding.evidence["applications"]] == [first.pk, second.pk]
        assert finding.evidence["property"] == "XM-2*******1234"
        assert outsider.id_number not in str(finding)

    def test_the_sweep_reports_the_same_property_once(self, sources):
        buyer, outsider = depositor(), depositor()
        sources(real_estate=FakeRealEstate(properties=[home(buyer.id_number)]))
        apply_for_purchase(buyer)
        sources(real_estate=FakeRealEstate(unavailable=True))
        second = apply_for_purchase(outsider)
        reviewer = staff_user(username="reviewer")
        approve_case(case=claim_case(case=second.review_case, actor=reviewer), actor=reviewer, reason="已核")

        findings = PropertySharedByUnrelated().sweep(day=timezone.localdate())

        assert len(findings) == 1
