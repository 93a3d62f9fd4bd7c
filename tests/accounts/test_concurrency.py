"""Races on PostgreSQL: two clerks opening an account for the same person at the same moment."""

import threading
from datetime import date

import pytest
from django.db import connection

from accounts.models import FundAccount
from accounts.services import AccountAlreadyOpen, open_account
from tests.accounts.factories import EmployerFactory, PersonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class TestOpenAccountRace:
    def test_opens_exactly_one_account_when_two_openings_race(self):
        person, employer = PersonFactory(), EmployerFactory()
        start = threading.Barrier(2)
        outcomes = []

        def attempt():
            try:
                start.wait()
                open_account(
                    person=person, employer=employer, base=800000, opened_on=date(2024, 3, 1), actor=None
                )
                outcomes.append("opened")
            except AccountAlreadyOpen:
                outcomes.append("refused")
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(outcomes) == ["opened", "refused"]
        assert FundAccount.objects.filter(person=person).count() == 1

    def test_gives_concurrent_openings_different_numbers(self):
        employer = EmployerFactory()
        people = [PersonFactory() for _ in range(6)]
        start = threading.Barrier(len(people))
        numbers = []

        def attempt(person):
            try:
                start.wait()
                account = open_account(
                    person=person, employer=employer, base=1, opened_on=date(2024, 3, 1), actor=None
                )
                numbers.append(account.account_no)
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(person,)) for person in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert len(set(numbers)) == len(people)
