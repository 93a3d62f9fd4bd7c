"""The hall's messages page, its read actions and the unread badge in the header."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def person(employee):
    return employee.person


class TestMessagesPage:
    def test_lists_the_employee_s_messages_newest_first(self, client, employee, person):
        MessageFactory(person=person, title="较早的消息", created_at=timezone.now().replace(year=2025))
        MessageFactory(person=person, title="最新的消息")
        MessageFactory(title="别人的消息")
        client.force_login(employee)

        response = client.get(reverse("web:hall-messages"))

        assert response.status_code == 200
        text = response.text
        assert text.index("最新的消息") < text.index("较早的消息")
        assert "别人的消息" not in text
        assert "我的消息" in text

    def test_speaks_english_when_asked(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-messages"), headers=ENGLISH)

        assert "You have no messages yet." in response.text

    def test_is_refused_to_an_employer_operator(self, client, preparer):
        client.force_login(preparer)

        response = client.get(reverse("web:hall-messages"))

        assert response.status_code == 403

    def test_uses_only_local_assets(self, client, employee, person):
        MessageFactory(person=person)
        client.force_login(employee)

        response = client.get(reverse("web:hall-messages"))

        assert "https://" not in response.text
        assert 'name="viewport"' in response.text


class TestReadMessage:
    def test_marks_it_read_and_follows_its_link(self, client, employee, person):
        message = MessageFactory(person=person, link="/hall/applications/")
        client.force_login(employee)

        response = client.post(reverse("web:hall-message-read", args=[message.pk]))

        message.refresh_from_db()
        assert message.read_at is not None
        assert response.url == "/hall/applications/"

    def test_leaves_someone_else_s_message_alone(self, client, employee):
        other = MessageFactory()
        client.force_login(employee)

        response = client.post(reverse("web:hall-message-read", args=[other.pk]))

        other.refresh_from_db()
        assert other.read_at is None
        assert response.status_code == 404

    def test_marks_all_read(self, client, employee, person):
        MessageFactory.create_batch(2, person=person)
        client.force_login(employee)

        client.post(reverse("web:hall-messages-read-all"))

        assert not person.messages.filter(read_at__isnull=True).exists()


class TestUnreadBadge:
    def test_counts_the_unread_messages_in_the_header(self, client, employee, person):
        MessageFactory.create_batch(3, person=person)
        MessageFactory(person=person, read_at=timezone.now())
        client.force_login(employee)

        response = client.get(reverse("web:hall-home"))

        assert '<span class="count" aria-label="3 条未读">3</span>' in response.text

    def test_is_not_shown_to_staff(self, client, clerk):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-home"))

        assert 'id="nav-messages"' not in response.text
