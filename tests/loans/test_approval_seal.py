"""The electronic seal of a final approval: it verifies, and a changed case no longer matches it."""

import pytest
from freezegun import freeze_time

from loans.approval import approval_digest, approval_record, approve_level, verify_approval_seal
from loans.models import ApprovalLevel, LoanApplication
from tests.accounts.factories import PersonFactory
from tests.loans.factories_approval import clerk, director, loan_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved():
    with freeze_time("2026-11-25 10:00:00+08:00"):
        loan = loan_at(ApprovalLevel.FIRST, co_borrower=PersonFactory())
        approve_level(loan_id=loan.pk, actor=clerk())
        return approve_level(loan_id=loan.pk, actor=director())


class TestApprovalSeal:
    def test_verifies_against_the_case_as_approved(self, approved):
        verdict = verify_approval_seal(loan=LoanApplication.objects.get(pk=approved.pk))

        assert verdict.signature_valid
        assert verdict.document_matches is True
        assert verdict.in_force

    def test_seals_the_digest_of_the_approval_record(self, approved):
        assert approved.approval_seal.digest == approval_digest(approved)

    def test_the_record_names_the_applicant_masked_and_every_action(self, approved):
        record = approval_record(approved)

        assert (
            record["applicant"]
            == f"{approved.applicant.id_number[:4]}**********{approved.applicant.id_number[-4:]}"
        )
        assert approved.applicant.id_number not in str(record)
        assert record["co_borrower"].count("*") == 10
        assert [(a["level"], a["action"]) for a in record["actions"]] == [
            ("FIRST", "APPROVE"),
            ("FINAL", "APPROVE"),
        ]
        assert record["annual_rate"] == "0.02600"
        assert all(a["at"].endswith("Z") for a in record["actions"])

    def test_a_changed_amount_no_longer_matches(self, approved):
        LoanApplication.objects.filter(pk=approved.pk).update(amount=approved.amount + 100)

        verdict = verify_approval_seal(loan=LoanApplication.objects.get(pk=approved.pk))

        assert verdict.signature_valid
        assert verdict.document_matches is False
        assert not verdict.genuine

    def test_a_changed_action_no_longer_matches(self, approved):
        approved.actions.filter(level="FIRST").update(actor=director())

        verdict = verify_approval_seal(loan=LoanApplication.objects.get(pk=approved.pk))

        assert verdict.document_matches is False

    def test_a_case_without_a_seal_has_no_verdict(self):
        assert verify_approval_seal(loan=loan_at(ApprovalLevel.FINAL)) is None
