"""The hall's sandbox phone: a person texts 12329 from their registered mobile and reads the answer."""

import pytest
from django.urls import reverse

from hotline.models import InboundSms
from integrations.models import SandboxSms
from integrations.sms.fakes import FakeSmsGateway
from integrations.sms.sandbox import SandboxSmsGateway
from integrations.sms.testing import use_sms

pytestmark = pytest.mark.django_db

PAGE = "web:hall-sandbox-phone"
ENGLISH = {"accept-language": "en"}


@pytest.fixture
def sandbox(settings):
    settings.SANDBOX_SMS_LATENCY_MS = 0
    settings.SANDBOX_SMS_FAILURE_RATE = "0"
    with use_sms(SandboxSmsGateway()) as gateway:
        yield gateway


@pytest.fixture
def logged_in(client, employee):
    client.force_login(employee)
    return client


def send(client, text, capture):
    with capture(execute=True):
        return client.post(reverse(PAGE), {"text": text}, headers=ENGLISH, follow=True)


class TestSandboxPhone:
    def test_texting_ye_puts_the_balance_on_the_persons_phone(
        self, sandbox, logged_in, employee_account, django_capture_on_commit_callbacks
    ):
        assert send(logged_in, "YE", django_capture_on_commit_callbacks).status_code == 200

        page = logged_in.get(reverse(PAGE), headers=ENGLISH)  # the answer came after the send
        (inbound,) = InboundSms.objects.all()
        assert inbound.outcome == "ANSWERED"
        (received,) = SandboxSms.objects.filter(mobile=employee_account.person.mobile)
        assert "4,800.00" in received.text or "4800.00" in received.text
        assert employee_account.account_no[-4:] in received.text
        assert received.text in page.content.decode()

    def test_an_empty_text_is_refused_and_nothing_is_sent(
        self, sandbox, logged_in, django_capture_on_commit_callbacks
    ):
        response = send(logged_in, "   ", django_capture_on_commit_callbacks)

        assert "Type a keyword" in response.content.decode()
        assert not InboundSms.objects.exists()
        assert not SandboxSms.objects.exists()

    def test_the_home_page_offers_it_only_with_the_sandbox_gateway(self, logged_in):
        with use_sms(SandboxSmsGateway()):
            assert b"sandbox-phone-link" in logged_in.get(reverse("web:hall-home")).content
        with use_sms(FakeSmsGateway()):
            assert b"sandbox-phone-link" not in logged_in.get(reverse("web:hall-home")).content

    def test_is_not_there_when_the_gateway_is_real(self, logged_in):
        with use_sms(FakeSmsGateway()):
            assert logged_in.get(reverse(PAGE)).status_code == 404

    def test_is_for_employees_only(self, client, preparer, sandbox):
        client.force_login(preparer)

        assert client.get(reverse(PAGE)).status_code in (302, 403)
