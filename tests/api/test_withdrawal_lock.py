"""Channel apps lock withdrawals and ask to unlock them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import WithdrawalLock
from accounts.selectors import withdrawals_locked

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(employee):
    client = APIClient()
    client.force_authenticate(employee)
    return client


class TestWithdrawalLock:
    def test_reports_an_unlocked_account_with_the_cooling_off_period(self, api):
        response = api.get(reverse("api:me-withdrawal-lock"))

        assert response.json() == {
            "locked": False,
            "locked_at": None,
            "unlock_requested_at": None,
            "unlocks_at": None,
            "cooling_off_hours": 24,
        }

    def test_locks_at_once(self, api, employee):
        response = api.post(reverse("api:me-withdrawal-lock"))

        assert response.status_code == 200
        assert response.json()["locked"] is True
        assert withdrawals_locked(employee.person)

    def test_unlocks_only_after_the_cooling_off_period(self, api, employee):
        api.post(reverse("api:me-withdrawal-lock"))

        response = api.post(reverse("api:me-withdrawal-unlock"))

        body = response.json()
        assert body["locked"] is True
        assert body["unlocks_at"] is not None
        assert withdrawals_locked(employee.person)
        unlocks_at = WithdrawalLock.objects.get(person=employee.person).unlocks_at
        assert not withdrawals_locked(employee.person, at=unlocks_at + timedelta(seconds=1))

    def test_refuses_to_unlock_what_is_not_locked(self, api):
        response = api.post(reverse("api:me-withdrawal-unlock"))

        assert response.status_code == 409
        assert response.json()["code"] == "WITHDRAWALS_NOT_LOCKED"

    def test_is_refused_to_an_operator(self, preparer):
        client = APIClient()
        client.force_authenticate(preparer)

        response = client.post(reverse("api:me-withdrawal-lock"))

        assert response.status_code == 403
