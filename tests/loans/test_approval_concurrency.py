"""Two members of staff acting on one loan case at once, on PostgreSQL: the row lock lets one win."""

import importlib

import pytest

from core.models import PolicyParameter
from loans.approval import LoanLevelChanged, approve_level, reject_loan_application
from loans.models import ApprovalAction, ApprovalLevel, LoanApplication, LoanStatus
from tests.ledger.test_concurrency import race
from tests.loans.factories_approval import LARGE_LOAN, clerk, director, loan_at
from tests.policy import ensure_policy_parameters

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _parameters():
    ensure_policy_parameters()
    approval_defaults = importlib.import_module("core.migrations.0004_seed_loan_approval_policy").DEFAULTS
    for key, value, effective_from, note in approval_defaults:
        PolicyParameter.objects.get_or_create(
            key=key, effective_from=effective_from, defaults={"value": value, "note": note}
        )


class TestApproveLevelConcurrently:
    def test_two_clerks_passing_the_first_review_at_once_pass_it_once(self):
        loan = loan_at(ApprovalLevel.FIRST, amount=LARGE_LOAN)
        reviewers = [clerk(), clerk()]

        results, errors = race(
            2,
            lambda i: approve_level(loan_id=loan.pk, actor=reviewers[i], level=ApprovalLevel.FIRST).stage,
        )

        assert results == [ApprovalLevel.SECOND]
        assert [error.code for error in errors] == [LoanLevelChanged.code]
        assert ApprovalAction.objects.filter(loan=loan).count() == 1
        assert LoanApplication.objects.get(pk=loan.pk).stage == ApprovalLevel.SECOND

    def test_two_directors_approving_and_rejecting_at_once_leave_one_decision_and_one_seal(self):
        loan = loan_at(ApprovalLevel.FINAL)
        directors = [director(), director()]

        def act(i):
            if i == 0:
                return approve_level(loan_id=loan.pk, actor=directors[0]).status
            return reject_loan_application(loan_id=loan.pk, actor=directors[1], reason="材料不实").status

        results, errors = race(2, act)

        assert len(results) == 1
        assert [error.code for error in errors] == ["LOAN_NOT_IN_APPROVAL"]
        final = LoanApplication.objects.get(pk=loan.pk)
        assert final.status == results[0]
        assert ApprovalAction.objects.filter(loan=loan).count() == 1
        assert (final.approval_seal_id is not None) == (final.status == LoanStatus.APPROVED)
