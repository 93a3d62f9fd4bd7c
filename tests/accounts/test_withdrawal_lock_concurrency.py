"""Races on PostgreSQL: two taps on "lock" at once, and a lock racing an unlock request."""

import threading

import pytest
from django.db import connection

from accounts.models import WithdrawalLock
from accounts.selectors import withdrawals_locked
from accounts.services import WithdrawalsNotLocked, lock_withdrawals, request_unlock
from audit.models import AuditEvent
from integrations.sms.fakes import FakeSmsGateway
from integrations.sms.testing import use_sms
from tests.accounts.factories import PersonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    start = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            start.wait()
            call()
            outcomes.append("done")
        except WithdrawalsNotLocked:
            outcomes.append("not locked")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


class TestLockWithdrawalsRace:
    def test_two_first_locks_make_one_lock_and_one_event(self):
        person = PersonFactory()

        with use_sms(FakeSmsGateway()) as gateway:
            outcomes = race(*[lambda: lock_withdrawals(person=person, actor=None)] * 2)

        assert outcomes == ["done", "done"]
        assert WithdrawalLock.objects.filter(person=person).count() == 1
        assert AuditEvent.objects.filter(action="accounts.withdrawals_locked").count() == 1
        assert len(gateway.sent) == 1

    def test_a_lock_racing_an_unlock_request_ends_locked_either_way(self):
        person = PersonFactory()
        with use_sms(FakeSmsGateway()):
            lock_withdrawals(person=person, actor=None)

            race(
                lambda: request_unlock(person=person, actor=None),
                lambda: lock_withdrawals(person=person, actor=None),
            )

        # Unlock then lock: the lock cancels it. Lock then unlock: the unlock is cooling off.
        assert withdrawals_locked(person)
