"""The password policy, and the page where every user changes their password."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.signin.conftest import PASSWORD, log_in

pytestmark = pytest.mark.django_db


def _refusals(password, user) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [item.code for item in error.error_list]
    return []


class TestPasswordPolicy:
    def test_accepts_a_long_mixed_password(self, person):
        assert _refusals("Lujiang-harbour-77", person.user) == []

    def test_refuses_fewer_than_ten_characters(self, person):
        assert "password_too_short" in _refusals("Ab3-xyz9q", person.user)

    def test_refuses_only_digits(self, person):
        assert "password_entirely_numeric" in _refusals("8264019375", person.user)

    def test_refuses_a_common_password(self, person):
        assert "password_too_common" in _refusals("password123", person.user)

    def test_refuses_one_like_the_user_name(self, operator):
        assert "password_too_similar" in _refusals("hr-prep-2026", operator)

    def test_refuses_the_employee_s_id_number(self, person):
        assert "password_has_id_number" in _refusals(f"Id{person.id_number}", person.user)

    def test_refuses_the_last_six_characters_of_the_id_number(self, person):
        assert "password_has_id_number" in _refusals(f"Harbour-{person.id_number[-6:]}", person.user)

    def test_refuses_the_employee_s_birth_date(self, person):
        birth = person.birth_date.strftime("%Y%m%d")

        assert "password_has_birth_date" in _refusals(f"Harbour-{birth}", person.user)

    def test_lets_an_operator_use_digits_that_would_be_a_birth_date(self, operator):
        assert _refusals("Harbour-19900101", operator) == []


class TestPasswordChangePage:
    @pytest.fixture(autouse=True)
    def _password_only(self, settings):
        settings.AUTH_SECOND_FACTOR = "off"

    def test_changes_the_password(self, client, person):
        log_in(client, person.id_number)

        response = client.post(
            reverse("web:password-change"),
            {
                "old_password": PASSWORD,
                "new_password1": "Lujiang-harbour-77",
                "new_password2": "Lujiang-harbour-77",
            },
        )

        person.user.refresh_from_db()
        assert response.url == reverse("web:password-change-done")
        assert person.user.check_password("Lujiang-harbour-77")

    def test_refuses_a_password_against_the_policy(self, client, person):
        log_in(client, person.id_number)
        weak = f"Harbour-{person.id_number[-6:]}"

        response = client.post(
            reverse("web:password-change"),
            {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        )

        person.user.refresh_from_db()
        assert response.status_code == 200
        assert person.user.check_password(PASSWORD)

    def test_needs_a_login(self, client):
        response = client.get(reverse("web:password-change"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login"))
