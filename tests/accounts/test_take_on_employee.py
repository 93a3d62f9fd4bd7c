"""take_on_employee: a unit adds an employee checked with 公安: a new account, or a sealed one moved in."""

from contextlib import ExitStack
from datetime import date

import pytest
from freezegun import freeze_time

from accounts import roles
from accounts.models import AccountStatus, FundAccount, Person
from accounts.roster import roster_accounts
from accounts.services import (
    AccountActiveElsewhere,
    AccountNotTransferable,
    AlreadyAtThisUnit,
    EmployerNotActive,
    IdentityNameMismatch,
    IdentityNotFound,
    InvalidAccountDate,
    InvalidBase,
    NotOperatorOfUnit,
    PersonDeceased,
    SourceUnavailable,
    take_on_employee,
)
from audit.models import AuditEvent
from core.identity import InvalidIdNumber
from integrations.gov import ports
from integrations.gov.fakes import FakePublicSecurity
from integrations.gov.testing import use_fakes
from tests.accounts.factories import (
    EmployerFactory,
    FundAccountFactory,
    PersonFactory,
    UserFactory,
    resident_id,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

TODAY = date(2026, 11, 20)
NEWCOMER = resident_id(7001)


@pytest.fixture
def frozen_today():
    with freeze_time(TODAY):
        yield


@pytest.fixture
def public_security():
    """``public_security(names={id: name}, ...)``: 公安 as a fake that knows these people."""
    with ExitStack() as stack:

        def install(**kwargs):
            fake = FakePublicSecurity(**kwargs)
            stack.enter_context(use_fakes({ports.PUBLIC_SECURITY: fake}))
            return fake

        yield install


@pytest.fixture
def unit(db):
    return EmployerFactory(name="厦门海湾物流有限公司")


@pytest.fixture
def clerk_of(db):
    def make(employer, role=roles.EMPLOYER_PREPARER):
        user = UserFactory(employer=employer)
        user.groups.add(roles.ensure_roles()[role])
        return user

    return make


def take_on(unit, actor, *, id_number=NEWCOMER, name="陈晓", base=800000, start_on=TODAY, **overrides):
    return take_on_employee(
        employer=unit,
        id_number=id_number,
        name=name,
        mobile=overrides.pop("mobile", "13700000007"),
        hukou_region=overrides.pop("hukou_region", "350203"),
        base=base,
        start_on=start_on,
        actor=actor,
    )


class TestTakeOnEmployee:
    def test_registers_a_person_new_to_the_centre_and_opens_their_account(
        self, unit, clerk_of, public_security
    ):
        public_security(names={NEWCOMER: "陈晓"})

        taken_on = take_on(unit, clerk_of(unit))

        account = taken_on.account
        assert (taken_on.moved_in, taken_on.person_registered) == (False, True)
        assert (account.employer, account.status, account.base, account.opened_on) == (
            unit,
            AccountStatus.NORMAL,
            800000,
            TODAY,
        )
        assert account.person.name == "陈晓" and account.person.mobile == "13700000007"

    def test_opens_an_account_for_a_known_person_who_has_none(self, unit, clerk_of, public_security):
        person = PersonFactory(id_number=NEWCOMER, name="陈晓")
        public_security(names={NEWCOMER: "陈晓"})

        taken_on = take_on(unit, clerk_of(unit))

        assert taken_on.account.person == person
        assert taken_on.person_registered is False
        assert Person.objects.count() == 1

    def test_moves_a_sealed_account_in_from_another_unit_with_the_new_base(
        self, unit, clerk_of, public_security
    ):
        sealed = FundAccountFactory(
            person__id_number=NEWCOMER,
            person__name="陈晓",
            status=AccountStatus.SEALED,
            sealed_on=date(2026, 6, 30),
            base=500000,
        )
        public_security(names={NEWCOMER: "陈晓"})

        taken_on = take_on(unit, clerk_of(unit), base=900000)

        account = FundAccount.objects.get(pk=sealed.pk)
        assert taken_on.moved_in is True
        assert (account.employer, account.status, account.sealed_on, account.base) == (
            unit,
            AccountStatus.NORMAL,
            None,
            900000,
        )
        assert account.account_no == sealed.account_no  # the same account, its history kept
        unsealed = AuditEvent.objects.get(action="accounts.account_unsealed")
        assert unsealed.data["previous_employer_id"] == sealed.employer_id
        base_changed = AuditEvent.objects.get(action="accounts.base_changed")
        assert base_changed.data["business_type"] == "10"

    def test_refuses_an_account_still_normal_at_another_unit_without_naming_it(
        self, unit, clerk_of, public_security
    ):
        elsewhere = FundAccountFactory(person__id_number=NEWCOMER, person__name="陈晓")
        public_security(names={NEWCOMER: "陈晓"})

        with pytest.raises(AccountActiveElsewhere) as refused:
            take_on(unit, clerk_of(unit))

        assert elsewhere.employer.name not in str(refused.value.message)
        assert FundAccount.objects.get(pk=elsewhere.pk).employer == elsewhere.employer

    def test_says_so_when_the_person_is_already_at_this_unit(self, unit, clerk_of, public_security):
        FundAccountFactory(person__id_number=NEWCOMER, person__name="陈晓", employer=unit)
        public_security(names={NEWCOMER: "陈晓"})

        with pytest.raises(AlreadyAtThisUnit):
            take_on(unit, clerk_of(unit))

    @pytest.mark.parametrize(
        "status, closed_on",
        [(AccountStatus.FROZEN, None), (AccountStatus.CLOSED_BY_WITHDRAWAL, date(2026, 1, 5))],
    )
    def test_refuses_a_frozen_or_closed_account(self, unit, clerk_of, public_security, status, closed_on):
        FundAccountFactory(
            person__id_number=NEWCOMER, person__name="陈晓", status=status, closed_on=closed_on
        )
        public_security(names={NEWCOMER: "陈晓"})

        with pytest.raises(AccountNotTransferable):
            take_on(unit, clerk_of(unit))

    def test_refuses_a_start_before_the_seal_at_the_last_unit(self, unit, clerk_of, public_security):
        FundAccountFactory(
            person__id_number=NEWCOMER,
            person__name="陈晓",
            status=AccountStatus.SEALED,
            sealed_on=date(2026, 10, 1),
        )
        public_security(names={NEWCOMER: "陈晓"})

        with pytest.raises(InvalidAccountDate) as refused:
            take_on(unit, clerk_of(unit), start_on=date(2026, 9, 1))

        assert refused.value.field == "start_on"

    def test_refuses_an_id_number_public_security_does_not_know(self, unit, clerk_of, public_security):
        public_security(names={})

        with pytest.raises(IdentityNotFound) as refused:
            take_on(unit, clerk_of(unit))

        assert refused.value.field == "id_number"
        assert not Person.objects.exists()

    def test_refuses_a_name_that_does_not_belong_to_the_id_number(self, unit, clerk_of, public_security):
        public_security(names={NEWCOMER: "陈晓"})

        with pytest.raises(IdentityNameMismatch) as refused:
            take_on(unit, clerk_of(unit), name="陈小")

        assert refused.value.field == "name"

    def test_refuses_a_person_recorded_as_deceased(self, unit, clerk_of, public_security):
        public_security(names={NEWCOMER: "陈晓"}, deceased=[NEWCOMER])

        with pytest.raises(PersonDeceased):
            take_on(unit, clerk_of(unit))

    def test_writes_nothing_when_public_security_does_not_answer(self, unit, clerk_of, public_security):
        public_security(names={NEWCOMER: "陈晓"}, unavailable=True)

        with pytest.raises(SourceUnavailable):
            take_on(unit, clerk_of(unit))

        assert not Person.objects.exists() and not FundAccount.objects.exists()

    @pytest.mark.parametrize("base", [202999, 3100001])
    def test_refuses_a_base_below_the_floor_or_above_the_cap_before_asking(
        self, unit, clerk_of, public_security, base
    ):
        fake = public_security(names={NEWCOMER: "陈晓"})

        with pytest.raises(InvalidBase) as refused:
            take_on(unit, clerk_of(unit), base=base)

        assert refused.value.field == "base"
        assert fake.calls == []

    @pytest.mark.parametrize("base", [203000, 3100000])
    def test_accepts_a_base_on_the_floor_or_the_cap(self, unit, clerk_of, public_security, base):
        public_security(names={NEWCOMER: "陈晓"})

        assert take_on(unit, clerk_of(unit), base=base).account.base == base

    def test_refuses_a_start_date_in_the_future(self, unit, clerk_of, public_security):
        public_security(names={NEWCOMER: "陈晓"})

        with pytest.raises(InvalidAccountDate) as refused:
            take_on(unit, clerk_of(unit), start_on=date(2026, 11, 21))

        assert refused.value.field == "start_on"

    def test_names_the_field_of_a_malformed_id_number(self, unit, clerk_of, public_security):
        public_security(names={})

        with pytest.raises(InvalidIdNumber) as refused:
            take_on(unit, clerk_of(unit), id_number="350203199001011230")

        assert refused.value.field == "id_number"

    def test_refuses_a_closed_unit(self, clerk_of, public_security):
        closed = EmployerFactory(status="04")
        public_security(names={NEWCOMER: "陈晓"})

        with pytest.raises(EmployerNotActive):
            take_on(closed, clerk_of(closed))

    def test_refuses_an_operator_of_another_unit(self, unit, clerk_of, public_security):
        public_security(names={NEWCOMER: "陈晓"})

        with pytest.raises(NotOperatorOfUnit):
            take_on(unit, clerk_of(EmployerFactory()))

        assert not roster_accounts(unit).exists()
