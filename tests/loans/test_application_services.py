# ruff: noqa: F811  (the imported fixtures are parameters of the tests)
"""Applying for a housing fund loan online: the rules, the quota from the centre's balances, the
co-borrower spouse, one open application per person, withdrawing and booking the signing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from appointments.models import BookingStatus
from appointments.selectors import open_slots, service_by_code
from approvals import registry
from approvals.models import ApplicationStatus, ReviewCase
from approvals.services import approve_case, claim_case, reject_case
from audit.models import AuditEvent
from integrations.gov.fakes import FakeCivilAffairs, FakeCreditBureau
from loans.applications import loan_application_detail
from loans.models import LoanApplication, LoanStatus
from loans.services import (
    AmountAboveQuota,
    CoBorrowerNotSpouse,
    CoBorrowerUnknown,
    ConsentRequired,
    InvalidLoanField,
    LoanInRepayment,
    LoanStatusConflict,
    MarriageUnavailable,
    NotYourLoanApplication,
    OpenLoanApplication,
    SigningAlreadyBooked,
    apply_for_loan,
    book_signing,
    confirm_co_borrower,
    resubmit_loan_application,
    withdraw_loan_application,
)
from notifications.models import Message
from tests.appointments.factories import BookableServiceFactory, counter_offering
from tests.approvals.conftest import _fresh_parameters, gov_log, sources  # noqa: F401 (fixtures)
from tests.approvals.factories import staff_user
from tests.loans.factories import buying, credit, depositor, fund_loan, married, terms
from tests.loans.factories_repayment import repaying_loan

pytestmark = pytest.mark.django_db

TWELVE_MONTHS_TIMES_FIFTEEN = 12 * 240_000 * 15  # 432,000 yuan


def apply(person, *, co_borrower=None, consent=True, **stated):
    return apply_for_loan(
        applicant=person,
        terms=terms(**stated),
        consent=consent,
        channel="WEB",
        actor=person.user,
        co_borrower_id_number=co_borrower.id_number if co_borrower else None,
    )


class TestApplyForLoan:
    def test_pre_accepts_an_eligible_applicant_with_the_least_limit_of_the_real_balances(
        self, sources, django_capture_on_commit_callbacks
    ):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))

        with django_capture_on_commit_callbacks(execute=True):
            loan = apply(person)

        assert loan.status == LoanStatus.PRE_ACCEPTED
        assert loan.quota == TWELVE_MONTHS_TIMES_FIFTEEN
        assert loan.amount == loan.quota  # no amount stated: the quota
        assert loan.quota_limits["binding"] == "balance_multiple"
        assert set(loan.quota_limits["limits"]) == {
            "balance_multiple",
            "repayment_ability",
            "price_ratio",
            "city_cap",
        }
        assert loan.annual_rate == Decimal("0.026")
        assert loan.eligibility.kind == "loan"
        assert loan.eligibility.status == ApplicationStatus.APPROVED
        assert AuditEvent.objects.filter(action="loans.application_submitted").count() == 1
        assert Message.objects.filter(person=person, kind="loan_pre_accepted").exists()

    def test_keeps_the_amount_asked_for_below_the_quota(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))

        loan = apply(person, amount=30_000_000)

        assert loan.amount == 30_000_000
        assert loan.quota == TWELVE_MONTHS_TIMES_FIFTEEN

    def test_refuses_an_amount_above_the_quota_before_asking_any_source(self, sources):
        person = depositor()
        fakes = sources(**buying(person), credit_bureau=credit(person))

        with pytest.raises(AmountAboveQuota) as error:
            apply(person, amount=TWELVE_MONTHS_TIMES_FIFTEEN + 100)

        assert error.value.field == "amount"
        assert "432000.00" in error.value.message
        assert fakes["credit_bureau"].calls == []
        assert not LoanApplication.objects.exists()

    @pytest.mark.parametrize(
        "field, value",
        [
            ("seller_name", ""),
            ("seller_name", "某" * 51),
            ("seller_account", ""),
            ("seller_account", "1234-5678"),
        ],
    )
    def test_refuses_a_missing_or_malformed_seller_on_its_field_before_asking_any_source(
        self, sources, field, value
    ):
        person = depositor()
        fakes = sources(**buying(person), credit_bureau=credit(person))

        with pytest.raises(InvalidLoanField) as error:
            apply(person, **{field: value})

        assert error.value.field == field
        assert fakes["credit_bureau"].calls == []

    def test_keeps_the_sellers_account_as_digits_encrypted_at_rest(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))

        loan = apply(person, seller_account="6222 0212 3456 7890 128")

        assert loan.seller_account == "6222021234567890128"
        assert "6222021234567890128" not in _raw_seller_account(loan.pk)

    def test_rejects_a_borrower_still_repaying_a_fund_loan_and_says_why(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person, loans=[fund_loan()]))

        loan = apply(person)

        detail = loan_application_detail(loan, role="APPLICANT", language="en")
        assert loan.status == LoanStatus.REJECTED
        assert loan.closed_at is not None
        assert [reason["code"] for reason in detail.reasons] == ["FUND_LOAN_IN_REPAYMENT"]
        assert "still repaying a housing fund loan" in detail.reasons[0]["message"]

    def test_rejects_a_borrower_with_overdue_payments_and_says_why(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person, overdue_months=2))

        loan = apply(person)

        detail = loan_application_detail(loan, role="APPLICANT", language="zh-hans")
        assert loan.status == LoanStatus.REJECTED
        assert [reason["code"] for reason in detail.reasons] == ["OVERDUE_IN_LOOKBACK"]
        assert "逾期" in loan.note

    def test_keeps_it_pre_accepted_with_a_note_for_staff_when_the_credit_bureau_does_not_answer(
        self, sources
    ):
        person = depositor()
        sources(**buying(person), credit_bureau=FakeCreditBureau(unavailable=True))

        loan = apply(person)

        assert loan.status == LoanStatus.PRE_ACCEPTED
        assert "credit_bureau.credit_report" in loan.note
        assert ReviewCase.objects.filter(application=loan.eligibility).exists()

    def test_refuses_without_consent(self, sources):
        person = depositor()

        with pytest.raises(ConsentRequired):
            apply(person, consent=False)

    def test_refuses_a_second_open_application_of_the_same_person(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        apply(person)

        with pytest.raises(OpenLoanApplication) as error:
            apply(person)

        assert error.value.http_status == 409
        assert LoanApplication.objects.filter(applicant=person).count() == 1

    def test_refuses_a_borrower_still_repaying_a_loan_of_this_centre(self, sources):
        account = repaying_loan()
        person = account.application.applicant
        sources(**buying(person), credit_bureau=credit(person))

        with pytest.raises(LoanInRepayment) as error:
            apply(person)

        assert error.value.code == "FUND_LOAN_IN_REPAYMENT"
        assert LoanApplication.objects.filter(applicant=person).count() == 1

    def test_accepts_a_new_application_once_the_last_is_withdrawn(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        first = apply(person)
        withdraw_loan_application(loan_id=first.pk, actor=person.user)

        second = apply(person)

        assert second.status == LoanStatus.PRE_ACCEPTED


class TestCoBorrower:
    def test_waits_for_a_spouse_co_borrower_and_counts_both_balances(self, sources):
        person, spouse = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=married(person, spouse))

        loan = apply(person, co_borrower=spouse)

        assert loan.status == LoanStatus.AWAITING_CO_BORROWER
        assert loan.co_borrower == spouse
        assert loan.quota_limits["limits"]["balance_multiple"] == 2 * TWELVE_MONTHS_TIMES_FIFTEEN
        assert loan.quota_limits["binding"] == "city_cap"
        assert loan.quota == 80_000_000
        assert Message.objects.filter(person=spouse, kind="loan_co_borrower_asked").exists()

    def test_refuses_a_co_borrower_who_is_not_the_spouse(self, sources):
        person, other = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=FakeCivilAffairs())

        with pytest.raises(CoBorrowerNotSpouse) as error:
            apply(person, co_borrower=other)

        assert error.value.field == "co_borrower_id_number"

    def test_refuses_a_co_borrower_unknown_to_the_centre(self, sources):
        person = depositor()
        stranger = type("Stranger", (), {"id_number": "11010519491231002X"})()

        with pytest.raises(CoBorrowerUnknown):
            apply(person, co_borrower=stranger)

    def test_says_so_when_civil_affairs_does_not_answer(self, sources):
        person, spouse = depositor(), depositor()
        sources(civil_affairs=FakeCivilAffairs(unavailable=True))

        with pytest.raises(MarriageUnavailable):
            apply(person, co_borrower=spouse)

    def test_the_spouse_confirms_from_their_own_login(self, sources, django_capture_on_commit_callbacks):
        person, spouse = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=married(person, spouse))
        loan = apply(person, co_borrower=spouse)

        with django_capture_on_commit_callbacks(execute=True):
            confirmed = confirm_co_borrower(loan_id=loan.pk, actor=spouse.user)

        assert confirmed.status == LoanStatus.PRE_ACCEPTED
        assert confirmed.co_borrower_confirmed_at is not None
        assert Message.objects.filter(person=person, kind="loan_co_borrower_confirmed").exists()

    @pytest.mark.parametrize("who", ["applicant", "stranger"])
    def test_nobody_else_may_confirm(self, sources, who):
        person, spouse = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=married(person, spouse))
        loan = apply(person, co_borrower=spouse)
        actor = person.user if who == "applicant" else depositor().user

        with pytest.raises(NotYourLoanApplication):
            confirm_co_borrower(loan_id=loan.pk, actor=actor)

        loan.refresh_from_db()
        assert loan.status == LoanStatus.AWAITING_CO_BORROWER

    def test_the_co_borrower_may_not_apply_while_on_an_open_application(self, sources):
        person, spouse = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=married(person, spouse))
        apply(person, co_borrower=spouse)

        with pytest.raises(OpenLoanApplication):
            apply(spouse)


class TestWithdrawLoanApplication:
    def test_the_applicant_withdraws_and_the_co_borrower_is_told(self, sources):
        person, spouse = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=married(person, spouse))
        loan = apply(person, co_borrower=spouse)

        withdrawn = withdraw_loan_application(loan_id=loan.pk, actor=person.user)

        assert withdrawn.status == LoanStatus.WITHDRAWN
        assert withdrawn.closed_at is not None
        assert Message.objects.filter(person=spouse, kind="loan_withdrawn").exists()
        assert AuditEvent.objects.filter(action="loans.application_withdrawn").count() == 1

    def test_refuses_the_co_borrower_and_a_closed_application(self, sources):
        person, spouse = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=married(person, spouse))
        loan = apply(person, co_borrower=spouse)

        with pytest.raises(NotYourLoanApplication):
            withdraw_loan_application(loan_id=loan.pk, actor=spouse.user)
        withdraw_loan_application(loan_id=loan.pk, actor=person.user)
        with pytest.raises(LoanStatusConflict):
            withdraw_loan_application(loan_id=loan.pk, actor=person.user)


@pytest.fixture
def signing_counter(db):
    service = BookableServiceFactory()
    counter_offering(service, code="siming", name="思明服务网点", weekdays=range(7))
    return service


def first_open_slot(service):
    today = timezone.localdate()
    return open_slots(service=service, first=today + timedelta(days=1), last=today + timedelta(days=10))[0]


class TestBookSigning:
    def test_books_the_signing_and_links_it_to_the_application(self, sources, signing_counter):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        loan = apply(person)
        slot = first_open_slot(service_by_code("LOAN_SIGNING"))

        booked = book_signing(
            loan_id=loan.pk, starts_at=slot.starts_at, counter_code="siming", actor=person.user
        )

        assert booked.signing_booking.status == BookingStatus.BOOKED
        assert booked.signing_booking.purpose_ref == f"loan-application:{loan.pk}"
        detail = loan_application_detail(booked, role="APPLICANT", language="en")
        assert [todo.code for todo in detail.todos] == ["COME_TO_SIGN", "WAIT_FOR_APPROVAL"]

    def test_refuses_a_second_booking_while_one_is_active(self, sources, signing_counter):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        loan = apply(person)
        slot = first_open_slot(service_by_code("LOAN_SIGNING"))
        book_signing(loan_id=loan.pk, starts_at=slot.starts_at, counter_code="siming", actor=person.user)

        with pytest.raises(SigningAlreadyBooked):
            book_signing(loan_id=loan.pk, starts_at=slot.starts_at, counter_code="siming", actor=person.user)

    def test_refuses_before_the_co_borrower_has_confirmed(self, sources, signing_counter):
        person, spouse = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=married(person, spouse))
        loan = apply(person, co_borrower=spouse)
        slot = first_open_slot(service_by_code("LOAN_SIGNING"))

        with pytest.raises(LoanStatusConflict):
            book_signing(loan_id=loan.pk, starts_at=slot.starts_at, counter_code="siming", actor=person.user)

    def test_withdrawing_cancels_the_signing_appointment(self, sources, signing_counter):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        loan = apply(person)
        slot = first_open_slot(service_by_code("LOAN_SIGNING"))
        book_signing(loan_id=loan.pk, starts_at=slot.starts_at, counter_code="siming", actor=person.user)

        withdrawn = withdraw_loan_application(loan_id=loan.pk, actor=person.user)

        withdrawn.signing_booking.refresh_from_db()
        assert withdrawn.signing_booking.status == BookingStatus.CANCELLED


@pytest.fixture
def loan_hook():
    """The approvals hook of kind ``loan``: the loans app registers it when it starts."""
    hook = registry.hook_for("loan")
    assert hook is not None and hook.__module__ == "loans.hooks"
    return hook


def referred_and_claimed(sources):
    """A loan pre-accepted while the credit bureau did not answer, its review case claimed by a clerk."""
    person = depositor()
    sources(**buying(person), credit_bureau=FakeCreditBureau(unavailable=True))
    loan = apply(person)
    reviewer = staff_user(username="loan-reviewer")
    case = claim_case(case=ReviewCase.objects.get(application=loan.eligibility), actor=reviewer)
    return loan, case, reviewer


class TestAfterEligibilityDecided:
    def test_a_reviewer_rejecting_a_referred_check_rejects_the_pre_accepted_loan(
        self, sources, loan_hook, django_capture_on_commit_callbacks
    ):
        loan, case, reviewer = referred_and_claimed(sources)

        with django_capture_on_commit_callbacks(execute=True):
            reject_case(case=case, actor=reviewer, reason="征信报告显示有未结清的公积金贷款。")

        loan.refresh_from_db()
        assert loan.status == LoanStatus.REJECTED
        assert loan.note == "征信报告显示有未结清的公积金贷款。"
        assert Message.objects.filter(person=loan.applicant, kind="loan_rejected").exists()

    def test_a_reviewer_approving_leaves_the_loan_pre_accepted(
        self, sources, loan_hook, django_capture_on_commit_callbacks
    ):
        loan, case, reviewer = referred_and_claimed(sources)

        with django_capture_on_commit_callbacks(execute=True):
            approve_case(case=case, actor=reviewer, reason="征信报告无未结清贷款。")

        loan.refresh_from_db()
        assert loan.status == LoanStatus.PRE_ACCEPTED


class TestResubmitLoanApplication:
    def test_a_returned_application_goes_back_pre_accepted_with_the_corrected_figures(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        loan = apply(person)
        LoanApplication.objects.filter(pk=loan.pk).update(status=LoanStatus.RETURNED, note="房价与合同不符")

        resubmitted = resubmit_loan_application(
            loan_id=loan.pk, terms=terms(house_price=250_000_000, amount=30_000_000), actor=person.user
        )

        assert resubmitted.status == LoanStatus.PRE_ACCEPTED
        assert resubmitted.house_price == 250_000_000
        assert resubmitted.amount == 30_000_000
        assert resubmitted.quota == TWELVE_MONTHS_TIMES_FIFTEEN
        assert resubmitted.eligibility_id == loan.eligibility_id
        assert AuditEvent.objects.filter(action="loans.application_resubmitted").count() == 1

    def test_refuses_an_application_that_was_not_returned(self, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        loan = apply(person)

        with pytest.raises(LoanStatusConflict):
            resubmit_loan_application(loan_id=loan.pk, terms=terms(), actor=person.user)


def _raw_seller_account(loan_id: int) -> str:
    """The column as the database holds it, below the encrypting field."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT seller_account FROM loans_loanapplication WHERE id = %s", [loan_id])
        return cursor.fetchone()[0]
