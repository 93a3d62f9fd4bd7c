"""Each API token has its own request budget; over it, a 429 in the house error format."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.authtoken.models import Token

from accounts import roles
from accounts.roles import ensure_roles
from tests.accounts.factories import FundAccountFactory, UserFactory

THREE_A_MINUTE = {
    **settings.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token": "3/minute"},
}


def _employee_token() -> str:
    account = FundAccountFactory()
    user = UserFactory()
    user.groups.add(ensure_roles()[roles.EMPLOYEE])
    account.person.user = user
    account.person.save(update_fields=["user"])
    return Token.objects.create(user=user).key


def _my_account(client, token: str):
    return client.get(reverse("api:me-account"), headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(autouse=True)
def _three_requests_a_minute():
    cache.clear()
    with override_settings(REST_FRAMEWORK=THREE_A_MINUTE):
        yield
    cache.clear()


@pytest.mark.django_db
class TestTokenRateThrottle:
    def test_refuses_a_token_over_its_budget_with_the_error_format_and_retry_after(self, client):
        token = _employee_token()
        for _ in range(3):
            assert _my_account(client, token).status_code == 200

        refused = _my_account(client, token)

        assert refused.status_code == 429
        body = refused.json()
        assert body["code"] == "THROTTLED"
        assert body["detail"]
        assert body["errors"] == []
        assert 0 < int(refused.headers["Retry-After"]) <= 60

    def test_two_tokens_of_different_people_have_separate_budgets(self, client):
        spent, fresh = _employee_token(), _employee_token()
        for _ in range(4):
            _my_account(client, spent)

        assert _my_account(client, spent).status_code == 429
        assert _my_account(client, fresh).status_code == 200

    def test_the_budget_comes_back_after_a_minute(self, client):
        token = _employee_token()
        with freeze_time("2026-11-27 01:00:00"):
            for _ in range(4):
                _my_account(client, token)

        with freeze_time("2026-11-27 01:01:01"):
            assert _my_account(client, token).status_code == 200

    def test_leaves_requests_without_a_login_to_the_views_own_limits(self, client):
        for _ in range(5):
            response = client.get(reverse("api:services"))

        assert response.status_code == 200
