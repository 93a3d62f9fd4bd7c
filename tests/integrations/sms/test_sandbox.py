import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from integrations.models import SandboxSms
from integrations.sms import ports
from integrations.sms.sandbox import SandboxSmsGateway, reset_random

pytestmark = pytest.mark.django_db

MOBILE = "13812345678"
TIMEOUT = 0.5


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.SANDBOX_SMS_LATENCY_MS = 0
    settings.SANDBOX_SMS_FAILURE_RATE = "0"
    reset_random()


class TestSandboxSend:
    def test_keeps_the_message_for_staff_to_read(self):
        receipt = SandboxSmsGateway().send(
            MOBILE, "【住房公积金】提取款项已到账", reference="msg-1", timeout=TIMEOUT
        )

        row = SandboxSms.objects.get()
        assert (row.reference, row.mobile, row.text) == ("msg-1", MOBILE, "【住房公积金】提取款项已到账")
        assert receipt.gateway_ref == row.gateway_ref
        assert row.masked_mobile == "138****5678"

    def test_returns_the_first_receipt_when_the_same_reference_is_sent_again(self):
        gateway = SandboxSmsGateway()
        first = gateway.send(MOBILE, "text", reference="msg-1", timeout=TIMEOUT)

        again = gateway.send(MOBILE, "text", reference="msg-1", timeout=TIMEOUT)

        assert again == first
        assert SandboxSms.objects.count() == 1

    def test_refuses_a_reference_reused_for_another_text(self):
        gateway = SandboxSmsGateway()
        gateway.send(MOBILE, "text", reference="msg-1", timeout=TIMEOUT)

        with pytest.raises(ports.SmsRejected):
            gateway.send(MOBILE, "other text", reference="msg-1", timeout=TIMEOUT)

    def test_refuses_a_malformed_mobile(self):
        with pytest.raises(ports.SmsRejected):
            SandboxSmsGateway().send("12345", "text", reference="msg-1", timeout=TIMEOUT)

    def test_times_out_when_slower_than_the_caller_waits(self, settings):
        settings.SANDBOX_SMS_LATENCY_MS = 200
        start = time.monotonic()

        with pytest.raises(ports.SmsUnavailable):
            SandboxSmsGateway().send(MOBILE, "text", reference="msg-1", timeout=0.05)

        assert time.monotonic() - start < 0.2
        assert not SandboxSms.objects.exists()

    def test_refuses_every_call_at_a_failure_rate_of_one(self, settings):
        settings.SANDBOX_SMS_FAILURE_RATE = "1"

        with pytest.raises(ports.SmsUnavailable):
            SandboxSmsGateway().send(MOBILE, "text", reference="msg-1", timeout=TIMEOUT)

        assert not SandboxSms.objects.exists()

    def test_refuses_a_failure_rate_that_is_not_a_number(self, settings):
        settings.SANDBOX_SMS_FAILURE_RATE = "often"

        with pytest.raises(ImproperlyConfigured):
            SandboxSmsGateway().send(MOBILE, "text", reference="msg-1", timeout=TIMEOUT)
