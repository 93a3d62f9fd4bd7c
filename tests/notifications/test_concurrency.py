"""Races on PostgreSQL: the after-commit task and the sweep sending the same text at once."""

import threading

import pytest
from django.db import connection, transaction

from integrations.sms.fakes import FakeSmsGateway
from integrations.sms.testing import use_sms
from notifications.models import SmsOutbox, SmsStatus
from notifications.services import notify, send_sms
from tests.accounts.factories import PersonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class TestSendSmsRace:
    def test_texts_once_and_counts_one_attempt_when_two_senders_race(self):
        person = PersonFactory(mobile="13612345678")
        with use_sms(FakeSmsGateway()) as gateway:
            with transaction.atomic():
                message = notify(
                    person=person, kind="payout_paid", title="提取款项已到账", body="b", sms=True
                )
            # The after-commit task already ran (eager): put the row back to waiting to race it.
            SmsOutbox.objects.filter(message=message).update(
                status=SmsStatus.PENDING, sent_at=None, attempts=0
            )
            outbox_id = SmsOutbox.objects.get(message=message).pk
            start = threading.Barrier(2)
            statuses = []

            def send():
                try:
                    start.wait()
                    statuses.append(send_sms(outbox_id=outbox_id))
                finally:
                    connection.close()

            threads = [threading.Thread(target=send) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        row = SmsOutbox.objects.get(pk=outbox_id)
        assert statuses == [SmsStatus.SENT, SmsStatus.SENT]
        assert (row.status, row.attempts) == (SmsStatus.SENT, 1)
        assert gateway.texts_to("13612345678") == ["【住房公积金】提取款项已到账：b"]
