from datetime import date

import pytest
from django.utils import translation

from notifications.messages import (
    payout_failed,
    payout_paid,
    payout_sent,
    withdrawal_decided,
    withdrawal_lock_changed,
)
from notifications.models import MessageKind
from notifications.text import render

CARD = "6222021234561234"


def read(notice, language="zh-hans") -> tuple[str, str]:
    """The notice's title and body as a reader of ``language`` gets them."""
    with translation.override(language):
        return render(notice.title), render(notice.body)


class TestPayoutMessages:
    def test_mask_the_card_number(self):
        notice = payout_sent(amount=180000, card=CARD, bank_name="中国工商银行")

        _title, body = read(notice)

        assert CARD not in body
        assert "6222 **** **** 1234" in body
        assert "1,800.00元" in body
        assert notice.kind == MessageKind.PAYOUT_SENT

    def test_name_a_card_given_only_by_its_last_digits_by_them(self):
        notice = payout_paid(amount=100, card="1234", paid_on=date(2026, 11, 26))

        _title, body = read(notice)

        assert "尾号1234的银行卡" in body
        assert "2026年11月26日" in body

    def test_read_in_english_with_the_day_written_the_english_way(self):
        notice = payout_paid(amount=180000, card="1234", paid_on=date(2026, 11, 26))

        title, body = read(notice, "en")

        assert title == "Withdrawal credited"
        assert body == (
            "Your housing fund withdrawal of 1,800.00 yuan was credited to the bank card ending 1234 "
            "on 26 Nov 2026."
        )

    def test_say_that_failed_money_is_back_in_the_account(self):
        notice = payout_failed(amount=50000, card="6222 **** **** 1234", reason="账户已冻结")

        _title, body = read(notice)

        assert "已退回您的公积金账户" in body
        assert "账户已冻结" in body
        assert notice.kind == MessageKind.PAYOUT_FAILED


class TestWithdrawalDecided:
    def test_names_the_reason_and_amount_when_approved(self):
        notice = withdrawal_decided(reason="RENT", outcome="APPROVE", amount=180000, application_id=7)

        title, body = read(notice)

        assert title == "提取申请已批准"
        assert "租房提取申请（编号7）已批准，提取金额1,800.00元" in body

    def test_gives_the_reasons_when_rejected(self):
        notice = withdrawal_decided(reason="RENT", outcome="REJECTED", reasons=["您在本市有住房"])

        title, body = read(notice)

        assert title == "提取申请未获批准"
        assert body.endswith("未获批准。您在本市有住房。")

    def test_gives_stored_reasons_in_the_reader_s_language(self):
        reason = {"code": "OWNS_HOME", "zh_hans": "您在本市有住房", "en": "You own a home in the city"}
        notice = withdrawal_decided(reason="RENT", outcome="REJECT", reasons=[reason], application_id=7)

        _title, chinese = read(notice)
        _title, english = read(notice, "en")

        assert chinese == "您的租房提取申请（编号7）未获批准。您在本市有住房。"
        assert english == (
            "Your withdrawal application for rent (No. 7) was not approved. You own a home in the city."
        )

    def test_says_staff_will_decide_when_referred(self):
        notice = withdrawal_decided(reason="DEATH", outcome="REFER")

        _title, body = read(notice)

        assert "转工作人员审核" in body

    def test_refuses_an_outcome_it_does_not_know(self):
        with pytest.raises(ValueError):
            withdrawal_decided(reason="RENT", outcome="MAYBE")


class TestWithdrawalLockChanged:
    def test_warns_when_it_was_not_the_person(self):
        notice = withdrawal_lock_changed(locked=True)

        _title, body = read(notice)

        assert "如非本人操作" in body
        assert notice.as_kwargs()["kind"] == "withdrawal_lock_changed"
