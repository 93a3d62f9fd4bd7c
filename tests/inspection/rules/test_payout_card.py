import pytest
from django.utils import timezone

from audit.models import AuditEvent
from inspection.rules.base import HIGH
from inspection.rules.payout_card import (
    CARD_NOT_ON_RECORD,
    CARD_OF_ANOTHER_PERSON,
    PayoutCardNotApplicants,
)
from loans.disbursement import DISBURSEMENT_PURPOSE
from tests.accounts.factories import PersonFactory
from tests.payouts.factories import funded_account, make_payout

pytestmark = pytest.mark.django_db

OWN_CARD = "6222021234567890128"
SOMEONE_ELSES_CARD = "6222021234567890123"


def with_verified_card(person, card):
    person.bank_card = card
    person.bank_card_last4 = card[-4:]
    person.bank_card_verified_at = timezone.now()
    person.save(update_fields=["bank_card", "bank_card_last4", "bank_card_verified_at"])
    return person


def created_event(payout) -> AuditEvent:
    return AuditEvent.objects.get(action="payouts.created", target_id=str(payout.pk))


class TestPayoutCardNotApplicants:
    def test_is_quiet_on_a_payout_to_the_applicants_verified_card(self):
        account = funded_account()
        with_verified_card(account.person, OWN_CARD)
        payout = make_payout(account, card_no=OWN_CARD)

        findings = PayoutCardNotApplicants().on_event(created_event(payout))

        assert findings == []

    def test_leaves_a_loan_disbursement_to_the_seller_alone(self):
        account = funded_account()
        with_verified_card(account.person, OWN_CARD)
        payout = make_payout(account, card_no=SOMEONE_ELSES_CARD, purpose=DISBURSEMENT_PURPOSE)

        findings = PayoutCardNotApplicants().on_event(created_event(payout))

        assert findings == []

    def test_reports_a_payout_to_a_card_on_record_for_someone_else(self):
        account = funded_account()
        with_verified_card(account.person, OWN_CARD)
        other = with_verified_card(PersonFactory(), SOMEONE_ELSES_CARD)
        payout = make_payout(account, card_no=SOMEONE_ELSES_CARD)

        findings = PayoutCardNotApplicants().on_event(created_event(payout))

        assert len(findings) == 1
        finding = findings[0]
        assert (finding.rule, finding.severity, finding.subject) == (
            "payout_card_not_applicants",
            HIGH,
            f"payout:{payout.pk}",
        )
        assert finding.evidence["problems"] == [CARD_NOT_ON_RECORD, CARD_OF_ANOTHER_PERSON]
        assert finding.evidence["card"] == "6222 **** **** 0123"
        assert finding.evidence["card_also_on_record_for"] == [other.masked_id_number]
        assert SOMEONE_ELSES_CARD not in str(finding)
        assert other.id_number not in str(finding)

    def test_the_sweep_finds_the_days_payouts(self):
        account = funded_account()
        payout = make_payout(account, card_no=SOMEONE_ELSES_CARD)

        findings = PayoutCardNotApplicants().sweep(day=timezone.localdate())

        assert [finding.subject for finding in findings] == [f"payout:{payout.pk}"]
