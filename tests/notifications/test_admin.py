import pytest
from django.db import transaction
from django.urls import reverse

from notifications.services import notify
from tests.accounts.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


class TestSmsOutboxAdmin:
    def test_lists_texts_with_the_mobile_masked(self, admin_client):
        with transaction.atomic():
            notify(person=PersonFactory(mobile="13512345678"), kind="payout_paid", title="t", body="b")

        response = admin_client.get(reverse("admin:notifications_smsoutbox_changelist"))

        assert response.status_code == 200
        assert "135****5678" in response.text
        assert "13512345678" not in response.text
