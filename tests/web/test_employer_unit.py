"""The unit's own pages: online registration, details and rates, the staff roster, adding and sealing."""

from contextlib import ExitStack
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from freezegun import freeze_time

from accounts import roles
from accounts.models import AccountStatus, Employer, FundAccount, User
from integrations.gov import ports
from integrations.gov.fakes import FakeMarketRegulation, FakePublicSecurity
from integrations.gov.testing import use_fakes
from tests.accounts.factories import (
    EmployerFactory,
    FundAccountFactory,
    UserFactory,
    credit_code,
    resident_id,
)

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
TODAY = date(2026, 11, 20)
CODE = credit_code(777)
UNIT_NAME = "厦门筼筜科技有限公司"
NEWCOMER = resident_id(8123)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The registration page counts attempts per address in the cache: each test starts at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sources():
    """``sources(market_regulation=..., public_security=...)``: those government sources as fakes."""
    with ExitStack() as stack:

        def install(**fakes):
            stack.enter_context(use_fakes(fakes))
            return fakes

        yield install


def active_unit(code=CODE, name=UNIT_NAME, status=ports.UNIT_ACTIVE):
    return FakeMarketRegulation(
        units={
            code: ports.UnitRegistration(
                credit_code=code, name=name, status=status, registered_on=date(2015, 1, 5)
            )
        }
    )


def registration_form(**overrides):
    data = {
        "credit_code": CODE,
        "name": UNIT_NAME,
        "bank_account_no": "35101555001052529999",
        "bank_name": "厦门银行",
        "employer_rate_bp": "1200",
        "employee_rate_bp": "1200",
        "preparer_name": "林佳",
        "preparer_mobile": "13800000011",
        "preparer_username": "yundang-prep",
        "preparer_password": "Yun-dang-2026-a",
        "approver_name": "郑伟",
        "approver_mobile": "13900000022",
        "approver_username": "yundang-appr",
        "approver_password": "Yun-dang-2026-b",
    }
    data.update(overrides)
    return data


def operator_of(employer, role=roles.EMPLOYER_PREPARER, **kwargs):
    user = UserFactory(employer=employer, **kwargs)
    user.groups.add(roles.ensure_roles()[role])
    return user


@pytest.fixture
def unit(db):
    return EmployerFactory(name="厦门鹭江物流有限公司", employer_rate_bp=1200, employee_rate_bp=1000)


@pytest.fixture
def preparer(unit):
    return operator_of(unit)


@pytest.fixture
def approver(unit):
    return operator_of(unit, roles.EMPLOYER_APPROVER)


class TestUnitRegistrationPage:
    def test_is_linked_from_the_public_home_and_the_login_page(self, client):
        home = client.get(reverse("web:home"))
        login = client.get(reverse("web:login"))

        assert reverse("web:unit-register") in home.text
        assert reverse("web:unit-register") in login.text

    def test_asks_in_chinese_by_default_and_in_english_when_asked(self, client):
        chinese = client.get(reverse("web:unit-register"))
        english = client.get(reverse("web:unit-register"), headers=ENGLISH)

        assert "统一社会信用代码" in chinese.text and "经办人" in chinese.text
        assert "Unified social credit code" in english.text
        assert 'value="1200" selected' in chinese.text  # 12% unless the unit chooses

    def test_registers_the_unit_and_shows_its_account_number(self, client, sources):
        sources(market_regulation=active_unit())

        response = client.post(reverse("web:unit-register"), registration_form(), follow=True)

        employer = Employer.objects.get(credit_code=CODE)
        assert response.redirect_chain[-1][0] == reverse("web:unit-registered")
        assert employer.unit_account_no in response.text
        assert "yundang-prep" in response.text and reverse("web:login") in response.text
        assert set(User.objects.filter(employer=employer).values_list("username", flat=True)) == {
            "yundang-prep",
            "yundang-appr",
        }

    def test_lets_the_new_preparer_log_in_to_the_unit_pages(self, client, sources):
        sources(market_regulation=active_unit())
        client.post(reverse("web:unit-register"), registration_form())

        response = client.post(
            reverse("web:login"), {"username": "yundang-prep", "password": "Yun-dang-2026-a"}, follow=True
        )

        assert response.redirect_chain[-1][0] == reverse("web:employer-home")
        assert reverse("web:employer-staff") in response.text

    @pytest.mark.parametrize(
        "market_regulation, field, text",
        [
            (FakeMarketRegulation(), "credit_code", "市场监管登记中没有"),
            (active_unit(status=ports.UNIT_CANCELLED), "credit_code", "注销"),
            (active_unit(name="厦门筼筜贸易有限公司"), "name", "厦门筼筜贸易有限公司"),
        ],
        ids=["unknown code", "cancelled unit", "name mismatch"],
    )
    def test_shows_a_refusal_on_its_field_and_keeps_what_was_typed(
        self, client, sources, market_regulation, field, text
    ):
        sources(market_regulation=market_regulation)

        response = client.post(reverse("web:unit-register"), registration_form())

        assert response.status_code == 400
        assert text in response.context["form"].errors[field][0]
        assert 'value="yundang-appr"' in response.text and 'value="35101555001052529999"' in response.text
        assert "Yun-dang-2026-a" not in response.text  # passwords are typed again
        assert not Employer.objects.exists()

    def test_asks_to_try_again_later_when_the_register_does_not_answer(self, client, sources):
        sources(market_regulation=FakeMarketRegulation(unavailable=True))

        response = client.post(reverse("web:unit-register"), registration_form(), headers=ENGLISH)

        assert response.status_code == 503
        assert "try again in a few minutes" in response.text
        assert not Employer.objects.exists() and not User.objects.exists()

    def test_refuses_a_credit_code_already_registered(self, client, sources):
        sources(market_regulation=active_unit())
        EmployerFactory(credit_code=CODE)

        response = client.post(reverse("web:unit-register"), registration_form())

        assert "已开户" in response.context["form"].errors["credit_code"][0]
        assert not User.objects.exists()

    def test_shows_every_malformed_field_at_once_without_asking_the_register(self, client, sources):
        fake = sources(market_regulation=active_unit())["market_regulation"]

        response = client.post(
            reverse("web:unit-register"),
            registration_form(
                credit_code="123",
                preparer_mobile="12345",
                approver_password="12345678",
                employer_rate_bp="1300",
            ),
        )

        assert set(response.context["form"].errors) == {
            "credit_code",
            "preparer_mobile",
            "approver_password",
            "employer_rate_bp",
        }
        assert fake.calls == []

    def test_stops_a_flood_of_attempts_from_one_address(self, client, sources, monkeypatch):
        monkeypatch.setattr("web.employer_unit.REGISTRATION_TRIES_PER_HOUR", 2)
        fake = sources(market_regulation=FakeMarketRegulation())["market_regulation"]

        statuses = [
            client.post(reverse("web:unit-register"), registration_form()).status_code for _ in range(3)
        ]

        assert statuses == [400, 400, 429]
        assert len(fake.calls) == 2


class TestUnitDetailsPage:
    def test_shows_the_unit_s_details_and_rates(self, client, preparer, unit):
        client.force_login(preparer)

        response = client.get(reverse("web:employer-unit"))

        assert unit.credit_code in response.text and unit.unit_account_no in response.text
        assert unit.bank_account_no not in response.text  # masked
        assert "单位 12%，个人 10%" in response.text

    def test_lets_the_approver_change_the_rates(self, client, approver, unit):
        client.force_login(approver)

        response = client.post(
            reverse("web:employer-unit-rates"),
            {"employer_rate_bp": "800", "employee_rate_bp": "800"},
            follow=True,
        )

        unit.refresh_from_db()
        assert (unit.employer_rate_bp, unit.employee_rate_bp) == (800, 800)
        assert "缴存比例已保存" in response.text

    def test_refuses_a_rate_outside_the_bounds(self, client, preparer, unit):
        client.force_login(preparer)

        response = client.post(
            reverse("web:employer-unit-rates"), {"employer_rate_bp": "400", "employee_rate_bp": "800"}
        )

        assert response.status_code == 400
        assert "employer_rate_bp" in response.context["form"].errors
        assert Employer.objects.get(pk=unit.pk).employer_rate_bp == 1200

    def test_is_closed_to_staff_and_to_employees(self, client, clerk, employee):
        for user in (clerk, employee):
            client.force_login(user)

            assert client.get(reverse("web:employer-unit")).status_code == 403


class TestStaffRoster:
    def test_pages_through_a_large_unit_twenty_at_a_time(self, client, preparer, unit):
        FundAccountFactory.create_batch(45, employer=unit)
        client.force_login(preparer)

        first = client.get(reverse("web:employer-staff"))
        last = client.get(reverse("web:employer-staff"), {"page": 3})

        assert len(first.context["rows"]) == 20 and len(last.context["rows"]) == 5
        assert first.context["page"].paginator.count == 45
        assert "第 1 页，共 3 页" in first.text

    def test_keeps_the_search_when_paging(self, client, preparer, unit):
        FundAccountFactory.create_batch(
            25, employer=unit, status=AccountStatus.SEALED, sealed_on=date(2026, 1, 31)
        )
        client.force_login(preparer)

        response = client.get(reverse("web:employer-staff"), {"status": "02"})

        assert "status=02&amp;page=2" in response.text

    def test_opens_the_page_of_an_employee_found_by_full_id_number_kept_out_of_the_url(
        self, client, preparer, unit
    ):
        wanted = FundAccountFactory(employer=unit, person__name="黄嘉怡", base=1000000)
        FundAccountFactory.create_batch(3, employer=unit)
        client.force_login(preparer)

        response = client.post(
            reverse("web:employer-staff"), {"q": wanted.person.id_number.lower()}, follow=True
        )

        assert response.redirect_chain == [
            (reverse("web:employer-staff-account", args=[wanted.account_no]), 302)
        ]
        assert wanted.person.id_number not in response.text
        assert wanted.person.masked_id_number in response.text
        assert "2,200.00" in response.text  # 10,000.00 × (12% + 10%)

    def test_finds_an_employee_by_name_and_filters_by_status(self, client, preparer, unit):
        FundAccountFactory(employer=unit, person__name="黄嘉怡")
        FundAccountFactory(
            employer=unit, person__name="黄嘉欣", status=AccountStatus.SEALED, sealed_on=date(2026, 2, 28)
        )
        client.force_login(preparer)

        response = client.post(reverse("web:employer-staff"), {"q": "黄嘉", "status": "02"}, follow=True)

        assert [row.name for row in response.context["rows"]] == ["黄嘉欣"]
        assert "02 封存" in response.text

    def test_says_when_no_one_at_the_unit_has_the_id_number(self, client, preparer):
        elsewhere = FundAccountFactory(person__name="外单位职工")
        client.force_login(preparer)

        response = client.post(reverse("web:employer-staff"), {"q": elsewhere.person.id_number})

        assert response.status_code == 200
        assert response.context["rows"] == []
        assert "本单位没有符合条件的账户" in response.text

    def test_names_statuses_in_english_when_asked(self, client, preparer, unit):
        FundAccountFactory(employer=unit)
        client.force_login(preparer)

        response = client.get(reverse("web:employer-staff"), headers=ENGLISH)

        assert "01 Normal" in response.text and "Add employee" in response.text

    def test_never_lists_another_unit_s_staff(self, client, preparer):
        FundAccountFactory(person__name="外单位职工")
        client.force_login(preparer)

        response = client.get(reverse("web:employer-staff"), {"q": "外单位"})

        assert response.context["rows"] == []

    def test_is_linked_from_the_employer_home(self, client, preparer):
        client.force_login(preparer)

        response = client.get(reverse("web:employer-home"))

        for name in ("web:employer-unit", "web:employer-staff", "web:employer-staff-add"):
            assert reverse(name) in response.text


@freeze_time(TODAY)
class TestAddEmployee:
    def test_opens_an_account_for_a_person_new_to_the_fund(self, client, preparer, unit, sources):
        sources(public_security=FakePublicSecurity(names={NEWCOMER: "吴思远"}))
        client.force_login(preparer)

        response = client.post(reverse("web:employer-staff-add"), self.form(), follow=True)

        account = FundAccount.objects.get(person__name="吴思远")
        assert (account.employer, account.base, account.opened_on) == (unit, 850000, TODAY)
        assert response.redirect_chain[-1][0] == reverse(
            "web:employer-staff-account", args=[account.account_no]
        )
        assert "开立个人账户" in response.text

    def test_moves_in_a_sealed_account_from_another_unit(self, client, preparer, unit, sources):
        sealed = FundAccountFactory(
            person__id_number=NEWCOMER,
            person__name="吴思远",
            status=AccountStatus.SEALED,
            sealed_on=date(2026, 8, 31),
        )
        sources(public_security=FakePublicSecurity(names={NEWCOMER: "吴思远"}))
        client.force_login(preparer)

        response = client.post(reverse("web:employer-staff-add"), self.form(), follow=True)

        assert FundAccount.objects.get(pk=sealed.pk).employer == unit
        assert "已转入本单位" in response.text

    def test_refuses_a_person_whose_account_is_active_at_another_unit(self, client, preparer, sources):
        FundAccountFactory(person__id_number=NEWCOMER, person__name="吴思远")
        sources(public_security=FakePublicSecurity(names={NEWCOMER: "吴思远"}))
        client.force_login(preparer)

        response = client.post(reverse("web:employer-staff-add"), self.form(), headers=ENGLISH)

        assert response.status_code == 409
        assert "must seal it" in response.text
        assert 'value="吴思远"' in response.text  # nothing typed is lost

    def test_says_the_person_is_already_here(self, client, preparer, unit, sources):
        FundAccountFactory(person__id_number=NEWCOMER, person__name="吴思远", employer=unit)
        sources(public_security=FakePublicSecurity(names={NEWCOMER: "吴思远"}))
        client.force_login(preparer)

        response = client.post(reverse("web:employer-staff-add"), self.form())

        assert "已在本单位" in response.text

    @pytest.mark.parametrize("base", ["2029.99", "31000.01"])
    def test_refuses_a_base_outside_the_floor_and_cap_on_its_field(self, client, preparer, sources, base):
        sources(public_security=FakePublicSecurity(names={NEWCOMER: "吴思远"}))
        client.force_login(preparer)

        response = client.post(reverse("web:employer-staff-add"), self.form(base=base))

        assert "base" in response.context["form"].errors
        assert not FundAccount.objects.exists()

    def test_refuses_a_name_public_security_does_not_match(self, client, preparer, sources):
        sources(public_security=FakePublicSecurity(names={NEWCOMER: "吴思远"}))
        client.force_login(preparer)

        response = client.post(reverse("web:employer-staff-add"), self.form(name="吴思源"))

        assert "name" in response.context["form"].errors

    def test_asks_to_try_again_when_public_security_does_not_answer(self, client, preparer, sources):
        sources(public_security=FakePublicSecurity(unavailable=True))
        client.force_login(preparer)

        response = client.post(reverse("web:employer-staff-add"), self.form())

        assert response.status_code == 503
        assert "请稍后再试" in response.text

    @staticmethod
    def form(**overrides):
        data = {
            "id_number": NEWCOMER,
            "name": "吴思远",
            "mobile": "13600000033",
            "hukou_region": "350206",
            "base": "8500",
            "start_on": TODAY.isoformat(),
        }
        data.update(overrides)
        return data


@freeze_time(TODAY)
class TestSealAndBase:
    @pytest.fixture
    def account(self, unit):
        return FundAccountFactory(
            employer=unit, person__name="蔡文静", base=600000, opened_on=date(2025, 3, 1)
        )

    def test_asks_for_confirmation_before_sealing(self, client, preparer, account):
        client.force_login(preparer)

        response = client.get(reverse("web:employer-staff-seal", args=[account.account_no]))

        assert "确认封存" in response.text
        assert FundAccount.objects.get(pk=account.pk).status == AccountStatus.NORMAL

    def test_seals_the_account_on_the_date_given(self, client, approver, account):
        client.force_login(approver)

        response = client.post(
            reverse("web:employer-staff-seal", args=[account.account_no]),
            {"sealed_on": "2026-11-15"},
            follow=True,
        )

        sealed = FundAccount.objects.get(pk=account.pk)
        assert (sealed.status, sealed.sealed_on) == (AccountStatus.SEALED, date(2026, 11, 15))
        assert "已封存" in response.text

    def test_refuses_a_seal_date_in_the_future(self, client, preparer, account):
        client.force_login(preparer)

        response = client.post(
            reverse("web:employer-staff-seal", args=[account.account_no]), {"sealed_on": "2026-12-01"}
        )

        assert "sealed_on" in response.context["form"].errors
        assert FundAccount.objects.get(pk=account.pk).status == AccountStatus.NORMAL

    def test_changes_a_base_given_in_yuan(self, client, preparer, account):
        client.force_login(preparer)

        client.post(reverse("web:employer-staff-base", args=[account.account_no]), {"base": "12,345.67"})

        assert FundAccount.objects.get(pk=account.pk).base == 1234567

    @pytest.mark.parametrize("base", ["2029.99", "31000.01"])
    def test_refuses_a_base_below_the_floor_or_above_the_cap(self, client, preparer, account, base):
        client.force_login(preparer)

        response = client.post(reverse("web:employer-staff-base", args=[account.account_no]), {"base": base})

        assert response.status_code == 400
        assert "base" in response.context["base_form"].errors
        assert FundAccount.objects.get(pk=account.pk).base == 600000


class TestCrossUnitAccess:
    @pytest.fixture
    def elsewhere(self, db):
        return FundAccountFactory(base=600000)

    @pytest.mark.parametrize(
        "name", ["web:employer-staff-account", "web:employer-staff-seal", "web:employer-staff-base"]
    )
    def test_a_clerk_cannot_reach_another_unit_s_account_by_url(self, client, preparer, elsewhere, name):
        client.force_login(preparer)

        looked = client.get(reverse(name, args=[elsewhere.account_no]))
        changed = client.post(
            reverse(name, args=[elsewhere.account_no]), {"sealed_on": "2026-01-01", "base": "9000"}
        )

        assert (looked.status_code, changed.status_code) == (404, 404)
        assert FundAccount.objects.filter(pk=elsewhere.pk, status=AccountStatus.NORMAL, base=600000).exists()

    def test_an_employee_cannot_reach_the_unit_pages(self, client, employee, employee_account):
        client.force_login(employee)

        response = client.get(reverse("web:employer-staff-account", args=[employee_account.account_no]))

        assert response.status_code == 403

    def test_a_login_linked_to_no_unit_has_no_unit_pages(self, client):
        client.force_login(operator_of(None))

        assert client.get(reverse("web:employer-staff")).status_code == 403


class TestLanguages:
    @pytest.mark.parametrize(
        "name, chinese, english",
        [
            ("web:employer-unit", "调整缴存比例", "Change the contribution rates"),
            ("web:employer-staff", "职工名册", "Staff"),
            ("web:employer-staff-add", "户籍地区划代码", "Hukou region code"),
            ("web:employer-staff-account", "调整缴存基数", "Change the deposit base"),
            ("web:employer-staff-seal", "离职日期", "Last day at the unit"),
        ],
    )
    def test_every_unit_page_reads_in_chinese_and_in_english(
        self, client, preparer, unit, name, chinese, english
    ):
        account = FundAccountFactory(employer=unit)
        args = (
            [account.account_no]
            if name.startswith("web:employer-staff-") and not name.endswith("add")
            else []
        )
        client.force_login(preparer)

        in_chinese = client.get(reverse(name, args=args))
        in_english = client.get(reverse(name, args=args), headers=ENGLISH)

        assert (in_chinese.status_code, in_english.status_code) == (200, 200)
        assert '<html lang="zh-hans">' in in_chinese.text and chinese in in_chinese.text
        assert '<html lang="en">' in in_english.text and english in in_english.text
