from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from approvals.models import DecisionRecord
from approvals.selectors import (
    applications_of,
    case_detail,
    explained_reasons,
    percentile,
    review_queue,
    straight_through_figures,
)
from approvals.services import approve_case, claim_case, submit_application
from core.calendar import add_working_days
from integrations.gov import ports
from integrations.gov.fakes import FakePublicSecurity, FakeSocialSecurity
from integrations.models import GovQuery
from tests.approvals.factories import ELSEWHERE, ApplicationFactory, referred_case, sealed_account, staff_user

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


UNSEALED = {"code": "ACCOUNT_NOT_SEALED", "zh_hans": "账户未封存。", "en": "The account is not sealed."}
HUKOU = {
    "code": "HUKOU_UNKNOWN",
    "zh_hans": "公安部门暂时无法查询。",
    "en": "Public security did not answer.",
}


def _decision(outcome, results, **fields):
    return DecisionRecord(outcome=outcome, results=results, purpose="APPLICATION", **fields)


class TestExplainedReasons:
    def test_gives_the_failing_rules_of_a_rejection_once_per_code(self):
        decision = _decision(
            "REJECT",
            [
                {"rule": "SEALED", "status": "FAIL", "reason": UNSEALED},
                {"rule": "SEALED_MONTHS", "status": "FAIL", "reason": UNSEALED},
                {"rule": "HUKOU", "status": "UNKNOWN", "reason": HUKOU},
            ],
        )

        assert explained_reasons(decision, language="en") == [
            {"code": "ACCOUNT_NOT_SEALED", "message": "The account is not sealed."}
        ]

    def test_gives_the_undecided_rules_of_a_referral_in_chinese_unless_english(self):
        decision = _decision(
            "REFER",
            [
                {"rule": "SEALED", "status": "PASS", "reason": None},
                {"rule": "HUKOU", "status": "UNKNOWN", "reason": HUKOU},
            ],
        )

        assert explained_reasons(decision, language="zh-hans") == [
            {"code": "HUKOU_UNKNOWN", "message": "公安部门暂时无法查询。"}
        ]
        assert explained_reasons(decision, language=None)[0]["message"] == "公安部门暂时无法查询。"

    def test_gives_nothing_for_an_approval(self):
        decision = _decision("APPROVE", [{"rule": "SEALED", "status": "PASS", "reason": None}])

        assert explained_reasons(decision, language="en") == []

    def test_gives_the_reviewer_s_reason_for_a_review_decision(self):
        decision = _decision("REJECT", [{"rule": "SEALED", "status": "FAIL", "reason": UNSEALED}])
        decision.purpose = "REVIEW"
        decision.note = "材料不全"

        assert explained_reasons(decision, language="en") == [{"code": "REVIEWER", "message": "材料不全"}]


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
        GovQuery.objects.all().delete()  # the submissions' own calls: only the rows below are counted
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
        assert set(figures.reason_texts) == {code for code, _count in figures.referral_reasons} | {
            code for code, _count in figures.rejection_reasons
        }
        assert all(figures.reason_texts.values())
        (source,) = figures.sources
        assert (source.source, source.calls, source.answered, source.unavailable) == (
            "public_security",
            3,
            2,
            1,
        )
        assert source.availability == pytest.approx(2 / 3)
        assert source.p99_ms == 2000

    def test_words_each_reason_as_the_latest_decision_did_in_the_language_asked(self):
        now = timezone.now()
        for minutes_ago, text in ((20, "旧的说法"), (10, "新的说法")):
            application = ApplicationFactory()
            DecisionRecord.objects.create(
                application=application,
                subject=application.applicant,
                purpose="APPLICATION",
                channel="WEB",
                rule_set="RETIREMENT",
                rule_set_version=1,
                applied_on=now.date(),
                results=[
                    {
                        "rule": "RETIRED",
                        "status": "UNKNOWN",
                        "reason": {"code": "RETIREMENT_UNKNOWN", "zh_hans": text, "en": f"{text} in English"},
                    }
                ],
                decision_ms=5,
                outcome="REFER",
                decided_at=now - timedelta(minutes=minutes_ago),
            )
        period = {"since": now - timedelta(hours=1), "until": now + timedelta(hours=1)}

        chinese = straight_through_figures(**period, language="zh-hans")
        english = straight_through_figures(**period, language="en")

        assert chinese.referral_reasons == [("RETIREMENT_UNKNOWN", 2)]
        assert chinese.reason_texts == {"RETIREMENT_UNKNOWN": "新的说法"}
        assert english.reason_texts == {"RETIREMENT_UNKNOWN": "新的说法 in English"}

    def test_counts_nothing_outside_the_period(self):
        referred_case()
        since = datetime(2020, 1, 1, tzinfo=timezone.get_current_timezone())

        figures = straight_through_figures(since=since, until=since + timedelta(days=1))

        assert figures.decisions == 0
        assert figures.overall.share is None
        assert figures.p50_ms is None
