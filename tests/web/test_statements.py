"""The hall's statement: a date range's movements and totals, its csv, xlsx and PDF downloads (audited),
the balance chart drawn as inline SVG, and the yearly summary."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import load_workbook

from accounts.statements import MonthBalance, fund_statement
from approvals.engine import add_months
from audit.models import AuditEvent
from tests.accounts.factories import FundAccountFactory
from tests.accounts.statement_history import History, monthly_history
from tests.core.pdf_reading import ink, texts
from web.statements import balance_chart

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

PAGE = reverse("web:hall-statement")
YEARLY = reverse("web:hall-statement-yearly")
ENGLISH = {"accept-language": "en"}
THIS_YEAR = {"from": "2026-01-01", "to": "2026-11-27"}


@pytest.fixture
def today():
    with freeze_time("2026-11-27 10:00:00+08:00"):
        yield


@pytest.fixture
def history(employee_account):
    """The employee's account (two deposits of 2,400.00 on 2026-06-15) with a year and more before."""
    history = History(employee_account)
    history.deposit(date(2025, 1, 15), 100_000)
    history.interest(date(2025, 6, 30), 1_500)
    history.withdraw(date(2025, 9, 1), 30_000)
    history.deposit(date(2026, 3, 15), 120_000)
    return history


def download(client, fmt, query=THIS_YEAR):
    return client.get(reverse("web:hall-statement-download", args=[fmt]), query)


def rows_of_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


class TestStatementPage:
    def test_shows_this_year_by_default_with_opening_and_closing_balances(self, client, employee, history):
        client.force_login(employee)

        response = client.get(PAGE)

        statement = response.context["statement"]
        assert (statement.date_from, statement.date_to) == (date(2026, 1, 1), date(2026, 11, 27))
        assert (statement.opening_balance, statement.closing_balance) == (71_500, 671_500)
        assert '<div class="value" id="opening-balance">715.00</div>' in response.text
        assert '<div class="value" id="closing-balance">6,715.00</div>' in response.text
        movements = re.search(r'<table class="statement-movements".*?</table>', response.text, re.S)[0]
        assert movements.count("<td>汇缴</td>") == 3

    def test_totals_each_business_type_of_the_range(self, client, employee, history):
        client.force_login(employee)

        response = client.get(PAGE, {"from": "2025-01-01", "to": "2025-12-31"}, headers=ENGLISH)

        totals = re.search(r'<table class="statement-totals" id="totals">.*?</table>', response.text, re.S)[0]
        assert "<td>Monthly deposit</td><td" in totals
        assert '<td class="num">1,000.00</td><td class="num">0.00</td>' in totals
        assert '<td>Year-end interest</td><td class="num">15.00</td>' in totals
        assert '<td>Partial withdrawal</td><td class="num">0.00</td><td class="num">300.00</td>' in totals

    @pytest.mark.parametrize(
        ("query", "field", "message"),
        [
            ({"from": "2026-05-01", "to": "2026-01-01"}, "from", "开始日期晚于结束日期。"),
            ({"from": "2026-01-01", "to": "2026-12-31"}, "to", "截止日期不能晚于今天（2026-11-27）。"),
            ({"from": "2001-01-01", "to": "2026-11-27"}, "from", "对账期间最长20年"),
            ({"from": "2026-02-30"}, "from", "有效"),
        ],
    )
    def test_says_which_date_to_change_for_a_range_it_refuses(self, client, employee, query, field, message):
        client.force_login(employee)

        response = client.get(PAGE, query)

        assert response.status_code == 200
        assert response.context["invalid_range"] is True
        assert re.search(rf'<p class="errors" role="alert" id="{field}-error">[^<]*{message}', response.text)
        assert 'id="downloads"' not in response.text

    def test_is_closed_to_an_employer_operator(self, client, preparer):
        client.force_login(preparer)

        assert client.get(PAGE).status_code == 403
        assert download(client, "csv").status_code == 403
        assert client.get(YEARLY).status_code == 403

    def test_shows_only_the_person_s_own_account_whatever_the_query_says(self, client, employee, history):
        other = FundAccountFactory()
        History(other).deposit(date(2026, 2, 1), 987_600)
        client.force_login(employee)

        response = client.get(PAGE, {**THIS_YEAR, "account_no": other.account_no})

        assert response.context["account"].person.user == employee
        assert f"<h1>账户明细 · {other.account_no}</h1>" not in response.text
        assert "9,876.00" not in response.text

    def test_the_hall_menu_leads_to_it(self, client, employee):
        client.force_login(employee)

        response = client.get(reverse("web:hall-home"))

        assert f'<a href="{PAGE}" id="nav-statement">账户明细</a>' in response.text


class TestBalanceChart:
    def test_draws_one_point_for_each_of_the_last_24_months_by_default(self, client, employee, history):
        client.force_login(employee)

        response = client.get(PAGE)

        svg = re.search(r'<svg class="chart".*?</svg>', response.text, re.S)[0]
        assert svg.count('<circle class="point"') == 24
        assert "<title>2024-12: 0.00</title>" in svg
        assert "<title>2026-11: 6,715.00</title>" in svg
        assert '<title id="balance-chart-title">' in svg and '<desc id="balance-chart-desc">' in svg
        assert 'aria-labelledby="balance-chart-title balance-chart-desc"' in svg

    def test_follows_the_months_of_a_chosen_range_with_a_table_beside_it(self, client, employee, history):
        client.force_login(employee)

        response = client.get(PAGE, {"from": "2025-01-01", "to": "2025-12-31"})

        svg = re.search(r'<svg class="chart".*?</svg>', response.text, re.S)[0]
        table = re.search(r'<table id="balance-table">.*?</table>', response.text, re.S)[0]
        assert svg.count('<circle class="point"') == 12
        assert table.count("<tr><td>2025-") == 12
        assert '<tr><td>2025-09</td><td>2025-09-30</td><td class="num">715.00</td></tr>' in table

    def test_labels_the_ends_and_only_the_januaries_clear_of_them(self):
        first = date(2024, 12, 1)
        months = [
            MonthBalance(month=add_months(first, n), as_of=add_months(first, n), balance=n * 100)
            for n in range(24)
        ]

        labels = [tick["label"] for tick in balance_chart(months)["ticks"]]

        # January 2025 is one month after the first label and would print over it.
        assert labels == ["2024-12", "2026-01", "2026-11"]

    def test_uses_no_script_and_nothing_from_elsewhere(self, client, employee, history):
        client.force_login(employee)

        response = client.get(PAGE)

        assert "<script>" not in response.text and "<script " not in response.text.replace(
            '<script src="/static/', ""
        )
        assert "https://" not in response.text


class TestCsvDownload:
    def test_opens_in_excel_with_a_bom_and_lists_opening_movements_and_closing(
        self, client, employee, history
    ):
        client.force_login(employee)

        response = download(client, "csv")

        assert response.content.startswith(b"\xef\xbb\xbf")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Cache-Control"] == "private, no-store"
        rows = rows_of_csv(response)
        assert rows[0] == ["日期", "业务类型代码", "业务", "收入（元）", "支出（元）", "余额（元）", "摘要"]
        assert rows[1] == ["2026-01-01", "", "期初余额", "", "", "715.00", ""]
        assert rows[2][:6] == ["2026-03-15", "01", "汇缴", "1200.00", "", "1915.00"]
        assert rows[-1] == ["2026-11-27", "", "期末余额", "", "", "6715.00", ""]
        assert len(rows) == 1 + 1 + 3 + 1

    def test_is_recorded_in_the_audit_trail(self, client, employee, employee_account, history):
        client.force_login(employee)

        download(client, "csv")

        event = AuditEvent.objects.get(action="accounts.statement_downloaded")
        assert event.actor == employee
        assert employee_account.account_no in event.summary
        assert event.data["format"] == "csv"

    def test_sends_a_refused_range_back_to_the_page(self, client, employee):
        client.force_login(employee)

        response = download(client, "csv", {"from": "2026-12-01"})

        assert response.status_code == 302
        assert response["Location"].startswith(PAGE)
        assert not AuditEvent.objects.filter(action="accounts.statement_downloaded").exists()


class TestXlsxDownload:
    def test_reads_back_with_the_statement_s_totals(self, client, employee, employee_account, history):
        client.force_login(employee)

        response = download(client, "xlsx", {"from": "2025-01-01", "to": "2026-11-27"})

        workbook = load_workbook(io.BytesIO(response.content))
        sheet, totals = workbook.worksheets
        header = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, max_row=10, values_only=True)}
        statement = fund_statement(employee_account, date_from=date(2025, 1, 1), date_to=date(2026, 11, 27))
        assert header["个人账号"] == employee_account.account_no
        assert Decimal(str(header["期初余额（元）"])) == Decimal("0")
        assert Decimal(str(header["期末余额（元）"])) == Decimal("6715.00")
        rows = list(sheet.iter_rows(values_only=True))
        headings = rows.index(
            ("日期", "业务类型代码", "业务", "收入（元）", "支出（元）", "余额（元）", "摘要")
        )
        movements = rows[headings + 2 : -1]
        assert len(movements) == len(statement.lines) == 6
        credits = sum(Decimal(str(row[3])) for row in movements if row[3] is not None)
        debits = sum(Decimal(str(row[4])) for row in movements if row[4] is not None)
        assert credits * 100 == statement.total_credit
        assert debits * 100 == statement.total_debit
        assert sheet.cell(row=headings + 3, column=4).number_format == "#,##0.00"
        assert list(totals.iter_rows(values_only=True))[-1][2:] == (
            statement.total_credit / 100,
            statement.total_debit / 100,
        )


class TestPdfDownload:
    def test_renders_a_page_naming_the_account_the_range_and_the_balances(
        self, client, employee, employee_account
    ):
        client.force_login(employee)

        response = download(client, "pdf")

        assert response["Content-Type"] == "application/pdf"
        text = texts(response.content).replace("\r\n", "")
        assert employee_account.account_no in text
        assert "2026年1月1日至2026年11月27日" in text
        assert "期末余额4,800.00 元" in text.replace(" ", "").replace("元", " 元")
        assert employee_account.person.id_number not in text
        document = pdfium.PdfDocument(response.content)
        image = document[0].render(scale=2).to_pil().convert("L")
        png = io.BytesIO()
        image.save(png, format="PNG")
        assert png.getvalue().startswith(b"\x89PNG")
        assert ink(image) > 20_000  # the header block and the table were drawn
        assert len(document) == 1

    def test_numbers_the_pages_of_twenty_years(self, client, employee, employee_account):
        monthly_history(History(employee_account), first_year=2006, years=20)
        client.force_login(employee)

        response = download(client, "pdf", {"from": "2006-11-28", "to": "2026-11-27"})

        pages = len(pdfium.PdfDocument(response.content))
        assert pages > 4
        assert f"第 {pages} 页 / 共 {pages} 页" in texts(response.content)


class TestYearlyPage:
    def test_shows_each_year_s_figures_and_balances(self, client, employee, history):
        client.force_login(employee)

        response = client.get(YEARLY)

        row = re.search(r'<tr id="year-2025">.*?</tr>', response.text, re.S)[0]
        cells = re.findall(r'<td class="num" data-label="[^"]*">([^<]*)</td>', row)
        assert cells == ["0.00", "1,000.00", "15.00", "300.00", "0.00", "0.00", "0.00", "715.00"]
        assert '<tr id="year-2026">' in response.text
        assert '<tr id="year-2023">' not in response.text  # the account opened in 2024
