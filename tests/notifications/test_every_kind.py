"""Each kind of message reaches its person in their language, in the portal and as a queued text.

One test per kind (or per family of kinds written by one flow), each run for a Chinese and an
English reader: the message exists with the title of that language, its body is in that
language (no Chinese in an English body but names), and a text waits in the outbox.
"""

from datetime import date

import pytest
from django.db import transaction
from django.utils import translation

from accounts.models import Person
from accounts.services import lock_withdrawals
from approvals.services import _tell_applicant
from deposits import services as deposits
from deposits.collection import advance_collection
from loans.approval import accept_loan_application, return_loan_application
from loans.collection import collect_instalment, mark_overdue, set_collection_mode
from loans.models import CollectionMode
from notifications.models import Message, MessageKind, SmsOutbox
from notifications.text import CHINESE_CHARACTER
from tests.accounts.factories import PersonFactory
from tests.deposits.conftest import make_unit
from tests.deposits.files import csv_bytes
from tests.loans.factories_approval import clerk, loan_case
from tests.loans.factories_repayment import repaying_loan
from tests.withdrawals.factories import account_with, approved

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]
FIRST_DUE = date(2026, 2, 10)


def speaking(person, language):
    Person.objects.filter(pk=person.pk).update(language=language)
    person.language = language
    return person


def label(kind, language):
    with translation.override(language):
        return str(MessageKind(kind).label)


def the_message(person, kind) -> Message:
    return Message.objects.filter(person=person, kind=kind).latest("pk")


def assert_reached(person, kind, language, *, title_zh, title_en, names=()):
    """The newest message of ``kind`` to ``person`` is in ``language`` and has its text queued."""
    message = the_message(person, kind)
    assert message.language == language
    assert message.title == (title_zh if language == "zh-hans" else title_en)
    body = message.body
    for name in names:  # names stay as they are (a unit, a counter): the rest is the reader's language
        body = body.replace(name, "")
    if language == "en":
        assert not CHINESE_CHARACTER.search(message.title + body), message.body
    else:
        assert CHINESE_CHARACTER.search(body), message.body
    sms = SmsOutbox.objects.get(message=message)
    assert sms.status in ("PENDING", "SENT")  # queued; sent when after-commit work ran
    assert message.title in sms.text
    assert sms.text.startswith("【住房公积金】")


@pytest.mark.parametrize("language", LANGUAGES)
class TestEveryKind:
    def test_deposit_arrived(self, language, bank, django_capture_on_commit_callbacks):
        unit = make_unit("notify", staff=2)
        reader, other = (account.person for account in unit.accounts)
        speaking(reader, language)
        speaking(other, "en" if language == "zh-hans" else "zh-hans")
        rows = [(a.person.id_number, a.person.name, "8000.00", a.account_no) for a in unit.accounts]
        with django_capture_on_commit_callbacks(execute=True):
            deposit_list = deposits.upload_list(
                employer=unit.employer,
                kind="01",
                period=date(2026, 10, 1),
                filename="list.csv",
                content=csv_bytes(rows),
                actor=unit.preparer,
            )
        deposits.submit_list(deposit_list=deposit_list, actor=unit.preparer)
        with django_capture_on_commit_callbacks(execute=True):
            deposits.approve_list(deposit_list=deposit_list, actor=unit.approver)
        deposit_list.refresh_from_db()
        bank.settle(deposit_list.order_ref)

        with django_capture_on_commit_callbacks(execute=True):
            advance_collection(list_id=deposit_list.pk)

        assert_reached(
            reader,
            "deposit_arrived",
            language,
            title_zh="缴存已到账",
            title_en="Deposit arrived",
            names=[unit.employer.name],
        )
        body = the_message(reader, "deposit_arrived").body
        assert ("2026年10月" in body) if language == "zh-hans" else ("Oct 2026" in body)
        assert Message.objects.filter(kind="deposit_arrived").count() == 2
        assert the_message(other, "deposit_arrived").language != language

    def test_withdrawal_lock_changed(self, language):
        person = speaking(PersonFactory(), language)

        lock_withdrawals(person=person, actor=None)

        assert_reached(
            person,
            "withdrawal_lock_changed",
            language,
            title_zh="已锁定公积金提取",
            title_en="Withdrawals locked",
        )

    def test_withdrawal_decided(self, language):
        person = speaking(PersonFactory(), language)
        application = approved(person, amount=180_000)

        with transaction.atomic():
            _tell_applicant(application, application.decisions.get())

        assert_reached(
            person, "withdrawal_decided", language, title_zh="提取申请已批准", title_en="Withdrawal approved"
        )
        body = the_message(person, "withdrawal_decided").body
        assert ("1,800.00元" in body) if language == "zh-hans" else ("1,800.00 yuan" in body)

    def test_payout_sent_and_withdrawal_held(self, language):
        from withdrawals.services import pay_withdrawal

        paid = speaking(account_with(balance=480_000).person, language)
        held = speaking(account_with(balance=480_000, card="").person, language)

        pay_withdrawal(application_id=approved(paid, amount=100_000).pk)
        pay_withdrawal(application_id=approved(held, amount=100_000).pk)

        assert_reached(paid, "payout_sent", language, title_zh="提取款项已汇出", title_en="Withdrawal sent")
        assert_reached(
            held,
            "withdrawal_held",
            language,
            title_zh="提取申请已批准，暂未付款",
            title_en="Withdrawal approved, not paid yet",
        )

    def test_loan_levels_and_return(self, language):
        loan = loan_case()
        speaking(loan.applicant, language)

        accept_loan_application(loan_id=loan.pk, actor=clerk())
        passed = the_message(loan.applicant, "loan_level_passed")
        return_loan_application(loan_id=loan.pk, actor=clerk(), reason="缺少购房合同")

        assert passed.language == language
        assert_reached(
            loan.applicant,
            "loan_returned",
            language,
            title_zh="公积金贷款申请已退回补正",
            title_en="Housing fund loan application returned for correction",
            names=["缺少购房合同"],
        )

    def test_loan_repayment_collected(self, language):
        account = repaying_loan(fund_balance=500_000)
        borrower = speaking(account.application.applicant, language)
        set_collection_mode(account_id=account.pk, mode=CollectionMode.FUND_OFFSET, actor=borrower.user)

        collect_instalment(account_id=account.pk, today=FIRST_DUE)

        assert_reached(
            borrower,
            "loan_repayment_collected",
            language,
            title_zh="公积金贷款本期已还款",
            title_en="Housing fund loan instalment repaid",
        )

    def test_loan_repayment_failed_and_overdue(self, language):
        account = repaying_loan(card=False)
        borrower = speaking(account.application.applicant, language)

        collect_instalment(account_id=account.pk, today=FIRST_DUE)
        mark_overdue(today=date(2026, 2, 11))

        assert_reached(
            borrower,
            "loan_repayment_failed",
            language,
            title_zh="公积金贷款扣款未成功",
            title_en="Housing fund loan collection failed",
        )
        assert_reached(
            borrower,
            "loan_overdue",
            language,
            title_zh="公积金贷款还款逾期",
            title_en="Housing fund loan repayment overdue",
        )

    def test_loan_disbursed(self, language):
        account = repaying_loan()
        borrower = account.application.applicant
        message = the_message(borrower, "loan_disbursed")

        assert message.title == "公积金贷款已发放"  # written before the test chose a language: Chinese
        assert label("loan_disbursed", language) == (
            "贷款已发放" if language == "zh-hans" else "Loan disbursed"
        )
