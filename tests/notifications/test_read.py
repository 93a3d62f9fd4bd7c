import pytest
from django.utils import timezone

from notifications.selectors import message_page, unread_count
from notifications.services import MessageNotFound, mark_all_read, mark_read
from tests.accounts.factories import PersonFactory
from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db


class TestMarkRead:
    def test_marks_the_person_s_own_message_read(self):
        message = MessageFactory()

        mark_read(person=message.person, message_id=message.pk)

        message.refresh_from_db()
        assert message.read_at is not None

    def test_keeps_the_first_time_it_was_read(self):
        message = MessageFactory(read_at=timezone.now().replace(year=2025))

        mark_read(person=message.person, message_id=message.pk)

        message.refresh_from_db()
        assert message.read_at.year == 2025

    def test_does_not_find_someone_else_s_message(self):
        message = MessageFactory()

        with pytest.raises(MessageNotFound):
            mark_read(person=PersonFactory(), message_id=message.pk)

        message.refresh_from_db()
        assert message.read_at is None


class TestMarkAllRead:
    def test_marks_only_the_person_s_unread_messages(self):
        person = PersonFactory()
        MessageFactory.create_batch(2, person=person)
        other = MessageFactory()

        count = mark_all_read(person=person)

        assert count == 2
        assert unread_count(person) == 0
        assert unread_count(other.person) == 1


class TestMessagePage:
    def test_lists_the_newest_first(self):
        person = PersonFactory()
        older = MessageFactory(person=person, created_at=timezone.now().replace(year=2025))
        newer = MessageFactory(person=person)

        page = message_page(person)

        assert list(page) == [newer, older]

    def test_gives_the_last_page_for_a_page_beyond_it(self):
        person = PersonFactory()
        MessageFactory.create_batch(3, person=person)

        page = message_page(person, page=9, per_page=2)

        assert page.number == 2
        assert len(page) == 1
