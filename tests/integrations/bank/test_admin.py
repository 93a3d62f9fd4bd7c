import pytest
from django.urls import reverse

from integrations.bank.sandbox import SandboxCollectionBank

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-Secret-123")
    client.force_login(user)
    return client


class TestSandboxCollectionAdmin:
    def test_lets_staff_filter_pending_orders_from_settled_ones(self, client_admin, make_order, settings):
        settings.SANDBOX_BANK_DELAY_MS = 0
        bank = SandboxCollectionBank()
        bank.submit_collection(order=make_order("DL-SETTLED"), timeout=1)
        bank.collection_result(order_ref="DL-SETTLED", timeout=1)
        settings.SANDBOX_BANK_DELAY_MS = 60_000
        bank.submit_collection(order=make_order("DL-PENDING"), timeout=1)
        url = reverse("admin:integrations_sandboxcollection_changelist")

        pending = client_admin.get(url, {"status__exact": "PENDING"}).content.decode()
        settled = client_admin.get(url, {"status__exact": "SUCCEEDED"}).content.decode()

        assert "DL-PENDING" in pending
        assert "DL-SETTLED" not in pending
        assert "DL-SETTLED" in settled
        assert "DL-PENDING" not in settled

    def test_offers_no_way_to_add_an_order(self, client_admin):
        response = client_admin.get(reverse("admin:integrations_sandboxcollection_add"))

        assert response.status_code == 403
