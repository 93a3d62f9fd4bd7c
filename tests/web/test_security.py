"""The hall's account security page: lock withdrawals at once, unlock after cooling off."""

import pytest
from django.urls import reverse

from accounts.selectors import withdrawal_lock_state, withdrawals_locked
from accounts.services import lock_withdrawals

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


class TestSecurityPage:
    def test_explains_the_lock_and_offers_to_lock(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-security"))

        assert response.status_code == 200
        assert "提取锁定" in response.text
        assert 'value="lock"' in response.text

    def test_explains_the_cooling_off_in_english_when_asked(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-security"), headers=ENGLISH)

        assert "Unlocking takes effect only 24 hours after you ask" in response.text

    def test_locks_withdrawals_at_once(self, client, employee):
        client.force_login(employee)

        response = client.post(reverse("web:hall-security"), {"action": "lock"}, follow=True)

        assert withdrawals_locked(employee.person)
        assert 'value="unlock"' in response.text

    def test_asks_to_unlock_and_shows_when_it_takes_effect(self, client, employee):
        lock_withdrawals(person=employee.person, actor=employee)
        client.force_login(employee)

        response = client.post(reverse("web:hall-security"), {"action": "unlock"}, follow=True)

        state = withdrawal_lock_state(employee.person)
        assert state.unlock_pending
        assert withdrawals_locked(employee.person)
        assert 'value="lock"' in response.text

    def test_reports_an_unlock_of_what_is_not_locked(self, client, employee):
        client.force_login(employee)

        response = client.post(reverse("web:hall-security"), {"action": "unlock"}, follow=True)

        assert "您账户的提取未锁定" in response.text

    def test_is_refused_to_staff(self, client, clerk):
        client.force_login(clerk)

        response = client.post(reverse("web:hall-security"), {"action": "lock"})

        assert response.status_code == 403
