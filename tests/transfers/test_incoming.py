"""Transfer in: the person applies, we write to the sending centre, the money is credited (fake)."""

import pytest
from freezegun import freeze_time

from accounts.models import AccountStatus, FundAccount
from audit.models import AuditEvent
from integrations.transfer_platform import ports
from integrations.transfer_platform.fakes import FakeTransferPlatform
from integrations.transfer_platform.testing import use_platform
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from notifications.models import Message
from transfers import incoming
from transfers.incoming import InvalidCity, NoActiveAccount, TransferAlreadyOpen, apply_incoming
from transfers.models import IncomingStatus, IncomingTransfer
from transfers.selectors import transferred_in_months
from transfers.sweep import sweep_transfers

from .factories import SHANGHAI, active_account, reply

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with freeze_time("2026-09-30 10:00:00+08:00"):
        yield


@pytest.fixture
def platform():
    with use_platform(FakeTransferPlatform()) as platform:
        yield platform


def applied(account, platform):
    transfer = apply_incoming(
        person=account.person, sending_city_code=SHANGHAI[0], sending_city_name=SHANGHAI[1], actor=None
    )
    return incoming.send_letter(transfer_id=transfer.pk)


class TestApplyIncoming:
    def test_sends_the_letter_after_commit(self, platform, django_capture_on_commit_callbacks):
        account = active_account()

        with django_capture_on_commit_callbacks(execute=True):
            transfer = apply_incoming(
                person=account.person, sending_city_code="310000", sending_city_name="上海市", actor=None
            )

        transfer.refresh_from_db()
        assert transfer.status == IncomingStatus.SENT
        assert platform.letters[transfer.letter_ref].receiving_account_no == account.account_no
        assert AuditEvent.objects.filter(action__startswith="transfers.incoming").count() == 2

    def test_needs_an_active_account_here(self, platform):
        account = active_account(status=AccountStatus.SEALED, sealed_on=active_account().opened_on)

        with pytest.raises(NoActiveAccount):
            apply_incoming(
                person=account.person, sending_city_code="310000", sending_city_name="上海市", actor=None
            )

    def test_refuses_our_own_city(self, platform, settings):
        account = active_account()

        with pytest.raises(InvalidCity):
            apply_incoming(
                person=account.person,
                sending_city_code=settings.FUND_CENTRE_CODE,
                sending_city_name="",
                actor=None,
            )

    def test_refuses_a_second_open_request(self, platform):
        account = active_account()
        applied(account, platform)

        with pytest.raises(TransferAlreadyOpen):
            apply_incoming(
                person=account.person, sending_city_code="110000", sending_city_name="北京市", actor=None
            )


class TestCreditAndMergedMonths:
    def test_credits_the_amount_and_merges_the_months(self, platform):
        account = active_account()
        transfer = applied(account, platform)
        platform.answer(transfer.letter_ref, reply(principal=5_000_000, interest=12_345, months=48))

        transfer = incoming.follow_letter(transfer_id=transfer.pk)

        assert transfer.status == IncomingStatus.COMPLETED
        assert balance_of(account.ledger_account) == 5_012_345
        entry = transfer.credited_entry
        assert (entry.business_type, entry.idempotency_key) == (
            BusinessType.TRANSFER_IN,
            f"transfer-in:{transfer.platform_ref}",
        )
        assert transfer.merged_months == 48
        assert transferred_in_months(account.person) == 48
        assert Message.objects.filter(person=account.person, kind="transfer_in").count() == 2

    def test_follows_negotiation_and_refusal(self, platform):
        account = active_account()
        transfer = applied(account, platform)
        platform.set_status(transfer.letter_ref, ports.NEGOTIATING)
        assert incoming.follow_letter(transfer_id=transfer.pk).status == IncomingStatus.NEGOTIATING
        platform.refuse(transfer.letter_ref, ports.LOAN_UNSETTLED)

        transfer = incoming.follow_letter(transfer_id=transfer.pk)

        assert (transfer.status, transfer.refusal_code) == (IncomingStatus.REFUSED, ports.LOAN_UNSETTLED)
        assert transferred_in_months(account.person) == 0
        assert balance_of(account.ledger_account) == 0


class TestRetriesAndDuplicates:
    def test_a_letter_sent_again_after_a_lost_answer_is_the_same_letter(self, platform):
        account = active_account()
        transfer = apply_incoming(
            person=account.person, sending_city_code="310000", sending_city_name="上海市", actor=None
        )
        platform.unavailable = True
        sweep_transfers()
        assert IncomingTransfer.objects.get(pk=transfer.pk).status == IncomingStatus.PENDING
        platform.unavailable = False
        # The platform accepted a first attempt whose answer was lost.
        first = platform.send_contact_letter(
            letter=ports.ContactLetter(
                letter_ref=transfer.letter_ref,
                id_number=account.person.id_number,
                name=account.person.name,
                sending_city_code="310000",
                receiving_city_code="350200",
                receiving_account_no=account.account_no,
            ),
            timeout=1,
        )

        sweep_transfers()

        transfer.refresh_from_db()
        assert (transfer.status, transfer.platform_ref) == (IncomingStatus.SENT, first.platform_ref)
        assert len(platform.letters) == 1

    def test_a_completion_reported_again_posts_nothing_twice(self, platform):
        account = active_account()
        transfer = applied(account, platform)
        platform.answer(transfer.letter_ref, reply(principal=100_000, interest=0))
        status = platform.letter_status(letter_ref=transfer.letter_ref, timeout=1)

        for _attempt in range(3):
            incoming.record_letter_status(transfer_id=transfer.pk, status=status)
        sweep_transfers()
        sweep_transfers()

        assert JournalEntry.objects.filter(business_type=BusinessType.TRANSFER_IN).count() == 1
        assert balance_of(account.ledger_account) == 100_000
        assert Message.objects.filter(person=account.person, kind="transfer_in").count() == 2

    def test_a_repeated_status_writes_no_new_audit_event(self, platform):
        account = active_account()
        transfer = applied(account, platform)
        platform.set_status(transfer.letter_ref, ports.LETTER_RECEIVED)
        incoming.follow_letter(transfer_id=transfer.pk)
        before = AuditEvent.objects.count()

        incoming.follow_letter(transfer_id=transfer.pk)

        assert AuditEvent.objects.count() == before
        assert FundAccount.objects.get(pk=account.pk).status == AccountStatus.NORMAL
