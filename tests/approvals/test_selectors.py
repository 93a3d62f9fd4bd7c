from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from approvals.selectors import (
    applications_of,
    case_detail,
    percentile,
    review_queue,
    straight_through_figures,
)
from approvals.services import approve_case, claim_case, submit_application
from core.calendar import add_working_days
from integrations.gov import ports
from integrations.gov.fakes import FakePublicSecurity, FakeSocialSecurity
from integrations.models import GovQuery
from tests.approvals.factories import ELSEWHERE, referred_case, sealed_account, staff_user

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


class TestPercentile:
    def test_takes_the_nearest_rank(self):
        values = list(range(1, 101))

        assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50, 95, 99)

    def test_is_none_for_no_values(self):
        assert percentile([], 50) is None


class TestReviewQueue:
    def test_groups_cases_by_reason_with_the_working_days_left(self):
        due_soon = referred_case(reason="RETIREMENT", due_on=add_working_days(MONDAY, 1))
        due_later = referred_case(reason="RETIREMENT", due_on=add_working_days(MONDAY, 3))
        overdue = referred_case(reason="RENT", due_on=MONDAY - timedelta(days=3))

        groups = review_queue(today=MONDAY)

        assert [group.reason for group in groups] == ["RENT", "RETIREMENT"]
        rent, retirement = groups
        assert [item.case for item in retirement.items] == [due_soon, due_later]
        assert [item.working_days_left for item in retirement.items] == [1, 3]
        assert rent.items[0].case == overdue
        assert rent.items[0].overdue
        assert rent.items[0].working_days_left < 0
        assert rent.overdue == 1

    def test_filters_by_reason_and_leaves_decided_cases_out(self):
        reviewer = staff_user()
        decided = claim_case(case=referred_case(reason="RENT"), actor=reviewer)
        approve_case(case=decided, actor=reviewer, reason="ok")
        waiting = referred_case(reason="RENT")
        referred_case(reason="RETIREMENT")

        groups = review_queue(reason="RENT", today=MONDAY)

        assert [[item.case for item in group.items] for group in groups] == [[waiting]]


class TestCaseDetail:
    def test_shows_the_decisions_actions_and_queries_of_the_case(self):
        case = referred_case()
        reviewer = staff_user()
        claim_case(case=case, actor=reviewer)
        approve_case(case=case, actor=reviewer, reason="ok")

        detail = case_detail(case)

        assert [d.purpose for d in detail.decisions] == ["APPLICATION", "REVIEW"]
        assert detail.automatic.sources == {
            "social_security.retirement": {"outcome": "UNAVAILABLE", "latency_ms": 3}
        }
        assert [a.action for a in detail.actions] == ["CLAIM", "APPROVE"]


class TestApplicationsOf:
    def test_shows_each_application_with_its_timeline(self):
        case = referred_case()
        reviewer = staff_user()
        claim_case(case=case, actor=reviewer)
        approve_case(case=case, actor=reviewer, reason="材料齐全")

        (timeline,) = applications_of(case.application.applicant)

        assert [event.what for event in timeline.events] == ["SUBMITTED", "DECIDED", "CLAIMED", "APPROVED"]
        assert timeline.events[1].reasons[0]["code"] == "RETIREMENT_UNKNOWN"
        assert timeline.events[-1].reasons[0]["zh_hans"] == "材料齐全"


class TestStraightThroughFigures:
    def test_reports_shares_times_reasons_and_source_availability(self, sources):
        today = timezone.localdate()
        approved = sealed_account(today=today, sealed_months_ago=7).person
        referred = sealed_account(today=today, sealed_months_ago=8).person
        rejected = sealed_account(today=today, sealed_months_ago=2).person
        hukou = ports.HukouRecord(region_code=ELSEWHERE, since=date(1990, 1, 1))
        sources(
            public_security=FakePublicSecurity(hukou={p.id_number: hukou for p in (approved, rejected)}),
            social_security=FakeSocialSecurity(),
        )
        for person, channel in ((approved, "WEB"), (rejected, "APP")):
            submit_application(
                kind="withdrawal",
                reason="LEAVING_CITY",
                applicant=person,
                channel=channel,
                payload={},
                actor=None,
            )
        sources(public_security=FakePublicSecurity(unavailable=True))
        submit_application(
            kind="withdrawal",
            reason="LEAVING_CITY",
            applicant=referred,
            channel="WEB",
            payload={},
            actor=None,
        )
        referred_case(reason="RETIREMENT")
        now = timezone.now()
        GovQuery.objects.bulk_create(
            GovQuery(
                source="public_security",
                operation="hukou",
                purpose="test",
                requested_by="test",
                started_at=now,
                latency_ms=latency,
                outcome=outcome,
            )
            for outcome, latency in (("OK", 10), ("NOT_FOUND", 20), ("UNAVAILABLE", 2000))
        )

        figures = straight_through_figures(since=now - timedelta(hours=1), until=now + timedelta(hours=1))

        assert figures.decisions == 4
        assert (figures.overall.automatic, figures.overall.total) == (2, 4)
        assert figures.by_reason["LEAVING_CITY"].automatic == 2
        assert figures.by_reason["LEAVING_CITY"].total == 3
        assert figures.by_channel["APP"].share == 1.0
        assert figures.p50_ms is not None and figures.p99_ms >= figures.p50_ms
        assert dict(figures.referral_reasons)["HUKOU_UNKNOWN"] == 1
        assert len(figures.rejection_reasons) == 1
        (source,) = figures.sources
        assert (source.source, source.calls, source.answered, source.unavailable) == (
            "public_security",
            3,
            2,
            1,
        )
        assert source.availability == pytest.approx(2 / 3)
        assert source.p99_ms == 2000

    def test_counts_nothing_outside_the_period(self):
        referred_case()
        since = datetime(2020, 1, 1, tzinfo=timezone.get_current_timezone())

        figures = straight_through_figures(since=since, until=since + timedelta(days=1))

        assert figures.decisions == 0
        assert figures.overall.share is None
        assert figures.p50_ms is None
