from datetime import date

import pytest
from django.utils import timezone

from approvals.models import ApplicationStatus
from approvals.services import submit_application
from audit.models import AuditEvent
from inspection.rules.base import MEDIUM
from inspection.rules.under_threshold import WithdrawalsUnderThreshold, _near_line
from integrations.gov import ports
from integrations.gov.fakes import FakeRealEstate
from tests.approvals.factories import ApplicationFactory, account_with_deposits, deposit_on

pytestmark = pytest.mark.django_db

PROPERTIES = ("XM-0001", "XM-0002", "XM-0003")


def home(owner, property_id):
    return ports.Property(
        property_id=property_id,
        region_code="350203",
        address="湖里区某路8号",
        kind=ports.NEW_HOME,
        contract_on=date(2024, 5, 1),
        title_on=None,
        price=300_000_000,
        loan_amount=200_000_000,
        full_payment=False,
        owners=(owner,),
    )


@pytest.fixture
def owner_of_three_homes(sources):
    today = timezone.localdate()
    account = account_with_deposits(today=today, months=12)
    deposit_on(account, today, 20_000_000)
    person = account.person
    sources(real_estate=FakeRealEstate(properties=[home(person.id_number, p) for p in PROPERTIES]))
    return person


def withdraw_for_each_home(person, amount):
    return [
        submit_application(
            kind="withdrawal",
            reason="PURCHASE_IN_CITY",
            applicant=person,
            channel="WEB",
            payload={"property_id": property_id, "amount": amount},
            actor=None,
        )
        for property_id in PROPERTIES
    ]


def last_decision() -> AuditEvent:
    return AuditEvent.objects.filter(action="approvals.application_decided").latest("sequence")


class TestWithdrawalsUnderThreshold:
    def test_is_quiet_on_repeated_withdrawals_well_below_any_line(self, owner_of_three_homes):
        applications = withdraw_for_each_home(owner_of_three_homes, 3_000_000)

        findings = WithdrawalsUnderThreshold().on_event(last_decision())

        assert {a.status for a in applications} == {ApplicationStatus.APPROVED}
        assert findings == []

    def test_reports_three_withdrawals_just_under_fifty_thousand_yuan(self, owner_of_three_homes):
        applications = withdraw_for_each_home(owner_of_three_homes, 4_990_000)

        findings = WithdrawalsUnderThreshold().on_event(last_decision())

        assert {a.status for a in applications} == {ApplicationStatus.APPROVED}
        assert len(findings) == 1
        finding = findings[0]
        assert (finding.rule, finding.severity) == ("withdrawals_under_threshold", MEDIUM)
        assert finding.subject == f"person:{owner_of_three_homes.pk}"
        assert [(a["amount_fen"], a["threshold_fen"]) for a in finding.evidence["applications"]] == [
            (4_990_000, 5_000_000)
        ] * 3
        assert owner_of_three_homes.id_number not in str(finding)

    def test_a_lower_line_from_settings_counts_too(self, owner_of_three_homes, settings):
        settings.INSPECTION_UNDER_THRESHOLD_AMOUNTS = (3_100_000,)
        withdraw_for_each_home(owner_of_three_homes, 3_000_000)

        findings = WithdrawalsUnderThreshold().sweep(day=timezone.localdate())

        assert [finding.subject for finding in findings] == [f"person:{owner_of_three_homes.pk}"]


class TestNearLine:
    def test_judges_a_quarterly_rent_application_per_month(self):
        # 3 × 1,790 yuan: each month just under the 1,800 yuan rent cap.
        application = ApplicationFactory(reason="RENT", payload={"amount": 537_000, "period_months": 3})

        line = _near_line(application, margin_percent=5, amounts=())

        assert line == 180_000

    def test_an_amount_at_the_line_is_not_under_it(self):
        application = ApplicationFactory(reason="RENT", payload={"amount": 180_000, "period_months": 1})

        line = _near_line(application, margin_percent=5, amounts=())

        assert line is None
