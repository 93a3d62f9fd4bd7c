"""Applications and pre-checks of a person who has locked withdrawals; old decisions still replay."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.services import lock_withdrawals, request_unlock
from approvals.models import ApplicationStatus, DecisionRecord
from approvals.replay import replay_decisions
from approvals.services import (
    ApplicantLockedWithdrawals,
    approve_case,
    check_eligibility,
    claim_case,
    reject_case,
    submit_application,
)
from integrations.gov import ports
from integrations.gov.fakes import FakePublicSecurity, FakeSocialSecurity
from tests.approvals.factories import ELSEWHERE, referred_case, sealed_account, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(sources):
    """A non-local leaver sealed 7 months: approved in seconds unless something refuses."""
    person = sealed_account(today=timezone.localdate(), sealed_months_ago=7).person
    hukou = ports.HukouRecord(region_code=ELSEWHERE, since=date(1990, 1, 1))
    sources(
        public_security=FakePublicSecurity(hukou={person.id_number: hukou}),
        social_security=FakeSocialSecurity(),
    )
    return person


def apply(person):
    return submit_application(
        kind="withdrawal", reason="LEAVING_CITY", applicant=person, channel="WEB", payload={}, actor=None
    )


class TestSubmitApplicationWhileLocked:
    def test_rejects_it_with_the_lock_as_the_reason(self, leaver):
        lock_withdrawals(person=leaver, actor=None)

        application = apply(leaver)

        assert application.status == ApplicationStatus.REJECTED
        decision = application.decisions.get()
        assert decision.facts["withdrawal_locked"] is True
        assert {"rule": "WITHDRAWALS_NOT_LOCKED", "status": "FAIL"}.items() <= decision.results[0].items()

    def test_still_rejects_it_while_an_unlock_is_cooling_off(self, leaver):
        lock_withdrawals(person=leaver, actor=None)
        request_unlock(person=leaver, actor=None)

        application = apply(leaver)

        assert application.status == ApplicationStatus.REJECTED

    def test_approves_it_once_the_cooling_off_has_passed(self, leaver, settings):
        settings.WITHDRAWAL_UNLOCK_COOLING_OFF_HOURS = 0
        lock_withdrawals(person=leaver, actor=None)
        request_unlock(person=leaver, actor=None)

        application = apply(leaver)

        assert application.status == ApplicationStatus.APPROVED
        assert application.decisions.get().facts["withdrawal_locked"] is False


class TestCheckEligibilityWhileLocked:
    def test_tells_the_person_they_locked_withdrawals(self, leaver):
        lock_withdrawals(person=leaver, actor=None)

        check = check_eligibility(reason="LEAVING_CITY", person=leaver, channel="WEB", actor=None)

        assert check.outcome == "REJECT"
        assert "WITHDRAWALS_NOT_LOCKED" in {result["rule"] for result in check.results}


class TestReplayOfDecisionsMadeBeforeTheLock:
    def test_replays_them_unchanged(self, leaver):
        today = check_eligibility(reason="LEAVING_CITY", person=leaver, channel="WEB", actor=None)
        # Written as version 1 wrote it: no lock fact among the facts, no lock rule among the results.
        before = DecisionRecord.objects.create(
            subject=leaver,
            purpose=today.purpose,
            channel=today.channel,
            rule_set=today.rule_set,
            rule_set_version=1,
            applied_on=today.applied_on,
            parameters=today.parameters,
            facts={key: value for key, value in today.facts.items() if key != "withdrawal_locked"},
            private_facts={},
            results=[result for result in today.results if result["rule"] != "WITHDRAWALS_NOT_LOCKED"],
            sources=today.sources,
            decision_ms=5,
            outcome=today.outcome,
        )

        report = replay_decisions(
            since=timezone.localdate() - timedelta(days=1), overrides={}, include_prechecks=True
        )

        (replayed,) = [item for item in report.replayed if item.decision_id == before.pk]
        assert report.skipped == 0
        assert replayed.old_outcome == replayed.new_outcome == "APPROVE"
        assert replayed.changed_rules == ()


class TestReviewWhileLocked:
    def test_refuses_to_approve_a_case_referred_before_the_lock(self):
        case = referred_case()
        reviewer = staff_user()
        claim_case(case=case, actor=reviewer)
        lock_withdrawals(person=case.application.applicant, actor=None)

        with pytest.raises(ApplicantLockedWithdrawals):
            approve_case(case=case, actor=reviewer, reason="材料齐全")

        case.application.refresh_from_db()
        assert case.application.status == ApplicationStatus.REFERRED

    def test_still_lets_staff_reject_it(self):
        case = referred_case()
        reviewer = staff_user()
        claim_case(case=case, actor=reviewer)
        lock_withdrawals(person=case.application.applicant, actor=None)

        reject_case(case=case, actor=reviewer, reason="申请人已锁定提取")

        case.application.refresh_from_db()
        assert case.application.status == ApplicationStatus.REJECTED
