"""A person's language: chosen in the hall (the page switch, the security page) or the API, and used
by ``notify`` for the message and its text; what was written before stays as it was."""

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.test import APIClient

from accounts.models import Person
from audit.models import AuditEvent
from notifications.models import Message, SmsOutbox
from notifications.services import Notice, notify, notify_many
from notifications.text import Both, Day, Join, Month, Text, yuan
from tests.accounts.factories import PersonFactory

pytestmark = pytest.mark.django_db

TITLE = _("Deposit arrived")
BODY = _(
    "The housing fund deposit of %(amount)s yuan for %(month)s from %(unit)s has arrived in your account."
)


PARAMS = {"amount": "1.00", "month": Month(date(2026, 10, 1)), "unit": "某单位"}


def send(person, **fields):
    with transaction.atomic():
        return notify(person=person, kind="deposit_arrived", **fields)


def send_deposit_arrived(person):
    params = {"amount": yuan(192000), "month": Month(date(2026, 10, 1)), "unit": "厦门示例公司"}
    return send(person, title=TITLE, body=BODY, params=params)


class TestNotifyInThePersonsLanguage:
    def test_writes_a_chinese_reader_the_chinese(self, gateway, django_capture_on_commit_callbacks):
        person = PersonFactory(mobile="13912345678")

        with django_capture_on_commit_callbacks(execute=True):
            message = send_deposit_arrived(person)

        assert (message.title, message.body, message.language) == (
            "缴存已到账",
            "厦门示例公司为您缴存的2026年10月住房公积金1,920.00元已到账。",
            "zh-hans",
        )
        assert gateway.texts_to("13912345678") == [
            "【住房公积金】缴存已到账：厦门示例公司为您缴存的2026年10月住房公积金1,920.00元已到账。"
        ]

    def test_writes_an_english_reader_the_english(self, gateway, django_capture_on_commit_callbacks):
        person = PersonFactory(mobile="13912345678", language="en")

        with django_capture_on_commit_callbacks(execute=True):
            message = send_deposit_arrived(person)

        assert (message.title, message.language) == ("Deposit arrived", "en")
        assert message.body == (
            "The housing fund deposit of 1,920.00 yuan for Oct 2026 from 厦门示例公司 "
            "has arrived in your account."
        )
        assert gateway.texts_to("13912345678") == [f"【住房公积金】Deposit arrived: {message.body}"]

    def test_renders_nested_texts_days_and_stored_pairs_in_the_reader_s_language(self):
        body = Join(
            Text(_("Withdrawal credited")),
            Text(_("the bank card ending %(last4)s"), last4="1234"),
            Day(date(2026, 11, 27)),
            Both("您在本市有住房", "You own a home in the city"),
        )
        chinese = send(PersonFactory(), title=TITLE, body=body)
        english = send(PersonFactory(language="en"), title=TITLE, body=body)

        assert chinese.body == "提取款项已到账尾号1234的银行卡2026年11月27日您在本市有住房"
        assert (
            english.body
            == "Withdrawal credited the bank card ending 1234 27 Nov 2026 You own a home in the city"
        )

    def test_stores_plain_text_as_it_was_given(self):
        message = send(PersonFactory(language="en"), title="提取申请已批准", body="款项将转入您的银行卡。")

        assert (message.title, message.body) == ("提取申请已批准", "款项将转入您的银行卡。")

    def test_falls_back_to_chinese_for_a_language_it_does_not_have(self):
        person = PersonFactory()
        person.language = "fr"

        message = send(person, title=TITLE, body="x")

        assert (message.title, message.language) == ("缴存已到账", "zh-hans")

    def test_leaves_earlier_messages_as_they_were_written(self):
        person = PersonFactory()
        before = send(person, title=TITLE, body="x")

        Person.objects.filter(pk=person.pk).update(language="en")
        person.refresh_from_db()
        after = send(person, title=TITLE, body="x")

        before.refresh_from_db()
        assert (before.title, after.title) == ("缴存已到账", "Deposit arrived")


class TestNotifyMany:
    def test_writes_each_person_in_their_language_and_queues_the_texts_in_chunks(
        self, gateway, django_capture_on_commit_callbacks
    ):
        chinese, english = (
            PersonFactory(mobile="13900000001"),
            PersonFactory(mobile="13900000002", language="en"),
        )
        silent = PersonFactory(mobile="")
        notices = [
            Notice(
                person_id=p.pk,
                language=p.language,
                mobile=p.mobile,
                params={"amount": yuan(100), "month": Month(date(2026, 10, 1)), "unit": "某单位"},
            )
            for p in (chinese, english, silent)
        ]

        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            count = notify_many(notices=notices, key="list:1", kind="deposit_arrived", title=TITLE, body=BODY)

        assert count == 3
        assert len(callbacks) == 1
        assert Message.objects.get(person=chinese).title == "缴存已到账"
        assert Message.objects.get(person=english).title == "Deposit arrived"
        assert SmsOutbox.objects.count() == 2
        assert gateway.texts_to("13900000002")[0].startswith(
            "【住房公积金】Deposit arrived: The housing fund"
        )


class TestPreferencesApi:
    def test_reads_and_changes_the_message_language(self, employee_account):
        api = APIClient()
        user = employee_account.person.user
        api.force_authenticate(user)

        before = api.get(reverse("api:me-preferences"))
        changed = api.patch(reverse("api:me-preferences"), {"language": "en"}, format="json")

        assert before.json() == {"language": "zh-hans"}
        assert changed.status_code == 200
        assert changed.json() == {"language": "en"}
        assert Person.objects.get(pk=employee_account.person.pk).language == "en"
        assert AuditEvent.objects.filter(action="accounts.language_set").count() == 1

    def test_refuses_a_language_the_portal_does_not_have(self, employee_account):
        api = APIClient()
        api.force_authenticate(employee_account.person.user)

        response = api.patch(reverse("api:me-preferences"), {"language": "fr"}, format="json")

        assert response.status_code == 400
        assert Person.objects.get(pk=employee_account.person.pk).language == "zh-hans"


class TestHallLanguage:
    def test_switching_the_page_language_sets_the_message_language(self, client, employee):
        client.force_login(employee)

        response = client.post(reverse("set_language"), {"language": "en", "next": "/hall/"})

        assert response.status_code == 302
        assert Person.objects.get(user=employee).language == "en"

    def test_switching_without_logging_in_only_sets_the_page_language(self, client):
        response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

        assert response.status_code == 302
        assert response.cookies["django_language"].value == "en"

    def test_the_security_page_sets_it(self, client, employee):
        client.force_login(employee)

        page = client.get(reverse("web:hall-security"))
        response = client.post(reverse("web:hall-security"), {"action": "language", "language": "en"})

        assert "消息语言" in page.text
        assert response.status_code == 302
        assert Person.objects.get(user=employee).language == "en"
