"""A deposit list's life: upload, check, maker-checker, entrusted collection, posting."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings
from freezegun import freeze_time

from accounts.models import AccountStatus
from accounts.roles import EMPLOYER_APPROVER
from accounts.services import close_account, seal_account
from audit.models import AuditEvent
from deposits import services
from deposits.collection import PENDING, SETTLED, advance_collection
from deposits.models import DepositList, DepositListFile, ListKind, ListStatus
from integrations.bank import ports
from integrations.bank.fakes import FakeCollectionBank
from integrations.bank.testing import use_bank
from ledger.centre import DEPOSIT_SUSPENSE
from ledger.models import JournalEntry
from ledger.selectors import balance_of, movements_of
from ledger.services import centre_account
from tests.deposits.conftest import make_unit
from tests.deposits.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


def rows_of(accounts, *, base="8000.00"):
    return [(a.person.id_number, a.person.name, base, a.account_no) for a in accounts]


def upload(unit, content, *, kind=ListKind.MONTHLY, period=OCTOBER, actor=None, filename="list.csv"):
    return services.upload_list(
        employer=unit.employer,
        kind=kind,
        period=period,
        filename=filename,
        content=content,
        actor=actor or unit.preparer,
    )


def uploaded_and_checked(unit, content, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        deposit_list = upload(unit, content, **kwargs)
    deposit_list.refresh_from_db()
    return deposit_list


def approved(unit, deposit_list, django_capture_on_commit_callbacks):
    services.submit_list(deposit_list=deposit_list, actor=unit.preparer)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_list(deposit_list=deposit_list, actor=unit.approver)
    deposit_list.refresh_from_db()
    return deposit_list


def balances(accounts):
    for account in accounts:
        account.ledger_account.refresh_from_db()
    return [account.ledger_account.balance for account in accounts]


class TestCheckList:
    def test_a_valid_gbk_list_is_ready_with_its_amounts(self, unit, django_capture_on_commit_callbacks):
        content = csv_bytes(rows_of(unit.accounts), encoding="gbk")

        deposit_list = uploaded_and_checked(unit, content, django_capture_on_commit_callbacks)

        assert deposit_list.status == ListStatus.READY
        assert deposit_list.file_format == "gb18030"
        assert (deposit_list.rows_total, deposit_list.rows_valid, deposit_list.error_count) == (3, 3, 0)
        # 8,000 yuan × 12% = 960.00 and × 10% = 800.00, for each of three people.
        assert deposit_list.employer_amount == 3 * 96000
        assert deposit_list.employee_amount == 3 * 80000
        assert (
            sorted(deposit_list.lines.values_list("employer_part", "employee_part")) == [(96000, 80000)] * 3
        )

    def test_an_xlsx_list_is_read_as_well(self, unit, django_capture_on_commit_callbacks):
        content = xlsx_bytes(rows_of(unit.accounts, base="10000"))

        deposit_list = uploaded_and_checked(
            unit, content, django_capture_on_commit_callbacks, filename="l.xlsx"
        )

        assert deposit_list.status == ListStatus.READY
        assert deposit_list.amount == 3 * (120000 + 100000)

    def test_an_invalid_list_keeps_every_problem_and_stages_no_line(
        self, unit, django_capture_on_commit_callbacks
    ):
        rows = rows_of(unit.accounts)
        rows[1] = (rows[1][0], "王五", "8000.00", rows[1][3])
        rows[2] = (rows[2][0], rows[2][1], "100", rows[2][3])

        deposit_list = uploaded_and_checked(unit, csv_bytes(rows), django_capture_on_commit_callbacks)

        assert deposit_list.status == ListStatus.INVALID
        assert sorted(deposit_list.errors.values_list("row", "field", "code")) == [
            (2, "name", "NAME_MISMATCH"),
            (3, "base", "BASE_BELOW_FLOOR"),
        ]
        assert not deposit_list.lines.exists()

    def test_the_file_is_dropped_once_checked(self, unit, django_capture_on_commit_callbacks):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )

        assert not DepositListFile.objects.filter(deposit_list=deposit_list).exists()

    @override_settings(DEPOSIT_LIST_MAX_BYTES=100)
    def test_a_file_over_the_limit_is_refused_at_once_without_storing_it(self, unit):
        deposit_list = upload(unit, csv_bytes(rows_of(unit.accounts)))

        assert deposit_list.status == ListStatus.INVALID
        assert list(deposit_list.errors.values_list("row", "field", "code")) == [
            (0, "file", "FILE_TOO_LARGE")
        ]
        assert not DepositListFile.objects.filter(deposit_list=deposit_list).exists()

    def test_checking_again_changes_nothing(self, unit, django_capture_on_commit_callbacks):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )

        again = services.check_list(list_id=deposit_list.pk)

        assert again.status == ListStatus.READY
        assert deposit_list.lines.count() == 3

    def test_a_run_that_finds_the_file_gone_leaves_the_list_to_the_run_that_finished_it(self, unit):
        deposit_list = upload(unit, csv_bytes(rows_of(unit.accounts)))
        # What a second run sees when the first one commits between its two reads.
        DepositList.objects.filter(pk=deposit_list.pk).update(status=ListStatus.CHECKING)
        DepositListFile.objects.filter(deposit_list=deposit_list).delete()

        again = services.check_list(list_id=deposit_list.pk)

        assert again.pk == deposit_list.pk
        assert not again.errors.exists()

    def test_the_wrong_month_is_reported_on_the_period(self, unit, django_capture_on_commit_callbacks):
        content = csv_bytes(rows_of(unit.accounts))

        deposit_list = uploaded_and_checked(
            unit, content, django_capture_on_commit_callbacks, period=date(2026, 11, 1)
        )

        assert list(deposit_list.errors.values_list("field", "code")) == [("period", "WRONG_PERIOD")]

    def test_messages_follow_the_uploaders_language(self, unit, django_capture_on_commit_callbacks):
        rows = rows_of(unit.accounts)
        rows[0] = (rows[0][0], "王五", "8000.00", rows[0][3])
        with django_capture_on_commit_callbacks(execute=True):
            deposit_list = services.upload_list(
                employer=unit.employer,
                kind=ListKind.MONTHLY,
                period=OCTOBER,
                filename="list.csv",
                content=csv_bytes(rows),
                actor=unit.preparer,
                language="en",
            )

        assert "does not match the name on record" in deposit_list.errors.get().message


class TestWhoMayDoWhat:
    def test_only_the_units_preparer_may_upload(self, unit):
        other = make_unit("other")

        with pytest.raises(services.RoleRequired):
            upload(unit, b"x", actor=unit.approver)
        with pytest.raises(services.NotYourUnit):
            upload(unit, b"x", actor=other.preparer)

    def test_a_unit_not_in_normal_status_cannot_pay_in(self, unit):
        unit.employer.status = "05"
        unit.employer.save()

        with pytest.raises(services.UnitCannotPay):
            upload(unit, csv_bytes(rows_of(unit.accounts)))

    def test_the_preparer_cannot_approve_and_the_approver_cannot_submit(
        self, unit, django_capture_on_commit_callbacks
    ):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )

        with pytest.raises(services.RoleRequired):
            services.submit_list(deposit_list=deposit_list, actor=unit.approver)
        services.submit_list(deposit_list=deposit_list, actor=unit.preparer)
        with pytest.raises(services.RoleRequired):
            services.approve_list(deposit_list=deposit_list, actor=unit.preparer)

    def test_whoever_submitted_a_list_cannot_also_approve_it(self, unit, django_capture_on_commit_callbacks):
        unit.preparer.groups.add(Group.objects.get(name=EMPLOYER_APPROVER))
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        services.submit_list(deposit_list=deposit_list, actor=unit.preparer)

        with pytest.raises(services.SameOperator):
            services.approve_list(deposit_list=deposit_list, actor=unit.preparer)

        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.SUBMITTED

    def test_another_units_approver_cannot_approve(self, unit, django_capture_on_commit_callbacks):
        other = make_unit("other")
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        services.submit_list(deposit_list=deposit_list, actor=unit.preparer)

        with pytest.raises(services.NotYourUnit):
            services.approve_list(deposit_list=deposit_list, actor=other.approver)

    def test_a_list_with_errors_cannot_be_submitted(self, unit, django_capture_on_commit_callbacks):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts, base="1")), django_capture_on_commit_callbacks
        )

        with pytest.raises(services.ListNotInState):
            services.submit_list(deposit_list=deposit_list, actor=unit.preparer)

    def test_a_second_monthly_list_for_the_same_month_cannot_be_submitted(
        self, unit, django_capture_on_commit_callbacks
    ):
        first = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        second = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        services.submit_list(deposit_list=first, actor=unit.preparer)

        with pytest.raises(services.PeriodTaken):
            services.submit_list(deposit_list=second, actor=unit.preparer)

    def test_a_list_overtaken_by_a_sealed_account_is_refused_at_approval(
        self, unit, django_capture_on_commit_callbacks
    ):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        services.submit_list(deposit_list=deposit_list, actor=unit.preparer)
        seal_account(account=unit.accounts[1], sealed_on=date(2026, 10, 20), actor=None)

        with pytest.raises(services.ListOutOfDate) as refused:
            services.approve_list(deposit_list=deposit_list, actor=unit.approver)

        assert "2" in refused.value.message
        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.SUBMITTED

    def test_the_approver_may_return_a_list_with_a_reason(self, unit, django_capture_on_commit_callbacks):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        services.submit_list(deposit_list=deposit_list, actor=unit.preparer)

        returned = services.return_list(deposit_list=deposit_list, actor=unit.approver, reason="基数未调整")

        assert (returned.status, returned.return_reason) == (ListStatus.RETURNED, "基数未调整")


class TestCollection:
    def test_money_arrives_on_every_account_only_when_the_bank_confirms(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        before = balances(unit.accounts)

        deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)
        pending_balances = balances(unit.accounts)
        bank.settle(deposit_list.order_ref, settled_on=date(2026, 10, 8))
        outcome = advance_collection(list_id=deposit_list.pk)

        deposit_list.refresh_from_db()
        unit.employer.refresh_from_db()
        assert pending_balances == before
        assert outcome == SETTLED
        assert deposit_list.status == ListStatus.POSTED
        assert balances(unit.accounts) == [b + 176000 for b in before]
        entry = deposit_list.journal_entry
        assert (entry.business_type, entry.business_on, entry.amount) == ("01", date(2026, 10, 8), 3 * 176000)
        assert entry.lines.count() == 4
        assert unit.employer.paid_up_to == OCTOBER
        order = bank.orders[deposit_list.order_ref]
        assert (order.amount, order.payer_name, order.same_bank) == (3 * 176000, unit.employer.name, False)

    def test_the_deposit_shows_on_the_employees_statement(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)
        bank.settle(deposit_list.order_ref)

        advance_collection(list_id=deposit_list.pk)

        movement = list(movements_of(unit.accounts[0].ledger_account))[-1]
        assert (movement.business_type, movement.amount) == ("01", 176000)

    def test_a_pending_order_is_asked_about_again_and_changes_nothing(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)

        outcome = advance_collection(list_id=deposit_list.pk)

        assert outcome == PENDING
        assert bank.calls.count("submit_collection") == 1
        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.COLLECTING

    def test_a_failed_debit_posts_nothing_and_says_why(self, unit, bank, django_capture_on_commit_callbacks):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)
        before = balances(unit.accounts)
        entries = JournalEntry.objects.count()

        bank.settle(deposit_list.order_ref, failure_code=ports.INSUFFICIENT_FUNDS)
        advance_collection(list_id=deposit_list.pk)

        deposit_list.refresh_from_db()
        unit.employer.refresh_from_db()
        assert (deposit_list.status, deposit_list.failure_code) == (
            ListStatus.COLLECTION_FAILED,
            ports.INSUFFICIENT_FUNDS,
        )
        assert balances(unit.accounts) == before
        assert JournalEntry.objects.count() == entries
        assert unit.employer.paid_up_to == date(2026, 9, 1)

    def test_a_failed_collection_is_tried_again_under_a_new_reference(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)
        first_ref = deposit_list.order_ref
        bank.settle(first_ref, failure_code=ports.ACCOUNT_FROZEN)
        advance_collection(list_id=deposit_list.pk)

        with django_capture_on_commit_callbacks(execute=True):
            services.retry_collection(deposit_list=deposit_list, actor=unit.approver)
        deposit_list.refresh_from_db()
        bank.settle(deposit_list.order_ref)
        advance_collection(list_id=deposit_list.pk)

        deposit_list.refresh_from_db()
        assert deposit_list.order_ref != first_ref
        assert deposit_list.status == ListStatus.POSTED

    def test_a_timeout_after_the_bank_accepted_resubmits_the_same_order_and_debits_once(
        self, unit, django_capture_on_commit_callbacks
    ):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        fake = FakeCollectionBank(settle_at_once=False, time_out_after_accepting=True)
        with use_bank(fake):
            deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)
            with pytest.raises(ports.BankUnavailable):
                advance_collection(list_id=deposit_list.pk)
            fake.time_out_after_accepting = False
            fake.settle(deposit_list.order_ref)

            advance_collection(list_id=deposit_list.pk)

        assert fake.calls.count("submit_collection") >= 2
        assert len(fake.orders) == 1
        assert DepositList.objects.get(pk=deposit_list.pk).status == ListStatus.POSTED

    def test_a_repeated_bank_result_posts_nothing_twice(self, unit, bank, django_capture_on_commit_callbacks):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)
        bank.settle(deposit_list.order_ref)
        advance_collection(list_id=deposit_list.pk)
        after_first = balances(unit.accounts)
        entries = JournalEntry.objects.count()

        for _ in range(2):
            services.record_collection_result(
                order_ref=deposit_list.order_ref,
                succeeded=True,
                failure_code=None,
                bank_ref="again",
                settled_on=date(2026, 10, 9),
            )
        advance_collection(list_id=deposit_list.pk)

        assert balances(unit.accounts) == after_first
        assert JournalEntry.objects.count() == entries

    def test_a_part_for_an_account_closed_since_approval_waits_in_suspense(
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

        advance_collection(list_id=deposit_list.pk)

        deposit_list.refresh_from_db()
        part = sum(
            deposit_list.lines.filter(account=leaver).values_list("employer_part", "employee_part").get()
        )
        assert deposit_list.status == ListStatus.POSTED
        assert (deposit_list.suspense_count, deposit_list.suspense_amount) == (1, part)
        assert balances([leaver]) == [0]
        assert balances(stayers) == [part] * len(stayers)
        assert deposit_list.journal_entry.amount + deposit_list.suspense_amount == deposit_list.amount
        assert balance_of(centre_account(DEPOSIT_SUSPENSE)) == part
        assert "ledger intact" in verify_ledger_output()

    def test_an_unreachable_bank_leaves_the_list_collecting(self, unit, django_capture_on_commit_callbacks):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        with use_bank(FakeCollectionBank(unavailable=True)):
            deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)

        assert deposit_list.status == ListStatus.COLLECTING
        assert deposit_list.order_accepted_at is None

    def test_the_whole_path_is_in_the_audit_trail(self, unit, bank, django_capture_on_commit_callbacks):
        deposit_list = uploaded_and_checked(
            unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
        )
        deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)
        bank.settle(deposit_list.order_ref)

        advance_collection(list_id=deposit_list.pk)

        actions = list(
            AuditEvent.objects.filter(action__startswith="deposits.")
            .order_by("sequence")
            .values_list("action", flat=True)
        )
        assert actions == [
            "deposits.list_uploaded",
            "deposits.list_checked",
            "deposits.list_submitted",
            "deposits.list_approved",
            "deposits.list_posted",
        ]


class TestBackPayment:
    def test_a_back_payment_credits_as_type_02_without_moving_the_paid_up_month(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        deposit_list = uploaded_and_checked(
            unit,
            csv_bytes(rows_of(unit.accounts[:2])),
            django_capture_on_commit_callbacks,
            kind=ListKind.BACK_PAYMENT,
            period=date(2026, 7, 1),
        )
        deposit_list = approved(unit, deposit_list, django_capture_on_commit_callbacks)
        bank.settle(deposit_list.order_ref)

        advance_collection(list_id=deposit_list.pk)

        deposit_list.refresh_from_db()
        unit.employer.refresh_from_db()
        assert deposit_list.journal_entry.business_type == "02"
        assert unit.employer.paid_up_to == date(2026, 9, 1)

    def test_a_person_already_paid_for_that_month_is_refused(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        first = uploaded_and_checked(
            unit,
            csv_bytes(rows_of(unit.accounts[:1])),
            django_capture_on_commit_callbacks,
            kind=ListKind.BACK_PAYMENT,
            period=date(2026, 7, 1),
        )
        approved(unit, first, django_capture_on_commit_callbacks)

        second = uploaded_and_checked(
            unit,
            csv_bytes(rows_of(unit.accounts[:2])),
            django_capture_on_commit_callbacks,
            kind=ListKind.BACK_PAYMENT,
            period=date(2026, 7, 1),
        )

        assert list(second.errors.values_list("row", "code")) == [(1, "ALREADY_PAID")]

    def test_a_month_not_yet_paid_up_is_not_a_back_payment(self, unit, django_capture_on_commit_callbacks):
        deposit_list = uploaded_and_checked(
            unit,
            csv_bytes(rows_of(unit.accounts)),
            django_capture_on_commit_callbacks,
            kind=ListKind.BACK_PAYMENT,
            period=OCTOBER,
        )

        assert list(deposit_list.errors.values_list("field", "code")) == [("period", "WRONG_PERIOD")]


def test_a_sealed_person_on_the_list_is_reported_not_paid(unit, django_capture_on_commit_callbacks):
    unit.accounts[0].status = AccountStatus.SEALED
    unit.accounts[0].sealed_on = date(2026, 9, 30)
    unit.accounts[0].save()

    deposit_list = uploaded_and_checked(
        unit, csv_bytes(rows_of(unit.accounts)), django_capture_on_commit_callbacks
    )

    assert list(deposit_list.errors.values_list("row", "code")) == [(1, "NOT_EMPLOYED_HERE")]


class TestBackPaymentsRacingEachOther:
    def test_a_second_back_payment_for_the_same_people_and_month_is_refused_at_approval(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        july = date(2026, 7, 1)
        first, second = (
            uploaded_and_checked(
                unit,
                csv_bytes(rows_of(unit.accounts[:2])),
                django_capture_on_commit_callbacks,
                kind=ListKind.BACK_PAYMENT,
                period=july,
            )
            for _ in range(2)
        )
        approved(unit, first, django_capture_on_commit_callbacks)

        with pytest.raises(services.AlreadyPaid):
            services.submit_list(deposit_list=second, actor=unit.preparer)

        assert DepositList.objects.get(pk=second.pk).status == ListStatus.READY


class TestUploadChecksSmallListsAtOnce:
    def test_a_small_list_comes_back_checked(self, unit):
        deposit_list = upload(unit, csv_bytes(rows_of(unit.accounts)))

        assert deposit_list.status == ListStatus.READY

    @override_settings(DEPOSIT_LIST_INLINE_BYTES=10)
    def test_a_larger_list_is_left_to_a_worker(self, unit, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            deposit_list = upload(unit, csv_bytes(rows_of(unit.accounts)))

        assert deposit_list.status == ListStatus.RECEIVED
        assert len(queued) == 1

    def test_an_inactive_operator_is_refused(self, unit):
        unit.preparer.is_active = False
        unit.preparer.save()

        with pytest.raises(services.NotYourUnit):
            upload(unit, csv_bytes(rows_of(unit.accounts)))


class TestRequeueStalledChecks:
    @override_settings(DEPOSIT_LIST_INLINE_BYTES=10)
    def test_a_stalled_check_is_queued_again_once_per_pause(self, unit, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False):
            deposit_list = upload(unit, csv_bytes(rows_of(unit.accounts)))
        queued_at = deposit_list.check_queued_at

        with (
            freeze_time(queued_at + timedelta(minutes=11)),
            django_capture_on_commit_callbacks() as first_sweep,
        ):
            first = services.requeue_stalled_checks(older_than=queued_at + timedelta(minutes=1))
        with (
            freeze_time(queued_at + timedelta(minutes=12)),
            django_capture_on_commit_callbacks() as second_sweep,
        ):
            second = services.requeue_stalled_checks(older_than=queued_at + timedelta(minutes=2))

        assert (first, len(first_sweep)) == ([deposit_list.pk], 1)
        assert (second, len(second_sweep)) == ([], 0)


def verify_ledger_output() -> str:
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    return out.getvalue()
