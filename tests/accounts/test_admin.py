"""The admin console: masked personal data, search by full ID number, balances in yuan."""

import pytest

from accounts import roles
from accounts.roles import ensure_roles
from core.crypto import blind_index
from tests.accounts.factories import (
    EmployerFactory,
    FundAccountFactory,
    PersonFactory,
    UserFactory,
    resident_id,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls")]

ID_NUMBER = next(resident_id(n) for n in range(200) if resident_id(n).endswith("X"))


@pytest.fixture
def staff_client(client):
    user = UserFactory(username="auditor", is_staff=True)
    user.groups.add(ensure_roles()[roles.STAFF_AUDITOR])
    client.force_login(user)
    return client


def _ids_in(html: str, *numbers: str) -> list[str]:
    return [n for n in numbers if n in html or n.lower() in html]


class TestPersonAdmin:
    def test_finds_a_person_by_the_full_id_number_in_any_case(self, staff_client):
        person = PersonFactory(id_number=ID_NUMBER, name="张三")
        PersonFactory(name="李四")

        response = staff_client.get("/admin/accounts/person/", {"q": ID_NUMBER.lower()}, follow=True)

        html = response.content.decode()
        assert response.status_code == 200
        assert "张三" in html
        assert "李四" not in html
        assert person.masked_id_number in html

    def test_never_shows_a_full_id_number_in_the_list(self, staff_client):
        person = PersonFactory(id_number=ID_NUMBER)
        other = PersonFactory()

        html = staff_client.get("/admin/accounts/person/").content.decode()
        searched = staff_client.get("/admin/accounts/person/", {"q": ID_NUMBER}, follow=True).content.decode()

        assert f"/admin/accounts/person/{person.pk}/change/" in searched
        assert f"/admin/accounts/person/{other.pk}/change/" not in searched
        assert _ids_in(html + searched, ID_NUMBER, other.id_number) == []

    def test_redirects_an_id_number_search_to_its_blind_index(self, staff_client):
        response = staff_client.get("/admin/accounts/person/", {"q": ID_NUMBER, "sex": "M"})

        assert response.status_code == 302
        assert ID_NUMBER not in response["Location"]
        assert f"q=idx%3A{blind_index(ID_NUMBER)}" in response["Location"]
        assert "sex=M" in response["Location"]

    def test_shows_the_detail_page_masked(self, staff_client):
        person = PersonFactory(id_number=ID_NUMBER, bank_card="6222021234561234")

        response = staff_client.get(f"/admin/accounts/person/{person.pk}/change/")

        html = response.content.decode()
        assert response.status_code == 200
        assert person.masked_id_number in html
        assert "6222 **** **** 1234" in html
        assert _ids_in(html, ID_NUMBER, "6222021234561234") == []

    def test_finds_people_by_name(self, staff_client):
        PersonFactory(name="王五")

        html = staff_client.get("/admin/accounts/person/", {"q": "王五"}).content.decode()

        assert "王五" in html

    def test_offers_no_add_or_change(self, staff_client, admin_user):
        staff_client.force_login(admin_user)
        person = PersonFactory()

        assert staff_client.get("/admin/accounts/person/add/").status_code == 403
        assert (
            staff_client.post(f"/admin/accounts/person/{person.pk}/change/", {"name": "x"}).status_code == 403
        )


class TestFundAccountAdmin:
    def test_finds_an_account_by_its_holders_id_number(self, staff_client):
        account = FundAccountFactory(person=PersonFactory(id_number=ID_NUMBER))
        other = FundAccountFactory()

        html = staff_client.get(
            "/admin/accounts/fundaccount/", {"q": ID_NUMBER}, follow=True
        ).content.decode()

        assert account.account_no in html
        assert other.account_no not in html
        assert _ids_in(html, ID_NUMBER) == []

    def test_finds_an_account_by_number(self, staff_client):
        account = FundAccountFactory()
        other = FundAccountFactory()

        html = staff_client.get("/admin/accounts/fundaccount/", {"q": account.account_no}).content.decode()

        assert account.account_no in html
        assert other.account_no not in html

    def test_shows_base_and_balance_in_yuan(self, staff_client, deposit):
        account = FundAccountFactory(base=812345)
        deposit(account, 194963)

        html = staff_client.get("/admin/accounts/fundaccount/").content.decode()

        assert "8123.45" in html
        assert "1949.63" in html


class TestEmployerAdmin:
    def test_finds_a_unit_by_credit_code_and_masks_its_bank_account(self, staff_client):
        employer = EmployerFactory(bank_account_no="41010000123456789")

        response = staff_client.get(f"/admin/accounts/employer/{employer.pk}/change/")
        listed = staff_client.get("/admin/accounts/employer/", {"q": employer.credit_code}).content.decode()

        html = response.content.decode()
        assert "4101 **** **** 6789" in html
        assert "41010000123456789" not in html
        assert employer.name in listed
