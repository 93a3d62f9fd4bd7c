"""The minute sweep against a platform that fails and repeats itself: nothing is posted twice."""

import pytest
from freezegun import freeze_time

from accounts.models import AccountStatus
from integrations.transfer_platform.fakes import FakeTransferPlatform
from integrations.transfer_platform.testing import use_platform
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from notifications.models import Message
from transfers.incoming import apply_incoming
from transfers.models import IncomingStatus, IncomingTransfer, OutgoingStatus, OutgoingTransfer
from transfers.sweep import sweep_transfers

from .factories import SHANGHAI, active_account, letter_about, reply, sealed_account
from .test_outgoing import HAND_DEPOSITS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with freeze_time("2026-09-30 10:00:00+08:00"):
        yield


@pytest.fixture
def platform():
    with use_platform(FakeTransferPlatform(unavailable=True)) as platform:
        yield platform


def entries(business_type) -> int:
    return JournalEntry.objects.filter(business_type=business_type).count()


class TestIncomingRetries:
    def test_a_platform_down_for_three_sweeps_delays_the_letter_and_the_credit_lands_once(self, platform):
        account = active_account()
        transfer = apply_incoming(
            person=account.person, sending_city_code=SHANGHAI[0], sending_city_name=SHANGHAI[1], actor=None
        )
        for _minute in range(3):
            sweep_transfers()
        assert IncomingTransfer.objects.get(pk=transfer.pk).status == IncomingStatus.PENDING

        platform.unavailable = False
        sweep_transfers()
        platform.answer(transfer.letter_ref, reply(principal=300_000, interest=1_000))
        for _minute in range(3):  # the completion is seen on every sweep; it counts once
            sweep_transfers()

        transfer.refresh_from_db()
        assert transfer.status == IncomingStatus.COMPLETED
        assert platform.calls.count("send_contact_letter") == 4  # three failed, one accepted
        assert entries(BusinessType.TRANSFER_IN) == 1
        assert balance_of(account.ledger_account) == 301_000
        assert Message.objects.filter(person=account.person, title="异地转入已到账").count() == 1


class TestOutgoingRetries:
    def test_a_letter_polled_again_while_the_platform_flickers_moves_the_money_out_once(self, platform):
        account = sealed_account(deposits=HAND_DEPOSITS)
        platform.deliver(letter_about(account))
        sweep_transfers()  # down: nothing fetched
        assert not OutgoingTransfer.objects.exists()

        platform.unavailable = False
        sweep_transfers()  # fetched, checked, answered
        sweep_transfers()  # fetched again (the fake lists it until answered): the same row
        platform.unavailable = True
        sweep_transfers()  # the confirmation cannot be asked
        platform.unavailable = False
        platform.complete_out("PLT0001")
        sweep_transfers()
        sweep_transfers()

        transfer = OutgoingTransfer.objects.get()
        account.refresh_from_db()
        assert transfer.status == OutgoingStatus.CLOSED
        assert account.status == AccountStatus.TRANSFERRED_OUT
        assert balance_of(account.ledger_account) == 0
        # One move out to clearing and one settlement to the bank, however often the sweep ran.
        assert entries(BusinessType.TRANSFER_OUT) == 2
        assert platform.calls.count("reply_to_letter") == 1
