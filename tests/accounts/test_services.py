"""Use cases of accounts.services: registration, the account lifecycle, logins, audit events."""

from datetime import date

import pytest
from django.db import transaction

from accounts import roles
from accounts.models import AccountStatus, EmployerStatus, FundAccount, Person
from accounts.numbering import FUND_ACCOUNT, UNIT_ACCOUNT, is_valid_number
from accounts.services import (
    AccountAlreadyOpen,
    AccountHasBalance,
    AccountNotClosable,
    AccountNotSealable,
    AccountNotUnsealable,
    CreditCodeConfirmationRefused,
    EmployerAlreadyRegistered,
    EmployerNotActive,
    EmployerRequired,
    InvalidAccountDate,
    InvalidBase,
    InvalidClosingStatus,
    InvalidHukouRegion,
    InvalidRate,
    LoginAlreadyExists,
    PersonAlreadyRegistered,
    UnknownRole,
    UsernameTaken,
    WeakPassword,
    bulk_open_accounts,
    bulk_register_people,
    close_account,
    close_account_in_transaction,
    confirm_employer_credit_code,
    create_employee_login,
    create_operator,
    open_account,
    register_employer,
    register_person,
    seal_account,
    set_bank_card,
    unseal_account,
)
from audit.models import AuditEvent
from core.identity import InvalidIdNumber, make_credit_code
from ledger.selectors import balance_of
from tests.accounts.factories import (
    EmployerFactory,
    FundAccountFactory,
    PersonFactory,
    credit_code,
    resident_id,
)

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Fund-portal-2026!"


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def _legacy_credit_code():
    valid = make_credit_code("91350200MA2XY1234")
    wrong_check = next(c for c in "0123456789" if c != valid[-1])
    return valid[:-1] + wrong_check


class TestRegisterPerson:
    def test_derives_sex_and_birth_date_from_the_id_number(self, clerk):
        number = resident_id(3)

        person = register_person(
            id_number=number, name=" 张  三 ", mobile="+86 138 0000 1111", hukou_region="350203", actor=clerk
        )

        assert person.birth_date == date(1970, 1, 1)
        assert person.sex == "M"
        assert person.name == "张 三"
        assert person.mobile == "13800001111"

    def test_stores_the_check_letter_upper_case(self, clerk):
        number = next(resident_id(n) for n in range(100) if resident_id(n).endswith("X"))

        person = register_person(
            id_number=number.lower(), name="李四", mobile="13800001111", hukou_region="350203", actor=clerk
        )

        person.refresh_from_db()
        assert person.id_number == number

    def test_refuses_a_number_already_registered_in_another_case(self, clerk):
        number = next(resident_id(n) for n in range(100) if resident_id(n).endswith("X"))
        register_person(
            id_number=number, name="李四", mobile="13800001111", hukou_region="350203", actor=clerk
        )

        with pytest.raises(PersonAlreadyRegistered) as caught:
            register_person(
                id_number=number.lower(),
                name="李四",
                mobile="13800001111",
                hukou_region="350203",
                actor=clerk,
            )

        assert caught.value.code == "PERSON_ALREADY_REGISTERED"
        assert number not in caught.value.message

    def test_refuses_an_invalid_id_number(self, clerk):
        with pytest.raises(InvalidIdNumber):
            register_person(
                id_number="350203197001011004",
                name="王五",
                mobile="13800001111",
                hukou_region="350203",
                actor=clerk,
            )

    def test_refuses_a_hukou_region_that_is_not_six_digits(self, clerk):
        with pytest.raises(InvalidHukouRegion):
            register_person(
                id_number=resident_id(1), name="王五", mobile="13800001111", hukou_region="3502", actor=clerk
            )

    def test_records_an_audit_event_without_the_id_number(self, clerk):
        number = resident_id(4)

        person = register_person(
            id_number=number, name="王五", mobile="13800001111", hukou_region="350203", actor=clerk
        )

        (event,) = _events("accounts.person_registered")
        assert event.actor == clerk
        assert event.target_id == str(person.pk)
        assert number not in event.summary + event.target_repr + str(event.data)


class TestBulkRegisterPeople:
    def test_registers_every_row_with_one_audit_event_each(self, clerk):
        rows = [
            {
                "id_number": resident_id(n),
                "name": f"职工{n}",
                "mobile": "13800001111",
                "hukou_region": "350203",
            }
            for n in range(25)
        ]

        people = bulk_register_people(rows, actor=clerk)

        assert Person.objects.count() == 25
        assert all(person.pk for person in people)
        assert {e.target_id for e in _events("accounts.person_registered")} == {str(p.pk) for p in people}

    def test_writes_nothing_when_one_row_is_invalid(self, clerk):
        rows = [
            {"id_number": resident_id(1), "name": "甲", "mobile": "13800001111", "hukou_region": "350203"},
            {
                "id_number": "350203197001011004",
                "name": "乙",
                "mobile": "13800001111",
                "hukou_region": "350203",
            },
        ]

        with pytest.raises(InvalidIdNumber, match="第 2 行"):
            bulk_register_people(rows, actor=clerk)

        assert Person.objects.count() == 0

    def test_refuses_a_person_already_registered(self, clerk):
        PersonFactory(id_number=resident_id(1))
        rows = [
            {"id_number": resident_id(1), "name": "甲", "mobile": "13800001111", "hukou_region": "350203"}
        ]

        with pytest.raises(PersonAlreadyRegistered):
            bulk_register_people(rows, actor=clerk)


class TestSetBankCard:
    def test_keeps_the_card_encrypted_and_its_last_four_digits(self, clerk):
        person = PersonFactory()

        set_bank_card(person=person, card_number="6222 0212 3456 1234", actor=clerk)

        person.refresh_from_db()
        assert person.bank_card == "6222021234561234"
        assert person.bank_card_last4 == "1234"
        assert person.masked_bank_card == "6222 **** **** 1234"
        assert _events("accounts.bank_card_set")[0].summary.endswith("6222 **** **** 1234 set")


class TestRegisterEmployer:
    def test_registers_a_unit_with_a_valid_code_as_normal(self, clerk):
        employer = register_employer(
            credit_code=credit_code(5).lower(),
            name="厦门甲公司",
            bank_account_no="4101 0000 1234 5678",
            bank_name="工商银行",
            employer_rate_bp=1000,
            employee_rate_bp=800,
            actor=clerk,
        )

        assert employer.credit_code == credit_code(5)
        assert employer.status == EmployerStatus.NORMAL
        assert employer.bank_account_no == "4101000012345678"
        assert is_valid_number(employer.unit_account_no, UNIT_ACCOUNT)
        assert len(_events("accounts.employer_registered")) == 1

    def test_keeps_a_unit_with_an_unconfirmed_legacy_code_in_opened_status(self, clerk):
        employer = register_employer(
            credit_code=_legacy_credit_code(),
            name="老单位",
            bank_account_no="41010000123",
            bank_name="建行",
            actor=clerk,
        )

        assert employer.credit_code_checksum_ok is False
        assert employer.credit_code_confirmed_at is None
        assert employer.status == EmployerStatus.OPENED

    def test_accepts_a_legacy_code_that_staff_confirm_at_registration(self, clerk):
        employer = register_employer(
            credit_code=_legacy_credit_code(),
            name="老单位",
            bank_account_no="41010000123",
            bank_name="建行",
            confirm_credit_code=True,
            actor=clerk,
        )

        assert employer.status == EmployerStatus.NORMAL
        assert employer.credit_code_confirmed_by == clerk

    def test_refuses_a_confirmation_from_someone_who_is_not_staff(self):
        with pytest.raises(CreditCodeConfirmationRefused):
            register_employer(
                credit_code=_legacy_credit_code(),
                name="老单位",
                bank_account_no="41010000123",
                bank_name="建行",
                confirm_credit_code=True,
                actor=None,
            )

    @pytest.mark.parametrize("rate", [499, 1201, 12.0, True])
    def test_refuses_a_rate_outside_five_to_twelve_percent(self, clerk, rate):
        with pytest.raises(InvalidRate):
            register_employer(
                credit_code=credit_code(6),
                name="甲",
                bank_account_no="41010000123",
                bank_name="建行",
                employer_rate_bp=rate,
                actor=clerk,
            )

    def test_refuses_a_credit_code_already_registered(self, clerk):
        EmployerFactory(credit_code=credit_code(7))

        with pytest.raises(EmployerAlreadyRegistered):
            register_employer(
                credit_code=credit_code(7),
                name="甲",
                bank_account_no="41010000123",
                bank_name="建行",
                actor=clerk,
            )


class TestConfirmEmployerCreditCode:
    def test_moves_an_opened_unit_to_normal_and_records_who(self, clerk):
        employer = EmployerFactory(
            credit_code=_legacy_credit_code(), credit_code_checksum_ok=False, status=EmployerStatus.OPENED
        )

        confirm_employer_credit_code(employer=employer, actor=clerk)

        employer.refresh_from_db()
        assert employer.status == EmployerStatus.NORMAL
        assert employer.credit_code_confirmed_by == clerk
        assert len(_events("accounts.credit_code_confirmed")) == 1

    def test_refuses_a_code_that_needs_no_confirmation(self, clerk):
        with pytest.raises(CreditCodeConfirmationRefused):
            confirm_employer_credit_code(employer=EmployerFactory(), actor=clerk)


class TestOpenAccount:
    def test_opens_a_normal_account_with_a_zero_ledger_account(self, clerk):
        person, employer = PersonFactory(), EmployerFactory()

        account = open_account(
            person=person, employer=employer, base=800000, opened_on=date(2024, 3, 1), actor=clerk
        )

        assert account.status == AccountStatus.NORMAL
        assert is_valid_number(account.account_no, FUND_ACCOUNT)
        assert account.ledger_account.code == f"FUND-{account.account_no}"
        assert balance_of(account.ledger_account) == 0

    def test_hands_out_different_numbers(self, clerk):
        employer = EmployerFactory()

        first = open_account(
            person=PersonFactory(), employer=employer, base=1, opened_on=date(2024, 3, 1), actor=clerk
        )
        second = open_account(
            person=PersonFactory(), employer=employer, base=1, opened_on=date(2024, 3, 1), actor=clerk
        )

        assert first.account_no != second.account_no

    def test_refuses_a_second_account_for_the_same_person(self, clerk):
        person = PersonFactory()
        open_account(
            person=person, employer=EmployerFactory(), base=1, opened_on=date(2024, 3, 1), actor=clerk
        )

        with pytest.raises(AccountAlreadyOpen) as caught:
            open_account(
                person=person, employer=EmployerFactory(), base=1, opened_on=date(2024, 4, 1), actor=clerk
            )

        assert caught.value.code == "ACCOUNT_ALREADY_OPEN"
        assert FundAccount.objects.filter(person=person).count() == 1

    def test_refuses_a_closed_unit(self, clerk):
        employer = EmployerFactory(status=EmployerStatus.CLOSED)

        with pytest.raises(EmployerNotActive):
            open_account(
                person=PersonFactory(), employer=employer, base=1, opened_on=date(2024, 3, 1), actor=clerk
            )

    @pytest.mark.parametrize("base", [-1, 1.5, "800000"])
    def test_refuses_a_base_that_is_not_whole_fen(self, clerk, base):
        with pytest.raises(InvalidBase):
            open_account(
                person=PersonFactory(),
                employer=EmployerFactory(),
                base=base,
                opened_on=date(2024, 3, 1),
                actor=clerk,
            )

    def test_records_an_audit_event(self, clerk):
        account = open_account(
            person=PersonFactory(),
            employer=EmployerFactory(),
            base=1,
            opened_on=date(2024, 3, 1),
            actor=clerk,
        )

        (event,) = _events("accounts.account_opened")
        assert event.target_id == str(account.pk)
        assert account.account_no in event.summary


class TestBulkOpenAccounts:
    def test_opens_every_account_with_its_own_number_and_event(self, clerk):
        employer = EmployerFactory()
        rows = [(PersonFactory(), employer, 500000 + n, date(2024, 3, 1)) for n in range(12)]

        accounts = bulk_open_accounts(rows, actor=clerk)

        assert FundAccount.objects.count() == 12
        assert len({a.account_no for a in accounts}) == 12
        assert all(is_valid_number(a.account_no, FUND_ACCOUNT) for a in accounts)
        assert {e.target_id for e in _events("accounts.account_opened")} == {str(a.pk) for a in accounts}

    def test_writes_nothing_when_one_person_already_has_an_account(self, clerk):
        employer = EmployerFactory()
        holder = FundAccountFactory().person

        with pytest.raises(AccountAlreadyOpen):
            bulk_open_accounts(
                [(PersonFactory(), employer, 1, date(2024, 3, 1)), (holder, employer, 1, date(2024, 3, 1))],
                actor=clerk,
            )

        assert FundAccount.objects.count() == 1


class TestSealAccount:
    def test_seals_a_normal_account_keeping_its_last_employer(self, clerk):
        account = FundAccountFactory()

        sealed = seal_account(account=account, sealed_on=date(2024, 6, 30), actor=clerk)

        assert sealed.status == AccountStatus.SEALED
        assert sealed.sealed_on == date(2024, 6, 30)
        assert sealed.employer_id == account.employer_id
        assert len(_events("accounts.account_sealed")) == 1

    def test_refuses_an_account_already_sealed(self, clerk):
        account = seal_account(account=FundAccountFactory(), sealed_on=date(2024, 6, 30), actor=clerk)

        with pytest.raises(AccountNotSealable) as caught:
            seal_account(account=account, sealed_on=date(2024, 7, 1), actor=clerk)

        assert caught.value.code == "ACCOUNT_NOT_SEALABLE"

    def test_refuses_a_date_before_the_opening(self, clerk):
        with pytest.raises(InvalidAccountDate):
            seal_account(account=FundAccountFactory(), sealed_on=date(2023, 12, 31), actor=clerk)

    def test_checks_the_state_in_the_database_not_the_callers_copy(self, clerk):
        account = FundAccountFactory()
        stale = FundAccount.objects.get(pk=account.pk)
        seal_account(account=account, sealed_on=date(2024, 6, 30), actor=clerk)

        with pytest.raises(AccountNotSealable):
            seal_account(account=stale, sealed_on=date(2024, 7, 1), actor=clerk)


class TestUnsealAccount:
    def test_resumes_at_a_new_employer_and_clears_the_seal_date(self, clerk):
        account = seal_account(account=FundAccountFactory(), sealed_on=date(2024, 6, 30), actor=clerk)
        new_employer = EmployerFactory()

        unsealed = unseal_account(
            account=account, employer=new_employer, unsealed_on=date(2024, 9, 1), actor=clerk
        )

        assert unsealed.status == AccountStatus.NORMAL
        assert unsealed.employer == new_employer
        assert unsealed.sealed_on is None
        (event,) = _events("accounts.account_unsealed")
        assert event.data["sealed_on"] == "2024-06-30"

    def test_refuses_an_account_that_is_not_sealed(self, clerk):
        with pytest.raises(AccountNotUnsealable):
            unseal_account(
                account=FundAccountFactory(),
                employer=EmployerFactory(),
                unsealed_on=date(2024, 9, 1),
                actor=clerk,
            )

    def test_refuses_a_date_before_the_seal(self, clerk):
        account = seal_account(account=FundAccountFactory(), sealed_on=date(2024, 6, 30), actor=clerk)

        with pytest.raises(InvalidAccountDate):
            unseal_account(
                account=account, employer=EmployerFactory(), unsealed_on=date(2024, 6, 1), actor=clerk
            )


class TestCloseAccount:
    def test_closes_a_sealed_empty_account_by_withdrawal(self, clerk):
        account = seal_account(account=FundAccountFactory(), sealed_on=date(2024, 6, 30), actor=clerk)

        closed = close_account(
            account=account,
            status=AccountStatus.CLOSED_BY_WITHDRAWAL,
            closed_on=date(2025, 1, 5),
            actor=clerk,
        )

        assert closed.status == AccountStatus.CLOSED_BY_WITHDRAWAL
        assert closed.closed_on == date(2025, 1, 5)
        assert closed.sealed_on == date(2024, 6, 30)
        assert _events("accounts.account_closed")[0].data["previous_status"] == AccountStatus.SEALED

    def test_refuses_an_account_with_money_on_it(self, clerk, deposit):
        account = FundAccountFactory()
        deposit(account, 192000)

        with pytest.raises(AccountHasBalance) as caught:
            close_account(
                account=account, status=AccountStatus.TRANSFERRED_OUT, closed_on=date(2025, 1, 5), actor=clerk
            )

        assert caught.value.code == "ACCOUNT_HAS_BALANCE"
        assert "1920.00" in str(caught.value.message)
        account.refresh_from_db()
        assert account.status == AccountStatus.NORMAL

    @pytest.mark.parametrize(
        "status", [AccountStatus.NORMAL, AccountStatus.SEALED, AccountStatus.FROZEN, "99"]
    )
    def test_refuses_a_status_that_is_not_a_closing_one(self, clerk, status):
        with pytest.raises(InvalidClosingStatus):
            close_account(
                account=FundAccountFactory(), status=status, closed_on=date(2025, 1, 5), actor=clerk
            )

    def test_refuses_an_account_already_closed(self, clerk):
        account = close_account(
            account=FundAccountFactory(), status=AccountStatus.MERGED, closed_on=date(2025, 1, 5), actor=clerk
        )

        with pytest.raises(AccountNotClosable):
            close_account(
                account=account, status=AccountStatus.MERGED, closed_on=date(2025, 1, 6), actor=clerk
            )

    def test_refuses_a_frozen_account(self, clerk):
        account = FundAccountFactory(status=AccountStatus.FROZEN)

        with pytest.raises(AccountNotClosable):
            close_account(
                account=account, status=AccountStatus.MERGED, closed_on=date(2025, 1, 6), actor=clerk
            )

    def test_helper_needs_the_callers_transaction(self, clerk):
        account = FundAccountFactory()

        with transaction.atomic():
            closed = close_account_in_transaction(
                account=account, status=AccountStatus.MERGED, closed_on=date(2025, 1, 5), actor=clerk
            )

        assert closed.status == AccountStatus.MERGED


class TestAccountLifecycle:
    def test_goes_open_seal_unseal_seal_close(self, clerk):
        account = open_account(
            person=PersonFactory(),
            employer=EmployerFactory(),
            base=800000,
            opened_on=date(2020, 1, 1),
            actor=clerk,
        )

        account = seal_account(account=account, sealed_on=date(2021, 1, 1), actor=clerk)
        account = unseal_account(
            account=account, employer=EmployerFactory(), unsealed_on=date(2021, 3, 1), actor=clerk
        )
        account = seal_account(account=account, sealed_on=date(2023, 1, 1), actor=clerk)
        account = close_account(
            account=account,
            status=AccountStatus.CLOSED_BY_WITHDRAWAL,
            closed_on=date(2023, 8, 1),
            actor=clerk,
        )

        actions = list(
            AuditEvent.objects.filter(target_id=str(account.pk))
            .order_by("sequence")
            .values_list("action", flat=True)
        )
        assert actions == [
            "accounts.account_opened",
            "accounts.account_sealed",
            "accounts.account_unsealed",
            "accounts.account_sealed",
            "accounts.account_closed",
        ]


class TestCreateEmployeeLogin:
    def test_links_a_login_in_the_employee_role_named_without_the_id_number(self):
        person = PersonFactory()

        user = create_employee_login(person=person, password=STRONG_PASSWORD)

        person.refresh_from_db()
        assert person.user == user
        assert user.username == f"person-{person.pk}"
        assert roles.has_role(user, roles.EMPLOYEE)
        assert user.check_password(STRONG_PASSWORD)
        assert len(_events("accounts.employee_login_created")) == 1

    def test_refuses_a_second_login(self):
        person = PersonFactory()
        create_employee_login(person=person, password=STRONG_PASSWORD)

        with pytest.raises(LoginAlreadyExists):
            create_employee_login(person=person, password=STRONG_PASSWORD)

    def test_refuses_a_weak_password(self):
        with pytest.raises(WeakPassword):
            create_employee_login(person=PersonFactory(), password="123456")


class TestCreateOperator:
    def test_creates_a_staff_member_with_admin_access(self, clerk):
        user = create_operator(
            username="chief", password=STRONG_PASSWORD, role=roles.STAFF_SECTION_CHIEF, actor=clerk
        )

        assert user.is_staff
        assert roles.roles_of(user) == {roles.STAFF_SECTION_CHIEF}
        assert _events("accounts.operator_created")[0].data == {
            "role": "staff_section_chief",
            "employer_id": None,
        }

    def test_ties_an_employer_operator_to_the_unit(self):
        employer = EmployerFactory()

        user = create_operator(
            username="hr", password=STRONG_PASSWORD, role=roles.EMPLOYER_PREPARER, employer=employer
        )

        assert user.employer == employer
        assert not user.is_staff

    def test_refuses_an_employer_role_without_a_unit(self):
        with pytest.raises(EmployerRequired):
            create_operator(username="hr", password=STRONG_PASSWORD, role=roles.EMPLOYER_APPROVER)

    def test_refuses_a_staff_role_with_a_unit(self):
        with pytest.raises(EmployerRequired):
            create_operator(
                username="hr", password=STRONG_PASSWORD, role=roles.STAFF_CLERK, employer=EmployerFactory()
            )

    @pytest.mark.parametrize("role", ["employee", "superman"])
    def test_refuses_a_role_that_is_not_an_operator_role(self, role):
        with pytest.raises(UnknownRole):
            create_operator(username="x", password=STRONG_PASSWORD, role=role)

    def test_refuses_a_taken_user_name(self, clerk):
        with pytest.raises(UsernameTaken):
            create_operator(username="clerk", password=STRONG_PASSWORD, role=roles.STAFF_CLERK)
