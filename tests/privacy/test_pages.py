"""The staff pages that reveal a full number with a reason and list every such look."""

import pytest
from django.urls import reverse

from accounts import roles
from accounts.models import PersonalDataAccess
from tests.privacy.conftest import CARD

REVEAL = "web:staff-privacy-reveal"
ACCESSES = "web:staff-privacy-accesses"
REASON = "Refund to the card: the bank asked us to confirm the number"


def _login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.django_db
class TestRevealPage:
    def test_finds_a_person_by_account_number_and_shows_them_masked(self, client, chief, carded_account):
        person = carded_account.person

        response = _login(client, chief).post(
            reverse(REVEAL), {"action": "find", "q": carded_account.account_no}
        )

        page = response.content.decode()
        assert response.status_code == 200
        assert person.masked_id_number in page
        assert "6222 **** **** 1236" in page
        assert person.id_number not in page
        assert CARD not in page

    def test_finds_a_person_by_id_number_without_echoing_it(self, client, chief, person):
        response = _login(client, chief).post(
            reverse(REVEAL), {"action": "find", "q": person.id_number.lower()}
        )

        page = response.content.decode()
        assert f'name="person" value="{person.pk}"' in page
        assert person.id_number.lower() not in page.lower()

    def test_says_when_no_one_has_the_number(self, client, chief, person):
        response = _login(client, chief).post(reverse(REVEAL), {"action": "find", "q": "350290000001"})

        assert 'id="no-person"' in response.content.decode()

    def test_shows_the_full_number_once_with_a_reason(self, client, chief, person):
        response = _login(client, chief).post(
            reverse(REVEAL), {"person": person.pk, "field": "bank_card", "reason": REASON}
        )

        assert response.status_code == 200
        assert CARD in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert PersonalDataAccess.objects.filter(actor=chief, person=person, field="bank_card").count() == 1

    def test_refuses_without_a_reason(self, client, chief, person):
        response = _login(client, chief).post(
            reverse(REVEAL), {"person": person.pk, "field": "id_number", "reason": "why"}
        )

        assert response.status_code == 400
        assert person.id_number not in response.content.decode()
        assert not PersonalDataAccess.objects.exists()

    @pytest.mark.parametrize("role", [roles.STAFF_CLERK, roles.STAFF_AUDITOR])
    def test_is_closed_to_clerks_and_auditors(self, client, staff_with_role, person, role):
        response = _login(client, staff_with_role(role)).post(
            reverse(REVEAL), {"person": person.pk, "field": "id_number", "reason": REASON}
        )

        assert response.status_code == 403
        assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
class TestAccessesPage:
    @pytest.mark.parametrize("role", [roles.STAFF_AUDITOR, roles.STAFF_DIRECTOR])
    def test_lists_each_look_for_auditors_and_directors(self, client, chief, staff_with_role, person, role):
        form = {"person": person.pk, "field": "id_number", "reason": REASON}
        _login(client, chief).post(reverse(REVEAL), form)

        response = _login(client, staff_with_role(role)).get(reverse(ACCESSES))

        page = response.content.decode()
        assert response.status_code == 200
        assert REASON in page
        assert person.masked_id_number in page
        assert person.id_number not in page

    def test_is_closed_to_clerks(self, client, staff_with_role):
        response = _login(client, staff_with_role(roles.STAFF_CLERK)).get(reverse(ACCESSES))

        assert response.status_code == 403


@pytest.mark.django_db
class TestHallSecurityPage:
    def test_tells_the_person_when_and_why_their_number_was_seen(self, client, chief, employee_account):
        person = employee_account.person
        form = {"person": person.pk, "field": "id_number", "reason": REASON}
        _login(client, chief).post(reverse(REVEAL), form)

        response = _login(client, person.user).get(reverse("web:hall-security"))

        page = response.content.decode()
        assert response.status_code == 200
        assert REASON in page
        assert person.id_number not in page

    def test_says_so_when_no_one_looked(self, client, employee_account):
        response = _login(client, employee_account.person.user).get(reverse("web:hall-security"))

        assert 'id="no-data-accesses"' in response.content.decode()


@pytest.mark.django_db
class TestStaffConsoleLinks:
    def test_links_a_section_chief_to_the_reveal_page_only(self, client, chief):
        page = _login(client, chief).get(reverse("web:staff-home")).content.decode()

        assert 'id="nav-privacy-reveal"' in page
        assert 'id="nav-privacy-accesses"' not in page

    def test_links_an_auditor_to_the_record_only(self, client, staff_with_role):
        auditor = staff_with_role(roles.STAFF_AUDITOR)

        page = _login(client, auditor).get(reverse("web:staff-home")).content.decode()

        assert 'id="nav-privacy-accesses"' in page
        assert 'id="nav-privacy-reveal"' not in page
