"""Every sign-in page keeps to the Content-Security-Policy (no inline script or style), and the
API's documentation serves Swagger UI from our own files."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.signin.conftest import log_in

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+=\"", re.IGNORECASE)


def _assert_keeps_to_the_policy(response):
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not INLINE_SCRIPT.search(response.text)
    assert not INLINE_STYLE.search(response.text)
    assert not EVENT_HANDLER.search(response.text)


class TestSigninPages:
    def test_the_login_page_keeps_to_the_policy(self, client):
        _assert_keeps_to_the_policy(client.get(reverse("web:login")))

    def test_the_code_page_keeps_to_the_policy(self, client, person):
        log_in(client, person.id_number)

        _assert_keeps_to_the_policy(client.get(reverse("web:login-verify")))

    def test_the_enrolment_page_keeps_to_the_policy(self, client, staff_member):
        log_in(client, "clerk")

        _assert_keeps_to_the_policy(client.get(reverse("web:login-authenticator")))

    def test_the_authenticator_page_keeps_to_the_policy(self, client, staff_member):
        TOTPDevice.objects.create(user=staff_member, name="app", confirmed=True)
        log_in(client, "clerk")

        _assert_keeps_to_the_policy(client.get(reverse("web:login-authenticator")))

    def test_the_password_change_page_keeps_to_the_policy(self, client, person, settings):
        settings.AUTH_SECOND_FACTOR = "off"
        log_in(client, person.id_number)

        _assert_keeps_to_the_policy(client.get(reverse("web:password-change")))

    def test_the_hall_security_page_keeps_to_the_policy(self, client, person, settings):
        settings.AUTH_SECOND_FACTOR = "off"
        log_in(client, person.id_number)

        _assert_keeps_to_the_policy(client.get(reverse("web:hall-security")))


class TestHeaders:
    def test_every_page_forbids_framing_and_sniffing(self, client):
        response = client.get(reverse("web:login"))

        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


class TestApiDocs:
    def test_load_swagger_ui_from_our_own_static_files(self, client):
        response = client.get(reverse("api-docs"))

        assert response.status_code == 200
        assert "cdn" not in response.text.lower()
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in response.text
        assert not INLINE_SCRIPT.search(response.text)

    def test_allow_inline_styles_on_that_page_only(self, client):
        docs = client.get(reverse("api-docs")).headers["Content-Security-Policy"]
        login = client.get(reverse("web:login")).headers["Content-Security-Policy"]

        assert "'unsafe-inline'" in docs
        assert "script-src 'self';" in docs + ";"
        assert "'unsafe-inline'" not in login

    def test_serve_their_start_up_script_as_a_file(self, client):
        response = client.get(reverse("api-docs") + "?script=")

        assert response.status_code == 200
        assert "SwaggerUIBundle" in response.text


class TestTemplates:
    @pytest.mark.parametrize(
        "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
    )
    def test_hold_no_inline_script_or_style(self, template):
        text = template.read_text(encoding="utf-8")

        assert not INLINE_SCRIPT.search(text)
        assert not INLINE_STYLE.search(text)
        assert not EVENT_HANDLER.search(text)
