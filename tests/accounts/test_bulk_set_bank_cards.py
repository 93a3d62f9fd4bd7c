from datetime import UTC, datetime

import pytest

from accounts.models import Person
from accounts.services import bulk_set_bank_cards
from audit.models import AuditEvent
from core.identity import InvalidBankCard
from tests.accounts.factories import PersonFactory

pytestmark = pytest.mark.django_db

VERIFIED_AT = datetime(2026, 1, 5, 4, 0, tzinfo=UTC)


class TestBulkSetBankCards:
    def test_sets_each_card_encrypted_with_its_last_four_digits(self, clerk):
        first, second = PersonFactory.create_batch(2)

        bulk_set_bank_cards(
            [(first, "6222 0212 3456 7890 128", VERIFIED_AT), (second, "6225881234567899", None)], actor=clerk
        )

        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.bank_card, first.bank_card_last4, first.bank_card_verified_at) == (
            "6222021234567890128",
            "0128",
            VERIFIED_AT,
        )
        assert (second.bank_card_last4, second.bank_card_verified_at) == ("7899", None)

    def test_writes_nothing_when_one_card_is_malformed(self, clerk):
        first, second = PersonFactory.create_batch(2)

        with pytest.raises(InvalidBankCard):
            bulk_set_bank_cards([(first, "6225881234567899", None), (second, "12", None)], actor=clerk)

        assert not Person.objects.filter(bank_card__isnull=False).exists()

    def test_records_one_masked_audit_event_per_person(self, clerk):
        people = PersonFactory.create_batch(3)

        bulk_set_bank_cards([(person, "6225881234567899", None) for person in people], actor=clerk)

        events = AuditEvent.objects.filter(action="accounts.bank_card_set")
        assert events.count() == 3
        assert all("6225881234567899" not in event.summary for event in events)
