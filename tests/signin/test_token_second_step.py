"""``POST /api/v1/auth/token`` and ``/auth/token/verify``: the token follows the web login's rule."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.signin.conftest import PASSWORD, last_code, wrong

pytestmark = pytest.mark.django_db


def _token(api, username, **extra):
    return api.post(
        reverse("api:token"), {"username": username, "password": PASSWORD, **extra}, format="json"
    )


def _verify(api, challenge, code):
    return api.post(reverse("api:token-verify"), {"challenge": challenge, "code": code}, format="json")


class TestTokenView:
    def test_a_new_app_gets_a_challenge_and_a_texted_code(self, person, phone):
        response = _token(APIClient(), person.id_number)

        assert response.status_code == 202
        assert response.json()["second_factor"] == "sms"
        assert response.json()["sent_to"] == f"{person.mobile[:3]}****{person.mobile[-4:]}"
        assert "token" not in response.json()
        assert len(phone.texts_to(person.mobile)) == 1

    def test_a_trusted_device_gets_the_token_at_once(self, person, phone):
        api = APIClient()
        challenge = _token(api, person.id_number).json()["challenge"]
        device = _verify(api, challenge, last_code(phone, person.mobile)).json()["device"]

        response = _token(api, person.id_number, device=device)

        assert response.status_code == 200
        assert response.json()["token"]
        assert len(phone.texts_to(person.mobile)) == 1

    def test_an_unknown_device_id_is_asked_for_a_code(self, person, phone):
        response = _token(APIClient(), person.id_number, device="made-up")

        assert response.status_code == 202

    def test_staff_are_asked_for_their_authenticator_code(self, staff_member):
        TOTPDevice.objects.create(user=staff_member, name="app", confirmed=True)

        response = _token(APIClient(), "clerk")

        assert response.status_code == 202
        assert response.json()["second_factor"] == "totp"
        assert response.json()["sent_to"] == ""

    def test_staff_without_an_authenticator_are_refused(self, staff_member):
        response = _token(APIClient(), "clerk")

        assert response.status_code == 403
        assert response.json()["code"] == "NO_AUTHENTICATOR"

    def test_with_the_second_factor_off_answers_the_token(self, person, phone):
        with override_settings(AUTH_SECOND_FACTOR="off"):
            response = _token(APIClient(), person.id_number)

        assert response.status_code == 200
        assert phone.texts_to(person.mobile) == []


class TestTokenVerifyView:
    def test_the_right_code_answers_the_token_and_a_device_id(self, person, phone):
        api = APIClient()
        challenge = _token(api, person.id_number).json()["challenge"]

        response = _verify(api, challenge, last_code(phone, person.mobile))

        assert response.status_code == 200
        assert response.json()["token"]
        assert response.json()["device"]
        assert (
            api.get("/api/v1/me/account", HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}").status_code
            == 200
        )

    def test_a_wrong_code_is_refused_with_the_tries_left(self, person, phone):
        api = APIClient()
        challenge = _token(api, person.id_number).json()["challenge"]

        response = _verify(api, challenge, wrong(last_code(phone, person.mobile)))

        assert response.status_code == 400
        assert response.json()["code"] == "WRONG_CODE"

    def test_a_used_challenge_is_over(self, person, phone):
        api = APIClient()
        challenge = _token(api, person.id_number).json()["challenge"]
        code = last_code(phone, person.mobile)
        _verify(api, challenge, code)

        response = _verify(api, challenge, code)

        assert response.status_code == 400
        assert response.json()["code"] == "CHALLENGE_OVER"

    def test_staff_get_the_token_with_their_authenticator_code_and_no_device(self, staff_member):
        device = TOTPDevice.objects.create(user=staff_member, name="app", confirmed=True)
        api = APIClient()
        challenge = _token(api, "clerk").json()["challenge"]
        code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"

        response = _verify(api, challenge, code)

        assert response.status_code == 200
        assert response.json()["device"] is None

    def test_five_wrong_codes_lock_this_address_out(self, person, phone):
        api = APIClient()
        challenge = _token(api, person.id_number).json()["challenge"]
        code = last_code(phone, person.mobile)
        for _ in range(5):
            _verify(api, challenge, wrong(code))
        fresh = _token(api, person.id_number)

        assert fresh.status_code == 403
        assert fresh.json()["code"] == "LOCKED_OUT"
