"""django-axes locks the pair (user, address): nobody can lock a citizen out from their own address."""

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.signin.conftest import PASSWORD, last_code, log_in, wrong

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
CITIZEN = "198.51.100.7"


def _guess_passwords(client, username, times=5):
    for attempt in range(times):
        log_in(client, username, password=f"Wrong-guess-{attempt}", REMOTE_ADDR=ATTACKER)


class TestPasswordLockout:
    @override_settings(AUTH_SECOND_FACTOR="off")
    def test_locks_the_attacker_s_address_even_with_the_right_password(self, client, person):
        _guess_passwords(client, person.id_number)

        response = log_in(client, person.id_number, REMOTE_ADDR=ATTACKER)

        assert response.status_code == 429
        assert "_auth_user_id" not in client.session

    @override_settings(AUTH_SECOND_FACTOR="off")
    def test_lets_the_citizen_in_from_another_address(self, client, person):
        _guess_passwords(client, person.id_number)

        response = log_in(client, person.id_number, REMOTE_ADDR=CITIZEN)

        assert response.status_code == 302
        assert "_auth_user_id" in client.session

    @override_settings(AUTH_SECOND_FACTOR="off")
    def test_shows_the_lockout_page(self, client, person):
        _guess_passwords(client, person.id_number)

        response = log_in(client, person.id_number, REMOTE_ADDR=ATTACKER, headers={"accept-language": "en"})

        assert "Login locked" in response.text
        assert "12329" in response.text

    def test_locks_the_token_endpoint_for_the_attacker_only(self, person):
        attacker, citizen = APIClient(REMOTE_ADDR=ATTACKER), APIClient(REMOTE_ADDR=CITIZEN)
        for attempt in range(5):
            attacker.post(reverse("api:token"), {"username": person.id_number, "password": f"x{attempt}"})

        refused = attacker.post(reverse("api:token"), {"username": person.id_number, "password": PASSWORD})
        with override_settings(AUTH_SECOND_FACTOR="off"):
            accepted = citizen.post(
                reverse("api:token"), {"username": person.id_number, "password": PASSWORD}
            )

        assert refused.status_code == 403
        assert refused.json()["code"] == "LOCKED_OUT"
        assert accepted.status_code == 200


class TestCodeLockout:
    def test_five_wrong_codes_lock_the_address_like_five_wrong_passwords(self, client, person, phone):
        log_in(client, person.id_number, REMOTE_ADDR=ATTACKER)
        code = last_code(phone, person.mobile)
        for _ in range(5):
            client.post(reverse("web:login-verify"), {"code": wrong(code)}, REMOTE_ADDR=ATTACKER)

        response = log_in(client, person.id_number, REMOTE_ADDR=ATTACKER)

        assert response.status_code == 429
        assert len(phone.texts_to(person.mobile)) == 1

    def test_the_citizen_still_gets_a_code_from_another_address(self, client, person, phone):
        log_in(client, person.id_number, REMOTE_ADDR=ATTACKER)
        code = last_code(phone, person.mobile)
        for _ in range(5):
            client.post(reverse("web:login-verify"), {"code": wrong(code)}, REMOTE_ADDR=ATTACKER)
        client.cookies.clear()

        response = log_in(client, person.id_number, REMOTE_ADDR=CITIZEN)

        assert response.status_code == 302
        assert response.url == reverse("web:login-verify")
