"""Races on PostgreSQL at the unit pages: a registration submitted twice, two units taking on one person."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from accounts.models import AccountStatus, Employer, FundAccount, Person, User
from accounts.services import (
    AccountActiveElsewhere,
    EmployerAlreadyRegistered,
    NewOperator,
    register_employer_online,
    take_on_employee,
)
from core.models import PolicyParameter
from integrations.gov import ports
from integrations.gov.fakes import FakeMarketRegulation, FakePublicSecurity
from integrations.gov.testing import use_fakes
from tests.accounts.factories import EmployerFactory, FundAccountFactory, credit_code, resident_id

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CODE = credit_code(9090)
PERSON = resident_id(9090)


def race(*attempts):
    """Run the attempts in threads released together; what each returned or raised, in order."""
    start = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def run(index, attempt):
        try:
            start.wait()
            outcomes[index] = attempt()
        except Exception as error:  # the outcome under test, whatever it is
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, attempt)) for i, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


class TestRegistrationRace:
    def test_registers_one_unit_when_the_same_code_is_submitted_twice_at_once(self):
        unit = ports.UnitRegistration(
            credit_code=CODE,
            name="厦门双击科技有限公司",
            status=ports.UNIT_ACTIVE,
            registered_on=date(2020, 1, 2),
        )

        def submit(suffix):
            return lambda: register_employer_online(
                credit_code=CODE,
                name="厦门双击科技有限公司",
                bank_account_no="35101555001052520009",
                bank_name="厦门银行",
                preparer=NewOperator("林佳", "13800000011", f"prep-{suffix}", "Shuang-ji-2026-a"),
                approver=NewOperator("郑伟", "13900000022", f"appr-{suffix}", "Shuang-ji-2026-b"),
            )

        with use_fakes({ports.MARKET_REGULATION: FakeMarketRegulation(units={CODE: unit})}):
            outcomes = race(submit("a"), submit("b"))

        assert sorted(type(outcome).__name__ for outcome in outcomes) == [
            "Employer",
            "EmployerAlreadyRegistered",
        ]
        assert any(isinstance(outcome, EmployerAlreadyRegistered) for outcome in outcomes)
        assert Employer.objects.count() == 1
        assert User.objects.filter(employer__credit_code=CODE).count() == User.objects.count() == 2


@pytest.mark.usefixtures("base_bounds")
class TestTakeOnRace:
    @pytest.fixture
    def base_bounds(self):
        # A transactional test starts from a flushed database: the seeded parameters are gone.
        for key, value in (("deposit.base.floor", 203000), ("deposit.base.cap", 3100000)):
            PolicyParameter.objects.create(key=key, value=value, effective_from=date(2000, 1, 1))

    def take_on(self, unit):
        return lambda: take_on_employee(
            employer=unit,
            id_number=PERSON,
            name="方雨桐",
            mobile="13700000009",
            hukou_region="350203",
            base=800000,
            start_on=date.today(),
            actor=None,
        )

    def test_moves_a_sealed_account_to_one_of_two_units_adding_it_at_once(self):
        with transaction.atomic():  # the factory opens a ledger account, which needs one
            sealed = FundAccountFactory(
                person__id_number=PERSON,
                person__name="方雨桐",
                status=AccountStatus.SEALED,
                sealed_on=date(2026, 1, 31),
            )
        one, other = EmployerFactory(), EmployerFactory()

        with use_fakes({ports.PUBLIC_SECURITY: FakePublicSecurity(names={PERSON: "方雨桐"})}):
            outcomes = race(self.take_on(one), self.take_on(other))

        moved = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
        assert len(moved) == 1 and moved[0].moved_in
        assert sum(isinstance(outcome, AccountActiveElsewhere) for outcome in outcomes) == 1
        assert FundAccount.objects.get(pk=sealed.pk).employer == moved[0].account.employer

    def test_opens_one_account_when_two_units_add_a_new_person_at_once(self):
        one, other = EmployerFactory(), EmployerFactory()

        with use_fakes({ports.PUBLIC_SECURITY: FakePublicSecurity(names={PERSON: "方雨桐"})}):
            outcomes = race(self.take_on(one), self.take_on(other))

        assert sum(isinstance(outcome, AccountActiveElsewhere) for outcome in outcomes) == 1, outcomes
        assert Person.objects.count() == 1 and FundAccount.objects.count() == 1
