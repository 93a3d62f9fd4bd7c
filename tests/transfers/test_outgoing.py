"""Transfer out: another centre's letter about one of our account holders (fake platform).

The hand-computed case: a sealed account received 2,400.00 yuan on 2026-07-01 and 600.00 yuan
on 2026-08-15; the last settlement is 2026-06-30 (nothing was held then). On 2026-09-30 the
period (06-30, 09-30] holds 240,000 fen for 92 days and 60,000 fen for 47 days (15 Aug – 30 Sep):
24,900,000 fen-days × 1.5 % / 360 = 1,037.5 fen → HALF_UP 1,038 fen of interest.
"""

from datetime import date

import pytest
from freezegun import freeze_time

from accounts.models import AccountStatus, FundAccount
from approvals.models import Application, ApplicationStatus, Channel
from integrations.transfer_platform import ports
from integrations.transfer_platform.fakes import FakeTransferPlatform
from integrations.transfer_platform.testing import use_platform
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from loans.models import LoanApplication
from notifications.models import Message
from tests.loans.factories_repayment import repaying_loan
from transfers import outgoing
from transfers.models import OutgoingStatus, OutgoingTransfer

from .factories import letter_about, sealed_account

pytestmark = pytest.mark.django_db

HAND_DEPOSITS = ((240_000, date(2026, 7, 1)), (60_000, date(2026, 8, 15)))


@pytest.fixture
def platform():
    with use_platform(FakeTransferPlatform()) as platform:
        yield platform


def received(platform, account, ref="PLT0001"):
    platform.deliver(letter_about(account, platform_ref=ref))
    (transfer,) = outgoing.receive_letters()
    return transfer


def sealed(account):
    FundAccount.objects.filter(pk=account.pk).update(status=AccountStatus.SEALED, sealed_on=date(2026, 9, 1))
    account.refresh_from_db()
    return account


def borrower_account():
    """The sealed account of a borrower whose loan is being repaid."""
    loan = repaying_loan(fund_balance=100_000)
    return sealed(FundAccount.objects.get(person=loan.application.applicant))


@freeze_time("2026-09-30 10:00:00+08:00")
class TestInterestToDate:
    def test_replies_with_the_hand_computed_interest_and_history(self, platform):
        account = sealed_account(deposits=HAND_DEPOSITS)
        transfer = received(platform, account)

        transfer = outgoing.check_letter(transfer_id=transfer.pk)
        outgoing.send_answer(transfer_id=transfer.pk)

        answer = platform.answers["PLT0001"]
        assert (answer.principal, answer.interest) == (300_000, 1_038)
        assert answer.history == ports.DepositHistory(
            opened_on=account.opened_on,
            paid_up_to=date(2026, 8, 1),
            months_deposited=2,
            last_six_continuous=False,
        )
        assert balance_of(account.ledger_account) == 0
        assert JournalEntry.objects.filter(business_type=BusinessType.TRANSFER_OUT).count() == 1

    def test_closes_the_account_as_transferred_out_when_the_platform_confirms(self, platform):
        account = sealed_account(deposits=HAND_DEPOSITS)
        transfer = received(platform, account)
        outgoing.check_letter(transfer_id=transfer.pk)
        outgoing.send_answer(transfer_id=transfer.pk)
        platform.complete_out("PLT0001")

        transfer = outgoing.confirm_transfer(transfer_id=transfer.pk)
        outgoing.confirm_transfer(transfer_id=transfer.pk)

        account.refresh_from_db()
        assert transfer.status == OutgoingStatus.CLOSED
        assert (account.status, account.closed_on) == (AccountStatus.TRANSFERRED_OUT, date(2026, 9, 30))
        assert JournalEntry.objects.filter(business_type=BusinessType.TRANSFER_OUT).count() == 2
        assert Message.objects.filter(person=account.person, kind="transfer_out").count() == 2

    def test_a_failed_transfer_gives_the_money_back(self, platform):
        account = sealed_account(deposits=HAND_DEPOSITS)
        transfer = received(platform, account)
        outgoing.check_letter(transfer_id=transfer.pk)
        outgoing.send_answer(transfer_id=transfer.pk)
        platform.complete_out("PLT0001", ports.FAILED)

        transfer = outgoing.confirm_transfer(transfer_id=transfer.pk)

        account.refresh_from_db()
        assert transfer.status == OutgoingStatus.FAILED
        assert account.status == AccountStatus.SEALED
        assert balance_of(account.ledger_account) == 301_038


@freeze_time("2026-09-30 10:00:00+08:00")
class TestRefusals:
    def test_refuses_with_an_unsettled_loan(self, platform):
        account = borrower_account()
        balance = balance_of(account.ledger_account)
        transfer = received(platform, account)

        transfer = outgoing.check_letter(transfer_id=transfer.pk)
        outgoing.send_answer(transfer_id=transfer.pk)

        assert transfer.refusal_code == ports.LOAN_UNSETTLED
        assert platform.answers["PLT0001"] == ports.Refusal(reason_code=ports.LOAN_UNSETTLED)
        assert OutgoingTransfer.objects.get(pk=transfer.pk).status == OutgoingStatus.REFUSED
        assert balance_of(account.ledger_account) == balance
        assert not JournalEntry.objects.filter(business_type=BusinessType.TRANSFER_OUT).exists()

    def test_refuses_a_co_borrower_of_an_unsettled_loan(self, platform):
        account = sealed_account(deposits=HAND_DEPOSITS)
        loan = repaying_loan()
        LoanApplication.objects.filter(pk=loan.application_id).update(co_borrower=account.person)

        transfer = outgoing.check_letter(transfer_id=received(platform, account).pk)

        assert transfer.refusal_code == ports.LOAN_UNSETTLED

    def test_refuses_an_account_that_is_not_sealed(self, platform):
        account = sealed_account(deposits=HAND_DEPOSITS)
        FundAccount.objects.filter(pk=account.pk).update(status=AccountStatus.NORMAL, sealed_on=None)

        transfer = outgoing.check_letter(transfer_id=received(platform, account).pk)

        assert transfer.refusal_code == ports.ACCOUNT_NOT_SEALED

    def test_refuses_with_an_open_withdrawal(self, platform):
        account = sealed_account(deposits=HAND_DEPOSITS)
        Application.objects.create(
            applicant=account.person,
            kind="withdrawal",
            reason="07",
            channel=Channel.WEB,
            status=ApplicationStatus.SUBMITTED,
            due_on=date(2026, 10, 9),
        )

        transfer = outgoing.check_letter(transfer_id=received(platform, account).pk)

        assert transfer.refusal_code == ports.WITHDRAWAL_OPEN


@freeze_time("2026-09-30 10:00:00+08:00")
class TestDuplicates:
    def test_a_letter_delivered_again_is_recorded_and_paid_once(self, platform):
        account = sealed_account(deposits=HAND_DEPOSITS)
        transfer = received(platform, account)
        outgoing.check_letter(transfer_id=transfer.pk)

        again = outgoing.receive_letters()
        outgoing.check_letter(transfer_id=transfer.pk)
        platform.unavailable = True
        with pytest.raises(ports.PlatformUnavailable):
            outgoing.send_answer(transfer_id=transfer.pk)
        platform.unavailable = False
        outgoing.send_answer(transfer_id=transfer.pk)
        outgoing.send_answer(transfer_id=transfer.pk)

        assert [row.pk for row in again] == [transfer.pk]
        assert OutgoingTransfer.objects.count() == 1
        assert JournalEntry.objects.filter(business_type=BusinessType.TRANSFER_OUT).count() == 1
        assert platform.calls.count("reply_to_letter") == 2
