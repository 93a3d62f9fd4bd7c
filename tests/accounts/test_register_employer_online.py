"""register_employer_online: a unit opens its account online, checked with 市场监管, with its two logins."""

from contextlib import ExitStack
from datetime import date

import pytest

from accounts import roles
from accounts.models import Employer, EmployerStatus, User
from accounts.numbering import UNIT_ACCOUNT, is_valid_number
from accounts.services import (
    EmployerAlreadyRegistered,
    InvalidOperator,
    NewOperator,
    SourceUnavailable,
    UnitNameMismatch,
    UnitNotActive,
    UnitNotRegistered,
    UsernameTaken,
    WeakPassword,
    register_employer_online,
)
from audit.models import AuditEvent
from integrations.gov import ports
from integrations.gov.fakes import FakeMarketRegulation
from integrations.gov.testing import use_fakes
from integrations.models import GovQuery
from tests.accounts.factories import EmployerFactory, UserFactory, credit_code

pytestmark = pytest.mark.django_db

CODE = credit_code(4242)
NAME = "厦门鹭岛软件有限公司"
PASSWORD = "Lu-dao-2026-pass"


def registration(code=CODE, name=NAME, status=ports.UNIT_ACTIVE):
    return ports.UnitRegistration(credit_code=code, name=name, status=status, registered_on=date(2012, 3, 1))


@pytest.fixture
def market_regulation():
    """``market_regulation(*units, unavailable=..., delay=...)``: 市场监管 as a fake knowing these units."""
    with ExitStack() as stack:

        def install(*units, **kwargs):
            fake = FakeMarketRegulation(units={unit.credit_code: unit for unit in units}, **kwargs)
            stack.enter_context(use_fakes({ports.MARKET_REGULATION: fake}))
            return fake

        yield install


class MeanwhileRegister(FakeMarketRegulation):
    """A register during whose answer something else happens: a concurrent submission commits."""

    def __init__(self, meanwhile, *units):
        super().__init__(units={unit.credit_code: unit for unit in units})
        self.meanwhile = meanwhile

    def unit_registration(self, credit_code, *, timeout):
        self.meanwhile()
        return super().unit_registration(credit_code, timeout=timeout)


def operator(username, mobile="13800000001", name="李敏", password=PASSWORD):
    return NewOperator(name=name, mobile=mobile, username=username, password=password)


def register(**overrides):
    arguments = {
        "credit_code": CODE,
        "name": NAME,
        "bank_account_no": "3510 1555 0010 5252 0001",
        "bank_name": "中国建设银行厦门分行",
        "employer_rate_bp": 1000,
        "employee_rate_bp": 1000,
        "preparer": operator("ludao-prep"),
        "approver": operator("ludao-appr", mobile="13900000002", name="王芳"),
    }
    arguments.update(overrides)
    return register_employer_online(**arguments)


class TestRegisterEmployerOnline:
    def test_registers_the_unit_as_normal_with_a_unit_account_number(self, market_regulation):
        market_regulation(registration())

        employer = register()

        assert employer.status == EmployerStatus.NORMAL
        assert is_valid_number(employer.unit_account_no, UNIT_ACCOUNT)
        assert (employer.employer_rate_bp, employer.employee_rate_bp) == (1000, 1000)
        assert employer.bank_account_no == "35101555001052520001"

    def test_creates_the_preparer_and_the_approver_of_the_unit(self, market_regulation):
        market_regulation(registration())

        employer = register()

        preparer = User.objects.get(username="ludao-prep")
        approver = User.objects.get(username="ludao-appr")
        assert roles.roles_of(preparer) == {roles.EMPLOYER_PREPARER}
        assert roles.roles_of(approver) == {roles.EMPLOYER_APPROVER}
        assert preparer.employer == employer and approver.employer == employer
        assert (approver.first_name, approver.mobile) == ("王芳", "13900000002")
        assert approver.check_password(PASSWORD)

    def test_keeps_the_register_s_spelling_of_a_name_typed_with_other_brackets(self, market_regulation):
        market_regulation(registration(name="厦门鹭岛（集团）有限公司"))

        employer = register(name="厦门鹭岛(集团) 有限公司")

        assert employer.name == "厦门鹭岛（集团）有限公司"

    def test_records_the_unit_and_both_logins_in_the_audit_trail(self, market_regulation):
        market_regulation(registration())

        employer = register()

        actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
        assert actions[-3:] == [
            "accounts.employer_registered",
            "accounts.operator_created",
            "accounts.operator_created",
        ]
        assert AuditEvent.objects.get(action="accounts.employer_registered").target_id == str(employer.pk)

    def test_logs_the_market_regulation_query_without_the_code(self, market_regulation):
        market_regulation(registration())

        register()

        query = GovQuery.objects.get(source=ports.MARKET_REGULATION)
        assert (query.operation, query.purpose, query.outcome) == (
            "unit_registration",
            "unit-registration",
            "OK",
        )

    def test_keeps_a_unit_with_a_legacy_code_opened_until_staff_confirm_it(self, market_regulation):
        legacy = CODE[:17] + ("0" if CODE[17] != "0" else "1")  # a wrong check character
        market_regulation(registration(code=legacy))

        employer = register(credit_code=legacy)

        assert employer.status == EmployerStatus.OPENED
        assert employer.credit_code_checksum_ok is False

    def test_refuses_a_code_the_register_does_not_know(self, market_regulation):
        market_regulation()

        with pytest.raises(UnitNotRegistered) as refused:
            register()

        assert refused.value.field == "credit_code"
        assert not Employer.objects.exists() and not User.objects.exists()

    @pytest.mark.parametrize("status", [ports.UNIT_CANCELLED, ports.UNIT_REVOKED])
    def test_refuses_a_unit_that_is_cancelled_or_revoked(self, market_regulation, status):
        market_regulation(registration(status=status))

        with pytest.raises(UnitNotActive) as refused:
            register()

        assert status in str(refused.value.message)
        assert not Employer.objects.exists()

    def test_refuses_a_name_that_does_not_match_and_says_the_registered_one(self, market_regulation):
        market_regulation(registration(name="厦门鹭岛网络科技有限公司"))

        with pytest.raises(UnitNameMismatch) as refused:
            register()

        assert refused.value.field == "name"
        assert "厦门鹭岛网络科技有限公司" in str(refused.value.message)

    def test_creates_nothing_when_the_register_does_not_answer(self, market_regulation):
        market_regulation(registration(), unavailable=True)

        with pytest.raises(SourceUnavailable):
            register()

        assert not Employer.objects.exists() and not User.objects.exists()
        assert GovQuery.objects.get(source=ports.MARKET_REGULATION).outcome == "UNAVAILABLE"

    def test_treats_a_register_slower_than_the_timeout_as_not_answering(self, market_regulation, settings):
        settings.DECISION_SOURCE_TIMEOUT_S = 0.05
        market_regulation(registration(), delay=0.2)

        with pytest.raises(SourceUnavailable):
            register()

        assert not Employer.objects.exists()

    def test_refuses_a_code_already_registered_without_asking_the_register(self, market_regulation):
        fake = market_regulation(registration())
        EmployerFactory(credit_code=CODE)

        with pytest.raises(EmployerAlreadyRegistered) as refused:
            register()

        assert refused.value.field == "credit_code"
        assert fake.calls == []
        assert not User.objects.exists()

    def test_rolls_the_unit_back_when_a_user_name_is_taken_while_the_register_answers(self):
        racing = MeanwhileRegister(lambda: UserFactory(username="ludao-appr"), registration())

        with use_fakes({ports.MARKET_REGULATION: racing}), pytest.raises(UsernameTaken) as refused:
            register()

        assert refused.value.field == "approver_username"
        assert not Employer.objects.exists()
        assert not User.objects.filter(username="ludao-prep").exists()

    def test_refuses_a_code_registered_by_a_concurrent_submission(self):
        racing = MeanwhileRegister(lambda: EmployerFactory(credit_code=CODE), registration())

        with use_fakes({ports.MARKET_REGULATION: racing}), pytest.raises(EmployerAlreadyRegistered):
            register()

        assert Employer.objects.count() == 1
        assert not User.objects.exists()

    def test_refuses_a_user_name_already_taken_on_its_field(self, market_regulation):
        market_regulation(registration())
        UserFactory(username="ludao-prep")

        with pytest.raises(UsernameTaken) as refused:
            register()

        assert refused.value.field == "preparer_username"

    def test_refuses_one_user_name_for_both_operators(self, market_regulation):
        market_regulation(registration())

        with pytest.raises(InvalidOperator) as refused:
            register(approver=operator("LUDAO-prep", mobile="13900000002"))

        assert refused.value.field == "approver_username"

    def test_refuses_one_mobile_for_both_operators(self, market_regulation):
        market_regulation(registration())

        with pytest.raises(InvalidOperator) as refused:
            register(approver=operator("ludao-appr", mobile="+86 138 0000 0001"))

        assert refused.value.field == "approver_mobile"

    def test_refuses_a_weak_password_on_the_operator_s_field(self, market_regulation):
        fake = market_regulation(registration())

        with pytest.raises(WeakPassword) as refused:
            register(approver=operator("ludao-appr", mobile="13900000002", password="12345678"))

        assert refused.value.field == "approver_password"
        assert fake.calls == []
