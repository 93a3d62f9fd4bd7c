"""The completion of a transfer in, recorded by racing workers on PostgreSQL: credited once."""

import pytest
from django.db import transaction

from integrations.transfer_platform import ports
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from tests.ledger.test_concurrency import race
from tests.policy import ensure_policy_parameters
from transfers import incoming
from transfers.models import IncomingStatus, IncomingTransfer

from .factories import SHANGHAI, active_account, reply

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class TestRecordCompletionConcurrently:
    def test_four_workers_recording_the_completion_credit_once(self):
        ensure_policy_parameters()
        with transaction.atomic():
            account = active_account()
        transfer = IncomingTransfer.objects.create(
            person=account.person,
            account=account,
            sending_city_code=SHANGHAI[0],
            sending_city_name=SHANGHAI[1],
            status=IncomingStatus.SENT,
            letter_ref="TI-RACE",
            platform_ref="PLT-RACE",
        )
        status = ports.LetterStatus(
            letter_ref="TI-RACE",
            platform_ref="PLT-RACE",
            status=ports.COMPLETED,
            reply=reply(principal=700_000, interest=50),
        )

        results, errors = race(
            4, lambda _i: incoming.record_letter_status(transfer_id=transfer.pk, status=status)
        )

        assert errors == []
        assert all(result.status == IncomingStatus.COMPLETED for result in results)
        assert JournalEntry.objects.filter(business_type=BusinessType.TRANSFER_IN).count() == 1
        assert balance_of(account.ledger_account) == 700_050
