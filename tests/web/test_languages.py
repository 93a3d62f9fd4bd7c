"""The portal speaks Chinese first and complete English on request: pages, labels, errors, catalogue."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from rest_framework import serializers
from rest_framework.test import APIClient

from accounts.models import AccountStatus, EmployerStatus, Sex
from accounts.services import AccountNotSealable, seal_account
from api.errors import api_exception_handler
from api.fields import YuanField
from audit.models import AuditEvent
from core.models import DataSource
from core.money import InvalidAmount, parse_yuan
from demo.models import Persona
from ledger.models import BUSINESS_TYPE_RECORD_NAMES, AccountKind, BusinessType
from tests.ledger.factories import deposit

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


class TestLoginPage:
    def test_is_in_chinese_by_default(self, client):
        response = client.get(reverse("web:login"))

        assert '<button type="submit">登录</button>' in response.text
        assert "身份证号或用户名" in response.text

    def test_is_in_english_when_asked(self, client):
        response = client.get(reverse("web:login"), headers=ENGLISH)

        assert '<button type="submit">Log in</button>' in response.text
        assert "ID number or user name" in response.text

    def test_falls_back_to_chinese_for_a_language_it_does_not_have(self, client):
        response = client.get(reverse("web:login"), headers={"accept-language": "fr"})

        assert '<html lang="zh-hans">' in response.text
        assert '<button type="submit">登录</button>' in response.text

    def test_explains_a_wrong_password_in_the_visitor_s_language(self, client):
        chinese = client.post(reverse("web:login"), {"username": "nobody", "password": "wrong"})
        english = client.post(
            reverse("web:login"), {"username": "nobody", "password": "wrong"}, headers=ENGLISH
        )

        assert "身份证号或用户名与密码不匹配" in chinese.text
        assert "do not match" in english.text


class TestHall:
    def test_shows_the_status_and_business_type_in_chinese_by_default(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-home"))

        assert '<span class="status">正常</span>' in response.text
        assert "<td>汇缴</td>" in response.text
        assert "我的公积金账户" in response.text

    def test_shows_them_in_english_when_asked(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-home"), headers=ENGLISH)

        assert '<span class="status">Normal</span>' in response.text
        assert "<td>Monthly deposit</td>" in response.text
        assert "My fund account" in response.text


class TestStaffHome:
    def test_counts_accounts_by_status_label_in_chinese_by_default(self, client, clerk, employee_account):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-home"))

        assert "<tr><td>正常</td>" in response.text
        assert "各状态账户数" in response.text

    def test_counts_them_under_english_labels_when_asked(self, client, clerk, employee_account):
        client.force_login(clerk)

        response = client.get(reverse("web:staff-home"), headers=ENGLISH)

        assert "<tr><td>Normal</td>" in response.text
        assert "Accounts by status" in response.text


class TestEmployerHome:
    def test_names_the_unit_status_in_the_reader_s_language(self, client, preparer):
        client.force_login(preparer)

        chinese = client.get(reverse("web:employer-home"))
        english = client.get(reverse("web:employer-home"), headers=ENGLISH)

        assert '<span class="status">正常</span>' in chinese.text
        assert '<span class="status">Normal</span>' in english.text


class TestAdminConsole:
    def test_names_apps_and_models_in_chinese_by_default_and_english_when_asked(self, client, clerk):
        client.force_login(clerk)

        chinese = client.get(reverse("admin:index"))
        english = client.get(reverse("admin:index"), headers=ENGLISH)

        assert "总账" in chinese.text and "个人账户" in chinese.text
        assert "Ledger" in english.text and "Fund accounts" in english.text


class TestApi:
    @pytest.fixture
    def api(self, employee):
        api = APIClient()
        api.force_authenticate(employee)
        return api

    def test_labels_movements_in_chinese_by_default(self, api):
        response = api.get(reverse("api:me-movements"))

        assert response.json()[0]["business_type_label"] == "汇缴"

    def test_labels_movements_in_english_when_asked(self, api):
        response = api.get(reverse("api:me-movements"), headers=ENGLISH)

        assert response.json()[0]["business_type_label"] == "Monthly deposit"

    def test_reports_a_refused_period_in_the_caller_s_language(self, api):
        query = {"from": "2026-05-01", "to": "2026-01-01"}

        chinese = api.get(reverse("api:me-movements"), query)
        english = api.get(reverse("api:me-movements"), query, headers=ENGLISH)

        assert chinese.json()["errors"][0]["message"] == "开始日期晚于结束日期。"
        assert english.json()["errors"][0]["message"] == "The start date is after the end date."

    def test_reports_a_domain_error_in_chinese_by_default_and_in_english_when_asked(self):
        with pytest.raises(InvalidAmount) as caught:
            parse_yuan("1800.005")

        response = api_exception_handler(caught.value, context={})

        assert response.status_code == 400
        assert response.data["code"] == "INVALID_AMOUNT"
        assert str(response.data["detail"]) == "金额最多保留两位小数（精确到分）。"
        with translation.override("en"):
            assert str(response.data["detail"]) == "An amount has at most two decimals (whole fen)."

    def test_yuan_field_passes_the_domain_message_on_in_the_active_language(self):
        for language, expected in [
            ("zh-hans", "金额不能为负数。"),
            ("en", "The amount may not be negative."),
        ]:
            with translation.override(language), pytest.raises(serializers.ValidationError) as caught:
                YuanField().run_validation("-5.00")

            assert caught.value.detail == [expected]


class TestServiceErrors:
    def test_interpolate_the_status_label_of_the_active_language(self, employee_account):
        seal_account(account=employee_account, sealed_on=employee_account.opened_on, actor=None)

        for language, expected in [("zh-hans", "状态为“封存”"), ("en", "is Sealed;")]:
            with translation.override(language), pytest.raises(AccountNotSealable) as caught:
                seal_account(account=employee_account, sealed_on=employee_account.opened_on, actor=None)

            assert expected in str(caught.value.message)


class TestStoredRecords:
    def test_an_audit_summary_keeps_the_chinese_business_name_whatever_the_language(self, employee_account):
        with translation.override("en"):
            entry = deposit(employee_account.ledger_account, 1000, key="dep-english")

        event = AuditEvent.objects.get(action="ledger.post_entry", data__entry_id=entry.pk)
        assert event.summary.startswith("汇缴 10.00 元")

    def test_every_business_type_has_a_record_name(self):
        assert set(BUSINESS_TYPE_RECORD_NAMES) == set(BusinessType.values)


class TestChoiceLabels:
    @pytest.mark.parametrize(
        "choices", [BusinessType, AccountKind, AccountStatus, EmployerStatus, Sex, DataSource, Persona]
    )
    def test_every_label_has_a_chinese_translation(self, choices):
        for member in choices:
            with translation.override("en"):
                english = str(member.label)
            with translation.override("zh-hans"):
                chinese = str(member.label)

            assert chinese != english, f"{choices.__name__}.{member.name} is not translated"

    def test_business_type_labels_are_the_standard_s_chinese_names(self):
        with translation.override("zh-hans"):
            labels = {code: str(label) for code, label in BusinessType.choices}

        assert labels == BUSINESS_TYPE_RECORD_NAMES


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


class TestCatalogues:
    def test_there_is_a_chinese_catalogue(self):
        assert LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po" in CATALOGUES

    @pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE_DIR)))
    def test_every_message_is_translated_and_none_is_fuzzy(self, path):
        catalogue = polib.pofile(str(path))

        assert not catalogue.metadata_is_fuzzy
        assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
        assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []

    @pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE_DIR)))
    def test_every_translation_keeps_the_placeholders_of_its_message(self, path):
        catalogue = polib.pofile(str(path))

        mismatched = [
            entry.msgid
            for entry in catalogue.translated_entries()
            if sorted(_PLACEHOLDER.findall(entry.msgid)) != sorted(_PLACEHOLDER.findall(entry.msgstr))
        ]
        assert mismatched == []


_NOT_EXTRACTED = {".venv", "var", "tests", "bench", "locale"}  # as in the makemessages command


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (CI installs it)")
class TestCatalogueIsCurrent:
    def test_the_chinese_catalogue_has_every_message_marked_in_the_source(
        self, settings, tmp_path, monkeypatch
    ):
        # makemessages on a scratch copy of the source: it writes next to what it reads (its
        # catalogue, temporary files beside templates), and the working tree must stay untouched.
        source, copy = Path(settings.BASE_DIR), tmp_path / "source"
        copy.mkdir()
        for item in source.iterdir():
            if item.name.startswith(".") or item.name in _NOT_EXTRACTED:
                continue
            if item.is_dir():
                shutil.copytree(item, copy / item.name, ignore=shutil.ignore_patterns("__pycache__"))
            elif item.suffix == ".py":
                shutil.copy2(item, copy / item.name)
        (copy / "locale").mkdir()
        monkeypatch.chdir(copy)
        settings.LOCALE_PATHS = [copy / "locale"]

        call_command("makemessages", locale=["zh_Hans"], verbosity=0)

        extracted = {
            entry.msgid for entry in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))
        }
        catalogued = {
            entry.msgid for entry in polib.pofile(str(LOCALE_DIR / "zh_Hans/LC_MESSAGES/django.po"))
        }
        assert sorted(extracted - catalogued) == [], "run makemessages and translate the new messages"
