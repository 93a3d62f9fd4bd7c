"""An employee's stored language sets the page language when they log in on a new device."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Language
from accounts.services import create_employee_login
from tests.accounts.factories import FundAccountFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Fund-portal-2026!"


def _employee(language):
    person = FundAccountFactory(base=1000000).person
    person.language = language
    person.save(update_fields=["language"])
    create_employee_login(person=person, password=PASSWORD)
    return person


def _log_in(client, person, **extra):
    return client.post(
        reverse("web:login"), {"username": person.id_number, "password": PASSWORD}, follow=True, **extra
    )


class TestLoginLanguage:
    def test_an_english_reader_s_hall_comes_in_english(self, client):
        person = _employee(Language.EN)

        response = _log_in(client, person)

        assert response.redirect_chain[-1][0] == reverse("web:hall-home")
        assert '<html lang="en">' in response.text
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    def test_a_chinese_reader_s_hall_comes_in_chinese_even_from_an_english_browser(self, client):
        person = _employee(Language.ZH_HANS)

        response = _log_in(client, person, headers={"accept-language": "en"})

        assert response.redirect_chain[-1][0] == reverse("web:hall-home")
        assert '<html lang="zh-hans">' in response.text
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"

    def test_a_language_chosen_on_this_device_before_logging_in_is_kept(self, client):
        person = _employee(Language.EN)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

        response = _log_in(client, person)

        assert '<html lang="zh-hans">' in response.text
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"

    def test_a_failed_login_sets_no_language(self, client):
        person = _employee(Language.EN)

        response = client.post(reverse("web:login"), {"username": person.id_number, "password": "wrong"})

        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
