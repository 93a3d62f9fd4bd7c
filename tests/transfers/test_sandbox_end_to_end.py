"""Both directions end to end against the sandbox platform, moved only by the minute sweep."""

from datetime import date

import pytest
from freezegun import freeze_time

from accounts.models import AccountStatus
from integrations.models import SandboxTransferLetter
from integrations.transfer_platform import ports
from integrations.transfer_platform.sandbox import (
    SIMULATED_REFUSALS,
    SandboxTransferPlatform,
    send_incoming_letter,
)
from integrations.transfer_platform.testing import use_platform
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from transfers.incoming import apply_incoming
from transfers.models import IncomingStatus, IncomingTransfer, OutgoingStatus, OutgoingTransfer
from transfers.selectors import transferred_in_months
from transfers.sweep import sweep_transfers

from .factories import SHANGHAI, active_account, sealed_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sandbox(settings):
    settings.SANDBOX_PLATFORM_DELAY_MS = 0
    settings.SANDBOX_PLATFORM_REFUSAL_RATE = "0"
    settings.SANDBOX_PLATFORM_NEGOTIATION_RATE = "0"
    with freeze_time("2026-09-30 10:00:00+08:00"), use_platform(SandboxTransferPlatform()) as platform:
        yield platform


def apply(account):
    return apply_incoming(
        person=account.person, sending_city_code=SHANGHAI[0], sending_city_name=SHANGHAI[1], actor=None
    )


def sweeps(times=4):
    for _sweep in range(times):
        sweep_transfers()


class TestIncomingEndToEnd:
    def test_applies_and_is_credited_with_merged_months(self, django_capture_on_commit_callbacks):
        account = active_account()
        with django_capture_on_commit_callbacks(execute=True):
            transfer = apply(account)

        sweeps()

        transfer = IncomingTransfer.objects.get(pk=transfer.pk)
        assert transfer.status == IncomingStatus.COMPLETED
        assert transfer.platform_status == ports.COMPLETED
        assert balance_of(account.ledger_account) == transfer.amount > 0
        assert transferred_in_months(account.person) == transfer.merged_months > 0
        assert JournalEntry.objects.filter(business_type=BusinessType.TRANSFER_IN).count() == 1

    def test_a_negotiated_letter_completes_on_a_later_sweep(self, settings):
        settings.SANDBOX_PLATFORM_NEGOTIATION_RATE = "1"
        account = active_account()
        transfer = apply(account)
        sweeps(1)
        assert IncomingTransfer.objects.get(pk=transfer.pk).status == IncomingStatus.NEGOTIATING

        sweeps(1)

        assert IncomingTransfer.objects.get(pk=transfer.pk).status == IncomingStatus.COMPLETED

    def test_a_refusal_carries_the_senders_reason(self, settings):
        settings.SANDBOX_PLATFORM_REFUSAL_RATE = "1"
        account = active_account()
        transfer = apply(account)

        sweeps()

        transfer = IncomingTransfer.objects.get(pk=transfer.pk)
        assert transfer.status == IncomingStatus.REFUSED
        assert transfer.refusal_code in SIMULATED_REFUSALS
        assert balance_of(account.ledger_account) == 0


class TestOutgoingEndToEnd:
    def test_another_centres_letter_closes_the_account(self):
        account = sealed_account(deposits=((240_000, date(2026, 7, 1)), (60_000, date(2026, 8, 15))))
        letter = send_incoming_letter(
            id_number=account.person.id_number,
            name=account.person.name,
            city_code="310000",
            city_name="上海市",
        )

        sweeps()

        transfer = OutgoingTransfer.objects.get(platform_ref=letter.platform_ref)
        account.refresh_from_db()
        assert transfer.status == OutgoingStatus.CLOSED
        assert (transfer.principal, transfer.interest) == (300_000, 1_038)
        assert account.status == AccountStatus.TRANSFERRED_OUT
        assert balance_of(account.ledger_account) == 0
        assert SandboxTransferLetter.objects.get(platform_ref=letter.platform_ref).status == ports.COMPLETED

    def test_an_account_still_paid_into_is_refused(self):
        account = active_account()
        letter = send_incoming_letter(
            id_number=account.person.id_number,
            name=account.person.name,
            city_code="310000",
            city_name="上海市",
        )

        sweeps()

        transfer = OutgoingTransfer.objects.get(platform_ref=letter.platform_ref)
        assert (transfer.status, transfer.refusal_code) == (OutgoingStatus.REFUSED, ports.ACCOUNT_NOT_SEALED)
        row = SandboxTransferLetter.objects.get(platform_ref=letter.platform_ref)
        assert (row.status, row.answer["reason_code"]) == (ports.REJECTED, ports.ACCOUNT_NOT_SEALED)
