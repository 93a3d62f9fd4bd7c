"""Two submissions racing for one person and reason: the database lets exactly one through."""

import threading
from datetime import date

import pytest
from django.db import connections, transaction
from django.utils import timezone

from approvals.models import Application
from approvals.services import ApplicationInFlight, submit_application
from core.models import PolicyParameter
from integrations.gov import ports
from integrations.gov.fakes import FakePublicSecurity, FakeSocialSecurity
from tests.approvals.factories import ELSEWHERE, sealed_account

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class TestSubmitApplicationRace:
    def test_lets_exactly_one_of_two_simultaneous_submissions_through(self, sources):
        with transaction.atomic():
            # An earlier transactional test's flush may have removed the seeded parameters.
            for key, value in (("withdrawal.leaving.sealed_months", 6), ("city.local_region_prefix", "3502")):
                PolicyParameter.objects.get_or_create(
                    key=key, effective_from=date(2000, 1, 1), defaults={"value": value}
                )
            person = sealed_account(today=timezone.localdate(), sealed_months_ago=7).person
        hukou = ports.HukouRecord(region_code=ELSEWHERE, since=date(1990, 1, 1))
        # Slow enough that both pass the early check before either inserts.
        sources(
            public_security=FakePublicSecurity(hukou={person.id_number: hukou}, delay=0.2),
            social_security=FakeSocialSecurity(delay=0.2),
        )
        barrier = threading.Barrier(2)
        results = []

        def submit():
            try:
                barrier.wait()
                application = submit_application(
                    kind="withdrawal",
                    reason="LEAVING_CITY",
                    applicant=person,
                    channel="WEB",
                    payload={},
                    actor=None,
                )
                results.append(application.status)
            except ApplicationInFlight as error:
                results.append(error.code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(results) == ["APPLICATION_IN_FLIGHT", "APPROVED"]
        assert Application.objects.filter(applicant=person).count() == 1
