"""Sessions end after 20 minutes without a request, and when the browser closes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests.signin.conftest import log_in

pytestmark = pytest.mark.django_db


class TestIdleTimeout:
    @pytest.fixture(autouse=True)
    def _password_only(self, settings):
        settings.AUTH_SECOND_FACTOR = "off"

    def test_a_session_used_every_few_minutes_stays_open(self, client, person):
        start = timezone.now()
        with freeze_time(start):
            log_in(client, person.id_number)
        for minutes in (15, 30, 45, 60):
            with freeze_time(start + timedelta(minutes=minutes)):
                response = client.get(reverse("web:hall-home"))

        assert response.status_code == 200

    def test_a_session_idle_for_more_than_20_minutes_is_over(self, client, person):
        start = timezone.now()
        with freeze_time(start):
            log_in(client, person.id_number)
            client.get(reverse("web:hall-home"))

        with freeze_time(start + timedelta(minutes=20, seconds=5)):
            response = client.get(reverse("web:hall-home"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login"))

    def test_the_session_cookie_ends_with_the_browser(self, client, person):
        response = log_in(client, person.id_number)

        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert cookie["max-age"] == ""
        assert cookie["expires"] == ""
