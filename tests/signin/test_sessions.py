"""Sessions end after 20 minutes without a request (renewed at most once a minute), and when the browser
closes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def _session_writes(captured) -> int:
    return sum(
        1
        for query in captured
        if query["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in query["sql"]
    )


class TestRenewal:
    """The idle timeout's end is pushed back by a write at most once a minute (signin.session_store)."""

    @pytest.fixture(autouse=True)
    def _password_only(self, settings):
        settings.AUTH_SECOND_FACTOR = "off"

    def _expiry(self, client):
        return Session.objects.get(session_key=client.session.session_key).expire_date

    def test_a_page_read_within_the_minute_writes_nothing(self, client, person):
        start = timezone.now()
        with freeze_time(start):
            log_in(client, person.id_number)
        with freeze_time(start + timedelta(seconds=50)), CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("web:hall-home"))

        assert response.status_code == 200
        assert _session_writes(captured) == 0
        assert self._expiry(client) == start + timedelta(seconds=settings.SESSION_COOKIE_AGE)

    def test_a_page_read_a_minute_later_pushes_the_end_back(self, client, person):
        start = timezone.now()
        with freeze_time(start):
            log_in(client, person.id_number)
        with freeze_time(start + timedelta(seconds=61)), CaptureQueriesContext(connection) as captured:
            client.get(reverse("web:hall-home"))

        assert _session_writes(captured) == 1
        assert self._expiry(client) == start + timedelta(seconds=61 + settings.SESSION_COOKIE_AGE)

    def test_a_session_used_every_half_minute_stays_open(self, client, person):
        start = timezone.now()
        with freeze_time(start):
            log_in(client, person.id_number)
        for seconds in range(30, 45 * 60, 30):
            with freeze_time(start + timedelta(seconds=seconds)):
                response = client.get(reverse("web:hall-home"))

        assert response.status_code == 200

    def test_the_end_is_never_later_than_20_minutes_after_the_last_request(self, client, person):
        start = timezone.now()
        with freeze_time(start):
            log_in(client, person.id_number)
        # Within the minute: not written, so the end stays 20 minutes after the login.
        with freeze_time(start + timedelta(seconds=59)):
            client.get(reverse("web:hall-home"))

        with freeze_time(start + timedelta(minutes=20, seconds=1)):
            response = client.get(reverse("web:hall-home"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login"))

    def test_a_change_of_the_session_is_written_at_once(self, client, person):
        start = timezone.now()
        with freeze_time(start):
            log_in(client, person.id_number)
        with freeze_time(start + timedelta(seconds=10)):
            session = client.session
            session["marker"] = "changed"
            session.save()

        assert Session.objects.get(session_key=session.session_key).get_decoded()["marker"] == "changed"

    def test_a_refused_session_key_is_not_renewed_into_a_login(self, client, person):
        log_in(client, person.id_number)
        # Gone from the database and from the cache in front of it.
        Session.objects.all().delete()
        cache.clear()

        response = client.get(reverse("web:hall-home"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login"))


class TestReadThroughTheCache:
    """A logged-in page reads its session from the shared cache; the database stays the record."""

    @pytest.fixture(autouse=True)
    def _password_only(self, settings):
        settings.AUTH_SECOND_FACTOR = "off"

    def test_a_page_reads_the_session_without_a_query(self, client, person):
        log_in(client, person.id_number)

        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("web:hall-home"))

        assert response.status_code == 200
        assert not [query for query in captured if "django_session" in query["sql"]]

    def test_a_session_the_cache_has_lost_is_read_from_the_database(self, client, person):
        log_in(client, person.id_number)
        cache.clear()

        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("web:hall-home"))

        assert response.status_code == 200
        reads = [
            query
            for query in captured
            if query["sql"].startswith("SELECT") and "django_session" in query["sql"]
        ]
        assert len(reads) == 1

    def test_logging_out_ends_the_session_in_the_cache_too(self, client, person):
        log_in(client, person.id_number)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

        client.post(reverse("web:logout"))
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        response = client.get(reverse("web:hall-home"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login"))
