from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from freezegun import freeze_time

from audit.services import NoOpenTransaction
from notifications import tasks
from notifications.models import Message, SmsOutbox, SmsStatus
from notifications.services import SMS_MAX_ATTEMPTS, notify, send_sms
from tests.accounts.factories import PersonFactory

pytestmark = pytest.mark.django_db


def send_notice(person, **fields):
    fields = {
        "kind": "withdrawal_decided",
        "title": "提取申请已批准",
        "body": "款项将转入您的银行卡。",
    } | fields
    with transaction.atomic():
        return notify(person=person, **fields)


class TestNotify:
    def test_stores_the_message_and_texts_it_after_commit(self, gateway, django_capture_on_commit_callbacks):
        person = PersonFactory(mobile="13912345678")

        with django_capture_on_commit_callbacks(execute=True):
            message = send_notice(person, link="/hall/applications/")

        assert (message.person, message.kind, message.link, message.read_at) == (
            person,
            "withdrawal_decided",
            "/hall/applications/",
            None,
        )
        assert gateway.texts_to("13912345678") == ["【住房公积金】提取申请已批准：款项将转入您的银行卡。"]
        assert SmsOutbox.objects.get(message=message).status == SmsStatus.SENT

    def test_sends_nothing_before_the_transaction_commits(self, gateway, django_capture_on_commit_callbacks):
        person = PersonFactory()

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            send_notice(person)

        assert gateway.calls == 0
        assert len(callbacks) == 1

    def test_keeps_nothing_when_the_caller_s_transaction_rolls_back(self, gateway):
        person = PersonFactory()

        with pytest.raises(RuntimeError), transaction.atomic():
            notify(person=person, kind="payout_paid", title="t", body="b")
            raise RuntimeError

        assert not Message.objects.exists()

    def test_writes_no_text_when_asked_not_to(self, gateway, django_capture_on_commit_callbacks):
        person = PersonFactory()

        with django_capture_on_commit_callbacks(execute=True):
            message = send_notice(person, sms=False)

        assert not SmsOutbox.objects.filter(message=message).exists()
        assert gateway.calls == 0

    def test_writes_no_text_for_a_person_without_a_usable_mobile(self, gateway):
        person = PersonFactory(mobile="")

        message = send_notice(person)

        assert not SmsOutbox.objects.filter(message=message).exists()

    def test_refuses_to_run_outside_a_transaction(self):
        person = PersonFactory()
        # pytest-django wraps each test in a transaction: hide it to reach the guard.
        connection.in_atomic_block = False
        try:
            with pytest.raises(NoOpenTransaction):
                notify(person=person, kind="payout_paid", title="t", body="b")
        finally:
            connection.in_atomic_block = True

    @pytest.mark.parametrize(
        "fields",
        [
            {"kind": "Payout Paid"},
            {"title": " "},
            {"title": "长" * 101},
            {"link": "https://example.com/"},
            {"link": "//example.com/"},
        ],
        ids=str,
    )
    def test_refuses_a_malformed_message(self, fields):
        with pytest.raises(ValueError):
            send_notice(PersonFactory(), **fields)

    def test_cuts_a_long_text_to_what_a_gateway_accepts(self, gateway, django_capture_on_commit_callbacks):
        person = PersonFactory()

        with django_capture_on_commit_callbacks(execute=True):
            message = send_notice(person, body="长" * 600)

        assert len(message.sms.text) == 500
        assert message.sms.text.endswith("…")


class TestSendSms:
    def test_sends_a_text_once_however_often_it_is_sent(self, gateway):
        message = send_notice(PersonFactory())

        send_sms(outbox_id=message.sms.pk)
        send_sms(outbox_id=message.sms.pk)

        assert len(gateway.sent) == 1
        assert gateway.calls == 1
        message.sms.refresh_from_db()
        assert (message.sms.status, message.sms.attempts) == (SmsStatus.SENT, 1)

    def test_keeps_it_waiting_while_the_gateway_is_unavailable(self, gateway):
        message = send_notice(PersonFactory())
        gateway.unavailable = True

        status = send_sms(outbox_id=message.sms.pk)

        message.sms.refresh_from_db()
        assert status == SmsStatus.PENDING
        assert message.sms.attempts == 1
        assert "unavailable" in message.sms.last_error

    def test_gives_up_after_the_last_attempt(self, gateway):
        message = send_notice(PersonFactory())
        gateway.unavailable = True

        statuses = [send_sms(outbox_id=message.sms.pk) for _ in range(SMS_MAX_ATTEMPTS)]

        assert statuses[-2:] == [SmsStatus.PENDING, SmsStatus.FAILED]

    def test_does_not_text_twice_when_the_first_answer_was_lost(self, gateway):
        message = send_notice(PersonFactory())
        gateway.time_out_after_accepting = True
        send_sms(outbox_id=message.sms.pk)
        gateway.time_out_after_accepting = False

        status = send_sms(outbox_id=message.sms.pk)

        assert status == SmsStatus.SENT
        assert len(gateway.sent) == 1


class TestSweepSmsOutbox:
    def test_sends_the_texts_whose_task_was_lost(self, gateway):
        with freeze_time(timezone.now() - timedelta(minutes=5)):
            lost = send_notice(PersonFactory())
        fresh = send_notice(PersonFactory())

        tasks.sweep_sms_outbox.delay()

        lost.sms.refresh_from_db()
        fresh.sms.refresh_from_db()
        assert lost.sms.status == SmsStatus.SENT
        assert fresh.sms.status == SmsStatus.PENDING
