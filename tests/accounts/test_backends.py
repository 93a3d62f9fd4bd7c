"""Logging in: employees by ID number, operators by user name, both locked out by django-axes."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import RequestFactory

from accounts.backends import IdNumberBackend, axes_username
from accounts.services import create_employee_login, create_operator
from tests.accounts.factories import PersonFactory, resident_id

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls")]

PASSWORD = "Fund-portal-2026!"
ID_WITH_X = next(resident_id(n) for n in range(200) if resident_id(n).endswith("X"))


@pytest.fixture(autouse=True)
def _plain_lockout_response(settings):
    # The portal's lockout template belongs to web/; here axes answers with its plain 429.
    settings.AXES_LOCKOUT_TEMPLATE = None
    settings.AXES_LOCKOUT_URL = None


@pytest.fixture
def employee():
    person = PersonFactory(id_number=ID_WITH_X)
    return create_employee_login(person=person, password=PASSWORD)


@pytest.fixture
def operator():
    return create_operator(username="chief", password=PASSWORD, role="staff_section_chief")


def _request():
    return RequestFactory().post("/login/")


def _post(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


class TestIdNumberBackend:
    def test_logs_an_employee_in_with_a_lowercase_x(self, employee):
        user = authenticate(_request(), username=ID_WITH_X.lower(), password=PASSWORD)

        assert user == employee

    def test_logs_an_employee_in_with_spaces_around_the_number(self, employee):
        user = authenticate(_request(), username=f" {ID_WITH_X} ", password=PASSWORD)

        assert user == employee

    def test_refuses_a_wrong_password(self, employee):
        assert authenticate(_request(), username=ID_WITH_X, password="wrong-password") is None

    def test_refuses_an_inactive_user(self, employee):
        employee.is_active = False
        employee.save()

        assert authenticate(_request(), username=ID_WITH_X, password=PASSWORD) is None

    def test_refuses_a_registered_person_without_a_login(self):
        PersonFactory(id_number=resident_id(1))

        assert authenticate(_request(), username=resident_id(1), password=PASSWORD) is None

    def test_leaves_other_user_names_to_the_model_backend(self, operator):
        assert IdNumberBackend().authenticate(_request(), username="chief", password=PASSWORD) is None
        assert authenticate(_request(), username="chief", password=PASSWORD) == operator

    def test_does_not_log_in_with_the_internal_user_name_shape_of_an_id(self, employee):
        assert (
            IdNumberBackend().authenticate(_request(), username=employee.username, password=PASSWORD) is None
        )


class TestLoginView:
    def test_signs_an_employee_in_by_id_number(self, client, employee):
        response = _post(client, ID_WITH_X.lower(), PASSWORD)

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(employee.pk)

    def test_locks_an_id_number_out_after_five_failures(self, client, employee):
        for _attempt in range(5):
            _post(client, ID_WITH_X, "wrong-password")

        response = _post(client, ID_WITH_X, PASSWORD)

        assert response.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_still_lets_the_fourth_failure_retry(self, client, employee):
        for _attempt in range(4):
            _post(client, ID_WITH_X, "wrong-password")

        response = _post(client, ID_WITH_X, PASSWORD)

        assert response.status_code == 302

    def test_locks_an_operator_out_after_five_failures(self, client, operator):
        for _attempt in range(5):
            _post(client, "chief", "wrong-password")

        response = _post(client, "chief", PASSWORD)

        assert response.status_code == 429
        assert "_auth_user_id" not in client.session


class TestAxesUsername:
    def test_gives_both_cases_of_x_one_lockout_key(self):
        assert axes_username(None, {"username": ID_WITH_X.lower()}) == axes_username(
            None, {"username": ID_WITH_X}
        )

    def test_keeps_an_operator_name_as_typed(self):
        assert axes_username(None, {"username": "chief"}) == "chief"

    def test_reads_the_posted_name_without_credentials(self):
        request = RequestFactory().post("/login/", {"username": "chief"})

        assert axes_username(request, None) == "chief"

    def test_locks_out_across_cases_and_stores_no_id_number(self, client, settings, employee):
        # The settings this module recommends for production (see its docstring).
        settings.AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
        settings.AXES_SENSITIVE_PARAMETERS = ["username", "password"]
        for attempt in range(5):
            _post(client, ID_WITH_X if attempt % 2 else ID_WITH_X.lower(), "wrong-password")

        response = _post(client, ID_WITH_X, PASSWORD)

        assert response.status_code == 429
        stored = [f"{a.username} {a.post_data}".upper() for a in AccessAttempt.objects.all()]
        assert stored
        assert all(ID_WITH_X not in text for text in stored)


class TestAnEmployeesSessionUser:
    def test_comes_with_their_person_in_one_query(self, employee, django_assert_num_queries):
        with django_assert_num_queries(1):
            user = IdNumberBackend().get_user(employee.pk)
            assert user.person.id_number == ID_WITH_X

    def test_is_refused_once_the_login_is_turned_off(self, employee):
        employee.is_active = False
        employee.save()

        assert IdNumberBackend().get_user(employee.pk) is None

    def test_of_an_unknown_id_is_nobody(self):
        assert IdNumberBackend().get_user(10**9) is None
