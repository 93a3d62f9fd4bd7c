"""Deposit lists raced on PostgreSQL: threads with their own connections, against committed data."""

from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import AccountStatus
from deposits import services
from deposits.models import DepositList, ListKind, ListStatus
from integrations.bank.fakes import FakeCollectionBank
from integrations.bank.testing import use_bank
from ledger.models import BusinessType, JournalEntry
from payouts.models import Payout
from tests.deposits.conftest import make_unit
from tests.deposits.files import csv_bytes
from tests.ledger.test_concurrency import race
from tests.policy import ensure_policy_parameters
from tests.withdrawals.factories import approved, deposit_on
from withdrawals.services import pay_withdrawal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def unit():
    ensure_policy_parameters()
    return make_unit("race", staff=5)


def checked_list(unit):
    content = csv_bytes([(a.person.id_number, a.person.name, "9000.00", a.account_no) for a in unit.accounts])
    deposit_list = services.upload_list(
        employer=unit.employer,
        kind=ListKind.MONTHLY,
        period=OCTOBER,
        filename="list.csv",
        content=content,
        actor=unit.preparer,
    )
    return services.check_list(list_id=deposit_list.pk)


def balances(unit):
    for account in unit.accounts:
        account.ledger_account.refresh_from_db()
    return [account.ledger_account.balance for account in unit.accounts]


class TestRecordCollectionResultConcurrently:
    def test_racing_bank_answers_credit_every_account_once(self, unit):
        with use_bank(FakeCollectionBank(settle_at_once=False)):
            deposit_list = checked_list(unit)
            services.submit_list(deposit_list=deposit_list, actor=unit.preparer)
            deposit_list = services.approve_list(deposit_list=deposit_list, actor=unit.approver)

        def answer(_i):
            return services.record_collection_result(
                order_ref=deposit_list.order_ref,
                succeeded=True,
                failure_code=None,
                bank_ref="B1",
                settled_on=date(2026, 10, 9),
            ).status

        results, errors = race(8, answer)

        assert errors == []
        assert set(results) == {ListStatus.POSTED}
        assert JournalEntry.objects.filter(idempotency_key=f"deposit-list:{deposit_list.pk}").count() == 1
        # 9,000 yuan × (12% + 10%) = 1,980.00 yuan each, once.
        assert balances(unit) == [198000] * 5

    def test_a_success_racing_a_failure_for_the_same_order_applies_one_of_them(self, unit):
        with use_bank(FakeCollectionBank(settle_at_once=False)):
            deposit_list = checked_list(unit)
            services.submit_list(deposit_list=deposit_list, actor=unit.preparer)
            deposit_list = services.approve_list(deposit_list=deposit_list, actor=unit.approver)

        def answer(i):
            return services.record_collection_result(
                order_ref=deposit_list.order_ref,
                succeeded=i % 2 == 0,
                failure_code=None if i % 2 == 0 else "INSUFFICIENT_FUNDS",
                bank_ref="B1",
                settled_on=date(2026, 10, 9),
            ).status

        results, errors = race(6, answer)

        final = DepositList.objects.get(pk=deposit_list.pk).status
        assert errors == []
        assert set(results) == {final}
        assert balances(unit) == ([198000] * 5 if final == ListStatus.POSTED else [0] * 5)


class TestCollectionRacingAClosingWithdrawal:
    def test_a_part_lands_either_in_the_closing_payout_or_in_suspense_never_in_a_closed_account(self, unit):
        with use_bank(FakeCollectionBank(settle_at_once=False)):
            deposit_list = checked_list(unit)
            services.submit_list(deposit_list=deposit_list, actor=unit.preparer)
            deposit_list = services.approve_list(deposit_list=deposit_list, actor=unit.approver)
        leaver = unit.accounts[0]
        with transaction.atomic():
            person = leaver.person
            person.bank_card, person.bank_card_last4 = "6222021234567890123", "0123"
            person.bank_card_verified_at = timezone.now()
            person.save(update_fields=["bank_card", "bank_card_last4", "bank_card_verified_at"])
        deposit_on(leaver, date(2026, 9, 15), 480_000)
        application = approved(leaver.person, "RETIREMENT", amount_limit=None)

        def work(i):
            if i == 0:
                return pay_withdrawal(application_id=application.pk).amount
            return services.record_collection_result(
                order_ref=deposit_list.order_ref,
                succeeded=True,
                failure_code=None,
                bank_ref="B1",
                settled_on=date(2026, 10, 9),
            ).status

        _results, errors = race(2, work)

        deposit_list = DepositList.objects.get(pk=deposit_list.pk)
        leaver.refresh_from_db()
        paid_out = Payout.objects.get(source_ref=f"withdrawal:{application.pk}").amount
        interest = sum(
            JournalEntry.objects.filter(business_type=BusinessType.ANNUAL_INTEREST).values_list(
                "amount", flat=True
            )
        )
        assert errors == []
        assert leaver.status == AccountStatus.CLOSED_BY_WITHDRAWAL
        assert balances(unit) == [0] + [198000] * 4  # nothing ever rests in the closed account
        # The part arrived first and left with the closing payout, or it waits in suspense.
        assert deposit_list.suspense_amount in (0, 198000)
        assert paid_out + deposit_list.suspense_amount == 480_000 + 198000 + interest


class TestSubmitConcurrently:
    def test_only_one_of_two_lists_for_the_same_month_is_submitted(self, unit):
        lists = [checked_list(unit), checked_list(unit)]

        def submit(i):
            return services.submit_list(deposit_list=lists[i], actor=unit.preparer).pk

        results, errors = race(2, submit)

        assert len(results) == 1
        assert [type(error) for error in errors] in ([services.PeriodTaken], [services.ListOutOfDate])
        assert DepositList.objects.filter(status=ListStatus.SUBMITTED).count() == 1
