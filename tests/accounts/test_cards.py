"""An employee's payout card is recorded only once the payment bank confirms it is theirs."""

import pytest

from accounts.cards import CardCheckUnavailable, CardRefused, register_payout_card
from accounts.models import Person
from audit.models import AuditEvent
from integrations.bank import payments
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank
from tests.accounts.factories import PersonFactory

pytestmark = pytest.mark.django_db

CARD = "6222021234567890128"


class TestRegisterPayoutCard:
    def test_records_a_card_the_bank_confirms_as_verified(self):
        person = PersonFactory()

        with use_payment_bank(FakePaymentBank()):
            register_payout_card(person=person, card_number="6222 0212 3456 7890 128", actor=None)

        stored = Person.objects.get(pk=person.pk)
        assert stored.bank_card == CARD
        assert stored.bank_card_verified_at is not None
        assert AuditEvent.objects.filter(action="accounts.bank_card_set").count() == 1

    @pytest.mark.parametrize(
        ("failure", "code"),
        [
            (payments.CARD_INVALID, "CARD_NOT_FOUND"),
            (payments.NAME_MISMATCH, "CARD_NAME_MISMATCH"),
            (payments.ACCOUNT_FROZEN, "CARD_FROZEN"),
        ],
    )
    def test_refuses_a_card_the_bank_does_not_confirm_and_keeps_the_old_one(self, failure, code):
        person = PersonFactory(bank_card=None, bank_card_verified_at=None)

        bank = FakePaymentBank(card_failures={CARD: failure})
        with use_payment_bank(bank), pytest.raises(CardRefused) as refused:
            register_payout_card(person=person, card_number=CARD, actor=None)

        assert refused.value.code == code
        assert Person.objects.get(pk=person.pk).bank_card is None

    def test_says_so_when_the_bank_does_not_answer(self):
        person = PersonFactory()

        with use_payment_bank(FakePaymentBank(unavailable=True)), pytest.raises(CardCheckUnavailable):
            register_payout_card(person=person, card_number=CARD, actor=None)

        assert not AuditEvent.objects.filter(action="accounts.bank_card_set").exists()
