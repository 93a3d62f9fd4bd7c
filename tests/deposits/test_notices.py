"""Depositors hear that their deposit arrived: one message each, written after the posting commits."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import AccountStatus
from accounts.services import close_account
from deposits import services, tasks
from deposits.collection import advance_collection
from deposits.models import DepositList
from notifications.models import Message, NoticeBatch, SmsOutbox
from tests.deposits.files import csv_bytes
from tests.deposits.test_services import approved, rows_of, uploaded_and_checked

pytestmark = pytest.mark.django_db


def posted(unit, bank, django_capture_on_commit_callbacks, *, run_after_commit=True):
    deposit_list = uploaded_and_checked(
        unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
    )
    deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)
    bank.settle(deposit_list.order_ref)
    with django_capture_on_commit_callbacks(execute=run_after_commit):
        advance_collection(list_id=deposit_list.pk)
    deposit_list.refresh_from_db()
    return deposit_list


class TestNotifyDepositors:
    def test_tells_each_person_credited_once_with_their_amount(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        posted(unit, bank, django_capture_on_commit_callbacks)

        messages = Message.objects.filter(kind="deposit_arrived").order_by("person_id")
        assert [m.person_id for m in messages] == sorted(a.person_id for a in unit.accounts)
        # 8,000.00 yuan at 12 % + 10 %: 960.00 + 800.00.
        assert all("1,760.00元" in m.body and "2026年10月" in m.body for m in messages)
        assert SmsOutbox.objects.filter(message__in=messages).count() == len(unit.accounts)

    def test_writes_nothing_the_second_time(self, unit, bank, django_capture_on_commit_callbacks):
        deposit_list = posted(unit, bank, django_capture_on_commit_callbacks)

        again = services.notify_depositors(list_id=deposit_list.pk)

        assert again == 0
        assert Message.objects.filter(kind="deposit_arrived").count() == len(unit.accounts)

    def test_does_not_tell_a_person_whose_part_was_held_in_suspense(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)
        leaver, *stayers = unit.accounts
        close_account(
            account=leaver, status=AccountStatus.CLOSED_BY_WITHDRAWAL, closed_on=date(2026, 10, 8), actor=None
        )
        bank.settle(deposit_list.order_ref)

        with django_capture_on_commit_callbacks(execute=True):
            advance_collection(list_id=deposit_list.pk)

        told = set(Message.objects.filter(kind="deposit_arrived").values_list("person_id", flat=True))
        assert told == {account.person_id for account in stayers}


class TestSweep:
    def test_tells_the_depositors_of_a_list_whose_task_was_lost(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        deposit_list = posted(unit, bank, django_capture_on_commit_callbacks, run_after_commit=False)
        DepositList.objects.filter(pk=deposit_list.pk).update(posted_at=timezone.now() - timedelta(minutes=5))
        assert not Message.objects.exists()

        tasks.sweep_deposit_lists()

        assert Message.objects.filter(kind="deposit_arrived").count() == len(unit.accounts)
        assert NoticeBatch.objects.get().key == f"deposit-list:{deposit_list.pk}"

    def test_leaves_a_list_just_posted_to_its_own_task(self, unit, bank, django_capture_on_commit_callbacks):
        posted(unit, bank, django_capture_on_commit_callbacks, run_after_commit=False)

        tasks.sweep_deposit_lists()

        assert not Message.objects.exists()
