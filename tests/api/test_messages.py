"""Channel apps read the employee's messages and mark them read."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(employee):
    client = APIClient()
    client.force_authenticate(employee)
    return client


class TestMyMessages:
    def test_lists_them_newest_first_with_the_unread_count(self, api, employee):
        older = MessageFactory(person=employee.person, created_at=timezone.now().replace(year=2025))
        newer = MessageFactory(person=employee.person, link="/hall/applications/")
        MessageFactory()

        response = api.get(reverse("api:me-messages"))

        body = response.json()
        assert response.status_code == 200
        assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
        assert (body["count"], body["unread"], body["page"], body["pages"]) == (2, 2, 1, 1)
        assert body["results"][0]["link"] == "/hall/applications/"
        assert body["results"][0]["read_at"] is None

    def test_refuses_a_page_that_is_not_a_number(self, api):
        response = api.get(reverse("api:me-messages"), {"page": "x"})

        assert response.status_code == 400

    def test_is_refused_to_an_operator(self, preparer):
        client = APIClient()
        client.force_authenticate(preparer)

        response = client.get(reverse("api:me-messages"))

        assert response.status_code == 403

    def test_needs_a_login(self):
        response = APIClient().get(reverse("api:me-messages"))

        assert response.status_code == 401


class TestReadMessage:
    def test_marks_the_employee_s_message_read(self, api, employee):
        message = MessageFactory(person=employee.person)

        response = api.post(reverse("api:me-message-read", args=[message.pk]))

        assert response.status_code == 200
        assert response.json()["read_at"] is not None

    def test_does_not_find_someone_else_s_message(self, api):
        other = MessageFactory()

        response = api.post(reverse("api:me-message-read", args=[other.pk]))

        assert response.status_code == 404
        assert response.json()["code"] == "MESSAGE_NOT_FOUND"

    def test_marks_all_read(self, api, employee):
        MessageFactory.create_batch(2, person=employee.person)

        response = api.post(reverse("api:me-messages-read-all"))

        assert response.json() == {"marked": 2}
