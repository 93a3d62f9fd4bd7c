"""The 12329 SMS keyword channel: a registered mobile texts a keyword and gets its answer back."""

import json
from datetime import date

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from freezegun import freeze_time

from approvals.models import Application, ApplicationStatus, Channel
from audit.models import AuditEvent
from deposits.models import DepositList, ListKind, ListStatus
from hotline.models import InboundOutcome, InboundSms, OutgoingText, TextStatus
from tests.accounts.factories import FundAccountFactory, PersonFactory, UserFactory
from tests.hotline.conftest import signed_headers
from tests.ledger.factories import deposit
from tests.loans.factories_approval import loan_at
from tests.withdrawals.factories import approved

MOBILE = "13912345678"


@pytest.fixture
def holder(db):
    """A person with mobile 13912345678 and 4,800.00 yuan from one deposit of their unit."""
    account = FundAccountFactory(person=PersonFactory(mobile=MOBILE), employer__name="厦门鹭江物流有限公司")
    deposit(account.ledger_account, 480_000)
    return account


class TestBalanceQuery:
    def test_texts_the_balance_with_only_the_account_number_tail(self, holder, gateway, text_in):
        response = text_in(MOBILE, "YE")

        assert response.status_code == 200
        assert response.json() == {
            "message_id": "GW00000001",
            "outcome": "ANSWERED",
            "replied": True,
            "duplicate": False,
        }
        [reply] = gateway.texts_to(MOBILE)
        assert reply.startswith("【住房公积金】")
        assert f"尾号{holder.account_no[-4:]}" in reply
        assert "4800.00元" in reply
        assert "正常" in reply
        assert holder.account_no not in reply

    @pytest.mark.parametrize("keyword", ["余额", "ye", "ＹＥ", " Ye。", "查余额"])
    def test_reads_the_chinese_keyword_in_any_case_or_width(self, holder, gateway, text_in, keyword):
        text_in(MOBILE, keyword)

        [reply] = gateway.texts_to(MOBILE)
        assert "余额4800.00元" in reply

    @pytest.mark.parametrize("keyword", ["BALANCE", "balance", "Ｂａｌａｎｃｅ"])
    def test_reads_the_english_keyword_and_answers_in_the_persons_language(
        self, holder, gateway, text_in, keyword
    ):
        text_in(MOBILE, keyword)

        [reply] = gateway.texts_to(MOBILE)
        assert "余额4800.00元" in reply

    def test_finds_the_person_whatever_prefix_the_gateway_gives_the_number(self, holder, gateway, text_in):
        text_in("+86 139-1234-5678", "YE")

        [reply] = gateway.texts_to(MOBILE)
        assert "4800.00" in reply


class TestLastDepositQuery:
    def test_names_the_month_the_amount_and_the_unit_of_a_posted_list(self, holder, gateway, text_in):
        entry = deposit(holder.ledger_account, 250_000)
        DepositList.objects.create(
            employer=holder.employer,
            kind=ListKind.MONTHLY,
            period=date(2026, 5, 1),
            status=ListStatus.POSTED,
            filename="2026-05.xlsx",
            file_sha256="0" * 64,
            file_size=1,
            uploaded_by=UserFactory(),
            journal_entry=entry,
        )

        text_in(MOBILE, "JC")

        [reply] = gateway.texts_to(MOBILE)
        assert reply == "【住房公积金】最近一次缴存：2026-05，2500.00元，缴存单位：厦门鹭江物流有限公司。"

    def test_dates_a_deposit_posted_without_a_list_in_its_month(self, holder, gateway, text_in):
        text_in(MOBILE, "DEPOSIT")

        [reply] = gateway.texts_to(MOBILE)
        assert reply == "【住房公积金】最近一次缴存：2026-06，4800.00元，缴存单位：厦门鹭江物流有限公司。"

    def test_says_when_nothing_was_deposited_yet(self, gateway, text_in, db):
        FundAccountFactory(person=PersonFactory(mobile=MOBILE))

        text_in(MOBILE, "缴存")

        [reply] = gateway.texts_to(MOBILE)
        assert reply == "【住房公积金】您的公积金账户尚未收到缴存。"


def _referred_withdrawal(person) -> Application:
    return Application.objects.create(
        kind="withdrawal",
        reason="RENT",
        applicant=person,
        channel=Channel.WEB,
        status=ApplicationStatus.REFERRED,
        due_on=date(2026, 12, 10),
    )


class TestProgressQuery:
    def test_tells_that_the_latest_withdrawal_was_approved(self, holder, gateway, text_in):
        approved(holder.person)

        text_in(MOBILE, "JD")

        [reply] = gateway.texts_to(MOBILE)
        assert f"提取申请：{ApplicationStatus.APPROVED.label}。" in reply

    def test_tells_the_status_of_the_latest_withdrawal(self, holder, gateway, text_in):
        _referred_withdrawal(holder.person)

        text_in(MOBILE, "jd")

        [reply] = gateway.texts_to(MOBILE)
        assert "提取申请" in reply
        assert str(ApplicationStatus.REFERRED.label) in reply

    def test_tells_the_status_and_step_of_a_newer_loan_application(self, holder, gateway, text_in):
        _referred_withdrawal(holder.person)
        loan_at("SECTION", applicant=holder.person)

        text_in(MOBILE, "PROGRESS")

        [reply] = gateway.texts_to(MOBILE)
        assert "贷款申请" in reply
        assert "审批中" in reply
        assert "最新环节" in reply

    def test_says_when_there_is_no_application(self, holder, gateway, text_in):
        text_in(MOBILE, "进度")

        [reply] = gateway.texts_to(MOBILE)
        assert reply == "【住房公积金】您没有提取或贷款申请。"


class TestHelpAndUnknownTexts:
    @pytest.mark.parametrize("text", ["BZ", "帮助", "help", "hello", ""])
    def test_answers_with_the_keyword_list(self, holder, gateway, text_in, text):
        response = text_in(MOBILE, text)

        assert response.json()["outcome"] == "GENERIC"
        [reply] = gateway.texts_to(MOBILE)
        assert "YE" in reply and "JC" in reply and "JD" in reply and "BZ" in reply
        assert "4800" not in reply


class TestNumbersThatAreNobodysOrShared:
    def test_an_unregistered_number_gets_the_help_text_and_nothing_personal(self, holder, gateway, text_in):
        response = text_in("13700000000", "YE")

        assert response.json()["outcome"] == "GENERIC"
        [reply] = gateway.texts_to("13700000000")
        assert "YE" in reply
        assert "4800" not in reply and holder.account_no[-4:] not in reply
        assert gateway.texts_to(MOBILE) == []
        assert InboundSms.objects.get().person is None

    def test_an_unregistered_number_asking_in_english_gets_the_help_text_in_english(
        self, gateway, text_in, db
    ):
        text_in("13700000000", "HELP")

        [reply] = gateway.texts_to("13700000000")
        assert reply.startswith("【住房公积金】12329 housing fund texts: send YE for your balance")

    def test_a_number_two_people_share_gets_nothing_personal(self, holder, gateway, text_in):
        FundAccountFactory(person=PersonFactory(mobile=MOBILE))

        response = text_in(MOBILE, "余额")

        assert response.json()["outcome"] == "GENERIC"
        [reply] = gateway.texts_to(MOBILE)
        assert "4800" not in reply and "尾号" not in reply


class TestGatewaySignature:
    def _post(self, client, headers, payload=None):
        body = json.dumps(
            payload
            or {"message_id": "GW1", "from": MOBILE, "text": "YE", "received_at": "2026-11-27T09:30:00+08:00"}
        ).encode()
        return client.post(
            reverse("api:hotline-sms"), data=body, content_type="application/json", headers=headers
        )

    def test_refuses_an_unsigned_request_and_records_nothing(self, holder, gateway, client):
        response = self._post(client, {})

        assert response.status_code == 403
        assert response.json()["code"] == "SIGNATURE_INVALID"
        assert not InboundSms.objects.exists()
        assert gateway.calls == 0

    def test_refuses_a_request_signed_with_another_secret(self, holder, gateway, client):
        body = json.dumps(
            {"message_id": "GW1", "from": MOBILE, "text": "YE", "received_at": "2026-11-27T09:30:00+08:00"}
        ).encode()

        response = self._post(client, signed_headers(body, secret="not-the-gateway's-secret"))

        assert response.status_code == 403
        assert not InboundSms.objects.exists()

    def test_refuses_a_signed_request_whose_body_was_changed(self, holder, gateway, client):
        signed = json.dumps(
            {
                "message_id": "GW1",
                "from": "13700000000",
                "text": "BZ",
                "received_at": "2026-11-27T09:30:00+08:00",
            }
        ).encode()

        response = self._post(client, signed_headers(signed, secret=settings.SMS_WEBHOOK_SECRET))

        assert response.status_code == 403

    def test_refuses_a_replay_signed_more_than_five_minutes_ago(self, holder, gateway, client):
        payload = {
            "message_id": "GW1",
            "from": MOBILE,
            "text": "YE",
            "received_at": "2026-11-27T09:30:00+08:00",
        }
        body = json.dumps(payload).encode()
        with freeze_time("2026-11-27 01:30:00"):
            headers = signed_headers(body, secret=settings.SMS_WEBHOOK_SECRET)

        with freeze_time("2026-11-27 01:36:00"):
            response = self._post(client, headers, payload)

        assert response.status_code == 403


class TestGatewayRetries:
    def test_a_retried_message_is_answered_once(self, holder, gateway, text_in):
        first = text_in(MOBILE, "YE", message_id="GW-RETRY")

        second = text_in(MOBILE, "YE", message_id="GW-RETRY")

        assert first.json()["duplicate"] is False
        assert second.status_code == 200
        assert second.json() == {
            "message_id": "GW-RETRY",
            "outcome": "ANSWERED",
            "replied": True,
            "duplicate": True,
        }
        assert len(gateway.texts_to(MOBILE)) == 1
        assert OutgoingText.objects.count() == 1


class TestRateLimitPerNumber:
    @override_settings(HOTLINE_SMS_PER_HOUR=3)
    def test_stops_answering_a_number_over_its_hourly_limit(self, holder, gateway, text_in):
        for _ in range(3):
            text_in(MOBILE, "YE")

        response = text_in(MOBILE, "YE")

        assert response.json()["outcome"] == "LIMITED"
        assert response.json()["replied"] is False
        assert len(gateway.texts_to(MOBILE)) == 3

    @override_settings(HOTLINE_SMS_PER_HOUR=1)
    def test_answers_again_an_hour_later(self, holder, gateway, text_in):
        with freeze_time("2026-11-27 01:00:00"):
            text_in(MOBILE, "YE")

        with freeze_time("2026-11-27 02:01:00"):
            response = text_in(MOBILE, "YE")

        assert response.json()["outcome"] == "ANSWERED"


class TestQueriesAreAudited:
    def test_records_the_query_with_the_number_masked(self, holder, gateway, text_in):
        text_in(MOBILE, "YE")

        event = AuditEvent.objects.get(action="hotline.sms_query")
        assert "139****5678" in event.summary
        assert MOBILE not in event.summary and MOBILE not in json.dumps(event.data)
        assert event.data["outcome"] == InboundOutcome.ANSWERED


class TestTheAnswerIsKeptEncrypted:
    def test_stores_the_number_and_the_answer_only_as_ciphertext(self, holder, gateway, text_in):
        from django.db import connection

        text_in(MOBILE, "YE")

        row = OutgoingText.objects.get()
        assert row.status == TextStatus.SENT
        with connection.cursor() as cursor:
            cursor.execute("SELECT mobile, text FROM hotline_outgoingtext")
            stored_mobile, stored_text = cursor.fetchone()
        assert MOBILE not in stored_mobile
        assert "4800" not in stored_text


class TestSendersThatAreNoMobile:
    def test_a_short_code_sender_is_refused_and_nothing_recorded(self, gateway, text_in, db):
        response = text_in("10086", "YE")

        assert response.status_code == 400
        assert response.json()["code"] == "INVALID_MOBILE"
        assert not InboundSms.objects.exists()
        assert gateway.calls == 0
