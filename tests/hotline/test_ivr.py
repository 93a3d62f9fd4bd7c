"""The 12329 hotline menu: a caller proves who they are, then hears their balance, deposit, progress."""

import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from freezegun import freeze_time

from audit.models import AuditEvent
from hotline.models import HotlineCall
from tests.accounts.factories import FundAccountFactory, PersonFactory
from tests.ledger.factories import deposit

MOBILE = "13912345678"


@pytest.fixture
def holder(db):
    account = FundAccountFactory(person=PersonFactory(mobile=MOBILE), employer__name="厦门鹭江物流有限公司")
    deposit(account.ledger_account, 480_000)
    return account


def _keys(id_number: str) -> str:
    """An ID number as a caller keys it: the star key for X, the hash key to finish."""
    return id_number.replace("X", "*") + "#"


def _code_texted(gateway) -> str:
    [text] = gateway.texts_to(MOBILE)
    return re.search(r"\d{6}", text).group()


class TestAVerifiedCaller:
    def test_hears_the_balance_the_last_deposit_and_is_put_through_to_an_agent(self, holder, gateway, call):
        started = call(caller="13912345678", language="zh-hans").json()
        call_id = started["call_id"]
        asked_code = call(call_id=call_id, keys=_keys(holder.person.id_number)).json()
        menu = call(call_id=call_id, keys=_code_texted(gateway) + "#").json()

        balance = call(call_id=call_id, keys="1").json()
        deposit_answer = call(call_id=call_id, keys="2").json()
        again = call(call_id=call_id, keys="9").json()
        agent = call(call_id=call_id, keys="0").json()

        assert started["state"] == "AWAITING_ID"
        assert started["prompt"].startswith("欢迎致电12329住房公积金服务热线。请输入您的身份证号码")
        assert started["expects"] == "ID_NUMBER"
        assert asked_code["state"] == "AWAITING_CODE" and asked_code["expects"] == "CODE"
        assert menu["state"] == "MENU"
        assert [option["key"] for option in menu["options"]] == ["1", "2", "3", "9", "0"]
        assert balance["prompt"].startswith(f"您的公积金账户（尾号{holder.account_no[-4:]}）余额4800.00元")
        assert "查询余额请按1" in balance["prompt"]
        assert deposit_answer["prompt"].startswith("最近一次缴存：2026-06，4800.00元")
        assert again["prompt"] == deposit_answer["prompt"]
        assert agent["action"] == "TRANSFER"
        assert agent["transfer_to"] == "12329-agents"
        assert agent["state"] == "TRANSFERRED"

    def test_is_spoken_to_in_english_when_the_call_started_in_english(self, holder, gateway, call):
        call_id = call(caller="13912345678", language="en").json()["call_id"]
        call(call_id=call_id, keys=_keys(holder.person.id_number))
        call(call_id=call_id, keys=_code_texted(gateway))

        progress = call(call_id=call_id, keys="3").json()

        assert progress["prompt"].startswith("You have no withdrawal or loan application.")
        assert "For your balance press 1" in progress["prompt"]
        assert {"key": "0", "label": "Agent"} in progress["options"]

    def test_the_code_goes_only_to_the_registered_mobile_whatever_number_calls(self, holder, gateway, call):
        call_id = call(caller="13700000000", language="zh-hans").json()["call_id"]

        call(call_id=call_id, keys=_keys(holder.person.id_number))

        assert gateway.texts_to("13700000000") == []
        [text] = gateway.texts_to(MOBILE)
        assert text.startswith("【住房公积金】您的12329热线验证码为")


class TestWrongIdentity:
    def test_three_wrong_codes_lock_the_call(self, holder, gateway, call):
        call_id = call(caller="13912345678").json()["call_id"]
        call(call_id=call_id, keys=_keys(holder.person.id_number))
        right = _code_texted(gateway)
        wrong = f"{(int(right) + 1) % 10**6:06d}"

        first = call(call_id=call_id, keys=wrong).json()
        call(call_id=call_id, keys=wrong)
        third = call(call_id=call_id, keys=wrong).json()
        after = call(call_id=call_id, keys=right).json()

        assert first["state"] == "AWAITING_CODE"
        assert first["prompt"].startswith("验证码不正确。")
        assert third["state"] == "LOCKED"
        assert third["action"] == "HANG_UP"
        assert "错误次数过多" in third["prompt"]
        assert after["state"] == "LOCKED" and after["action"] == "HANG_UP"
        assert HotlineCall.objects.get().person is None
        assert AuditEvent.objects.filter(action="hotline.call_locked").count() == 1

    def test_malformed_id_numbers_count_as_wrong_attempts(self, holder, gateway, call):
        call_id = call(caller="13912345678").json()["call_id"]

        steps = [call(call_id=call_id, keys="123456#").json() for _ in range(3)]

        assert steps[0]["prompt"].startswith("身份证号码无效。")
        assert steps[0]["state"] == "AWAITING_ID"
        assert steps[2]["state"] == "LOCKED"
        assert gateway.calls == 0

    def test_an_unregistered_id_number_is_asked_for_a_code_like_any_other_and_none_works(
        self, holder, gateway, call
    ):
        registered = call(caller="13700000000").json()["call_id"]
        unknown = call(caller="13700000000").json()["call_id"]
        asked_registered = call(call_id=registered, keys=_keys(holder.person.id_number)).json()

        asked_unknown = call(call_id=unknown, keys=_keys("11010519491231002X")).json()
        tried = call(call_id=unknown, keys="000000").json()

        assert asked_unknown["prompt"] == asked_registered["prompt"]
        assert asked_unknown["state"] == "AWAITING_CODE"
        assert tried["state"] == "AWAITING_CODE" and tried["prompt"].startswith("验证码不正确。")
        assert len(gateway.sent) == 1

    @override_settings(HOTLINE_CODES_PER_HOUR=2)
    def test_a_person_gets_no_more_codes_an_hour_than_the_limit(self, holder, gateway, call):
        for _ in range(3):
            call_id = call(caller="13700000000").json()["call_id"]
            call(call_id=call_id, keys=_keys(holder.person.id_number))

        assert len(gateway.texts_to(MOBILE)) == 2


class TestExpiry:
    def test_a_call_idle_for_five_minutes_is_over(self, holder, gateway, call):
        with freeze_time("2026-11-27 01:00:00"):
            call_id = call(caller="13912345678").json()["call_id"]
            call(call_id=call_id, keys=_keys(holder.person.id_number))
            code = _code_texted(gateway)

        with freeze_time("2026-11-27 01:05:01"):
            late = call(call_id=call_id, keys=code).json()

        assert late["state"] == "ENDED"
        assert late["action"] == "HANG_UP"
        assert late["prompt"] == "本次通话已超时，请重新拨打。"
        assert HotlineCall.objects.get().person is None

    def test_each_key_pressed_keeps_the_call_open_five_more_minutes(self, holder, gateway, call):
        with freeze_time("2026-11-27 01:00:00"):
            call_id = call(caller="13912345678").json()["call_id"]
        with freeze_time("2026-11-27 01:04:00"):
            call(call_id=call_id, keys=_keys(holder.person.id_number))
            code = _code_texted(gateway)

        with freeze_time("2026-11-27 01:08:00"):
            menu = call(call_id=call_id, keys=code).json()

        assert menu["state"] == "MENU"


class TestTheTelephonySystem:
    def test_must_sign_its_requests(self, client, db):
        response = client.post(
            reverse("api:hotline-ivr"), data=json.dumps({"caller": MOBILE}), content_type="application/json"
        )

        assert response.status_code == 403
        assert response.json()["code"] == "SIGNATURE_INVALID"
        assert not HotlineCall.objects.exists()

    def test_an_unknown_call_id_is_not_found(self, call, db):
        response = call(call_id="0" * 32, keys="1")

        assert response.status_code == 404
        assert response.json()["code"] == "CALL_NOT_FOUND"


class TestCallsAreAudited:
    def test_records_each_step_without_the_id_number_or_the_number_in_clear(self, holder, gateway, call):
        call_id = call(caller="13912345678").json()["call_id"]
        call(call_id=call_id, keys=_keys(holder.person.id_number))
        call(call_id=call_id, keys=_code_texted(gateway))
        call(call_id=call_id, keys="1")

        events = AuditEvent.objects.filter(action__startswith="hotline.").order_by("sequence")

        assert [event.action for event in events] == [
            "hotline.call_started",
            "hotline.code_sent",
            "hotline.identity_verified",
            "hotline.call_query",
        ]
        for event in events:
            text = event.summary + json.dumps(event.data)
            assert holder.person.id_number not in text and MOBILE not in text
        assert "139****5678" in events[0].summary
