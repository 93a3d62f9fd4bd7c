"""``GET /me/statement`` and ``/me/statement/yearly``: a person's own statement as JSON or a file, and
the yearly summary; nobody else's, and nothing for callers without a fund account."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import load_workbook
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.accounts.factories import FundAccountFactory
from tests.accounts.statement_history import History
from tests.approvals.factories import staff_user
from tests.core.pdf_reading import texts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

STATEMENT = reverse("api:me-statement")
YEARLY = reverse("api:me-statement-yearly")


@pytest.fixture
def today():
    with freeze_time("2026-11-27 10:00:00+08:00"):
        yield


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def history(employee_account):
    """Two deposits of 2,400.00 on 2026-06-15 (the fixture's), and this before and between them."""
    history = History(employee_account)
    history.deposit(date(2025, 2, 15), 200_000)
    history.interest(date(2025, 6, 30), 1_000)
    history.loan_offset(date(2025, 8, 1), 50_000)
    failed = history.transfer_out(date(2026, 3, 1), 100_000)
    history.reverse(failed, date(2026, 3, 4))
    return history


class TestMyStatement:
    def test_answers_this_year_with_balances_totals_and_movements_as_yuan_strings(
        self, api, employee, history
    ):
        api.force_authenticate(employee)

        response = api.get(STATEMENT)

        body = response.json()
        assert response.status_code == 200
        assert (body["date_from"], body["date_to"]) == ("2026-01-01", "2026-11-27")
        assert (body["opening_balance"], body["closing_balance"]) == ("1510.00", "6310.00")
        assert (body["total_credit"], body["total_debit"]) == ("5800.00", "1000.00")
        assert [(row["business_type"], row["credit"], row["debit"]) for row in body["totals"]] == [
            ("01", "4800.00", "0.00"),
            ("07", "1000.00", "1000.00"),
        ]
        reversal = body["movements"][1]
        assert reversal["reversal"] is True and reversal["amount"] == "1000.00"
        assert body["movements"][-1]["balance_after"] == body["closing_balance"]

    def test_follows_the_range_asked_for(self, api, employee, history):
        api.force_authenticate(employee)

        body = api.get(STATEMENT, {"from": "2025-01-01", "to": "2025-12-31"}).json()

        assert [row["posted_on"] for row in body["movements"]] == ["2025-02-15", "2025-06-30", "2025-08-01"]
        assert body["closing_balance"] == "1510.00"

    @pytest.mark.parametrize(
        ("query", "code", "field"),
        [
            ({"from": "2026-05-01", "to": "2026-04-01"}, "START_AFTER_END", "from"),
            ({"to": "2026-11-28"}, "DATE_IN_FUTURE", "to"),
            ({"from": "2006-01-01", "to": "2026-11-27"}, "RANGE_TOO_LONG", "from"),
            ({"from": "yesterday"}, "VALIDATION_ERROR", "from"),
            ({"format": "docx"}, "VALIDATION_ERROR", "format"),
        ],
    )
    def test_refuses_a_range_or_format_it_cannot_give_naming_the_field(
        self, api, employee, query, code, field
    ):
        api.force_authenticate(employee)

        response = api.get(STATEMENT, query)

        assert response.status_code == 400
        assert response.json()["code"] == code
        assert response.json()["errors"][0]["field"] == field

    def test_gives_the_csv_with_a_bom_and_records_the_download(self, api, employee, history):
        api.force_authenticate(employee)

        response = api.get(STATEMENT, {"format": "csv"})

        assert response.status_code == 200
        assert response.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert [row[5] for row in rows[1:]] == [
            "1510.00",
            "510.00",
            "1510.00",
            "3910.00",
            "6310.00",
            "6310.00",
        ]
        event = AuditEvent.objects.get(action="accounts.statement_downloaded")
        assert (event.actor, event.data["format"]) == (employee, "csv")

    def test_gives_an_xlsx_whose_closing_balance_is_the_statement_s(self, api, employee, history):
        api.force_authenticate(employee)

        response = api.get(STATEMENT, {"format": "xlsx"})

        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        header = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, max_row=10, values_only=True)}
        assert header["期末余额（元）"] == 6310

    def test_gives_a_pdf_naming_the_account(self, api, employee, employee_account, history):
        api.force_authenticate(employee)

        response = api.get(STATEMENT, {"format": "pdf"})

        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        text = texts(response.content)
        assert employee_account.account_no in text
        assert "外部转出（冲正）" in text

    def test_is_refused_to_an_employer_operator_and_to_staff(self, api, preparer):
        for caller in (preparer, staff_user(username="statement-clerk")):
            api.force_authenticate(caller)

            for url in (STATEMENT, YEARLY):
                assert api.get(url).status_code == 403
        assert not AuditEvent.objects.filter(action="accounts.statement_downloaded").exists()

    def test_gives_only_the_caller_s_own_account_whatever_the_query_names(self, api, employee, history):
        other = FundAccountFactory()
        History(other).deposit(date(2026, 2, 1), 987_600)
        api.force_authenticate(employee)

        body = api.get(STATEMENT, {"account_no": other.account_no, "person": other.person.pk}).json()

        assert body["account_no"] == employee.person.fund_account.account_no
        assert "9876.00" not in str(body)

    def test_needs_a_login(self, api):
        assert api.get(STATEMENT).status_code == 401


class TestMyYearlySummary:
    def test_lists_each_year_whose_figures_add_up_to_its_statement(self, api, employee, history):
        api.force_authenticate(employee)

        years = api.get(YEARLY).json()

        assert [year["year"] for year in years] == [2024, 2025, 2026]
        last_year = years[1]
        assert {key: last_year[key] for key in ("deposits", "interest", "loan", "closing_balance")} == {
            "deposits": "2000.00",
            "interest": "10.00",
            "loan": "500.00",
            "closing_balance": "1510.00",
        }
        this_year = years[2]
        statement = api.get(STATEMENT).json()
        assert this_year["opening_balance"] == statement["opening_balance"]
        assert this_year["closing_balance"] == statement["closing_balance"]
        assert this_year["transfers_out"] == "0.00"  # the transfer out failed and came back
