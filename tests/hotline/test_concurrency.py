"""Races on PostgreSQL: the gateway posting one text twice at once still gets one answer."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from hotline.models import InboundSms, OutgoingText
from hotline.sms import receive_sms
from integrations.sms.fakes import FakeSmsGateway
from integrations.sms.testing import use_sms
from tests.accounts.factories import FundAccountFactory, PersonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class TestReceiveSmsRace:
    def test_answers_once_when_two_retries_of_one_message_race(self):
        with transaction.atomic():
            FundAccountFactory(person=PersonFactory(mobile="13612345678"))
        start = threading.Barrier(2)
        receipts = []

        def post():
            try:
                start.wait()
                receipts.append(
                    receive_sms(
                        message_id="GW-RACE", mobile="13612345678", text="YE", received_at=timezone.now()
                    )
                )
            finally:
                connection.close()

        with use_sms(FakeSmsGateway()) as gateway:
            threads = [threading.Thread(target=post) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        assert sorted(receipt.duplicate for receipt in receipts) == [False, True]
        assert InboundSms.objects.count() == 1
        assert OutgoingText.objects.count() == 1
        assert len(gateway.texts_to("13612345678")) == 1
