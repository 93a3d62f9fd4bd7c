"""Staff see how much 秒批 decides without them, how fast, why the rest is referred or rejected, and
how each government source behaved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import ApplicationStatus, DecisionRecord
from integrations.models import GovQuery
from tests.approvals.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
NOT_RETIRED = {
    "code": "NOT_RETIRED",
    "zh_hans": "社保部门没有您的退休记录。",
    "en": "Social security has no record of your retirement.",
}
UNKNOWN = {
    "code": "RETIREMENT_UNKNOWN",
    "zh_hans": "社保部门暂时无法查询。",
    "en": "Social security did not answer.",
}
_STATUS = {"APPROVE": "APPROVED", "REJECT": "REJECTED", "REFER": "REFERRED"}


def decided(outcome, *, channel="WEB", ms=100, reason=None, days_ago=1):
    at = timezone.now() - timedelta(days=days_ago)
    status = _STATUS[outcome]
    application = ApplicationFactory(
        status=status,
        channel=channel,
        decided_at=None if status == ApplicationStatus.REFERRED else at,
        submitted_at=at,
    )
    results = [{"rule": "RETIRED", "status": "PASS", "reason": None}]
    if reason is not None:
        results = [
            {"rule": "RETIRED", "status": "FAIL" if outcome == "REJECT" else "UNKNOWN", "reason": reason}
        ]
    return DecisionRecord.objects.create(
        application=application,
        subject=application.applicant,
        purpose="APPLICATION",
        channel=channel,
        rule_set="RETIREMENT",
        rule_set_version=1,
        applied_on=at.date(),
        results=results,
        decision_ms=ms,
        outcome=outcome,
        decided_at=at,
    )


def query(outcome="OK", latency=40):
    GovQuery.objects.create(
        source="social_security",
        operation="retirement",
        purpose="application:x",
        requested_by="system",
        started_at=timezone.now() - timedelta(days=1),
        latency_ms=latency,
        outcome=outcome,
    )


@pytest.fixture
def seeded():
    decided("APPROVE", ms=80)
    decided("APPROVE", channel="APP", ms=120)
    decided("REJECT", ms=90, reason=NOT_RETIRED)
    decided("REFER", ms=900, reason=UNKNOWN)
    decided("APPROVE", days_ago=60)  # outside the default period
    for latency in (30, 40, 50):
        query(latency=latency)
    query(outcome="UNAVAILABLE", latency=800)


class TestDashboard:
    def test_shows_the_share_decided_automatically_and_the_decision_times(self, client, clerk, seeded):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-dashboard"), headers=ENGLISH)

        figures = response.context["figures"]
        assert figures.decisions == 4
        assert response.context["overall"] == {"percent": 75.0, "width": 75}
        assert (figures.p50_ms, figures.p99_ms) == (90, 900)
        assert "75.0%" in response.text

    def test_breaks_the_share_down_by_channel(self, client, clerk, seeded):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-dashboard"), headers=ENGLISH)

        by_channel = {row["name"]: (row["automatic"], row["total"]) for row in response.context["by_channel"]}
        assert by_channel == {"APP": (1, 1), "WEB": (2, 3)}

    def test_names_the_referral_and_rejection_reasons_in_plain_language(self, client, clerk, seeded):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-dashboard"), headers=ENGLISH)

        assert response.context["rejections"] == [
            {"code": "NOT_RETIRED", "count": 1, "text": "Social security has no record of your retirement."}
        ]
        assert response.context["referrals"][0]["code"] == "RETIREMENT_UNKNOWN"
        assert "社保部门没有您的退休记录。" in client.get(reverse("web:staff-dashboard")).text

    def test_reports_each_source_s_availability_and_latency(self, client, clerk, seeded):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-dashboard"), headers=ENGLISH)

        source = response.context["sources"][0]
        assert source["figures"].calls == 4
        assert source["percent"] == 75.0
        assert source["figures"].p50_ms == 40

    def test_takes_the_period_from_the_query(self, client, clerk, seeded):
        client.force_login(clerk)
        today = timezone.localdate()

        response = client.get(
            reverse("web:staff-dashboard"),
            {"since": (today - timedelta(days=90)).isoformat(), "until": today.isoformat()},
        )

        assert response.context["figures"].decisions == 5

    def test_falls_back_to_the_last_30_days_for_a_reversed_period(self, client, clerk, seeded):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-dashboard"), {"since": "2026-05-01", "until": "2026-01-01"})

        assert response.context["invalid_period"] is True
        assert response.context["figures"].decisions == 4

    def test_counts_eligibility_checks_apart_from_applications(self, client, clerk, seeded):
        check = decided("APPROVE", ms=60)
        DecisionRecord.objects.create(
            subject=check.subject,
            purpose="PRECHECK",
            channel="WECHAT",
            rule_set="RETIREMENT",
            rule_set_version=1,
            applied_on=check.applied_on,
            results=check.results,
            decision_ms=70,
            outcome="APPROVE",
            decided_at=check.decided_at,
        )
        client.force_login(clerk)

        applications = client.get(reverse("web:staff-dashboard"), headers=ENGLISH)
        prechecks = client.get(reverse("web:staff-dashboard"), {"of": "prechecks"}, headers=ENGLISH)

        assert applications.context["figures"].decisions == 5
        assert prechecks.context["figures"].decisions == 1
        assert [row["name"] for row in prechecks.context["by_channel"]] == ["WECHAT"]
        assert "Eligibility checks decided" in prechecks.text

    def test_is_closed_to_an_employee(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:staff-dashboard"))

        assert response.status_code == 403
