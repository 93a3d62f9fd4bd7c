import pytest
from django.urls import reverse

from approvals.models import ConflictOfInterest
from tests.accounts.factories import PersonFactory, UserFactory
from tests.approvals.factories import referred_case, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


class TestDecisionRecordAdmin:
    def test_shows_the_full_trace_read_only(self, admin_client_logged_in):
        decision = referred_case().application.decisions.get()

        response = admin_client_logged_in.get(
            reverse("admin:approvals_decisionrecord_change", args=[decision.pk])
        )

        assert response.status_code == 200
        page = response.content.decode()
        assert "social_security.retirement" in page
        assert "RETIREMENT_UNKNOWN" in page
        assert 'name="_save"' not in page

    def test_offers_no_way_to_add_one(self, admin_client_logged_in):
        response = admin_client_logged_in.get(reverse("admin:approvals_decisionrecord_add"))

        assert response.status_code == 403


class TestApprovalsChangeLists:
    @pytest.mark.parametrize("model", ["application", "decisionrecord", "reviewcase", "reviewaction"])
    def test_list_the_records(self, admin_client_logged_in, model):
        referred_case()

        response = admin_client_logged_in.get(reverse(f"admin:approvals_{model}_changelist"))

        assert response.status_code == 200


class TestConflictOfInterestAdmin:
    def test_lets_staff_declare_a_conflict(self, admin_client_logged_in):
        staff = staff_user(username="clerk2")
        person = PersonFactory()

        response = admin_client_logged_in.post(
            reverse("admin:approvals_conflictofinterest_add"),
            {"staff": staff.pk, "person": person.pk, "relation": "RELATIVE", "note": ""},
        )

        assert response.status_code == 302
        assert ConflictOfInterest.objects.filter(staff=staff, person=person).exists()
