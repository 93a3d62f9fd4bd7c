"""Staff see in the admin which 12329 texts came and went and where calls ended, numbers masked."""

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


class TestHotlineAdmin:
    def test_lists_texts_sent_and_calls_with_the_numbers_masked_and_no_text(
        self, admin_client, gateway, text_in, call
    ):
        text_in("13512345678", "BZ")
        call(caller="13612345678")

        texts = admin_client.get(reverse("admin:hotline_outgoingtext_changelist"))
        calls = admin_client.get(reverse("admin:hotline_hotlinecall_changelist"))
        received = admin_client.get(reverse("admin:hotline_inboundsms_changelist"))

        assert texts.status_code == calls.status_code == received.status_code == 200
        assert "135****5678" in texts.text and "13512345678" not in texts.text
        assert "YE" not in texts.text
        assert "136****5678" in calls.text and "13612345678" not in calls.text
        assert "GW00000001" in received.text

    def test_offers_no_way_to_add_change_or_delete(self, admin_client):
        response = admin_client.get(reverse("admin:hotline_outgoingtext_add"))

        assert response.status_code == 403
