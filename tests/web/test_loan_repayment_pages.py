"""The borrower's repayment pages in the hall (where the loan stands, pay now, how it is repaid,
prepayment, settlement) and the staff's overdue book."""

from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time

from integrations.bank.fakes import FakeCollectionBank
from integrations.bank.testing import use_bank
from loans.models import (
    CollectionMode,
    InstalmentStatus,
    LoanAccount,
    LoanAccountStatus,
    LoanScheduleChange,
    PrepaymentOption,
    RepaymentStatus,
    ScheduleChangeKind,
)
from loans.prepayment import quote_prepayment
from tests.loans.factories_approval import clerk
from tests.loans.factories_repayment import repaying_loan
from tests.loans.test_disbursement import borrower

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
CHINESE = {"accept-language": "zh-hans"}
FUND, BANK = CollectionMode.FUND_OFFSET, CollectionMode.BANK_DEBIT
#: Before the first instalment (2026-02-10): the loan may be prepaid or settled.
QUIET_DAY = "2026-01-20 10:00:00+08:00"
#: Ten days after the first instalment fell due unpaid.
LATE_DAY = "2026-02-20 10:00:00+08:00"
# 120,000 yuan over 120 months at 2.6 %, equal instalments: 1,136.70 a month (tests/loans/test_collection.py).
PAYMENT = 113_670
# 10 days late: 1,136.70 × 2.6 % / 360 × 1.5 × 10 = 1.2314… yuan → 1.23.
TEN_DAYS_PENALTY = 123


@pytest.fixture
def bank():
    with use_bank(FakeCollectionBank()) as fake:
        yield fake


def page(pk: int, name: str = "web:hall-loan-account") -> str:
    return reverse(name, args=[pk])


def log_in_as_borrower(client, account: LoanAccount) -> None:
    client.force_login(account.application.applicant.user)


def loan_pk(account: LoanAccount) -> int:
    return account.application_id


class TestWhereTheLoanStands:
    @freeze_time(QUIET_DAY)
    def test_shows_the_principal_owed_the_next_instalment_and_what_is_left(self, client):
        account = repaying_loan()
        log_in_as_borrower(client, account)

        response = client.get(page(loan_pk(account)), headers=CHINESE)

        text = response.content.decode()
        assert response.status_code == 200
        assert "今天的还款情况" in text
        assert "120,000.00" in text
        assert "1,136.70" in text
        assert "2026-02-10" in text
        assert response.context["position"].months_left == 120
        assert 'id="overdue"' not in text
        assert page(loan_pk(account), "web:hall-loan-prepay") in text
        assert page(loan_pk(account), "web:hall-loan-settle") in text

    def test_the_list_of_loans_leads_straight_to_the_account(self, client):
        account = repaying_loan()
        log_in_as_borrower(client, account)

        text = client.get(reverse("web:hall-loans"), headers=CHINESE).content.decode()

        assert f'href="{page(loan_pk(account))}"' in text

    @freeze_time(LATE_DAY)
    def test_warns_of_an_overdue_instalment_with_its_days_and_penalty(self, client):
        account = repaying_loan()
        log_in_as_borrower(client, account)

        response = client.get(page(loan_pk(account)), headers=ENGLISH)

        text = response.content.decode()
        assert "Instalments overdue: 1." in text
        assert '<td class="num" data-label="Days late">10</td>' in text
        assert '<td class="num" data-label="Penalty to date (yuan)">1.23</td>' in text
        assert '<strong id="overdue-total">1,137.93</strong>' in text
        assert 'id="pay-now"' in text
        assert "Pay the overdue instalments first" in text
        assert page(loan_pk(account), "web:hall-loan-prepay") not in text

    @freeze_time(QUIET_DAY)
    def test_the_co_borrower_reads_it_but_is_offered_no_action(self, client):
        account = repaying_loan(co_borrower=borrower())
        client.force_login(account.application.co_borrower.user)

        response = client.get(page(loan_pk(account)), headers=ENGLISH)

        text = response.content.decode()
        assert response.status_code == 200
        assert 'id="collection-mode-form"' not in text
        assert page(loan_pk(account), "web:hall-loan-prepay") not in text
        assert "Only the main borrower" in text

    @freeze_time(QUIET_DAY)
    def test_another_employee_finds_nothing(self, client):
        account = repaying_loan()
        client.force_login(borrower().user)

        pages = [
            client.get(page(loan_pk(account), name))
            for name in ("web:hall-loan-account", "web:hall-loan-prepay", "web:hall-loan-settle")
        ]
        pay = client.post(page(loan_pk(account), "web:hall-loan-pay-now"))
        mode = client.post(page(loan_pk(account), "web:hall-loan-collection-mode"), {"mode": FUND})

        assert [response.status_code for response in pages] == [404, 404, 404]
        assert (pay.status_code, mode.status_code) == (404, 404)
        account.refresh_from_db()
        assert account.collection_mode == BANK


class TestPayNow:
    def test_pays_the_overdue_instalment_with_its_penalty(
        self, client, bank, django_capture_on_commit_callbacks
    ):
        account = repaying_loan()
        log_in_as_borrower(client, account)

        with freeze_time(LATE_DAY), django_capture_on_commit_callbacks(execute=True):
            response = client.post(page(loan_pk(account), "web:hall-loan-pay-now"), headers=ENGLISH)

        assert response.status_code == 302
        assert response["Location"] == page(loan_pk(account))
        instalment = account.instalments.get(period=1, status=InstalmentStatus.PAID)
        assert (instalment.paid_on, instalment.penalty) == (date(2026, 2, 20), TEN_DAYS_PENALTY)
        repayment = account.repayments.get()
        assert (repayment.status, repayment.amount) == (
            RepaymentStatus.SUCCEEDED,
            PAYMENT + TEN_DAYS_PENALTY,
        )

    def test_the_statement_then_shows_the_payment(self, client, bank, django_capture_on_commit_callbacks):
        account = repaying_loan()
        log_in_as_borrower(client, account)
        with freeze_time(LATE_DAY), django_capture_on_commit_callbacks(execute=True):
            client.post(page(loan_pk(account), "web:hall-loan-pay-now"))

        with freeze_time(LATE_DAY):
            response = client.get(page(loan_pk(account)), headers=ENGLISH)

        text = response.content.decode()
        assert 'id="overdue"' not in text
        assert "Overdue repayment (逾期还款)" in text
        assert '<td class="num" data-label="Amount (yuan)">1,137.93</td>' in text
        assert '<td class="num" data-label="Penalty (yuan)">1.23</td>' in text
        assert "Money in" in text


class TestHowTheBorrowerRepays:
    @freeze_time(QUIET_DAY)
    def test_choosing_the_fund_account_is_saved(self, client):
        account = repaying_loan(fund_balance=500_000)
        log_in_as_borrower(client, account)

        response = client.post(
            page(loan_pk(account), "web:hall-loan-collection-mode"), {"mode": FUND}, headers=ENGLISH
        )

        assert response.status_code == 302
        account.refresh_from_db()
        assert account.collection_mode == FUND
        shown = client.get(response["Location"], headers=ENGLISH).content.decode()
        assert "a month the balance is short, your bank card is debited instead" in shown
        assert f'value="{FUND}" id="id_mode_1" required checked' in shown

    @freeze_time(QUIET_DAY)
    def test_a_fund_account_that_cannot_pay_is_refused_on_the_form(self, client):
        account = repaying_loan()
        log_in_as_borrower(client, account)

        response = client.post(
            page(loan_pk(account), "web:hall-loan-collection-mode"), {"mode": FUND}, headers=ENGLISH
        )

        assert response.status_code == 409
        assert "cannot repay the loan" in response.content.decode()
        account.refresh_from_db()
        assert account.collection_mode == BANK


class TestPrepaymentPage:
    @freeze_time(QUIET_DAY)
    def test_asks_for_the_amount_first(self, client):
        account = repaying_loan()
        log_in_as_borrower(client, account)

        response = client.get(page(loan_pk(account), "web:hall-loan-prepay"), headers=CHINESE)

        text = response.content.decode()
        assert response.status_code == 200
        assert 'id="prepay-amount-form"' in text
        assert 'id="preview"' not in text

    @freeze_time(QUIET_DAY)
    def test_previews_both_options_side_by_side(self, client):
        account = repaying_loan(fund_balance=2_000_000)
        log_in_as_borrower(client, account)
        quote = quote_prepayment(account=account, prepaid=1_000_000, on=date(2026, 1, 20))

        response = client.get(
            page(loan_pk(account), "web:hall-loan-prepay"), {"amount": "10000"}, headers=ENGLISH
        )

        text = response.content.decode()
        shorter, lower = quote.plan.shorten_term, quote.plan.lower_payment
        assert response.status_code == 200
        assert shorter.months < 120 and lower.months == 120
        assert f'<td class="num" id="months-shorten_term">{shorter.months}</td>' in text
        assert f'<td class="num" id="months-lower_payment">{lower.months}</td>' in text
        assert f'id="payment-lower_payment">{lower.first_payment // 100:,}.' in text
        assert f'id="saved-shorten_term"><strong>{shorter.interest_saved // 100:,}.' in text
        assert f'id="saved-lower_payment"><strong>{lower.interest_saved // 100:,}.' in text
        assert quote.interest > 0
        assert f'<strong id="prepay-total">{quote.total // 100:,}.{quote.total % 100:02d}</strong>' in text
        assert "Interest on it since 2026-01-10" in text

    @freeze_time(QUIET_DAY)
    def test_an_amount_not_below_the_principal_is_refused_on_the_amount(self, client):
        account = repaying_loan()
        log_in_as_borrower(client, account)

        response = client.get(
            page(loan_pk(account), "web:hall-loan-prepay"), {"amount": "120000"}, headers=ENGLISH
        )

        assert response.status_code == 400
        assert 'id="id_amount_error"' in response.content.decode()

    @freeze_time(QUIET_DAY)
    def test_confirming_with_the_fund_account_puts_the_new_schedule_in_force(self, client):
        account = repaying_loan(fund_balance=2_000_000)
        log_in_as_borrower(client, account)

        response = client.post(
            page(loan_pk(account), "web:hall-loan-prepay"),
            {"amount": "10000.00", "option": PrepaymentOption.LOWER_PAYMENT, "channel": FUND},
            headers=ENGLISH,
        )

        assert response.status_code == 302
        change = LoanScheduleChange.objects.get(account=account)
        assert (change.kind, change.old_months, change.new_months) == (
            ScheduleChangeKind.PREPAYMENT,
            120,
            120,
        )
        assert change.new_payment < change.old_payment
        shown = client.get(response["Location"], headers=ENGLISH).content.decode()
        assert "the new schedule is in force" in shown
        assert 'id="schedule-changes"' in shown
        assert "Partial prepayment" in shown

    @freeze_time(QUIET_DAY)
    def test_a_fund_balance_short_of_the_amount_is_refused_on_the_channel(self, client):
        account = repaying_loan(fund_balance=100_000)
        log_in_as_borrower(client, account)

        response = client.post(
            page(loan_pk(account), "web:hall-loan-prepay"),
            {"amount": "10000.00", "option": PrepaymentOption.SHORTEN_TERM, "channel": FUND},
            headers=ENGLISH,
        )

        assert response.status_code == 409
        assert response.context["form"].errors["channel"]
        assert 'id="preview"' in response.content.decode()
        assert not LoanScheduleChange.objects.filter(account=account).exists()

    @freeze_time(LATE_DAY)
    def test_explains_why_not_while_an_instalment_is_overdue(self, client):
        account = repaying_loan()
        log_in_as_borrower(client, account)

        response = client.get(page(loan_pk(account), "web:hall-loan-prepay"), headers=ENGLISH)

        assert "Pay the overdue instalments first" in response.content.decode()


class TestSettlementPage:
    @freeze_time(QUIET_DAY)
    def test_quotes_the_principal_and_the_interest_since_the_last_due_date(self, client):
        account = repaying_loan()
        log_in_as_borrower(client, account)

        response = client.get(page(loan_pk(account), "web:hall-loan-settle"), headers=ENGLISH)

        text = response.content.decode()
        quote = response.context["quote"]
        assert response.status_code == 200
        assert (quote.principal, quote.days) == (12_000_000, 10)
        assert '<dd id="settle-principal">120,000.00 yuan</dd>' in text
        assert "Interest since 2026-01-10 (days: 10)" in text

    @freeze_time(QUIET_DAY)
    def test_settling_from_the_fund_account_settles_the_loan_and_shows_the_certificate_code(self, client):
        account = repaying_loan(fund_balance=20_000_000)
        log_in_as_borrower(client, account)

        response = client.post(page(loan_pk(account), "web:hall-loan-settle"), {"channel": FUND})

        assert response.status_code == 302
        account.refresh_from_db()
        assert (account.status, account.settled_on) == (LoanAccountStatus.SETTLED, date(2026, 1, 20))
        shown = client.get(response["Location"], headers=ENGLISH).content.decode()
        code = account.settlement_seal.code
        assert "Your loan is settled" in shown
        assert f'href="{reverse("web:certificate", args=[code])}">{code}</a>' in shown
        assert 'id="position"' not in shown


class TestStaffOverdueBook:
    @freeze_time(LATE_DAY)
    def test_lists_an_overdue_loan_with_its_borrower_masked(self, client):
        account = repaying_loan()
        person = account.application.applicant
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-overdue"), headers=ENGLISH)

        text = response.content.decode()
        assert response.status_code == 200
        assert account.account_no in text
        assert person.name in text
        assert person.id_number not in text
        assert reverse("web:staff-loan-contract", args=[loan_pk(account)]) in text
        assert '<td class="num" data-label="Penalty to date (yuan)">1.23</td>' in text

    @freeze_time(QUIET_DAY)
    def test_says_so_when_no_loan_is_overdue(self, client):
        repaying_loan()
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-overdue"), headers=ENGLISH)

        assert 'id="no-overdue-loans"' in response.content.decode()

    @freeze_time(LATE_DAY)
    def test_refuses_an_employee(self, client):
        account = repaying_loan()
        log_in_as_borrower(client, account)

        response = client.get(reverse("web:staff-loan-overdue"))

        assert response.status_code == 403


class TestStaffLoanPage:
    @freeze_time(LATE_DAY)
    def test_shows_how_the_loan_is_repaid_and_what_is_overdue(self, client):
        account = repaying_loan()
        client.force_login(clerk())

        response = client.get(reverse("web:staff-loan-contract", args=[loan_pk(account)]), headers=CHINESE)

        text = response.content.decode()
        assert response.status_code == 200
        assert 'id="staff-collection-mode"' in text
        assert "逾期 1 期，含截至今日罚息共 1,137.93 元" in text
