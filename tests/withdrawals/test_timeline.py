from datetime import date

import pytest
from django.utils import timezone

from approvals.services import submit_application
from integrations.gov import ports
from integrations.gov.fakes import FakePublicSecurity, FakeSocialSecurity
from integrations.gov.testing import all_fakes, use_fakes
from ledger.models import BusinessType, JournalEntry
from payouts.models import Payout
from payouts.services import record_payment_result
from tests.approvals.factories import ELSEWHERE, months_back
from tests.withdrawals.factories import account_with, approved
from withdrawals.models import PaymentStatus
from withdrawals.selectors import CHECKED, DECIDED, HELD, PAID, SUBMITTED, withdrawal_timeline

pytestmark = pytest.mark.django_db


def sealed_leaver():
    """A non-local employee whose account was sealed eight months ago (real time: the rule engine
    checks fact types, which a frozen clock's date class would not pass)."""
    today = timezone.localdate()
    return account_with(
        balance=500_000, on=months_back(today, 9), status="02", sealed_on=months_back(today, 8)
    )


def leaver_fakes(person):
    return all_fakes(
        public_security=FakePublicSecurity(
            hukou={person.id_number: ports.HukouRecord(region_code=ELSEWHERE, since=date(1990, 1, 1))}
        ),
        social_security=FakeSocialSecurity(
            employment={
                person.id_number: ports.EmploymentRecord(
                    employer_credit_code=None,
                    employer_name="x",
                    since=date(2015, 1, 1),
                    ended_on=date(2025, 1, 1),
                )
            }
        ),
    )


class TestDecisionToPayout:
    def test_an_automatic_approval_is_paid_after_the_decision_commits(
        self, django_capture_on_commit_callbacks
    ):
        account = sealed_leaver()

        with use_fakes(leaver_fakes(account.person)), django_capture_on_commit_callbacks(execute=True):
            application = submit_application(
                kind="withdrawal",
                reason="LEAVING_CITY",
                applicant=account.person,
                channel="WEB",
                payload={},
                actor=None,
            )

        assert application.status == "APPROVED"
        assert application.withdrawal_payment.status == PaymentStatus.PAYING
        entry = JournalEntry.objects.get(idempotency_key=f"withdrawal:{application.pk}")
        assert entry.business_type == BusinessType.CLOSING_WITHDRAWAL
        assert Payout.objects.get(source_ref=f"withdrawal:{application.pk}").amount == entry.amount


class TestWithdrawalTimeline:
    def test_runs_from_submission_through_the_checks_and_decision_to_the_payout(
        self, django_capture_on_commit_callbacks
    ):
        account = sealed_leaver()
        with use_fakes(leaver_fakes(account.person)), django_capture_on_commit_callbacks(execute=True):
            application = submit_application(
                kind="withdrawal",
                reason="LEAVING_CITY",
                applicant=account.person,
                channel="WEB",
                payload={},
                actor=None,
            )
        with django_capture_on_commit_callbacks(execute=True):
            record_payment_result(
                reference=Payout.objects.get().reference, paid=True, failure_code=None, bank_ref="B"
            )

        steps = withdrawal_timeline(application)

        assert [step.step for step in steps] == [SUBMITTED, CHECKED, DECIDED, PAID]
        checked, decided, paid = steps[1], steps[2], steps[3]
        assert {check.source for check in checked.sources} >= {"public_security", "social_security"}
        assert all(check.outcome for check in checked.sources)
        assert (decided.outcome, decided.by_staff, decided.reasons) == ("APPROVE", False, ())
        assert paid.outcome == "PAID"
        assert set(paid.times) == {"PENDING", "SENT", "PAID"}
        assert paid.closing is True
        assert paid.amount == JournalEntry.objects.get(idempotency_key=f"withdrawal:{application.pk}").amount

    def test_shows_a_held_withdrawal_with_its_reason(self):
        account = account_with(verified=False)
        application = approved(account.person, "RENT")
        from withdrawals.services import pay_withdrawal

        pay_withdrawal(application_id=application.pk)

        steps = withdrawal_timeline(application)

        assert [step.step for step in steps] == [SUBMITTED, CHECKED, DECIDED, HELD]
        assert steps[-1].outcome == "NO_VERIFIED_CARD"
        assert steps[1].sources[0].source == "social_security"

    def test_a_payout_not_yet_sent_is_pending(self):
        account = account_with()
        application = approved(account.person, "RENT")
        from withdrawals.services import pay_withdrawal

        pay_withdrawal(application_id=application.pk)

        assert withdrawal_timeline(application)[-1].outcome == "PENDING"
