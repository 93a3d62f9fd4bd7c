"""Two submissions of one person's loan application racing on PostgreSQL: one open application only."""

import pytest
from django.db import transaction

from approvals.services import clear_parameter_cache
from integrations.gov.testing import all_fakes, use_fakes
from integrations.models import GovQuery
from loans.models import OPEN_LOAN_STATUSES, LoanApplication
from loans.services import OpenLoanApplication, apply_for_loan
from tests.ledger.test_concurrency import race
from tests.loans.factories import buying, credit, depositor, terms
from tests.policy import ensure_policy_parameters

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _parameters(monkeypatch):
    ensure_policy_parameters()
    clear_parameter_cache()
    # The sources answer from the gathering threads; their log stays in memory here.
    monkeypatch.setattr(GovQuery.objects, "create", lambda **fields: GovQuery(**fields))


class TestApplyForLoanConcurrently:
    def test_two_racing_submissions_leave_one_open_application_and_a_clear_refusal(self):
        with transaction.atomic():
            person = depositor()

        with use_fakes(all_fakes(**buying(person), credit_bureau=credit(person))):
            results, errors = race(
                2,
                lambda _i: (
                    apply_for_loan(
                        applicant=person, terms=terms(), consent=True, channel="WEB", actor=person.user
                    ).pk
                ),
            )

        assert len(results) == 1
        assert [type(error) for error in errors] == [OpenLoanApplication]
        assert errors[0].http_status == 409
        assert LoanApplication.objects.filter(applicant=person, status__in=OPEN_LOAN_STATUSES).count() == 1
