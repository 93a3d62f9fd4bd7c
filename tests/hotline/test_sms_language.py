"""A person who chose English for their messages gets the 12329 answers in English."""

import pytest

from tests.accounts.factories import FundAccountFactory, PersonFactory
from tests.ledger.factories import deposit

MOBILE = "13912345678"


@pytest.fixture
def english_holder(db):
    account = FundAccountFactory(
        person=PersonFactory(mobile=MOBILE, language="en"), employer__name="厦门鹭江物流有限公司"
    )
    deposit(account.ledger_account, 480_000)
    return account


class TestAnswersInThePersonsLanguage:
    def test_a_chinese_keyword_is_answered_in_english(self, english_holder, gateway, text_in):
        text_in(MOBILE, "余额")

        [reply] = gateway.texts_to(MOBILE)
        tail = english_holder.account_no[-4:]
        assert reply == (
            f"【住房公积金】Your fund account ending {tail} has a balance of 4800.00 yuan; "
            "account status: Normal."
        )

    def test_the_last_deposit_in_english(self, english_holder, gateway, text_in):
        text_in(MOBILE, "JC")

        [reply] = gateway.texts_to(MOBILE)
        assert (
            reply == "【住房公积金】Your last deposit: 2026-06, 4800.00 yuan, paid by 厦门鹭江物流有限公司."
        )

    def test_the_hotline_code_in_english(self, english_holder, gateway, call):
        call_id = call(caller=MOBILE, language="zh-hans").json()["call_id"]

        call(call_id=call_id, keys=english_holder.person.id_number.replace("X", "*"))

        [text] = gateway.texts_to(MOBILE)
        assert text.startswith("【住房公积金】Your 12329 hotline code is ")
