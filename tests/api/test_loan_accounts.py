"""Channel apps show a borrower's loan accounts and repay them: pay now, prepay, settle."""

from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from audit.models import AuditEvent
from loans.collection import collect_instalment
from loans.models import CollectionMode, LoanAccount, LoanAccountStatus
from tests.loans.factories_repayment import repaying_loan
from tests.loans.test_disbursement import borrower

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
#: Before the first instalment (2026-02-10): nothing is due, 15 days of interest have run.
BEFORE_FIRST_DUE = "2026-01-25 10:00:00+08:00"
#: Five days after the first instalment fell due, unpaid.
FIVE_DAYS_LATE = "2026-02-15 10:00:00+08:00"
# 120,000 yuan over 120 months at 2.6 %, equal instalments (see tests/loans/test_collection.py).
PAYMENT = "1136.70"


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def offsetting_loan(**fields) -> LoanAccount:
    """A repaying loan collected from a fund account holding 150,000 yuan."""
    account = repaying_loan(fund_balance=15_000_000, **fields)
    LoanAccount.objects.filter(pk=account.pk).update(collection_mode=CollectionMode.FUND_OFFSET)
    account.refresh_from_db()
    return account


def owner(account) -> APIClient:
    return client_of(account.application.applicant.user)


def url(name: str, account=None) -> str:
    return reverse(f"api:{name}", args=[account.account_no] if account is not None else [])


@freeze_time(BEFORE_FIRST_DUE)
class TestListAccounts:
    def test_lists_the_caller_s_accounts_with_money_as_yuan_strings(self):
        account = offsetting_loan()

        response = owner(account).get(url("loan-accounts"))

        assert response.status_code == 200
        [row] = response.json()
        assert row["account_no"] == account.account_no
        assert (row["status"], row["role"], row["collection_mode"]) == ("ACTIVE", "BORROWER", "FUND_OFFSET")
        assert (row["principal"], row["outstanding"], row["overdue_total"]) == (
            "120000.00",
            "120000.00",
            "0.00",
        )
        assert (row["next_due_on"], row["next_payment"]) == ("2026-02-10", PAYMENT)
        assert row["annual_rate"] == "0.026"
        assert row["settlement_certificate_code"] is None

    def test_shows_nobody_else_s(self):
        offsetting_loan()

        response = client_of(borrower().user).get(url("loan-accounts"))

        assert response.json() == []

    def test_names_the_co_borrower_s_role(self):
        account = offsetting_loan(co_borrower=borrower())

        response = client_of(account.application.co_borrower.user).get(url("loan-accounts"))

        assert [row["role"] for row in response.json()] == ["CO_BORROWER"]

    def test_needs_a_login(self):
        response = APIClient().get(url("loan-accounts"))

        assert response.status_code in (401, 403)


class TestAccountDetail:
    @freeze_time(BEFORE_FIRST_DUE)
    def test_shows_the_terms_the_position_and_the_schedule_in_force(self):
        account = offsetting_loan()

        response = owner(account).get(url("loan-account", account))

        body = response.json()
        assert response.status_code == 200
        assert body["account"]["repayment_day"] == 10
        assert body["account"]["opened_on"] == "2026-01-10"
        position = body["position"]
        assert (position["today"], position["outstanding"], position["months_left"]) == (
            "2026-01-25",
            "120000.00",
            120,
        )
        assert position["next_instalment"]["payment"] == PAYMENT
        assert position["next_instalment"]["interest"] == "260.00"
        assert (position["overdue"], position["in_flight"]) == ([], None)
        assert (position["may_pay_now"], position["may_prepay_or_settle"]) == (False, True)
        assert len(body["schedule"]) == 120
        assert body["schedule"][0] == {
            "period": 1,
            "due_on": "2026-02-10",
            "payment": PAYMENT,
            "principal": "876.70",
            "interest": "260.00",
            "remaining": "119123.30",
            "status": "DUE",
            "paid_on": None,
            "penalty": "0.00",
        }
        assert (body["repayments"], body["schedule_changes"], body["settlement_certificate"]) == (
            [],
            [],
            None,
        )

    def test_shows_a_late_instalment_with_its_penalty_to_date(self):
        account = offsetting_loan()

        with freeze_time(FIVE_DAYS_LATE):
            body = owner(account).get(url("loan-account", account)).json()

        [late] = body["position"]["overdue"]
        assert (late["period"], late["due_on"], late["days"], late["payment"]) == (
            1,
            "2026-02-10",
            5,
            PAYMENT,
        )
        assert late["penalty"] != "0.00"
        assert body["position"]["overdue_total"] == late["total"]
        assert body["position"]["may_pay_now"] is True

    def test_the_co_borrower_reads_it_too(self):
        account = offsetting_loan(co_borrower=borrower())

        response = client_of(account.application.co_borrower.user).get(url("loan-account", account))

        assert response.status_code == 200
        assert response.json()["account"]["role"] == "CO_BORROWER"

    def test_another_person_finds_nothing(self):
        account = offsetting_loan()

        response = client_of(borrower().user).get(url("loan-account", account), **ENGLISH)

        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
        assert response.json()["detail"] == "There is no such loan account of yours."

    def test_a_visitor_is_refused(self):
        account = offsetting_loan()

        response = APIClient().get(url("loan-account", account))

        assert response.status_code in (401, 403)


class TestCollectionMode:
    def test_the_borrower_switches_to_the_bank_card(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-collection-mode", account), {"mode": "BANK_DEBIT"}, format="json"
        )

        assert response.status_code == 200
        assert response.json()["collection_mode"] == "BANK_DEBIT"
        account.refresh_from_db()
        assert account.collection_mode == CollectionMode.BANK_DEBIT

    def test_an_unknown_mode_is_refused_with_its_code(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-collection-mode", account), {"mode": "CASH"}, format="json"
        )

        assert response.status_code == 400
        assert response.json()["code"] == "UNKNOWN_COLLECTION_MODE"
        assert response.json()["errors"][0]["field"] == "mode"

    def test_the_co_borrower_may_not_choose(self):
        account = offsetting_loan(co_borrower=borrower())

        response = client_of(account.application.co_borrower.user).post(
            url("loan-account-collection-mode", account), {"mode": "BANK_DEBIT"}, format="json"
        )

        assert response.status_code == 403
        assert response.json()["code"] == "NOT_BORROWER"

    def test_another_person_finds_nothing(self):
        account = offsetting_loan()

        response = client_of(borrower().user).post(
            url("loan-account-collection-mode", account), {"mode": "BANK_DEBIT"}, format="json"
        )

        assert response.status_code == 404


class TestPayNow:
    @freeze_time(FIVE_DAYS_LATE)
    def test_pays_the_late_instalment_with_its_penalty_from_the_fund_account(self):
        account = offsetting_loan()

        response = owner(account).post(url("loan-account-pay-now", account))

        body = response.json()
        assert response.status_code == 201
        repayment = body["repayment"]
        assert (repayment["kind"], repayment["channel"], repayment["status"]) == (
            "INSTALMENT",
            "FUND_OFFSET",
            "SUCCEEDED",
        )
        assert (repayment["instalment_period"], repayment["principal"], repayment["interest"]) == (
            1,
            "876.70",
            "260.00",
        )
        assert repayment["penalty"] != "0.00"
        assert repayment["amount"] == _yuan(_fen(PAYMENT) + _fen(repayment["penalty"]))
        assert (body["account"]["outstanding"], body["account"]["overdue_total"]) == ("119123.30", "0.00")

    @freeze_time(FIVE_DAYS_LATE)
    def test_says_why_a_card_debit_failed(self):
        account = repaying_loan(card=False)

        response = owner(account).post(url("loan-account-pay-now", account))

        assert response.status_code == 201
        repayment = response.json()["repayment"]
        assert (repayment["channel"], repayment["status"], repayment["failure_code"]) == (
            "BANK_DEBIT",
            "FAILED",
            "NO_VERIFIED_CARD",
        )

    @freeze_time(BEFORE_FIRST_DUE)
    def test_there_is_nothing_to_pay_before_the_due_date(self):
        account = offsetting_loan()

        response = owner(account).post(url("loan-account-pay-now", account), **ENGLISH)

        assert response.status_code == 409
        assert response.json()["code"] == "NOTHING_DUE"

    @freeze_time(FIVE_DAYS_LATE)
    def test_the_co_borrower_may_not_pay_through_the_borrower_s_account(self):
        account = offsetting_loan(co_borrower=borrower())

        response = client_of(account.application.co_borrower.user).post(url("loan-account-pay-now", account))

        assert response.status_code == 403
        assert response.json()["code"] == "NOT_BORROWER"

    @freeze_time(FIVE_DAYS_LATE)
    def test_another_person_finds_nothing(self):
        account = offsetting_loan()

        response = client_of(borrower().user).post(url("loan-account-pay-now", account))

        assert response.status_code == 404
        assert not account.repayments.exists()


def _fen(yuan: str) -> int:
    whole, _dot, cents = yuan.partition(".")
    return int(whole) * 100 + int(cents)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


class TestPrepaymentQuote:
    @freeze_time(BEFORE_FIRST_DUE)
    def test_prices_the_prepayment_and_both_ways_to_carry_on(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-prepayment-quote", account), {"amount": "50000.00"}, format="json"
        )

        body = response.json()
        assert response.status_code == 200
        # 50,000 yuan × 2.6 % / 360 × 15 days (from the disbursement on 10 January).
        assert (body["prepaid"], body["interest"], body["total"]) == ("50000.00", "54.17", "50054.17")
        assert (body["interest_since"], body["next_due_on"], body["outstanding"]) == (
            "2026-01-10",
            "2026-02-10",
            "120000.00",
        )
        assert (body["before"]["months"], body["before"]["first_payment"]) == (120, PAYMENT)
        shorter, lower = body["options"]
        assert (shorter["option"], lower["option"]) == ("SHORTEN_TERM", "LOWER_PAYMENT")
        assert shorter["months"] < 120 and _fen(shorter["first_payment"]) <= _fen(PAYMENT)
        assert lower["months"] == 120 and lower["ends_on"] == "2036-01-10"
        assert _fen(lower["first_payment"]) < _fen(PAYMENT)
        assert _fen(shorter["interest_saved"]) > _fen(lower["interest_saved"]) > 0

    @freeze_time(BEFORE_FIRST_DUE)
    def test_refuses_a_prepayment_of_everything_owed(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-prepayment-quote", account), {"amount": "120000.00"}, format="json", **ENGLISH
        )

        body = response.json()
        assert response.status_code == 400
        assert body["code"] == "INVALID_PREPAYMENT"
        assert body["errors"][0]["field"] == "amount"

    @freeze_time(BEFORE_FIRST_DUE)
    def test_refuses_an_amount_not_in_yuan(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-prepayment-quote", account), {"amount": 500}, format="json"
        )

        assert response.status_code == 400
        assert response.json()["code"] == "VALIDATION_ERROR"
        assert response.json()["errors"][0]["field"] == "amount"


class TestPrepay:
    @freeze_time(BEFORE_FIRST_DUE)
    def test_prepays_from_the_fund_account_and_the_shorter_schedule_is_in_force(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-prepayments", account),
            {"amount": "50000.00", "option": "SHORTEN_TERM", "channel": "FUND_OFFSET"},
            format="json",
        )

        body = response.json()
        assert response.status_code == 201
        repayment = body["repayment"]
        assert (repayment["kind"], repayment["status"], repayment["option"]) == (
            "PREPAYMENT",
            "SUCCEEDED",
            "SHORTEN_TERM",
        )
        assert (repayment["amount"], repayment["principal"], repayment["interest"]) == (
            "50054.17",
            "50000.00",
            "54.17",
        )
        assert body["account"]["outstanding"] == "70000.00"
        detail = owner(account).get(url("loan-account", account)).json()
        [change] = detail["schedule_changes"]
        assert (change["kind"], change["old_months"], change["old_payment"]) == ("PREPAYMENT", 120, PAYMENT)
        assert change["new_months"] < 120
        assert len(detail["schedule"]) == change["new_months"]
        assert detail["repayments"][0]["id"] == repayment["id"]

    @freeze_time(FIVE_DAYS_LATE)
    def test_is_refused_while_an_instalment_is_overdue(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-prepayments", account),
            {"amount": "50000.00", "option": "SHORTEN_TERM", "channel": "FUND_OFFSET"},
            format="json",
            **ENGLISH,
        )

        assert response.status_code == 409
        assert response.json()["code"] == "INSTALMENTS_UNPAID"
        assert not account.repayments.exists()

    @freeze_time(BEFORE_FIRST_DUE)
    def test_refuses_a_prepayment_of_everything_owed(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-prepayments", account),
            {"amount": "120000.00", "option": "LOWER_PAYMENT", "channel": "FUND_OFFSET"},
            format="json",
        )

        assert response.status_code == 400
        assert response.json()["code"] == "INVALID_PREPAYMENT"
        assert response.json()["errors"][0]["field"] == "amount"

    @freeze_time(BEFORE_FIRST_DUE)
    def test_refuses_an_unknown_option(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-prepayments", account),
            {"amount": "50000.00", "option": "SKIP_A_MONTH", "channel": "FUND_OFFSET"},
            format="json",
        )

        assert response.status_code == 400
        assert response.json()["code"] == "UNKNOWN_PREPAYMENT_OPTION"

    @freeze_time(BEFORE_FIRST_DUE)
    def test_refuses_more_than_the_fund_account_holds(self):
        account = repaying_loan(fund_balance=100_000)

        response = owner(account).post(
            url("loan-account-prepayments", account),
            {"amount": "50000.00", "option": "SHORTEN_TERM", "channel": "FUND_OFFSET"},
            format="json",
        )

        assert response.status_code == 409
        assert response.json()["code"] == "FUND_BALANCE_SHORT"

    @freeze_time(BEFORE_FIRST_DUE)
    def test_another_person_finds_nothing(self):
        account = offsetting_loan()

        response = client_of(borrower().user).post(
            url("loan-account-prepayments", account),
            {"amount": "50000.00", "option": "SHORTEN_TERM", "channel": "FUND_OFFSET"},
            format="json",
        )

        assert response.status_code == 404


class TestSettlement:
    @freeze_time(BEFORE_FIRST_DUE)
    def test_quotes_the_principal_owed_and_its_interest_since_the_last_due_date(self):
        account = offsetting_loan()

        response = owner(account).post(url("loan-account-settlement-quote", account))

        assert response.status_code == 200
        assert response.json() == {
            "on": "2026-01-25",
            "principal": "120000.00",
            "interest": "130.00",
            "interest_since": "2026-01-10",
            "days": 15,
            "total": "120130.00",
        }

    @freeze_time(BEFORE_FIRST_DUE)
    def test_settles_from_the_fund_account_and_the_certificate_code_follows(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-settlement", account), {"channel": "FUND_OFFSET"}, format="json"
        )

        body = response.json()
        assert response.status_code == 201
        assert (body["repayment"]["kind"], body["repayment"]["status"], body["repayment"]["amount"]) == (
            "SETTLEMENT",
            "SUCCEEDED",
            "120130.00",
        )
        assert (body["account"]["status"], body["account"]["settled_on"], body["account"]["outstanding"]) == (
            "SETTLED",
            "2026-01-25",
            "0.00",
        )
        account.refresh_from_db()
        assert account.status == LoanAccountStatus.SETTLED
        code = account.settlement_seal.code
        assert body["account"]["settlement_certificate_code"] == code
        detail = owner(account).get(url("loan-account", account)).json()
        assert detail["settlement_certificate"]["code"] == code
        assert detail["settlement_certificate"]["verify_url"] == f"http://testserver/seals/{code}/"
        assert detail["position"]["may_prepay_or_settle"] is False

    @freeze_time(FIVE_DAYS_LATE)
    def test_is_refused_while_an_instalment_is_overdue(self):
        account = offsetting_loan()

        quote = owner(account).post(url("loan-account-settlement-quote", account))
        settled = owner(account).post(
            url("loan-account-settlement", account), {"channel": "FUND_OFFSET"}, format="json"
        )

        assert (quote.status_code, quote.json()["code"]) == (409, "INSTALMENTS_UNPAID")
        assert (settled.status_code, settled.json()["code"]) == (409, "INSTALMENTS_UNPAID")

    @freeze_time(BEFORE_FIRST_DUE)
    def test_refuses_an_unknown_channel(self):
        account = offsetting_loan()

        response = owner(account).post(
            url("loan-account-settlement", account), {"channel": "CASH"}, format="json"
        )

        assert response.status_code == 400
        assert response.json()["code"] == "UNKNOWN_CHANNEL"

    @freeze_time(BEFORE_FIRST_DUE)
    def test_another_person_finds_nothing(self):
        account = offsetting_loan()

        response = client_of(borrower().user).post(
            url("loan-account-settlement", account), {"channel": "FUND_OFFSET"}, format="json"
        )

        assert response.status_code == 404
        account.refresh_from_db()
        assert account.status == LoanAccountStatus.ACTIVE


class TestAfterPayingOnTime:
    def test_the_statement_lists_the_instalment_paid(self):
        account = offsetting_loan()
        with freeze_time("2026-02-10 05:30:00+08:00"):
            collect_instalment(account_id=account.pk, today=date(2026, 2, 10))

        with freeze_time("2026-02-11 10:00:00+08:00"):
            body = owner(account).get(url("loan-account", account)).json()

        [paid] = body["repayments"]
        assert (paid["kind"], paid["movement"], paid["amount"], paid["received_on"]) == (
            "INSTALMENT",
            "05",
            PAYMENT,
            "2026-02-10",
        )
        assert body["schedule"][0]["status"] == "PAID"
        assert body["position"]["next_instalment"]["period"] == 2


class TestSettledCertificate:
    def test_the_borrower_downloads_it_once_settled(self):
        account = offsetting_loan()
        with freeze_time(BEFORE_FIRST_DUE):
            owner(account).post(
                url("loan-account-settlement", account), {"channel": "FUND_OFFSET"}, format="json"
            )
        account.refresh_from_db()

        response = owner(account).get(url("loan-account-settled-certificate", account))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="loan-settled-certificate-{account.account_no}.pdf"'
        )
        assert response.content.startswith(b"%PDF")
        assert AuditEvent.objects.filter(action="loans.settled_certificate_downloaded").count() == 1

    @freeze_time(BEFORE_FIRST_DUE)
    def test_a_loan_still_repaying_has_none(self):
        account = offsetting_loan()

        response = owner(account).get(
            url("loan-account-settled-certificate", account), HTTP_ACCEPT="application/pdf", **ENGLISH
        )

        assert response.status_code == 409
        assert response.json()["code"] == "LOAN_NOT_SETTLED"

    def test_another_person_finds_nothing(self):
        account = offsetting_loan()

        response = client_of(borrower().user).get(url("loan-account-settled-certificate", account))

        assert response.status_code == 404
