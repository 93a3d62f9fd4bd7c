"""Channel apps list the employee's applications with their timelines and run the 秒批 pre-check."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from approvals.models import DecisionRecord
from approvals.services import approve_case, claim_case
from integrations.gov import ports
from integrations.gov.fakes import FakeSocialSecurity
from tests.approvals.factories import referred_case, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(employee):
    client = APIClient()
    client.force_authenticate(employee)
    return client


def _precheck(api, reason="RETIREMENT", **headers):
    return api.post(reverse("api:me-eligibility"), {"reason": reason}, format="json", headers=headers)


class TestMyApplications:
    def test_lists_each_application_with_its_timeline(self, api, employee_account):
        case = referred_case(applicant=employee_account.person)
        reviewer = staff_user()
        claim_case(case=case, actor=reviewer)
        approve_case(case=case, actor=reviewer, reason="证明材料齐全")

        response = api.get(reverse("api:me-applications"))

        assert response.status_code == 200
        application = response.json()[0]
        assert application["reason"] == "RETIREMENT"
        assert application["status"] == "APPROVED"
        assert [e["event"] for e in application["timeline"]] == [
            "SUBMITTED",
            "DECIDED",
            "CLAIMED",
            "APPROVED",
        ]
        assert application["timeline"][1]["outcome"] == "REFERRED"
        assert application["timeline"][3]["reasons"] == [{"code": "REVIEWER", "message": "证明材料齐全"}]

    def test_never_names_the_reviewer(self, api, employee_account):
        case = referred_case(applicant=employee_account.person)
        claim_case(case=case, actor=staff_user(username="reviewer-wang"))

        response = api.get(reverse("api:me-applications"))

        assert "reviewer-wang" not in response.content.decode()

    def test_is_empty_for_an_employee_without_applications(self, api):
        response = api.get(reverse("api:me-applications"))

        assert response.json() == []

    def test_is_refused_to_an_operator_without_a_fund_account(self, preparer):
        client = APIClient()
        client.force_authenticate(preparer)

        response = client.get(reverse("api:me-applications"))

        assert response.status_code == 403
        assert response.json()["code"] == "PERMISSION_DENIED"


class TestMyEligibility:
    def test_approves_a_retiree_with_the_largest_amount_in_yuan(self, api, employee_account, sources):
        sources(
            social_security=FakeSocialSecurity(
                retirement={employee_account.person.id_number: ports.RetirementRecord(retired=True)}
            )
        )

        response = _precheck(api)

        assert response.status_code == 200
        assert response.json() == {
            "outcome": "APPROVED",
            "reasons": [],
            "max_amount": "4800.00",
            "decision_ms": response.json()["decision_ms"],
        }

    def test_gives_the_reasons_for_a_rejection_in_the_request_s_language(self, api, sources):
        chinese = _precheck(api)
        english = _precheck(api, **{"Accept-Language": "en"})

        assert chinese.json()["outcome"] == "REJECTED"
        assert chinese.json()["reasons"][0]["code"] == "NOT_RETIRED"
        assert "社保部门" in chinese.json()["reasons"][0]["message"]
        assert english.json()["reasons"][0]["message"].startswith("Social security has no record")

    def test_refers_when_the_source_does_not_answer(self, api, sources):
        sources(social_security=FakeSocialSecurity(unavailable=True))

        response = _precheck(api)

        assert response.json()["outcome"] == "REFERRED"
        assert response.json()["reasons"][0]["code"] == "RETIREMENT_UNKNOWN"

    def test_records_the_channel_named_in_the_header(self, api, employee_account, sources):
        _precheck(api, **{"X-Channel": "WECHAT"})

        decision = DecisionRecord.objects.get(subject=employee_account.person)
        assert (decision.purpose, decision.channel) == ("PRECHECK", "WECHAT")

    def test_defaults_the_channel_to_api(self, api, employee_account, sources):
        _precheck(api)

        assert DecisionRecord.objects.get(subject=employee_account.person).channel == "API"

    def test_refuses_an_unknown_reason_in_the_error_shape(self, api, sources):
        response = _precheck(api, reason="HOLIDAY")

        assert response.status_code == 400
        assert response.json()["code"] == "UNKNOWN_REASON"
        assert response.json()["errors"] == [
            {"field": "reason", "code": "UNKNOWN_REASON", "message": response.json()["detail"]}
        ]

    def test_refuses_an_unknown_channel_in_the_error_shape(self, api, sources):
        response = _precheck(api, **{"X-Channel": "FAX"})

        assert response.status_code == 400
        assert response.json()["code"] == "INVALID_APPLICATION"

    def test_names_the_missing_reason_field(self, api):
        response = api.post(reverse("api:me-eligibility"), {}, format="json")

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "reason"
