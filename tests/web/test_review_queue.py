"""Staff work the review queue: see each referred case's deadline, read its trace, claim and decide it."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from accounts import roles
from accounts.roles import ensure_roles
from approvals.models import ApplicationStatus, CaseStatus, ConflictOfInterest
from tests.accounts.factories import UserFactory
from tests.approvals.factories import referred_case, staff_with_person

pytestmark = pytest.mark.django_db

# A Wednesday with no public holiday near it: Friday is two working days away.
TODAY = "2026-11-25 10:00:00+08:00"
ENGLISH = {"accept-language": "en"}


def _with_role(user, role):
    user.groups.add(ensure_roles()[role])
    return user


@pytest.fixture
def auditor(db):
    return _with_role(UserFactory(username="auditor", is_staff=True), roles.STAFF_AUDITOR)


@pytest.fixture
def case():
    return referred_case(due_on=date(2026, 11, 27))


def _act(client, case, action, **data):
    return client.post(reverse("web:staff-review-act", args=[case.pk, action]), data, headers=ENGLISH)


@freeze_time(TODAY)
class TestReviewQueue:
    def test_lists_a_referred_case_under_its_reason_with_its_sla_countdown(self, client, clerk, case):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-review-queue"), headers=ENGLISH)

        assert response.status_code == 200
        group = response.context["groups"][0]
        assert group["reason"] == "RETIREMENT"
        assert group["rows"][0]["case"] == case
        assert "2 working days left" in response.text
        assert case.application.applicant.id_number not in response.text

    def test_marks_an_overdue_case_in_red(self, client, clerk):
        referred_case(due_on=date(2026, 11, 24))
        client.force_login(clerk)

        response = client.get(reverse("web:staff-review-queue"), headers=ENGLISH)

        row = response.context["groups"][0]["rows"][0]
        assert row["sla"] == "overdue by 1 working day"
        assert row["urgent"] is True
        assert 'class="sla urgent"' in response.text

    def test_shows_only_the_cases_the_reviewer_claimed_when_asked(self, client, clerk, case):
        other = referred_case(reason="RENT")
        client.force_login(clerk)
        _act(client, case, "claim")

        response = client.get(reverse("web:staff-review-queue"), {"mine": "1"})

        cases = [row["case"] for group in response.context["groups"] for row in group["rows"]]
        assert cases == [case]
        assert other not in cases

    def test_filters_by_reason(self, client, clerk, case):
        rent = referred_case(reason="RENT")
        client.force_login(clerk)

        response = client.get(reverse("web:staff-review-queue"), {"reason": "RENT"})

        assert [row["case"] for group in response.context["groups"] for row in group["rows"]] == [rent]

    def test_is_closed_to_an_employee(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:staff-review-queue"))

        assert response.status_code == 403

    def test_reads_the_page_in_as_many_queries_for_six_cases_as_for_two(self, client, clerk):
        client.force_login(clerk)
        for reason in ("RETIREMENT", "RENT"):
            referred_case(reason=reason, due_on=date(2026, 11, 27))
        with CaptureQueriesContext(connection) as two:
            client.get(reverse("web:staff-review-queue"))
        for reason in ("RETIREMENT", "RENT", "RETIREMENT", "RENT"):
            referred_case(reason=reason, due_on=date(2026, 11, 27))

        with CaptureQueriesContext(connection) as six:
            response = client.get(reverse("web:staff-review-queue"))

        assert response.context["total"] == 6
        assert len(six.captured_queries) == len(two.captured_queries)


@freeze_time(TODAY)
class TestReviewCase:
    def test_shows_the_decision_trace_with_each_rule_source_and_latency(self, client, clerk, case):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-review-case", args=[case.pk]))

        trace = response.context["traces"][0]
        assert trace["results"][0]["rule"] == "RETIRED"
        assert trace["sources"] == [
            ("social_security.retirement", {"outcome": "UNAVAILABLE", "latency_ms": 3})
        ]
        assert 'id="claim-case"' in response.text

    def test_lets_a_clerk_claim_then_approve_with_a_reason(self, client, clerk, case):
        client.force_login(clerk)

        claimed = _act(client, case, "claim")
        approved = _act(client, case, "approve", reason="Retirement certificate seen at the counter.")

        assert claimed.status_code == 302
        assert approved.status_code == 302
        case.refresh_from_db()
        case.application.refresh_from_db()
        assert case.status == CaseStatus.APPROVED
        assert case.decided_by == clerk
        assert case.application.status == ApplicationStatus.APPROVED
        assert case.application.decisions.filter(purpose="REVIEW", decided_by=clerk).exists()

    def test_refuses_an_approval_without_a_reason_and_keeps_the_case(self, client, clerk, case):
        client.force_login(clerk)
        _act(client, case, "claim")

        response = _act(client, case, "approve", reason="   ")

        assert response.status_code == 400
        assert response.context["error"]["code"] == "REASON_REQUIRED"
        assert 'id="action-error"' in response.text
        case.refresh_from_db()
        assert case.status == CaseStatus.CLAIMED
        assert case.application.status == ApplicationStatus.REFERRED

    def test_refuses_the_applicant_as_reviewer_with_the_conflict_message(self, client, case):
        reviewer = _with_role(staff_with_person(person=case.application.applicant), roles.STAFF_CLERK)
        client.force_login(reviewer)

        response = _act(client, case, "claim")

        assert response.status_code == 403
        assert response.context["error"]["code"] == "REVIEWER_CONFLICT"
        assert "You may not review your own application." in response.text
        case.refresh_from_db()
        assert case.status == CaseStatus.OPEN

    def test_keeps_the_typed_reason_when_a_decision_is_refused(self, client, clerk, case):
        client.force_login(clerk)
        _act(client, case, "claim")
        ConflictOfInterest.objects.create(staff=clerk, person=case.application.applicant, relation="RELATIVE")

        response = _act(client, case, "reject", reason="Not retired yet per the counter.")

        assert response.context["error"]["code"] == "REVIEWER_CONFLICT"
        assert "Not retired yet per the counter.</textarea>" in response.text

    def test_lets_the_auditor_read_but_not_act(self, client, auditor, case):
        client.force_login(auditor)

        page = client.get(reverse("web:staff-review-case", args=[case.pk]))
        claim = _act(client, case, "claim")

        assert page.status_code == 200
        assert 'id="claim-case"' not in page.text
        assert claim.status_code == 403
        case.refresh_from_db()
        assert case.status == CaseStatus.OPEN

    def test_is_closed_to_an_employee(self, client, employee, case):
        client.force_login(employee)

        page = client.get(reverse("web:staff-review-case", args=[case.pk]))
        claim = _act(client, case, "claim")

        assert page.status_code == 403
        assert claim.status_code == 403
