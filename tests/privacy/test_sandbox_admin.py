"""The sandbox's admin forms show an existing row's ID numbers masked and keep them when left empty."""

import pytest
from django.urls import reverse

from core.crypto import blind_index
from integrations.models import MaritalStatus, SandboxCitizen

ID = "35020319900101123X"
SPOUSE = "11010519491231002X"

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("privacy-root", "root@example.com", "pw-Secret-123")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def married():
    return SandboxCitizen.objects.create(
        id_number=ID,
        id_number_index=blind_index(ID),
        name="王五",
        marital_status=MaritalStatus.MARRIED,
        spouse_id_number=SPOUSE,
        spouse_id_number_index=blind_index(SPOUSE),
    )


def _form(**changes):
    form = {
        "id_number": "",
        "name": "王五",
        "alive": "on",
        "marital_status": MaritalStatus.MARRIED,
        "spouse_id_number": "",
        "overdue_months_last_24": "0",
        "other_monthly_debt": "0",
    }
    return {**form, **changes}


class TestSandboxCitizenChangeForm:
    def test_shows_the_numbers_on_file_masked_only(self, client_admin, married):
        response = client_admin.get(reverse("admin:integrations_sandboxcitizen_change", args=[married.pk]))

        page = response.content.decode()
        assert response.status_code == 200
        assert ID not in page
        assert SPOUSE not in page
        assert "3502**********123X" in page

    def test_keeps_the_numbers_on_file_when_left_empty(self, client_admin, married):
        url = reverse("admin:integrations_sandboxcitizen_change", args=[married.pk])

        response = client_admin.post(url, _form(name="王五一"))

        assert response.status_code == 302, response.content.decode()[:2000]
        saved = SandboxCitizen.objects.get(pk=married.pk)
        assert (saved.name, saved.id_number, saved.spouse_id_number) == ("王五一", ID, SPOUSE)
        assert saved.id_number_index == blind_index(ID)

    def test_drops_the_spouse_when_no_longer_married(self, client_admin, married):
        url = reverse("admin:integrations_sandboxcitizen_change", args=[married.pk])

        client_admin.post(url, _form(marital_status=MaritalStatus.DIVORCED))

        saved = SandboxCitizen.objects.get(pk=married.pk)
        assert (saved.spouse_id_number, saved.spouse_id_number_index) == (None, "")
