from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import WithdrawalLock
from accounts.selectors import withdrawal_lock_state, withdrawals_locked
from accounts.services import WithdrawalsNotLocked, lock_withdrawals, request_unlock
from audit.models import AuditEvent
from integrations.sms.fakes import FakeSmsGateway
from integrations.sms.testing import use_sms
from notifications.models import Message, MessageKind
from tests.accounts.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-26 10:00:00+08:00"


@pytest.fixture
def person():
    person = PersonFactory(mobile="13712345678")
    person.user = UserFactory()
    person.save(update_fields=["user"])
    return person


class TestLockWithdrawals:
    def test_locks_at_once(self, person):
        lock_withdrawals(person=person, actor=person.user)

        assert withdrawals_locked(person)

    def test_records_the_change_and_tells_the_person(self, person, django_capture_on_commit_callbacks):
        with use_sms(FakeSmsGateway()) as gateway, django_capture_on_commit_callbacks(execute=True):
            lock = lock_withdrawals(person=person, actor=person.user)

        event = AuditEvent.objects.get(action="accounts.withdrawals_locked")
        assert (event.actor, event.target_id) == (person.user, str(lock.pk))
        message = Message.objects.get(person=person)
        assert (message.kind, message.title, message.link) == (
            MessageKind.WITHDRAWAL_LOCK_CHANGED,
            "已锁定公积金提取",
            "/hall/security/",
        )
        assert gateway.texts_to("13712345678") == [f"【住房公积金】{message.title}：{message.body}"]

    def test_changes_nothing_when_already_locked(self, person):
        first = lock_withdrawals(person=person, actor=None)

        again = lock_withdrawals(person=person, actor=None)

        assert again.locked_at == first.locked_at
        assert AuditEvent.objects.filter(action="accounts.withdrawals_locked").count() == 1
        assert Message.objects.filter(person=person).count() == 1

    def test_cancels_an_unlock_that_is_cooling_off(self, person):
        with freeze_time(NOW) as clock:
            lock_withdrawals(person=person, actor=None)
            request_unlock(person=person, actor=None)
            clock.tick(timedelta(hours=1))

            lock_withdrawals(person=person, actor=None)
            clock.tick(timedelta(days=2))

            assert withdrawals_locked(person)
        assert AuditEvent.objects.get(action="accounts.withdrawals_locked", data__cancelled_unlock=True)

    def test_locks_again_after_an_unlock_took_effect(self, person):
        with freeze_time(NOW) as clock:
            lock_withdrawals(person=person, actor=None)
            request_unlock(person=person, actor=None)
            clock.tick(timedelta(hours=25))

            lock = lock_withdrawals(person=person, actor=None)

            assert withdrawals_locked(person)
            assert lock.locked_at == timezone.now()
        assert WithdrawalLock.objects.count() == 1


class TestRequestUnlock:
    def test_keeps_withdrawals_locked_until_the_cooling_off_has_passed(self, person):
        with freeze_time(NOW) as clock:
            lock_withdrawals(person=person, actor=None)

            lock = request_unlock(person=person, actor=None)
            clock.tick(timedelta(hours=23, minutes=59))
            still_locked = withdrawals_locked(person)
            clock.tick(timedelta(minutes=1))
            unlocked = not withdrawals_locked(person)

        assert lock.unlocks_at - lock.unlock_requested_at == timedelta(hours=24)
        assert (still_locked, unlocked) == (True, True)

    def test_waits_as_long_as_the_setting_says(self, person, settings):
        settings.WITHDRAWAL_UNLOCK_COOLING_OFF_HOURS = 72
        lock_withdrawals(person=person, actor=None)

        lock = request_unlock(person=person, actor=None)

        assert lock.unlocks_at - lock.unlock_requested_at == timedelta(hours=72)

    def test_does_not_bring_a_pending_unlock_forward_when_asked_again(self, person):
        with freeze_time(NOW) as clock:
            lock_withdrawals(person=person, actor=None)
            first = request_unlock(person=person, actor=None)
            clock.tick(timedelta(hours=5))

            again = request_unlock(person=person, actor=None)

        assert again.unlocks_at == first.unlocks_at
        assert AuditEvent.objects.filter(action="accounts.withdrawal_unlock_requested").count() == 1

    def test_records_the_request_and_tells_the_person_when_it_takes_effect(self, person):
        with freeze_time(NOW):
            lock_withdrawals(person=person, actor=None)

            request_unlock(person=person, actor=person.user)

        assert AuditEvent.objects.filter(
            action="accounts.withdrawal_unlock_requested", actor=person.user
        ).exists()
        message = Message.objects.filter(person=person).latest("pk")
        assert message.title == "已申请解除提取锁定"
        assert "2026年11月27日10:00" in message.body

    def test_refuses_when_withdrawals_are_not_locked(self, person):
        with pytest.raises(WithdrawalsNotLocked):
            request_unlock(person=person, actor=None)


class TestWithdrawalLockState:
    def test_is_unlocked_for_someone_who_never_locked(self, person):
        state = withdrawal_lock_state(person)

        assert (state.locked, state.unlock_pending) == (False, False)

    def test_shows_when_a_pending_unlock_takes_effect(self, person):
        lock_withdrawals(person=person, actor=None)
        lock = request_unlock(person=person, actor=None)

        state = withdrawal_lock_state(person)

        assert (state.locked, state.unlock_pending, state.unlocks_at) == (True, True, lock.unlocks_at)

    def test_answers_for_a_moment_in_the_past(self, person):
        lock = lock_withdrawals(person=person, actor=None)

        assert not withdrawals_locked(person, at=lock.locked_at - timedelta(days=1))
        assert withdrawals_locked(person, at=lock.locked_at)


class TestWithdrawalLockConstraints:
    def test_refuse_an_unlock_without_its_time(self, person):
        with pytest.raises(IntegrityError), transaction.atomic():
            WithdrawalLock.objects.create(
                person=person, locked_at=timezone.now(), unlock_requested_at=timezone.now()
            )
