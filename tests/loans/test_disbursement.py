"""Signing the contract and disbursing the loan through the payouts app into a fake bank."""

from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time

from accounts import roles
from accounts.roles import ensure_roles
from audit.models import AuditEvent
from audit.seals import revoke_seal, seal_document
from integrations.bank.fakes import FakePaymentBank
from integrations.bank.testing import use_payment_bank
from ledger.centre import PAYOUT_CLEARING, SPLIT_WAYS, part_code
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from loans import disbursement, tasks
from loans.approval import approval_digest
from loans.disbursement import (
    ApprovalSealInvalid,
    LoanNotApproved,
    LoanNotSigned,
    RetryNeedsStaff,
    SellerAccountInvalid,
    SignerConflict,
    SignerNotPermitted,
    disburse_loan,
    sign_contract,
)
from loans.models import InstalmentStatus, LoanAccountStatus, LoanApplication, LoanStatus
from notifications.models import Message
from payouts.models import Payout, PayoutStatus
from payouts.services import record_payment_result
from tests.accounts.factories import PersonFactory, UserFactory
from tests.loans.factories_approval import LoanApplicationFactory, clerk, staff

pytestmark = pytest.mark.django_db

TODAY = "2026-11-26 10:00:00+08:00"
SELLER_ACCOUNT = "6222021234567890123"
SELLER_NAME = "厦门鹭岛置业有限公司"


def borrower():
    """A person with their own login to the hall."""
    person = PersonFactory()
    user = UserFactory()
    user.groups.add(ensure_roles()[roles.EMPLOYEE])
    person.user = user
    person.save(update_fields=["user"])
    return person


def approved_loan(**fields) -> LoanApplication:
    """An approved case with the centre's seal over its approval record, as the final level leaves it."""
    stated = {
        "applicant": borrower(),
        "seller_name": SELLER_NAME,
        "seller_account": SELLER_ACCOUNT,
        "amount": 30_000_000,
        "term_months": 240,
        **fields,
    }
    with transaction.atomic():
        loan = LoanApplicationFactory(**stated)
        seal = seal_document(
            kind="LOAN_APPROVAL",
            subject=f"loan-application:{loan.pk}",
            digest=approval_digest(loan),
            signer=None,
            signer_label="system:test",
        )
        LoanApplication.objects.filter(pk=loan.pk).update(
            status=LoanStatus.APPROVED, approved_at=timezone.now(), approval_seal=seal
        )
    return LoanApplication.objects.get(pk=loan.pk)


def signed_loan(**fields) -> LoanApplication:
    loan = approved_loan(**fields)
    LoanApplication.objects.filter(pk=loan.pk).update(
        status=LoanStatus.SIGNED, signed_at=timezone.now(), signed_by=clerk()
    )
    return LoanApplication.objects.get(pk=loan.pk)


def settle(payout: Payout, *, paid: bool, failure_code: str | None = None, on: date | None = None) -> None:
    record_payment_result(
        reference=payout.reference,
        paid=paid,
        failure_code=failure_code,
        bank_ref=f"B-{payout.pk}",
        settled_on=on,
    )


@pytest.fixture(autouse=True)
def payment_bank():
    """Payments are accepted and stay unsettled until the test settles them."""
    with use_payment_bank(FakePaymentBank(settle_at_once=False)) as fake:
        yield fake


@freeze_time(TODAY)
class TestSignContract:
    def test_records_who_signed_and_when(self, django_capture_on_commit_callbacks):
        loan = approved_loan()
        officer = clerk()

        with django_capture_on_commit_callbacks(execute=False):
            signed = sign_contract(loan_id=loan.pk, actor=officer)

        loan.refresh_from_db()
        assert (signed.status, loan.status) == (LoanStatus.SIGNED, LoanStatus.SIGNED)
        assert (loan.signed_by, loan.signed_at) == (officer, timezone.now())
        assert AuditEvent.objects.filter(action="loans.contract_signed", actor=officer).count() == 1
        assert Message.objects.filter(person=loan.applicant, kind="loan_contract_signed").count() == 1

    def test_queues_the_disbursement_after_commit(self, django_capture_on_commit_callbacks):
        loan = approved_loan()

        with django_capture_on_commit_callbacks(execute=True):
            sign_contract(loan_id=loan.pk, actor=clerk())

        payout = Payout.objects.get(source_ref=f"loan-disbursement:{loan.pk}")
        assert payout.status == PayoutStatus.SENT
        assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.SIGNED

    def test_signing_again_changes_nothing(self):
        loan = approved_loan()
        first = clerk()
        sign_contract(loan_id=loan.pk, actor=first)

        again = sign_contract(loan_id=loan.pk, actor=clerk())

        assert again.signed_by == first
        assert AuditEvent.objects.filter(action="loans.contract_signed").count() == 1

    @pytest.mark.parametrize("status", [LoanStatus.PRE_ACCEPTED, LoanStatus.RETURNED, LoanStatus.REJECTED])
    def test_refuses_a_case_that_is_not_approved(self, status):
        loan = LoanApplicationFactory(status=status, seller_name=SELLER_NAME, seller_account=SELLER_ACCOUNT)

        with pytest.raises(LoanNotApproved):
            sign_contract(loan_id=loan.pk, actor=clerk())

    def test_refuses_a_case_whose_seal_no_longer_matches_it(self):
        loan = approved_loan()
        LoanApplication.objects.filter(pk=loan.pk).update(amount=loan.amount + 100)

        with pytest.raises(ApprovalSealInvalid):
            sign_contract(loan_id=loan.pk, actor=clerk())

        assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.APPROVED

    def test_refuses_a_case_whose_seal_was_revoked(self):
        loan = approved_loan()
        revoke_seal(code=loan.approval_seal.code, reason="审批有误", actor=staff(roles.STAFF_DIRECTOR))

        with pytest.raises(ApprovalSealInvalid):
            sign_contract(loan_id=loan.pk, actor=clerk())

    def test_refuses_a_seal_made_for_another_case(self):
        loan = approved_loan()
        other = approved_loan()
        LoanApplication.objects.filter(pk=other.pk).update(approval_seal=None, status=LoanStatus.PRE_ACCEPTED)
        LoanApplication.objects.filter(pk=loan.pk).update(approval_seal=other.approval_seal)

        with pytest.raises(ApprovalSealInvalid):
            sign_contract(loan_id=loan.pk, actor=clerk())

    def test_refuses_a_case_without_the_sellers_account(self):
        loan = approved_loan(seller_account="")

        with pytest.raises(SellerAccountInvalid):
            sign_contract(loan_id=loan.pk, actor=clerk())

    @pytest.mark.parametrize("role", [roles.STAFF_AUDITOR, roles.EMPLOYEE])
    def test_refuses_who_is_not_a_clerk_or_above(self, role):
        loan = approved_loan()
        user = UserFactory(is_staff=role != roles.EMPLOYEE)
        user.groups.add(ensure_roles()[role])

        with pytest.raises(SignerNotPermitted):
            sign_contract(loan_id=loan.pk, actor=user)

    def test_refuses_staff_handling_their_own_loan(self):
        officer = clerk()
        applicant = PersonFactory(user=officer)
        loan = approved_loan(applicant=applicant)

        with pytest.raises(SignerConflict):
            sign_contract(loan_id=loan.pk, actor=officer)


@freeze_time(TODAY)
class TestDisburseLoan:
    def test_posts_the_loan_account_against_payout_clearing(self):
        loan = signed_loan()

        account = disburse_loan(loan_id=loan.pk)

        entry = JournalEntry.objects.get(idempotency_key=f"loan-disbursement:{loan.pk}")
        assert (entry.business_type, entry.amount, entry.business_on) == (
            BusinessType.INTERNAL_TRANSFER,
            30_000_000,
            date(2026, 11, 26),
        )
        lines = sorted((line.account.code, line.debit, line.credit) for line in entry.lines.all())
        assert lines == sorted(
            [
                (f"LOAN-{account.account_no}", 30_000_000, 0),
                (part_code(PAYOUT_CLEARING, loan.pk % SPLIT_WAYS), 0, 30_000_000),
            ]
        )
        assert balance_of(account.ledger_account) == 30_000_000

    def test_creates_one_payout_to_the_seller(self):
        loan = signed_loan()

        account = disburse_loan(loan_id=loan.pk)

        payout = Payout.objects.get()
        assert (payout.purpose, payout.source_ref, payout.amount) == (
            "loan_disbursement",
            f"loan-disbursement:{loan.pk}",
            30_000_000,
        )
        assert (payout.card_no, payout.holder_name, payout.person) == (
            SELLER_ACCOUNT,
            SELLER_NAME,
            loan.applicant,
        )
        assert account.payout == payout
        assert payout.debit_entry.idempotency_key == f"loan-disbursement:{loan.pk}"

    def test_opens_the_loan_account_with_one_instalment_a_month(self):
        loan = signed_loan()

        account = disburse_loan(loan_id=loan.pk)

        instalments = list(account.instalments.order_by("period"))
        assert account.account_no == f"DK20261126{loan.pk:08d}"
        assert (account.status, account.principal, account.term_months) == (
            LoanAccountStatus.DISBURSING,
            30_000_000,
            240,
        )
        assert (account.opened_on, account.repayment_day, account.first_due_on) == (
            date(2026, 11, 26),
            26,
            date(2026, 12, 26),
        )
        assert len(instalments) == 240
        assert sum(row.principal for row in instalments) == 30_000_000
        assert instalments[-1].remaining == 0
        assert (instalments[1].due_on, instalments[-1].due_on) == (date(2027, 1, 26), date(2046, 11, 26))
        assert {row.status for row in instalments} == {InstalmentStatus.DUE}

    def test_caps_the_repayment_day_at_the_28th(self):
        loan = signed_loan(term_months=12)

        with freeze_time("2027-01-31 10:00:00+08:00"):
            account = disburse_loan(loan_id=loan.pk)

        dates = list(account.instalments.order_by("period").values_list("due_on", flat=True))
        assert account.repayment_day == 28
        assert dates[:2] == [date(2027, 2, 28), date(2027, 3, 28)]
        assert dates[-1] == date(2028, 1, 28)

    def test_leaves_the_case_signed_until_the_bank_pays(self):
        loan = signed_loan()

        disburse_loan(loan_id=loan.pk)

        loan.refresh_from_db()
        assert (loan.status, loan.disbursed_at) == (LoanStatus.SIGNED, None)

    def test_a_replay_posts_and_pays_nothing_more(self, django_capture_on_commit_callbacks):
        loan = signed_loan()
        first = disburse_loan(loan_id=loan.pk)

        with django_capture_on_commit_callbacks(execute=True):
            again = disburse_loan(loan_id=loan.pk)
            tasks.disburse_loan(loan_id=loan.pk)
            sign_contract(loan_id=loan.pk, actor=clerk())

        assert again.pk == first.pk
        assert JournalEntry.objects.filter(idempotency_key__startswith="loan-disbursement:").count() == 1
        assert Payout.objects.count() == 1
        assert again.instalments.count() == 240
        assert balance_of(first.ledger_account) == 30_000_000

    def test_refuses_a_case_whose_contract_is_not_signed(self):
        loan = approved_loan()

        with pytest.raises(LoanNotSigned):
            disburse_loan(loan_id=loan.pk)

        assert Payout.objects.count() == 0

    def test_the_task_logs_a_refusal_instead_of_retrying(self):
        loan = approved_loan()

        tasks.disburse_loan(loan_id=loan.pk)

        assert Payout.objects.count() == 0


@freeze_time(TODAY)
class TestDisbursementPaid:
    def test_the_case_is_disbursed_at_the_banks_settlement_time(self, django_capture_on_commit_callbacks):
        loan = signed_loan(co_borrower=borrower())
        with django_capture_on_commit_callbacks(execute=True):
            account = disburse_loan(loan_id=loan.pk)

        with freeze_time("2026-11-26 15:30:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            settle(account.payout, paid=True)

        loan.refresh_from_db()
        account.refresh_from_db()
        assert (loan.status, account.status) == (LoanStatus.DISBURSED, LoanAccountStatus.ACTIVE)
        assert loan.disbursed_at == Payout.objects.get().settled_at
        assert timezone.localtime(loan.disbursed_at).hour == 15
        assert balance_of(account.ledger_account) == 30_000_000

    def test_tells_the_applicant_and_the_co_borrower(self, django_capture_on_commit_callbacks):
        loan = signed_loan(co_borrower=borrower())
        with django_capture_on_commit_callbacks(execute=True):
            account = disburse_loan(loan_id=loan.pk)

        with django_capture_on_commit_callbacks(execute=True):
            settle(account.payout, paid=True)

        told = Message.objects.filter(kind="loan_disbursed")
        assert sorted(told.values_list("person_id", flat=True)) == sorted(
            [loan.applicant_id, loan.co_borrower_id]
        )
        assert told.first().link == f"/hall/loans/{loan.pk}/account/"

    def test_a_repeated_result_records_nothing_more(self, django_capture_on_commit_callbacks):
        loan = signed_loan()
        with django_capture_on_commit_callbacks(execute=True):
            account = disburse_loan(loan_id=loan.pk)
        with django_capture_on_commit_callbacks(execute=True):
            settle(account.payout, paid=True)

        with django_capture_on_commit_callbacks(execute=True):
            settle(account.payout, paid=True)
            disbursement.record_disbursement_result(payout_id=account.payout_id)

        assert AuditEvent.objects.filter(action="loans.disbursed").count() == 1
        assert Message.objects.filter(kind="loan_disbursed").count() == 1

    def test_a_result_whose_hook_was_lost_is_found_by_the_sweep(self, django_capture_on_commit_callbacks):
        loan = signed_loan()
        with django_capture_on_commit_callbacks(execute=True):
            account = disburse_loan(loan_id=loan.pk)
        settle(account.payout, paid=True)  # no on-commit callbacks: the hook never runs

        with django_capture_on_commit_callbacks(execute=True):
            tasks.record_settled_disbursements()

        assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.DISBURSED


@freeze_time(TODAY)
class TestDisbursementFailed:
    def failed(self, capture):
        loan = signed_loan()
        with capture(execute=True):
            account = disburse_loan(loan_id=loan.pk)
        with capture(execute=True):
            settle(account.payout, paid=False, failure_code="CARD_INVALID")
        return loan

    def test_the_money_is_back_and_the_loan_not_disbursed(self, django_capture_on_commit_callbacks):
        loan = self.failed(django_capture_on_commit_callbacks)

        loan.refresh_from_db()
        account = loan.account
        assert (loan.status, account.status) == (LoanStatus.SIGNED, LoanAccountStatus.NOT_DISBURSED)
        assert loan.note.startswith("放款失败（CARD_INVALID）")
        assert balance_of(account.ledger_account) == 0
        assert account.instalments.count() == 240
        assert Message.objects.filter(person=loan.applicant, kind="loan_disbursement_failed").count() == 1

    def test_the_task_does_not_send_the_money_again(self, django_capture_on_commit_callbacks):
        loan = self.failed(django_capture_on_commit_callbacks)

        tasks.disburse_loan(loan_id=loan.pk)
        with pytest.raises(RetryNeedsStaff):
            disburse_loan(loan_id=loan.pk)

        assert Payout.objects.count() == 1

    def test_staff_retry_pays_again_under_a_new_source_reference(self, django_capture_on_commit_callbacks):
        loan = self.failed(django_capture_on_commit_callbacks)
        officer = clerk()

        with freeze_time("2026-11-30 09:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
            account = disburse_loan(loan_id=loan.pk, actor=officer)

        payout = Payout.objects.get(source_ref=f"loan-disbursement:{loan.pk}:2")
        assert (account.status, account.disbursement_attempts, account.payout) == (
            LoanAccountStatus.DISBURSING,
            2,
            payout,
        )
        assert payout.created_by == officer
        assert balance_of(account.ledger_account) == 30_000_000
        assert (account.opened_on, account.first_due_on) == (date(2026, 11, 30), date(2026, 12, 28))
        assert account.instalments.count() == 240

    def test_a_retry_that_is_paid_disburses_the_case(self, django_capture_on_commit_callbacks):
        loan = self.failed(django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            account = disburse_loan(loan_id=loan.pk, actor=clerk())

        with django_capture_on_commit_callbacks(execute=True):
            settle(account.payout, paid=True)

        loan.refresh_from_db()
        assert (loan.status, loan.note) == (LoanStatus.DISBURSED, "")
        assert LoanApplication.objects.get(pk=loan.pk).account.status == LoanAccountStatus.ACTIVE
        assert Payout.objects.filter(status=PayoutStatus.FAILED).count() == 1

    def test_a_staff_retry_repeated_creates_one_more_payout_only(self, django_capture_on_commit_callbacks):
        loan = self.failed(django_capture_on_commit_callbacks)
        officer = clerk()

        first = disburse_loan(loan_id=loan.pk, actor=officer)
        again = disburse_loan(loan_id=loan.pk, actor=officer)

        assert (first.pk, again.disbursement_attempts) == (again.pk, 2)
        assert Payout.objects.count() == 2
