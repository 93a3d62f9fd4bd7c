import pytest
from django.urls import reverse

from core.crypto import blind_index
from integrations.models import SandboxCitizen

ID = "35020319900101123X"
OTHER = "11010519491231002X"

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-Secret-123")
    client.force_login(user)
    return client


def citizen(id_number, name):
    return SandboxCitizen.objects.create(
        id_number=id_number, id_number_index=blind_index(id_number), name=name
    )


class TestSandboxCitizenAdmin:
    def test_finds_a_citizen_by_full_id_number_without_echoing_it(self, client_admin):
        citizen(ID, "张三")
        citizen(OTHER, "李四")
        url = reverse("admin:integrations_sandboxcitizen_changelist")

        response = client_admin.get(url, {"q": ID}, follow=True)

        page = response.content.decode()
        assert "张三" in page
        assert "李四" not in page
        assert ID not in page
        assert "3502**********123X" in page

    def test_stores_a_typed_id_number_encrypted_with_its_index(self, client_admin):
        url = reverse("admin:integrations_sandboxcitizen_add")
        form = {
            "id_number": ID.lower(),
            "name": "王五",
            "alive": "on",
            "marital_status": "married",
            "spouse_id_number": OTHER,
            "overdue_months_last_24": "0",
            "other_monthly_debt": "0",
        }

        response = client_admin.post(url, form)

        assert response.status_code == 302, response.content.decode()[:2000]
        saved = SandboxCitizen.objects.get(id_number_index=blind_index(ID))
        assert saved.id_number == ID
        assert saved.spouse_id_number_index == blind_index(OTHER)
