"""Each audience lands on its own pages and sees its own figures, in Chinese or English."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class TestPublicHome:
    def test_invites_a_visitor_to_log_in(self, client):
        response = client.get(reverse("web:home"))

        assert response.status_code == 200
        assert reverse("web:login") in response.text

    def test_is_in_chinese_by_default(self, client):
        response = client.get(reverse("web:home"))

        assert '<html lang="zh-hans">' in response.text

    def test_speaks_english_when_asked(self, client):
        response = client.get(reverse("web:home"), headers={"accept-language": "en"})

        assert '<html lang="en">' in response.text
        assert "Housing provident fund online service hall" in response.text


class TestLogin:
    def test_sends_an_employee_who_gives_a_lowercase_x_id_to_the_hall(self, client, employee_account):
        employee_account.person.user.set_password("Hall-pass-2026")
        employee_account.person.user.save()
        id_number = employee_account.person.id_number

        response = client.post(
            reverse("web:login"), {"username": id_number.lower(), "password": "Hall-pass-2026"}, follow=True
        )

        assert response.redirect_chain[-1][0] == reverse("web:hall-home")

    def test_explains_a_wrong_password_without_saying_which_part_was_wrong(self, client, employee):
        response = client.post(reverse("web:login"), {"username": "emp-login", "password": "wrong"})

        assert response.status_code == 200
        assert "5" in response.context["form"].non_field_errors()[0]

    def test_locks_a_login_after_five_failures(self, client, clerk):
        for _attempt in range(5):
            client.post(reverse("web:login"), {"username": "clerk", "password": "wrong"})

        response = client.post(reverse("web:login"), {"username": "clerk", "password": "Fund-portal-2026!"})

        assert response.status_code == 429


class TestHall:
    def test_shows_the_balance_and_the_monthly_deposit_in_yuan(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-home"))

        assert response.status_code == 200
        assert "4,800.00" in response.text  # two deposits of 2,400.00
        assert "2,400.00" in response.text  # 10,000.00 × (12% + 12%)

    def test_never_shows_the_full_id_number(self, client, employee, employee_account):
        client.force_login(employee)

        response = client.get(reverse("web:hall-home"))

        assert employee_account.person.id_number not in response.text

    def test_statement_lists_each_movement_with_the_running_balance(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-statement"), {"from": "2026-01-01", "to": "2026-06-30"})

        balances = [movement.balance_after for movement in response.context["movements"]]
        assert balances == [240000, 480000]

    def test_statement_refuses_a_reversed_period_politely(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-statement"), {"from": "2026-05-01", "to": "2026-01-01"})

        assert response.status_code == 200
        assert response.context["invalid_range"] is True

    def test_is_closed_to_an_employer_operator(self, client, preparer):
        client.force_login(preparer)

        response = client.get(reverse("web:hall-home"))

        assert response.status_code == 403


class TestEmployerHome:
    def test_shows_the_unit_its_paid_up_month_and_monthly_total(self, client, preparer):
        client.force_login(preparer)

        response = client.get(reverse("web:employer-home"))

        assert "厦门鹭江物流有限公司" in response.text
        assert "2026-10" in response.text
        assert response.context["overview"].monthly_total == 3 * 120000


class TestStaffHome:
    def test_shows_the_centre_figures_and_warns_of_a_silent_worker(self, client, clerk, employee_account):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-home"))

        assert response.context["overview"].accounts == 1
        assert response.context["overview"].fund_balance_total == 480000
        assert response.context["heartbeat_stale"] is True

    def test_is_closed_to_an_employee(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:staff-home"))

        assert response.status_code == 403
