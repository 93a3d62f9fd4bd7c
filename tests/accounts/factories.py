"""factory_boy factories for accounts: valid ID numbers and credit codes, encrypted fields filled.

They arrange rows directly (no audit events); tests of behaviour call ``accounts.services``.
"""

from datetime import date, timedelta

import factory

from accounts.models import AccountStatus, Employer, EmployerStatus, FundAccount, Person, User
from accounts.numbering import FUND_ACCOUNT, UNIT_ACCOUNT, format_number
from core.crypto import blind_index
from core.identity import CREDIT_CODE_ALPHABET, make_credit_code, make_resident_id, parse_resident_id
from ledger.services import open_fund_ledger_account

XIAMEN_SIMING = "350203"


def resident_id(n: int, *, region: str = XIAMEN_SIMING) -> str:
    """The n-th distinct valid ID number: birth dates from 1970 on, odd and even sequences alternate."""
    return make_resident_id(region, date(1970, 1, 1) + timedelta(days=n // 900), 100 + n % 900)


def credit_code(n: int) -> str:
    body = "91350200" + "".join(CREDIT_CODE_ALPHABET[(n // 31**k) % 31] for k in range(9))
    return make_credit_code(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("Fund-portal-2026!")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    id_number = factory.Sequence(resident_id)
    id_number_index = factory.LazyAttribute(lambda o: blind_index(o.id_number))
    name = factory.Sequence(lambda n: f"职工{n}")
    sex = factory.LazyAttribute(lambda o: parse_resident_id(o.id_number).sex)
    birth_date = factory.LazyAttribute(lambda o: parse_resident_id(o.id_number).birth_date)
    mobile = factory.Sequence(lambda n: f"138{n % 10**8:08d}")
    hukou_region = XIAMEN_SIMING


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    credit_code = factory.Sequence(credit_code)
    credit_code_checksum_ok = True
    name = factory.Sequence(lambda n: f"厦门示例有限公司{n}")
    unit_account_no = factory.Sequence(lambda n: format_number(UNIT_ACCOUNT, 900000 + n))
    bank_account_no = factory.Sequence(lambda n: f"41010{n:010d}")
    bank_name = "中国工商银行厦门分行"
    employer_rate_bp = 1200
    employee_rate_bp = 1200
    status = EmployerStatus.NORMAL


class FundAccountFactory(factory.django.DjangoModelFactory):
    """A normal account; needs the test's transaction (pytest-django's ``db`` gives one)."""

    class Meta:
        model = FundAccount

    # Numbers far above what the services hand out, so the two never collide in one test.
    account_no = factory.Sequence(lambda n: format_number(FUND_ACCOUNT, 9000000 + n))
    person = factory.SubFactory(PersonFactory)
    employer = factory.SubFactory(EmployerFactory)
    status = AccountStatus.NORMAL
    base = 800000
    opened_on = date(2024, 1, 15)
    ledger_account = factory.LazyAttribute(lambda o: open_fund_ledger_account(account_no=o.account_no))
