"""Every request has an id: echoed in X-Request-ID, written on its access log line and its log lines."""

import logging
import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from core.request_context import RequestContextMiddleware, current_context, request_id_from

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"[0-9a-f]{32}")


def _served(path="/hall/", status=200, **headers):
    seen = {}

    def view(request):
        seen["request_id"] = current_context().request_id
        return HttpResponse(status=status)

    response = RequestContextMiddleware(view)(RequestFactory().get(path, **headers))
    return response, seen["request_id"]


class TestRequestIdFrom:
    @pytest.mark.parametrize("value", ["abc123", "7f3a-42.b_c:9", "a" * 64])
    def test_keeps_a_sane_client_id(self, value):
        assert request_id_from(value) == value

    @pytest.mark.parametrize(
        "value", ["", None, "a" * 65, "two words", "line\nforged", 'quote"d', "-leading-dash", "身份证"]
    )
    def test_replaces_anything_else_with_a_new_id(self, value):
        assert GENERATED.fullmatch(request_id_from(value))


class TestRequestContextMiddleware:
    def test_echoes_the_clients_request_id(self):
        response, seen = _served(HTTP_X_REQUEST_ID="lb-5e1d2c")

        assert response["X-Request-ID"] == seen == "lb-5e1d2c"

    def test_gives_a_request_without_one_a_new_id_and_says_which(self):
        response, seen = _served()

        assert GENERATED.fullmatch(response["X-Request-ID"])
        assert seen == response["X-Request-ID"]

    def test_does_not_echo_a_forged_log_line(self):
        response, _seen = _served(HTTP_X_REQUEST_ID='x\n{"level": "ERROR"}')

        assert GENERATED.fullmatch(response["X-Request-ID"])

    def test_writes_one_access_line_with_method_path_status_and_duration(self, caplog):
        caplog.set_level(logging.INFO, logger="fundportal.access")

        _served("/hall/statement/?id=35020319900101123X", status=404)

        [record] = [r for r in caplog.records if r.name == "fundportal.access"]
        assert (record.method, record.path, record.status) == ("GET", "/hall/statement/", 404)
        assert record.duration_ms >= 0
        assert "?" not in record.getMessage() and "35020319900101123X" not in record.getMessage()

    def test_access_line_is_written_inside_the_requests_context(self, caplog):
        caplog.set_level(logging.INFO, logger="fundportal.access")
        seen_ids = []
        handler = logging.Handler()
        handler.emit = lambda record: seen_ids.append(current_context().request_id)
        logging.getLogger("fundportal.access").addHandler(handler)
        try:
            _served(HTTP_X_REQUEST_ID="req-1")
        finally:
            logging.getLogger("fundportal.access").removeHandler(handler)

        assert seen_ids == ["req-1"]

    def test_leaves_healthy_probes_out_of_the_access_log(self, caplog):
        caplog.set_level(logging.INFO, logger="fundportal.access")

        _served("/readyz", status=200)
        _served("/readyz", status=503)

        assert [r.status for r in caplog.records if r.name == "fundportal.access"] == [503]

    def test_a_real_request_through_the_stack_carries_the_header(self, client):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="probe-1")

        assert response["X-Request-ID"] == "probe-1"

    def test_the_https_redirect_carries_the_id_and_is_logged(self, client, settings, caplog):
        settings.SECURE_SSL_REDIRECT = True
        caplog.set_level(logging.INFO, logger="fundportal.access")

        response = client.get("/login/", HTTP_X_REQUEST_ID="lb-42")

        assert response.status_code == 301
        assert response["Location"].startswith("https://")
        assert response["X-Request-ID"] == "lb-42"
        assert [r.status for r in caplog.records if r.name == "fundportal.access"] == [301]
