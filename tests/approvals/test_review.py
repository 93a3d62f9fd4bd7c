from datetime import date

import pytest

from accounts import roles
from accounts.models import User
from accounts.roles import ensure_roles
from approvals.models import ApplicationStatus, CaseStatus, ConflictOfInterest, DecisionPurpose, ReviewAction
from approvals.services import (
    CaseNotOpen,
    NotClaimant,
    ReasonRequired,
    ReviewerConflict,
    ReviewerNotPermitted,
    ReviewerNotStaff,
    approve_case,
    claim_case,
    reject_case,
    release_case,
)
from audit.models import AuditEvent
from core.crypto import blind_index
from integrations.gov import ports
from integrations.gov.fakes import FakeCivilAffairs
from tests.accounts.factories import PersonFactory, UserFactory
from tests.approvals.factories import referred_case, staff_user, staff_with_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return referred_case()


@pytest.fixture
def reviewer():
    return staff_user(username="reviewer")


@pytest.fixture
def claimed(case, reviewer):
    return claim_case(case=case, actor=reviewer)


class TestClaimCase:
    def test_gives_an_open_case_to_one_reviewer(self, case, reviewer):
        claimed = claim_case(case=case, actor=reviewer)

        assert claimed.status == CaseStatus.CLAIMED
        assert claimed.claimed_by == reviewer
        assert claimed.claimed_at is not None
        assert list(ReviewAction.objects.values_list("action", "actor")) == [("CLAIM", reviewer.pk)]
        assert AuditEvent.objects.filter(action="approvals.case_claim").count() == 1

    def test_refuses_a_case_someone_has_claimed(self, claimed):
        other = staff_user(username="other")

        with pytest.raises(CaseNotOpen):
            claim_case(case=claimed, actor=other)

    def test_refuses_someone_who_is_not_staff(self, case):
        with pytest.raises(ReviewerNotStaff):
            claim_case(case=case, actor=UserFactory())

    def test_refuses_the_applicant_themselves(self):
        applicant = PersonFactory()
        case = referred_case(applicant=applicant)
        staff = staff_with_person(applicant)

        with pytest.raises(ReviewerConflict) as error:
            claim_case(case=case, actor=staff)

        assert error.value.code == "REVIEWER_CONFLICT"

    def test_refuses_a_reviewer_with_a_declared_conflict(self, case, reviewer):
        ConflictOfInterest.objects.create(
            staff=reviewer, person=case.application.applicant, relation="RELATIVE"
        )

        with pytest.raises(ReviewerConflict):
            claim_case(case=case, actor=reviewer)

    def test_refuses_the_applicant_s_spouse_from_the_recorded_facts(self):
        spouse = PersonFactory()
        case = referred_case(spouse_index=blind_index(spouse.id_number))
        staff = staff_with_person(spouse)

        with pytest.raises(ReviewerConflict):
            claim_case(case=case, actor=staff)

    def test_asks_civil_affairs_for_the_spouse_when_no_decision_looked_the_marriage_up(self, sources):
        spouse = PersonFactory()
        case = referred_case(marriage_checked=False)
        applicant = case.application.applicant
        fakes = sources(
            civil_affairs=FakeCivilAffairs(
                marriages={
                    applicant.id_number: ports.MarriageRecord(
                        ports.MARRIED, spouse.id_number, date(2010, 1, 1)
                    )
                }
            )
        )

        with pytest.raises(ReviewerConflict):
            claim_case(case=case, actor=staff_with_person(spouse))

        assert fakes["civil_affairs"].calls == ["marriage"]

    def test_lets_the_claim_through_and_says_so_when_civil_affairs_does_not_answer(self, sources):
        case = referred_case(marriage_checked=False)
        sources(civil_affairs=FakeCivilAffairs(unavailable=True))

        claimed = claim_case(case=case, actor=staff_with_person())

        assert claimed.status == CaseStatus.CLAIMED
        assert AuditEvent.objects.get(action="approvals.case_claim").data["spouse_check"] == "unavailable"

    def test_does_not_ask_about_a_reviewer_who_is_no_depositor(self, sources, reviewer):
        case = referred_case(marriage_checked=False)
        fakes = sources()

        claim_case(case=case, actor=reviewer)

        assert fakes["civil_affairs"].calls == []

    def test_accepts_a_staff_member_who_is_a_depositor_without_conflict(self, case):
        staff = staff_with_person()

        claimed = claim_case(case=case, actor=staff)

        assert claimed.claimed_by == staff


class TestReviewerPermission:
    def test_refuses_the_auditor_a_claim(self, case):
        auditor = UserFactory(username="auditor", is_staff=True)
        auditor.groups.add(ensure_roles()[roles.STAFF_AUDITOR])

        with pytest.raises(ReviewerNotPermitted) as error:
            claim_case(case=case, actor=auditor)

        assert (error.value.code, error.value.http_status) == ("REVIEWER_NOT_PERMITTED", 403)
        case.refresh_from_db()
        assert case.status == CaseStatus.OPEN
        assert not ReviewAction.objects.exists()

    def test_refuses_a_member_of_staff_without_a_deciding_role(self, case):
        with pytest.raises(ReviewerNotPermitted):
            claim_case(case=case, actor=UserFactory(is_staff=True))

    @pytest.mark.parametrize(
        "act",
        [
            lambda case, actor: release_case(case=case, actor=actor),
            lambda case, actor: approve_case(case=case, actor=actor, reason="ok"),
            lambda case, actor: reject_case(case=case, actor=actor, reason="no"),
        ],
        ids=["release", "approve", "reject"],
    )
    def test_refuses_a_claimant_who_has_become_an_auditor_since(self, claimed, reviewer, act):
        reviewer.groups.set([ensure_roles()[roles.STAFF_AUDITOR]])
        # A fresh instance: Django caches a user's permissions on the object.
        auditor = User.objects.get(pk=reviewer.pk)

        with pytest.raises(ReviewerNotPermitted):
            act(claimed, auditor)

        claimed.refresh_from_db()
        assert claimed.status == CaseStatus.CLAIMED
        assert list(ReviewAction.objects.values_list("action", flat=True)) == ["CLAIM"]

    def test_lets_a_clerk_claim_and_decide(self, case):
        clerk = UserFactory(username="clerk", is_staff=True)
        clerk.groups.add(ensure_roles()[roles.STAFF_CLERK])

        claim_case(case=case, actor=clerk)
        decided = reject_case(case=case, actor=clerk, reason="未见退休证明")

        assert decided.status == CaseStatus.REJECTED
        assert decided.decided_by == clerk


class TestReleaseCase:
    def test_puts_the_case_back_in_the_queue(self, claimed, reviewer):
        released = release_case(case=claimed, actor=reviewer)

        assert released.status == CaseStatus.OPEN
        assert released.claimed_by is None
        assert [a.action for a in ReviewAction.objects.order_by("pk")] == ["CLAIM", "RELEASE"]

    def test_refuses_anyone_but_the_claimant(self, claimed):
        with pytest.raises(NotClaimant):
            release_case(case=claimed, actor=staff_user(username="other"))

    def test_refuses_an_unclaimed_case(self, case, reviewer):
        with pytest.raises(CaseNotOpen):
            release_case(case=case, actor=reviewer)


class TestApproveCase:
    def test_approves_the_application_with_a_decision_by_the_reviewer(self, claimed, reviewer):
        decided = approve_case(case=claimed, actor=reviewer, reason="退休证明已核实")

        assert decided.status == CaseStatus.APPROVED
        assert decided.decided_by == reviewer
        application = decided.application
        application.refresh_from_db()
        assert application.status == ApplicationStatus.APPROVED
        assert application.decided_at is not None
        decision = application.decisions.get(purpose=DecisionPurpose.REVIEW)
        assert decision.outcome == "APPROVE"
        assert decision.decided_by == reviewer
        assert decision.note == "退休证明已核实"
        assert decision.facts == application.decisions.get(purpose=DecisionPurpose.APPLICATION).facts
        assert ReviewAction.objects.filter(action="APPROVE", reason="退休证明已核实").exists()

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_requires_a_reason(self, claimed, reviewer, reason):
        with pytest.raises(ReasonRequired) as error:
            approve_case(case=claimed, actor=reviewer, reason=reason)

        assert error.value.code == "REASON_REQUIRED"
        claimed.refresh_from_db()
        assert claimed.status == CaseStatus.CLAIMED

    def test_refuses_anyone_but_the_claimant(self, claimed):
        with pytest.raises(NotClaimant):
            approve_case(case=claimed, actor=staff_user(username="other"), reason="ok")

    def test_refuses_an_unclaimed_case(self, case, reviewer):
        with pytest.raises(CaseNotOpen):
            approve_case(case=case, actor=reviewer, reason="ok")

    def test_refuses_a_claimant_who_has_declared_a_conflict_since(self, claimed, reviewer):
        ConflictOfInterest.objects.create(
            staff=reviewer, person=claimed.application.applicant, relation="OTHER"
        )

        with pytest.raises(ReviewerConflict):
            approve_case(case=claimed, actor=reviewer, reason="ok")

    def test_refuses_a_case_already_decided(self, claimed, reviewer):
        approve_case(case=claimed, actor=reviewer, reason="ok")

        with pytest.raises(CaseNotOpen):
            reject_case(case=claimed, actor=reviewer, reason="changed my mind")

    def test_runs_the_kind_hook_after_commit(self, claimed, reviewer, django_capture_on_commit_callbacks):
        from approvals import registry

        calls = []
        # The withdrawals app registers this kind at start: put its hook back afterwards.
        installed = registry.hook_for("withdrawal")
        registry.register_kind("withdrawal", on_decided=lambda **kwargs: calls.append(kwargs))
        try:
            with django_capture_on_commit_callbacks(execute=True):
                approve_case(case=claimed, actor=reviewer, reason="ok")
        finally:
            registry.register_kind("withdrawal", on_decided=installed)

        assert [call["decision"].purpose for call in calls] == [DecisionPurpose.REVIEW]


class TestRejectCase:
    def test_rejects_the_application_with_the_reviewer_s_reason(self, claimed, reviewer):
        decided = reject_case(case=claimed, actor=reviewer, reason="社保无退休记录")

        assert decided.status == CaseStatus.REJECTED
        decided.application.refresh_from_db()
        assert decided.application.status == ApplicationStatus.REJECTED
        decision = decided.application.decisions.get(purpose=DecisionPurpose.REVIEW)
        assert (decision.outcome, decision.note) == ("REJECT", "社保无退休记录")

    def test_requires_a_reason(self, claimed, reviewer):
        with pytest.raises(ReasonRequired):
            reject_case(case=claimed, actor=reviewer, reason="")
