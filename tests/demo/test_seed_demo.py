import json
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.models import AccountStatus, Employer, EmployerStatus, FundAccount, Person, User
from accounts.selectors import person_by_id_number
from accounts.services import NewOperator, UnitNotActive, register_employer_online, take_on_employee
from audit.models import AuditEvent
from core.identity import check_bank_card, check_credit_code, is_local_region, parse_resident_id
from core.money import format_yuan
from demo.city import add_months, plan_city
from demo.models import DemoPersona, Persona
from integrations.gov import ports
from ledger.models import BusinessType, JournalEntry, JournalLine
from ledger.selectors import balance_of
from signin.demo import DEMO_TOTP_KEY
from tests.demo.conftest import Null, seeded_city

PERSONS, EMPLOYERS, SEED = 120, 12, 7


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small city for the whole module, rolled back at the end (ledger rows cannot be deleted)."""
    var_dir = tmp_path_factory.mktemp("var")
    with seeded_city(django_db_blocker, var_dir, persons=PERSONS, employers=EMPLOYERS, seed=SEED):
        logins = json.loads((var_dir / "demo-logins.json").read_text(encoding="utf-8"))
        walk_ins = json.loads((var_dir / "demo-try.json").read_text(encoding="utf-8"))
        yield {"logins": logins, "walk_ins": walk_ins, "var_dir": var_dir}


def _persona_account(persona: str) -> FundAccount:
    return FundAccount.objects.select_related("person", "employer").get(person__demo_persona__persona=persona)


def _months_ago(day) -> float:
    return (timezone.localdate() - day).days / 30.44


@pytest.mark.usefixtures("db")
class TestSeedDemoLogins:
    def test_writes_the_logins_file_under_var_dir(self, city):
        path = city["var_dir"] / "demo-logins.json"

        entries = json.loads(path.read_text(encoding="utf-8"))

        assert {"role", "persona", "username", "password", "name", "employer"} <= set(entries[0])

    def test_gives_every_role_a_login(self, city):
        found = {login["role"] for login in city["logins"]}

        assert found == set(roles.ALL_ROLES)

    def test_lets_every_login_sign_in(self, city):
        factory = RequestFactory()

        for login in city["logins"]:
            user = authenticate(
                factory.post("/login/"), username=login["username"], password=login["password"]
            )

            assert user is not None, login["role"]
            assert login["role"] in roles.roles_of(user)

    def test_gives_every_employee_login_a_persona_and_none_to_others(self, city):
        employee_personas = [login["persona"] for login in city["logins"] if login["role"] == roles.EMPLOYEE]
        others = [login["persona"] for login in city["logins"] if login["role"] != roles.EMPLOYEE]

        assert sorted(employee_personas) == sorted(Persona.values)
        assert set(others) == {None}

    def test_puts_the_preparer_and_the_approver_in_the_same_large_unit(self, city):
        by_role = {login["role"]: login["username"] for login in city["logins"]}

        preparer = User.objects.get(username=by_role[roles.EMPLOYER_PREPARER])
        approver = User.objects.get(username=by_role[roles.EMPLOYER_APPROVER])

        assert preparer.employer_id == approver.employer_id is not None
        sizes = sorted(Employer.objects.all(), key=lambda unit: unit.fund_accounts.count())
        assert preparer.employer == sizes[-1]

    def test_gives_every_staff_login_the_demo_authenticator(self, city):
        staff = [login["username"] for login in city["logins"] if login["totp_secret"]]

        devices = TOTPDevice.objects.filter(user__username__in=staff, key=DEMO_TOTP_KEY, confirmed=True)
        with_device = set(devices.values_list("user__username", flat=True))

        assert {"clerk", "first_reviewer"} <= set(staff)
        assert with_device == set(staff)

    def test_makes_the_admin_a_superuser(self, city):
        username = next(login["username"] for login in city["logins"] if login["role"] == roles.ADMIN)

        assert User.objects.get(username=username).is_superuser

    def test_uses_the_id_number_as_the_employee_username(self, city):
        employees = [login for login in city["logins"] if login["role"] == roles.EMPLOYEE]

        for login in employees:
            assert person_by_id_number(login["username"]).user is not None


@pytest.mark.usefixtures("db")
class TestSeedDemoPersonas:
    def test_records_one_demo_persona_per_persona(self, city):
        personas = sorted(DemoPersona.objects.values_list("persona", flat=True))

        assert personas == sorted(Persona.values)

    def test_seals_the_non_local_leaver_seven_months_ago_with_money_left(self, city):
        account = _persona_account(Persona.LEAVER_SEALED_7_MONTHS)

        assert account.status == AccountStatus.SEALED
        assert 6 <= _months_ago(account.sealed_on) <= 8
        assert not account.person.hukou_region.startswith("3502")
        assert balance_of(account.ledger_account) > 0

    def test_seals_the_other_non_local_leaver_three_months_ago(self, city):
        account = _persona_account(Persona.LEAVER_SEALED_3_MONTHS)

        assert account.status == AccountStatus.SEALED
        assert 2 <= _months_ago(account.sealed_on) <= 4
        assert not account.person.hukou_region.startswith("3502")

    def test_gives_the_local_leaver_a_xiamen_hukou(self, city):
        account = _persona_account(Persona.LOCAL_LEAVER_SEALED_7_MONTHS)

        assert account.status == AccountStatus.SEALED
        assert 6 <= _months_ago(account.sealed_on) <= 8
        assert account.person.hukou_region.startswith("3502")

    def test_makes_the_retiree_born_around_1965(self, city):
        account = _persona_account(Persona.RETIREE)

        assert 1963 <= account.person.birth_date.year <= 1967
        assert account.status in (AccountStatus.NORMAL, AccountStatus.SEALED)

    def test_gives_the_depositing_personas_six_recent_months_of_deposits(self, city):
        since = add_months(timezone.localdate(), -7)
        depositing = (
            Persona.RENTER,
            Persona.SPOUSE_OWNS_HOME,
            Persona.BUYER,
            Persona.LOAN_REPAYER,
            Persona.OVERDUE_BORROWER,
        )

        for persona in depositing:
            account = _persona_account(persona)
            months = JournalLine.objects.filter(
                account=account.ledger_account,
                entry__business_type=BusinessType.MONTHLY_DEPOSIT,
                entry__business_on__gte=since,
            ).count()

            assert account.status == AccountStatus.NORMAL, persona
            assert months >= 6, persona

    def test_gives_every_persona_a_verified_bank_card(self, city):
        people = Person.objects.filter(demo_persona__isnull=False)

        assert all(person.bank_card_verified_at is not None for person in people)


@pytest.mark.usefixtures("db")
class TestSeedDemoData:
    def test_registers_the_asked_number_of_people_and_units(self, city):
        assert Person.objects.count() == PERSONS
        assert Employer.objects.count() == EMPLOYERS

    def test_leaves_a_few_registered_people_without_an_account(self, city):
        assert 0 < Person.objects.filter(fund_account__isnull=True).count() < PERSONS // 20

    def test_uses_every_account_status(self, city):
        statuses = set(FundAccount.objects.values_list("status", flat=True))

        assert statuses == set(AccountStatus.values) - {AccountStatus.OTHER}

    def test_leaves_every_closed_account_at_zero(self, city):
        closed = FundAccount.objects.filter(status__in=("03", "04", "05")).select_related("ledger_account")

        assert closed
        assert {balance_of(account.ledger_account) for account in closed} == {0}

    def test_draws_valid_id_numbers_some_ending_in_x(self, city):
        numbers = [person.id_number for person in Person.objects.all()]

        assert all(parse_resident_id(number) for number in numbers)
        assert any(number.endswith("X") for number in numbers)

    def test_registers_legacy_credit_codes_some_confirmed(self, city):
        legacy = Employer.objects.filter(credit_code_checksum_ok=False)

        assert legacy.count() >= 2
        assert not any(check_credit_code(unit.credit_code).checksum_ok for unit in legacy)
        assert legacy.filter(credit_code_confirmed_at__isnull=False).exists()
        assert legacy.filter(credit_code_confirmed_at__isnull=True, status=EmployerStatus.OPENED).exists()

    def test_gives_most_people_a_luhn_valid_bank_card(self, city):
        cards = [person.bank_card for person in Person.objects.all() if person.bank_card]

        assert len(cards) > PERSONS * 0.8
        assert all(check_bank_card(card).luhn_ok for card in cards)

    def test_posts_one_deposit_entry_per_unit_and_month(self, city):
        keys = list(
            JournalEntry.objects.filter(business_type=BusinessType.MONTHLY_DEPOSIT).values_list(
                "idempotency_key", flat=True
            )
        )

        assert len(keys) == len(set(keys)) > EMPLOYERS * 12
        assert all(key.startswith("seed:deposit:") for key in keys)

    def test_posts_back_payments_withdrawals_and_closings(self, city):
        types = set(JournalEntry.objects.values_list("business_type", flat=True))

        assert {
            BusinessType.BACK_PAYMENT,
            BusinessType.CLOSING_WITHDRAWAL,
            BusinessType.TRANSFER_OUT,
        } <= types

    def test_sets_paid_up_to_of_paying_units_to_a_recent_month(self, city):
        paying = Employer.objects.filter(status=EmployerStatus.NORMAL, paid_up_to__isnull=False)

        assert paying.exists()
        assert all(timezone.localdate() - unit.paid_up_to < timedelta(days=62) for unit in paying)

    def test_keeps_the_ledger_intact(self, city):
        call_command("verify_ledger", stdout=Null())

    def test_keeps_the_audit_chain_intact(self, city):
        call_command("verify_audit_chain", stdout=Null())

    def test_records_seeding_events_under_the_seed_label(self, city):
        assert AuditEvent.objects.filter(actor_label="system:seed_demo").exists()


def _demo_preparer(city) -> User:
    username = next(login["username"] for login in city["logins"] if login["role"] == roles.EMPLOYER_PREPARER)
    return User.objects.select_related("employer").get(username=username)


def _register_online(unit: dict, prefix: str) -> Employer:
    return register_employer_online(
        credit_code=unit["credit_code"],
        name=unit["name"],
        bank_account_no=unit["bank_account_no"],
        bank_name=unit["bank_name"],
        preparer=NewOperator(
            name="林晓", mobile="13800000001", username=f"{prefix}-prep", password="Try-it-2026"
        ),
        approver=NewOperator(
            name="陈静", mobile="13900000002", username=f"{prefix}-appr", password="Try-it-2026"
        ),
    )


@pytest.mark.usefixtures("db")
class TestSeedDemoWalkIns:
    def test_writes_the_units_and_people_to_try_under_var_dir(self, city):
        walk_ins = city["walk_ins"]

        assert [unit["status"] for unit in walk_ins["units"]] == [ports.UNIT_ACTIVE] * 5 + [
            ports.UNIT_CANCELLED
        ]
        assert [unit["can_register"] for unit in walk_ins["units"]] == [True] * 5 + [False]
        assert len(walk_ins["people"]) == 6
        assert {"credit_code", "name"} <= set(walk_ins["units"][0])
        assert {"id_number", "name", "hukou_region"} <= set(walk_ins["people"][0])

    def test_gives_the_home_buyers_contract_as_the_property_register_holds_it(self, city):
        from integrations.models import SandboxProperty

        buyer = city["walk_ins"]["home_buyers"][0]  # then the couple's (tests/demo/test_couple.py)
        registered = SandboxProperty.objects.get(property_id=buyer["property_ref"])

        assert buyer["persona"] == "buyer"
        assert buyer["price_yuan"] == format_yuan(registered.price)
        assert registered.title_on is None  # a purchase still under contract

    def test_offers_people_with_local_and_with_non_local_hukou(self, city):
        people = city["walk_ins"]["people"]

        assert {person["local_hukou"] for person in people} == {True, False}
        assert all(person["local_hukou"] == is_local_region(person["hukou_region"]) for person in people)

    def test_keeps_the_walk_ins_unknown_to_the_centre(self, city):
        codes = [unit["credit_code"] for unit in city["walk_ins"]["units"]]
        numbers = [person["id_number"] for person in city["walk_ins"]["people"]]

        assert not Employer.objects.filter(credit_code__in=codes).exists()
        assert [person_by_id_number(number) for number in numbers] == [None] * len(numbers)

    def test_lets_every_active_walk_in_unit_register_online_with_the_sandbox(self, city):
        units = [unit for unit in city["walk_ins"]["units"] if unit["can_register"]]

        registered = [_register_online(unit, f"try{position}") for position, unit in enumerate(units)]

        assert [(unit.name, unit.status) for unit in registered] == [
            (unit["name"], EmployerStatus.NORMAL) for unit in units
        ]

    def test_refuses_the_cancelled_walk_in_unit(self, city):
        cancelled = next(unit for unit in city["walk_ins"]["units"] if not unit["can_register"])

        with pytest.raises(UnitNotActive):
            _register_online(cancelled, "cancelled")

        assert not Employer.objects.filter(credit_code=cancelled["credit_code"]).exists()

    def test_lets_the_demo_unit_take_on_every_walk_in_person(self, city):
        preparer = _demo_preparer(city)
        people = city["walk_ins"]["people"]

        taken_on = [
            take_on_employee(
                employer=preparer.employer,
                id_number=person["id_number"],
                name=person["name"],
                mobile=person["mobile"],
                hukou_region=person["hukou_region"],
                base=800_000,
                start_on=timezone.localdate(),
                actor=preparer,
            )
            for person in people
        ]

        assert all(result.person_registered and not result.moved_in for result in taken_on)
        assert {result.account.status for result in taken_on} == {AccountStatus.NORMAL}
        assert {result.account.employer_id for result in taken_on} == {preparer.employer_id}


@pytest.mark.usefixtures("db")
class TestSeedDemoOnASeededDatabase:
    def test_changes_nothing_with_if_empty(self, city):
        before = (Person.objects.count(), JournalEntry.objects.count(), AuditEvent.objects.count())

        call_command("seed_demo", if_empty=True, stdout=Null())

        assert (Person.objects.count(), JournalEntry.objects.count(), AuditEvent.objects.count()) == before

    def test_prints_the_existing_logins_with_if_empty(self, city, capsys):
        with override_settings(VAR_DIR=city["var_dir"]):
            call_command("seed_demo", if_empty=True)

        assert city["logins"][0]["username"] in capsys.readouterr().out

    def test_prints_the_units_and_people_to_try_with_if_empty(self, city, capsys):
        with override_settings(VAR_DIR=city["var_dir"]):
            call_command("seed_demo", if_empty=True)

        printed = capsys.readouterr().out
        assert all(unit["credit_code"] in printed for unit in city["walk_ins"]["units"])
        assert all(person["id_number"] in printed for person in city["walk_ins"]["people"])

    def test_refuses_to_seed_again_without_if_empty(self, city):
        with pytest.raises(CommandError, match="empty database"):
            call_command("seed_demo", persons=PERSONS, employers=EMPLOYERS, stdout=Null())


class TestPlanCity:
    def test_draws_the_same_people_from_the_same_seed(self):
        today = timezone.localdate()

        first = plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=today)
        second = plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=today)

        assert [(p.name, p.id_number) for p in first.people] == [(p.name, p.id_number) for p in second.people]

    def test_draws_other_people_from_another_seed(self):
        today = timezone.localdate()

        first = plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=today)
        other = plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED + 1, today=today)

        assert [p.id_number for p in first.people] != [p.id_number for p in other.people]

    def test_gives_about_sixty_percent_a_local_hukou(self):
        plan = plan_city(persons=3000, employers=300, seed=SEED, today=timezone.localdate())

        local = sum(person.hukou_region.startswith("3502") for person in plan.people) / len(plan.people)

        assert 0.5 < local < 0.7

    def test_sizes_units_from_hundreds_down_to_a_long_tail_of_small_ones(self):
        plan = plan_city(persons=3000, employers=300, seed=SEED, today=timezone.localdate())

        sizes = sorted((unit.size for unit in plan.employers), reverse=True)

        assert sizes[0] >= 200
        assert sum(size <= 10 for size in sizes) > 200

    def test_draws_the_same_walk_ins_from_the_same_seed(self):
        today = timezone.localdate()

        first = plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=today)
        second = plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=today)

        assert first.walk_in_units == second.walk_in_units
        assert first.walk_in_people == second.walk_in_people

    def test_keeps_the_walk_ins_apart_from_the_city(self):
        plan = plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=timezone.localdate())

        codes = {unit.credit_code for unit in plan.employers}
        names = {unit.name for unit in plan.employers}
        numbers = {person.id_number for person in plan.people}

        assert not codes & {unit.credit_code for unit in plan.walk_in_units}
        assert not names & {unit.name for unit in plan.walk_in_units}
        assert not numbers & {person.id_number for person in plan.walk_in_people}

    def test_refuses_a_city_too_small_for_the_personas(self):
        with pytest.raises(ValueError):
            plan_city(persons=10, employers=3, seed=SEED, today=timezone.localdate())


class TestSeedDemoOnTheSeededCity:
    def test_gives_the_seeded_people_the_planned_names(self, city, django_db_blocker):
        plan = plan_city(persons=PERSONS, employers=EMPLOYERS, seed=SEED, today=timezone.localdate())

        with django_db_blocker.unblock():
            stored = {(person.name, person.id_number) for person in Person.objects.all()}

        assert stored == {(person.name, person.id_number) for person in plan.people}
