"""Staff work the loan approval chain in the portal: the queue by level, a case, its buttons, the
service-level dashboard and the director's delegations, in Chinese and in English."""

from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts import roles
from approvals.models import ApplicationDocument
from audit.models import AuditEvent
from loans.approval import approve_level
from loans.models import ApprovalLevel, FinalApprovalDelegation, LoanApplication, LoanStatus
from tests.accounts.factories import PersonFactory
from tests.approvals.factories import referred_case
from tests.loans.factories_approval import (
    LARGE_LOAN,
    clerk,
    delegation,
    deputy_director,
    director,
    disbursed,
    loan_at,
    loan_case,
    local_moment,
    section_chief,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_wednesday")]

ENGLISH = {"accept-language": "en"}
TODAY = date(2026, 11, 25)


@pytest.fixture
def _wednesday():
    with freeze_time("2026-11-25 10:00:00+08:00"):
        yield


def _act(client, loan, action, **data):
    return client.post(reverse("web:staff-loan-act", args=[loan.pk, action]), data, headers=ENGLISH)


class TestLoanQueue:
    def test_shows_a_clerk_the_cases_at_their_levels_with_the_days_used(self, client):
        waiting = loan_case(submitted_at=local_moment(date(2026, 11, 20)))
        loan_at(ApprovalLevel.FINAL)
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-queue"), headers=ENGLISH)

        assert response.status_code == 200
        assert [group["level"] for group in response.context["groups"]] == ["ACCEPTANCE"]
        assert response.context["groups"][0]["rows"][0]["loan"] == waiting
        assert "3 / 8" in response.text
        assert "5 working days left" in response.text
        assert waiting.applicant.id_number not in response.text

    def test_is_in_chinese_by_default(self, client):
        loan_case()
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-queue"))

        assert "贷款审批队列" in response.text
        assert "受理" in response.text

    def test_marks_a_case_at_risk(self, client):
        loan_case(submitted_at=local_moment(date(2026, 11, 16)))
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-queue"), headers=ENGLISH)

        assert "At risk or late" in response.text
        assert "1 working day left" in response.text

    def test_shows_every_case_on_request(self, client):
        loan_at(ApprovalLevel.FINAL)
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-queue") + "?all=1", headers=ENGLISH)

        assert [group["level"] for group in response.context["groups"]] == ["FINAL"]

    def test_the_auditor_reads_every_case(self, client):
        loan_at(ApprovalLevel.SECOND, amount=LARGE_LOAN)
        client.force_login(staff(roles.STAFF_AUDITOR))

        response = client.get(reverse("web:staff-loan-queue"), headers=ENGLISH)

        assert [group["level"] for group in response.context["groups"]] == ["SECOND"]

    def test_is_refused_to_an_employee(self, client, employee):
        client.force_login(employee)

        assert client.get(reverse("web:staff-loan-queue")).status_code == 403

    def test_sends_a_visitor_to_log_in(self, client):
        response = client.get(reverse("web:staff-loan-queue"))

        assert response.status_code == 302
        assert reverse("web:login") in response["Location"]


class TestLoanCasePage:
    def test_shows_the_applicant_masked_the_limits_and_the_buttons_of_the_level(self, client):
        loan = loan_at(
            ApprovalLevel.FIRST,
            quota_limits={
                "limits": {"balance_multiple": 45_000_000, "city_cap": 60_000_000},
                "binding": "balance_multiple",
            },
        )
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-case", args=[loan.pk]), headers=ENGLISH)

        assert response.status_code == 200
        assert loan.applicant.id_number not in response.text
        assert loan.applicant.id_number[-4:] in response.text
        assert "Balance multiple" in response.text
        assert "450,000.00" in response.text
        assert 'id="approve-loan"' in response.text
        assert 'id="return-loan"' in response.text
        assert 'id="reject-loan"' in response.text
        assert "2.6%" in response.text

    def test_is_in_chinese_by_default(self, client):
        loan = loan_at(ApprovalLevel.FIRST)
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-case", args=[loan.pk]))

        assert "退回补正" in response.text
        assert "初审" in response.text

    def test_shows_the_eligibility_decision_trace(self, client):
        eligibility = referred_case(reason="LOAN_ELIGIBILITY").application
        loan = loan_at(ApprovalLevel.FIRST, applicant=eligibility.applicant, eligibility=eligibility)
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-case", args=[loan.pk]), headers=ENGLISH)

        assert "Eligibility decision" in response.text
        assert "RETIRED" in response.text
        assert "social_security.retirement" in response.text

    def test_hides_the_buttons_from_someone_who_may_not_act_and_says_why(self, client):
        loan = loan_at(ApprovalLevel.FINAL)
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-case", args=[loan.pk]), headers=ENGLISH)

        assert 'id="approve-loan"' not in response.text
        assert "LEVEL_NOT_PERMITTED" in response.text

    def test_a_missing_case_is_not_found(self, client):
        client.force_login(clerk())

        assert client.get(reverse("web:staff-loan-case", args=[987654])).status_code == 404

    def test_is_refused_to_an_employee(self, client, employee):
        loan = loan_at(ApprovalLevel.FIRST)
        client.force_login(employee)

        assert client.get(reverse("web:staff-loan-case", args=[loan.pk])).status_code == 403

    def test_opens_a_document_through_the_audited_path(self, client):
        eligibility = referred_case(reason="LOAN_ELIGIBILITY").application
        document = ApplicationDocument.objects.create(
            application=eligibility,
            filename="contract.pdf",
            content_type="application/pdf",
            size=9,
            sha256="0" * 64,
            content=b"%PDF-1.4\n",
        )
        loan = loan_at(ApprovalLevel.FIRST, applicant=eligibility.applicant, eligibility=eligibility)
        client.force_login(clerk())

        page = client.get(reverse("web:staff-loan-case", args=[loan.pk]), headers=ENGLISH)
        response = client.get(reverse("web:staff-loan-document", args=[loan.pk, document.pk]))

        assert "contract.pdf" in page.text
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert AuditEvent.objects.filter(action="approvals.document_opened").count() == 1


class TestLoanActions:
    def test_a_clerk_accepts_from_the_page(self, client):
        loan = loan_case()
        client.force_login(clerk())

        response = _act(client, loan, "accept", level="ACCEPTANCE")

        assert response.status_code == 302
        assert LoanApplication.objects.get(pk=loan.pk).stage == ApprovalLevel.FIRST

    def test_the_director_approves_and_the_page_shows_the_seal_verifying(self, client):
        loan = loan_at(ApprovalLevel.FINAL)
        client.force_login(director())

        _act(client, loan, "approve", level="FINAL")
        page = client.get(reverse("web:staff-loan-case", args=[loan.pk]), headers=ENGLISH)

        sealed = LoanApplication.objects.get(pk=loan.pk)
        assert sealed.status == LoanStatus.APPROVED
        assert sealed.approval_seal.code in page.text
        assert 'id="seal-verifies"' in page.text

    def test_a_changed_case_shows_its_seal_failing(self, client):
        loan = loan_at(ApprovalLevel.FINAL)
        approve_level(loan_id=loan.pk, actor=director())
        LoanApplication.objects.filter(pk=loan.pk).update(amount=loan.amount * 2)
        client.force_login(clerk())

        page = client.get(reverse("web:staff-loan-case", args=[loan.pk]), headers=ENGLISH)

        assert 'id="seal-fails"' in page.text

    def test_a_return_without_a_reason_is_refused_on_the_page(self, client):
        loan = loan_at(ApprovalLevel.FIRST)
        client.force_login(clerk())

        response = _act(client, loan, "return", level="FIRST", reason=" ")

        assert response.status_code == 400
        assert "REASON_REQUIRED" in response.text
        assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.IN_APPROVAL

    def test_a_return_with_a_reason_goes_back_to_the_applicant(self, client):
        loan = loan_at(ApprovalLevel.FIRST)
        client.force_login(clerk())

        _act(client, loan, "return", level="FIRST", reason="请补充收入证明")

        assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.RETURNED

    def test_a_role_refused_at_the_level_is_shown_why(self, client):
        loan = loan_at(ApprovalLevel.FINAL)
        client.force_login(section_chief())

        response = _act(client, loan, "reject", level="FINAL", reason="收入不实")

        assert response.status_code == 403
        assert "LEVEL_NOT_PERMITTED" in response.text
        assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.IN_APPROVAL

    def test_a_case_that_moved_on_is_refused_keeping_the_typed_reason(self, client):
        loan = loan_at(ApprovalLevel.SECOND, amount=LARGE_LOAN)
        client.force_login(section_chief())

        response = _act(client, loan, "reject", level="FIRST", reason="收入不实")

        assert response.status_code == 409
        assert "LOAN_LEVEL_CHANGED" in response.text
        assert "收入不实</textarea>" in response.text
        assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.IN_APPROVAL

    def test_an_action_is_refused_to_an_employee(self, client, employee):
        loan = loan_at(ApprovalLevel.FIRST)
        client.force_login(employee)

        assert _act(client, loan, "approve", level="FIRST").status_code == 403

    def test_an_action_needs_a_post(self, client):
        loan = loan_at(ApprovalLevel.FIRST)
        client.force_login(clerk())

        assert client.get(reverse("web:staff-loan-act", args=[loan.pk, "approve"])).status_code == 405


class TestSlaPage:
    def test_shows_the_stages_the_cases_at_risk_and_the_period_s_figures(self, client):
        loan_case(submitted_at=local_moment(date(2026, 11, 16)))
        monday = date(2026, 11, 2)
        disbursed(submitted_on=monday, disbursed_on=date(2026, 11, 6))
        disbursed(submitted_on=monday, disbursed_on=date(2026, 11, 12))
        client.force_login(clerk())

        response = client.get(
            reverse("web:staff-loan-sla") + "?since=2026-11-01&until=2026-11-30", headers=ENGLISH
        )

        assert response.status_code == 200
        assert response.context["times"].median == 4
        assert response.context["times"].p90 == 8
        assert response.context["dashboard"].open_cases == 1
        assert "Pre-accepted" in response.text
        assert "not yet disbursed" in response.text

    def test_is_in_chinese_by_default(self, client):
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-sla"))

        assert "贷款办理时限" in response.text
        assert "中位数" in response.text

    def test_is_refused_to_an_employee(self, client, employee):
        client.force_login(employee)

        assert client.get(reverse("web:staff-loan-sla")).status_code == 403


class TestDelegationsPage:
    def test_the_director_delegates_to_a_deputy(self, client):
        boss, deputy = director(), deputy_director()
        client.force_login(boss)

        response = client.post(
            reverse("web:staff-loan-delegations"),
            {
                "delegate": deputy.pk,
                "valid_from": "2026-11-25",
                "valid_until": "2026-12-31",
                "max_amount": "500000",
            },
            headers=ENGLISH,
        )

        assert response.status_code == 302
        granted = FinalApprovalDelegation.objects.get()
        assert (granted.delegate, granted.max_amount) == (deputy, 50_000_000)

    def test_a_wrong_period_is_shown_on_the_page(self, client):
        deputy = deputy_director()
        client.force_login(director())

        response = client.post(
            reverse("web:staff-loan-delegations"),
            {"delegate": deputy.pk, "valid_from": "2026-11-30", "valid_until": "2026-11-26"},
            headers=ENGLISH,
        )

        assert response.status_code == 400
        assert "DELEGATION_PERIOD_INVALID" in response.text
        assert not FinalApprovalDelegation.objects.exists()

    def test_the_director_revokes_from_the_page(self, client):
        boss = director()
        granted = delegation(delegator=boss, delegate=deputy_director(), valid_from=TODAY, valid_until=TODAY)
        client.force_login(boss)

        page = client.get(reverse("web:staff-loan-delegations"))
        response = client.post(reverse("web:staff-loan-delegation-revoke", args=[granted.pk]))

        assert "终审授权" in page.text
        assert response.status_code == 302
        assert FinalApprovalDelegation.objects.get(pk=granted.pk).revoked_at is not None

    def test_lists_them_in_english(self, client):
        boss = director()
        delegation(delegator=boss, delegate=deputy_director(), valid_from=TODAY, valid_until=TODAY)
        client.force_login(boss)

        response = client.get(reverse("web:staff-loan-delegations"), headers=ENGLISH)

        assert "Delegations of final approval" in response.text
        assert "In force" in response.text

    @pytest.mark.parametrize("who", [deputy_director, clerk])
    def test_is_refused_to_anyone_but_the_director(self, client, who):
        client.force_login(who())

        assert client.get(reverse("web:staff-loan-delegations")).status_code == 403

    def test_a_deputy_acting_by_delegation_is_named_on_the_case(self, client):
        loan = loan_at(ApprovalLevel.FINAL, co_borrower=PersonFactory())
        deputy = deputy_director(username="deputy-li")
        delegation(
            delegator=director(username="director-wang"), delegate=deputy, valid_from=TODAY, valid_until=TODAY
        )
        approve_level(loan_id=loan.pk, actor=deputy)
        client.force_login(deputy)

        page = client.get(reverse("web:staff-loan-case", args=[loan.pk]), headers=ENGLISH)

        assert "by delegation of director-wang" in page.text
