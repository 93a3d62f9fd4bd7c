"""The loan approval chain 受理 → 初审 → (复审) → 终审: who may act where, returns and rejections."""

from datetime import date

import pytest
from freezegun import freeze_time

from accounts import roles
from approvals.models import ConflictOfInterest, ConflictRelation
from audit.models import AuditEvent
from core.crypto import blind_index
from loans import approval
from loans.approval import (
    accept_loan_application,
    approve_level,
    create_final_approval_delegation,
    reject_loan_application,
    return_loan_application,
    revoke_final_approval_delegation,
)
from loans.models import ApprovalAction, ApprovalLevel, FinalApprovalDelegation, LoanApplication, LoanStatus
from notifications.models import Message
from tests.accounts.factories import PersonFactory
from tests.approvals.factories import referred_case
from tests.loans.factories_approval import (
    LARGE_LOAN,
    SMALL_LOAN,
    clerk,
    delegation,
    deputy_director,
    director,
    loan_at,
    loan_case,
    section_chief,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_wednesday")]

TODAY = date(2026, 11, 25)


@pytest.fixture
def _wednesday():
    with freeze_time("2026-11-25 10:00:00+08:00"):
        yield


def _refused(call, code):
    with pytest.raises(approval.DomainError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


class TestTheFullChain:
    def test_a_small_loan_skips_the_second_review(self, django_capture_on_commit_callbacks):
        loan = loan_case(amount=SMALL_LOAN)

        accept_loan_application(loan_id=loan.pk, actor=clerk())
        after_first = approve_level(loan_id=loan.pk, actor=clerk())
        approved = approve_level(loan_id=loan.pk, actor=director())

        assert after_first.stage == ApprovalLevel.FINAL
        assert approved.status == LoanStatus.APPROVED
        assert approved.stage == ""
        assert list(
            ApprovalAction.objects.filter(loan=loan).order_by("pk").values_list("level", flat=True)
        ) == [
            "ACCEPTANCE",
            "FIRST",
            "FINAL",
        ]

    def test_a_large_loan_passes_every_level(self):
        loan = loan_case(amount=LARGE_LOAN)

        accept_loan_application(loan_id=loan.pk, actor=clerk())
        after_first = approve_level(loan_id=loan.pk, actor=clerk())
        after_second = approve_level(loan_id=loan.pk, actor=section_chief())
        approved = approve_level(loan_id=loan.pk, actor=director())

        assert after_first.stage == ApprovalLevel.SECOND
        assert after_second.stage == ApprovalLevel.FINAL
        assert approved.status == LoanStatus.APPROVED
        assert ApprovalAction.objects.filter(loan=loan).count() == 4

    def test_a_loan_exactly_at_the_threshold_skips_the_second_review(self):
        loan = loan_at(ApprovalLevel.FIRST, amount=40_000_000)

        passed = approve_level(loan_id=loan.pk, actor=clerk())

        assert passed.stage == ApprovalLevel.FINAL

    def test_acceptance_records_the_time_and_puts_the_case_into_approval(self):
        loan = loan_case()

        accepted = accept_loan_application(loan_id=loan.pk, actor=clerk())

        assert accepted.status == LoanStatus.IN_APPROVAL
        assert accepted.stage == ApprovalLevel.FIRST
        assert accepted.accepted_at is not None
        assert ApprovalAction.objects.get(loan=loan).level == ApprovalLevel.ACCEPTANCE

    def test_the_final_approval_records_the_time_seals_and_tells_the_applicant(
        self, django_capture_on_commit_callbacks
    ):
        loan = loan_at(ApprovalLevel.FINAL)

        with django_capture_on_commit_callbacks():
            approved = approve_level(loan_id=loan.pk, actor=director())

        assert approved.approved_at is not None
        assert approved.approval_seal.kind == "LOAN_APPROVAL"
        assert approved.approval_seal.subject == f"loan-application:{loan.pk}"
        message = Message.objects.get(person=loan.applicant)
        assert message.kind == "loan_approved"
        assert message.link == f"/hall/loans/{loan.pk}/"
        assert "300,000.00元" in message.body
        assert message.sms.mobile == loan.applicant.mobile

    def test_passing_an_intermediate_level_tells_the_applicant_where_the_case_is_now(self):
        loan = loan_at(ApprovalLevel.FIRST)

        approve_level(loan_id=loan.pk, actor=clerk())

        message = Message.objects.get(person=loan.applicant)
        assert (message.kind, message.title) == ("loan_level_passed", "公积金贷款申请审批进度")
        assert message.body == f"您的公积金贷款申请（编号{loan.pk}）已通过初审，现进入终审环节。"

    def test_every_action_is_in_the_audit_trail(self):
        loan = loan_case()

        accept_loan_application(loan_id=loan.pk, actor=clerk())

        event = AuditEvent.objects.get(action="loans.approval_approve")
        assert event.data["level"] == "ACCEPTANCE"
        assert event.data["stage"] == "FIRST"

    def test_accepting_a_case_already_in_approval_is_refused(self):
        loan = loan_at(ApprovalLevel.FIRST)

        _refused(lambda: accept_loan_application(loan_id=loan.pk, actor=clerk()), "LOAN_NOT_IN_APPROVAL")

    def test_an_approved_case_is_no_longer_acted_on(self):
        loan = loan_at(ApprovalLevel.FINAL)
        approve_level(loan_id=loan.pk, actor=director())

        _refused(lambda: approve_level(loan_id=loan.pk, actor=director()), "LOAN_NOT_IN_APPROVAL")

    def test_a_case_that_moved_on_since_the_page_was_read_is_refused(self):
        loan = loan_at(ApprovalLevel.SECOND, amount=LARGE_LOAN)

        _refused(
            lambda: approve_level(loan_id=loan.pk, actor=section_chief(), level=ApprovalLevel.FIRST),
            "LOAN_LEVEL_CHANGED",
        )

    def test_a_case_that_does_not_exist_is_refused(self):
        _refused(lambda: approve_level(loan_id=987654, actor=clerk()), "LOAN_NOT_FOUND")


class TestReturnsAndRejections:
    def test_a_return_needs_a_reason(self):
        loan = loan_at(ApprovalLevel.FIRST)

        error = _refused(
            lambda: return_loan_application(loan_id=loan.pk, actor=clerk(), reason="  "), "REASON_REQUIRED"
        )

        assert error.field == "reason"
        assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.IN_APPROVAL

    def test_a_rejection_needs_a_reason(self):
        loan = loan_at(ApprovalLevel.FINAL)

        _refused(
            lambda: reject_loan_application(loan_id=loan.pk, actor=director(), reason=""), "REASON_REQUIRED"
        )

    def test_a_return_clears_the_level_keeps_the_reason_and_tells_the_applicant(self):
        loan = loan_at(ApprovalLevel.FIRST)

        returned = return_loan_application(loan_id=loan.pk, actor=clerk(), reason="购房合同页缺失")

        assert returned.status == LoanStatus.RETURNED
        assert returned.stage == ""
        assert returned.note == "购房合同页缺失"
        assert ApprovalAction.objects.get(loan=loan).action == "RETURN"
        message = Message.objects.get(person=loan.applicant)
        assert message.kind == "loan_returned"
        assert "购房合同页缺失" in message.body

    def test_a_rejection_closes_the_case_and_tells_the_applicant(self):
        loan = loan_at(ApprovalLevel.SECOND, amount=LARGE_LOAN)

        rejected = reject_loan_application(loan_id=loan.pk, actor=section_chief(), reason="还款能力不足")

        assert rejected.status == LoanStatus.REJECTED
        assert rejected.closed_at is not None
        assert Message.objects.get(person=loan.applicant).kind == "loan_rejected"

    def test_a_clerk_may_return_a_pre_accepted_case(self):
        loan = loan_case()

        returned = return_loan_application(loan_id=loan.pk, actor=clerk(), reason="身份证复印件不清晰")

        assert returned.status == LoanStatus.RETURNED
        assert ApprovalAction.objects.get(loan=loan).level == ApprovalLevel.ACCEPTANCE


class TestWhoMayAct:
    def test_the_same_person_cannot_act_at_two_levels(self):
        loan = loan_case()
        accepting = clerk()
        accept_loan_application(loan_id=loan.pk, actor=accepting)

        _refused(lambda: approve_level(loan_id=loan.pk, actor=accepting), "ACTED_AT_ANOTHER_LEVEL")

    def test_a_section_chief_who_did_the_first_review_cannot_do_the_second(self):
        loan = loan_at(ApprovalLevel.FIRST, amount=LARGE_LOAN)
        chief = section_chief()
        approve_level(loan_id=loan.pk, actor=chief)

        _refused(lambda: approve_level(loan_id=loan.pk, actor=chief), "ACTED_AT_ANOTHER_LEVEL")

    def test_a_clerk_may_not_do_the_second_review(self):
        loan = loan_at(ApprovalLevel.SECOND, amount=LARGE_LOAN)

        _refused(lambda: approve_level(loan_id=loan.pk, actor=clerk()), "LEVEL_NOT_PERMITTED")

    def test_a_section_chief_may_not_give_the_final_approval(self):
        loan = loan_at(ApprovalLevel.FINAL)

        _refused(lambda: approve_level(loan_id=loan.pk, actor=section_chief()), "LEVEL_NOT_PERMITTED")

    def test_the_director_does_not_accept_cases(self):
        loan = loan_case()

        _refused(lambda: accept_loan_application(loan_id=loan.pk, actor=director()), "LEVEL_NOT_PERMITTED")

    def test_the_auditor_only_reads(self):
        loan = loan_at(ApprovalLevel.FIRST)

        _refused(
            lambda: approve_level(loan_id=loan.pk, actor=staff(roles.STAFF_AUDITOR)), "LEVEL_NOT_PERMITTED"
        )

    def test_someone_who_is_not_staff_is_refused(self):
        loan = loan_at(ApprovalLevel.FIRST)
        outsider = clerk()
        outsider.is_staff = False
        outsider.save(update_fields=["is_staff"])

        _refused(lambda: approve_level(loan_id=loan.pk, actor=outsider), "APPROVER_NOT_STAFF")


class TestOwnAndRelativesCases:
    def _staff_person(self, user):
        person = PersonFactory(user=user)
        return person

    def test_a_clerk_may_not_act_on_their_own_application(self):
        reviewer = clerk()
        loan = loan_at(ApprovalLevel.FIRST, applicant=self._staff_person(reviewer))

        error = _refused(lambda: approve_level(loan_id=loan.pk, actor=reviewer), "APPROVER_CONFLICT")

        assert "co-borrower" in str(error.message) or "共同借款人" in str(error.message)

    def test_a_clerk_may_not_act_where_they_are_the_co_borrower(self):
        reviewer = clerk()
        loan = loan_at(ApprovalLevel.FIRST, co_borrower=self._staff_person(reviewer))

        _refused(lambda: approve_level(loan_id=loan.pk, actor=reviewer), "APPROVER_CONFLICT")

    def test_a_declared_conflict_with_the_applicant_is_refused(self):
        reviewer = section_chief()
        loan = loan_at(ApprovalLevel.SECOND, amount=LARGE_LOAN)
        ConflictOfInterest.objects.create(
            staff=reviewer, person=loan.applicant, relation=ConflictRelation.RELATIVE
        )

        _refused(lambda: approve_level(loan_id=loan.pk, actor=reviewer), "APPROVER_CONFLICT")

    def test_a_declared_conflict_with_the_co_borrower_is_refused(self):
        reviewer = director()
        loan = loan_at(ApprovalLevel.FINAL, co_borrower=PersonFactory())
        ConflictOfInterest.objects.create(
            staff=reviewer, person=loan.co_borrower, relation=ConflictRelation.OTHER
        )

        _refused(
            lambda: reject_loan_application(loan_id=loan.pk, actor=reviewer, reason="x"), "APPROVER_CONFLICT"
        )

    def test_the_applicant_s_spouse_named_by_the_eligibility_decision_is_refused(self):
        reviewer = clerk()
        spouse = self._staff_person(reviewer)
        applicant = PersonFactory()
        eligibility = referred_case(
            applicant=applicant, reason="LOAN_ELIGIBILITY", spouse_index=blind_index(spouse.id_number)
        ).application
        loan = loan_at(ApprovalLevel.FIRST, applicant=applicant, eligibility=eligibility)

        _refused(lambda: approve_level(loan_id=loan.pk, actor=reviewer), "APPROVER_CONFLICT")

    def test_a_member_of_staff_with_no_tie_to_the_case_may_act(self):
        reviewer = clerk()
        self._staff_person(reviewer)
        loan = loan_at(ApprovalLevel.FIRST, co_borrower=PersonFactory())

        passed = approve_level(loan_id=loan.pk, actor=reviewer)

        assert passed.stage == ApprovalLevel.FINAL


class TestDeputyDirectorByDelegation:
    def test_without_a_delegation_the_deputy_is_refused(self):
        loan = loan_at(ApprovalLevel.FINAL)

        _refused(lambda: approve_level(loan_id=loan.pk, actor=deputy_director()), "NO_VALID_DELEGATION")

    def test_under_a_delegation_in_force_the_deputy_approves_and_the_action_names_it(self):
        loan = loan_at(ApprovalLevel.FINAL)
        deputy = deputy_director()
        granted = delegation(
            delegator=director(), delegate=deputy, valid_from=date(2026, 11, 1), valid_until=TODAY
        )

        approved = approve_level(loan_id=loan.pk, actor=deputy)

        assert approved.status == LoanStatus.APPROVED
        assert ApprovalAction.objects.get(loan=loan).delegation == granted

    @pytest.mark.parametrize(
        ("valid_from", "valid_until", "revoked"),
        [
            pytest.param(date(2026, 11, 1), date(2026, 11, 24), False, id="expired"),
            pytest.param(date(2026, 11, 26), date(2026, 12, 31), False, id="not-yet-in-force"),
            pytest.param(date(2026, 11, 1), date(2026, 12, 31), True, id="revoked"),
        ],
    )
    def test_a_delegation_not_in_force_today_is_refused(self, valid_from, valid_until, revoked):
        loan = loan_at(ApprovalLevel.FINAL)
        deputy = deputy_director()
        delegation(
            delegator=director(),
            delegate=deputy,
            valid_from=valid_from,
            valid_until=valid_until,
            revoked=revoked,
        )

        _refused(lambda: approve_level(loan_id=loan.pk, actor=deputy), "NO_VALID_DELEGATION")

    def test_a_loan_above_the_delegated_amount_is_refused(self):
        loan = loan_at(ApprovalLevel.FINAL, amount=LARGE_LOAN)
        deputy = deputy_director()
        delegation(
            delegator=director(),
            delegate=deputy,
            valid_from=date(2026, 11, 1),
            valid_until=date(2026, 12, 31),
            max_amount=SMALL_LOAN,
        )

        error = _refused(lambda: approve_level(loan_id=loan.pk, actor=deputy), "DELEGATION_LIMIT_EXCEEDED")

        assert "300000.00" in str(error.message)

    def test_a_delegation_from_someone_no_longer_director_is_refused(self):
        loan = loan_at(ApprovalLevel.FINAL)
        deputy = deputy_director()
        former = director()
        delegation(
            delegator=former, delegate=deputy, valid_from=date(2026, 11, 1), valid_until=date(2026, 12, 31)
        )
        former.groups.clear()

        _refused(lambda: approve_level(loan_id=loan.pk, actor=deputy), "NO_VALID_DELEGATION")

    def test_the_deputy_never_acts_below_the_final_level(self):
        loan = loan_at(ApprovalLevel.FIRST)

        _refused(lambda: approve_level(loan_id=loan.pk, actor=deputy_director()), "LEVEL_NOT_PERMITTED")


class TestDelegationServices:
    def test_the_director_delegates_to_a_deputy_director(self):
        boss, deputy = director(), deputy_director()

        granted = create_final_approval_delegation(
            actor=boss,
            delegate_id=deputy.pk,
            valid_from=TODAY,
            valid_until=date(2026, 12, 31),
            max_amount=SMALL_LOAN,
        )

        assert granted.delegator == boss
        assert granted.max_amount == SMALL_LOAN
        assert AuditEvent.objects.filter(action="loans.delegation_created").count() == 1

    @pytest.mark.parametrize(
        ("who", "to", "valid_from", "valid_until", "code"),
        [
            pytest.param(
                section_chief, deputy_director, TODAY, TODAY, "DELEGATION_NOT_PERMITTED", id="not-director"
            ),
            pytest.param(director, clerk, TODAY, TODAY, "DELEGATE_NOT_DEPUTY_DIRECTOR", id="to-a-clerk"),
            pytest.param(
                director,
                deputy_director,
                TODAY,
                date(2026, 11, 1),
                "DELEGATION_PERIOD_INVALID",
                id="ends-first",
            ),
            pytest.param(
                director,
                deputy_director,
                date(2026, 11, 1),
                TODAY,
                "DELEGATION_STARTS_IN_PAST",
                id="in-the-past",
            ),
        ],
    )
    def test_refuses_what_is_not_the_director_s_to_give(self, who, to, valid_from, valid_until, code):
        actor, delegate = who(), to()

        _refused(
            lambda: create_final_approval_delegation(
                actor=actor, delegate_id=delegate.pk, valid_from=valid_from, valid_until=valid_until
            ),
            code,
        )

    def test_the_director_revokes_once(self):
        boss = director()
        granted = delegation(delegator=boss, delegate=deputy_director(), valid_from=TODAY, valid_until=TODAY)

        revoke_final_approval_delegation(delegation_id=granted.pk, actor=boss)

        assert FinalApprovalDelegation.objects.get(pk=granted.pk).revoked_at is not None
        _refused(
            lambda: revoke_final_approval_delegation(delegation_id=granted.pk, actor=boss),
            "DELEGATION_ALREADY_REVOKED",
        )

    def test_a_deputy_may_not_revoke(self):
        deputy = deputy_director()
        granted = delegation(delegator=director(), delegate=deputy, valid_from=TODAY, valid_until=TODAY)

        _refused(
            lambda: revoke_final_approval_delegation(delegation_id=granted.pk, actor=deputy),
            "DELEGATION_NOT_PERMITTED",
        )
