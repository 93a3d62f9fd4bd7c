"""A statement as a file to download — csv, xlsx or a Chinese PDF — and the audit row of each download.

csv is UTF-8 with a byte-order mark, so Excel on Chinese Windows opens it in the right encoding;
its rows are the opening balance, every movement and the closing balance, amounts in yuan with two
decimals ("1800.00"). The xlsx has a header block (holder, account, range, balances, totals) above
the same table, its amounts numbers in yuan with a two-decimal format, and a sheet of totals by
business type. Column headings of both follow the reader's language.

The PDF is Chinese whatever the language, as every document the centre issues is: holder with
a masked ID number, account number, range, opening and closing balances, the movements with page
numbers, and totals by business type and by year. It is not sealed: a statement is the member's
own copy; a certificate (``deposits.certificate``) is what a bank may rely on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import FundAccount
from accounts.statements import Statement, StatementLine, years_of
from audit.services import record_event
from core.money import Fen, format_yuan
from core.pdf import ChineseDocument, Column, chinese_date, yuan_text
from ledger.models import BUSINESS_TYPE_RECORD_NAMES

CSV = "csv"
XLSX = "xlsx"
PDF = "pdf"
FORMATS = (CSV, XLSX, PDF)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PDF: "application/pdf",
}
TITLE = "住房公积金个人账户明细对账单"
CENTRE_NAME = "住房公积金管理中心"
YUAN_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class StatementFile:
    content: bytes
    content_type: str
    filename: str


def download_statement(*, account: FundAccount, statement: Statement, fmt: str, actor) -> StatementFile:
    """The statement as a ``fmt`` file; the download is recorded (it names the person and every movement)."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    render = {CSV: statement_csv, XLSX: statement_xlsx, PDF: statement_pdf}[fmt]
    content = render(statement)
    with transaction.atomic(durable=True):
        record_event(
            actor=actor,
            action="accounts.statement_downloaded",
            target=account,
            summary=(
                f"下载个人账户明细 {account.account_no} "
                f"{statement.date_from.isoformat()} 至 {statement.date_to.isoformat()} ({fmt})"
            ),
            data={
                "from": statement.date_from,
                "to": statement.date_to,
                "format": fmt,
                "movements": len(statement.lines),
            },
        )
    return StatementFile(
        content=content,
        content_type=CONTENT_TYPES[fmt],
        filename=(
            f"statement-{statement.account_no}-{statement.date_from:%Y%m%d}-{statement.date_to:%Y%m%d}.{fmt}"
        ),
    )


# csv and xlsx ----------------------------------------------------------------------------------------


def _headings() -> list[str]:
    return [
        _("Date"),
        _("Business type code"),
        _("Business"),
        _("Credit (yuan)"),
        _("Debit (yuan)"),
        _("Balance (yuan)"),
        _("Memo"),
    ]


def _rows(statement: Statement) -> Iterator[tuple[date, str, str, Fen | None, Fen | None, Fen, str]]:
    """The table of both spreadsheets: the opening balance, each movement, the closing balance."""
    yield (statement.date_from, "", _("Opening balance"), None, None, statement.opening_balance, "")
    for line in statement.lines:
        yield (
            line.posted_on,
            line.business_type,
            _label(line),
            line.credit or None,
            line.debit or None,
            line.balance_after,
            line.memo,
        )
    yield (statement.date_to, "", _("Closing balance"), None, None, statement.closing_balance, "")


def _label(line: StatementLine) -> str:
    label = str(line.business_type_label)
    return _("%(business)s (reversal)") % {"business": label} if line.reversal else label


def statement_csv(statement: Statement) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_headings())
    for on, code, label, credit, debit, balance, memo in _rows(statement):
        writer.writerow(
            [
                on.isoformat(),
                code,
                label,
                "" if credit is None else format_yuan(credit),
                "" if debit is None else format_yuan(debit),
                format_yuan(balance),
                memo,
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _yuan(fen: Fen | None) -> Decimal | None:
    """Exact yuan for a spreadsheet cell: 180050 → Decimal("1800.50")."""
    return None if fen is None else Decimal(fen).scaleb(-2)


def statement_xlsx(statement: Statement) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Statement")
    bold = Font(bold=True)
    sheet.append([_("Statement of the housing provident fund account")])
    sheet["A1"].font = Font(bold=True, size=14)
    header = [
        (_("Account number"), statement.account_no),
        (_("Full name"), statement.holder_name),
        (_("ID number"), statement.holder_id_masked),
        (_("From"), statement.date_from),
        (_("To"), statement.date_to),
        (_("Opening balance (yuan)"), _yuan(statement.opening_balance)),
        (_("Total credits (yuan)"), _yuan(statement.total_credit)),
        (_("Total debits (yuan)"), _yuan(statement.total_debit)),
        (_("Closing balance (yuan)"), _yuan(statement.closing_balance)),
    ]
    for label, value in header:
        sheet.append([label, value])
        cell = sheet.cell(row=sheet.max_row, column=2)
        cell.number_format = YUAN_FORMAT if isinstance(value, Decimal) else "@"
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
    sheet.append([])
    sheet.append(_headings())
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    first_row = sheet.max_row + 1
    for on, code, label, credit, debit, balance, memo in _rows(statement):
        sheet.append([on, code, label, _yuan(credit), _yuan(debit), _yuan(balance), memo])
        row = sheet[sheet.max_row]
        row[0].number_format = "yyyy-mm-dd"
        row[1].number_format = "@"
        for cell in row[3:6]:
            cell.number_format = YUAN_FORMAT
    # The headings stay in view while the movements scroll.
    sheet.freeze_panes = f"A{first_row}"
    for column, width in zip("ABCDEFG", (14, 10, 26, 14, 14, 16, 40), strict=True):
        sheet.column_dimensions[column].width = width

    totals = workbook.create_sheet(_("Totals"))
    totals.append([_("Business type code"), _("Business"), _("Credit (yuan)"), _("Debit (yuan)")])
    for cell in totals[1]:
        cell.font = bold
    for total in statement.totals:
        totals.append(
            [total.business_type, str(total.business_type_label), _yuan(total.credit), _yuan(total.debit)]
        )
    totals.append(["", _("Total"), _yuan(statement.total_credit), _yuan(statement.total_debit)])
    for row in totals.iter_rows(min_row=2, min_col=3, max_col=4):
        for cell in row:
            cell.number_format = YUAN_FORMAT
    for column, width in zip("ABCD", (10, 26, 14, 14), strict=True):
        totals.column_dimensions[column].width = width

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# The PDF ---------------------------------------------------------------------------------------------

_MOVEMENT_COLUMNS = (
    Column("日期", 22),
    Column("业务类型", 26),
    Column("收入（元）", 25, "R"),
    Column("支出（元）", 25, "R"),
    Column("余额（元）", 28, "R"),
    Column("摘要", 48),
)
_TYPE_COLUMNS = (Column("业务类型", 74), Column("收入（元）", 50, "R"), Column("支出（元）", 50, "R"))
_YEAR_COLUMNS = (
    Column("年度", 14),
    *(
        Column(heading, 20, "R")
        for heading in ("期初余额", "缴存", "结息", "提取", "转入", "转出", "贷款相关", "期末余额")
    ),
)


def _amount(fen: Fen) -> str:
    """180050 → "1,800.50": grouped, the column heading says 元."""
    return yuan_text(fen).removesuffix(" 元")


def _fit(document: ChineseDocument, text: str, width: float) -> str:
    """``text`` cut to fit a cell ``width`` mm wide, with an ellipsis when it was cut."""
    room = width - 2 * document.c_margin
    if document.get_string_width(text) <= room:
        return text
    while text and document.get_string_width(f"{text}…") > room:
        text = text[:-1]
    return f"{text}…"


def _record_name(line: StatementLine) -> str:
    name = BUSINESS_TYPE_RECORD_NAMES[line.business_type]
    return f"{name}（冲正）" if line.reversal else name


def statement_pdf(statement: Statement) -> bytes:
    document = ChineseDocument(title=TITLE, footer_note=f"个人账号 {statement.account_no}")
    document.title_block(TITLE, subtitle=CENTRE_NAME)
    document.fields(
        [
            ("姓名", statement.holder_name),
            ("身份证号", statement.holder_id_masked),
            ("个人账号", statement.account_no),
            ("对账期间", f"{chinese_date(statement.date_from)}至{chinese_date(statement.date_to)}"),
            ("期初余额", yuan_text(statement.opening_balance)),
            ("收入合计", yuan_text(statement.total_credit)),
            ("支出合计", yuan_text(statement.total_debit)),
            ("期末余额", yuan_text(statement.closing_balance)),
            ("打印日期", chinese_date(timezone.localdate())),
        ],
        label_width=30,
    )

    document.section("交易明细")
    if statement.lines:
        memo_width = _MOVEMENT_COLUMNS[-1].width
        document.set_font_size(8.5)
        document.table(
            _MOVEMENT_COLUMNS,
            [
                (
                    line.posted_on.isoformat(),
                    _record_name(line),
                    _amount(line.credit) if line.credit else "",
                    _amount(line.debit) if line.debit else "",
                    _amount(line.balance_after),
                    _fit(document, line.memo, memo_width),
                )
                for line in statement.lines
            ],
        )
    else:
        document.paragraph("本期无交易。")

    document.section("按业务类型合计")
    document.table(
        _TYPE_COLUMNS,
        [
            *(
                (BUSINESS_TYPE_RECORD_NAMES[total.business_type], _amount(total.credit), _amount(total.debit))
                for total in statement.totals
            ),
            ("合计", _amount(statement.total_credit), _amount(statement.total_debit)),
        ],
    )

    document.section("分年度汇总")
    document.table(
        _YEAR_COLUMNS,
        [
            (
                str(year.year),
                _amount(year.opening_balance),
                _amount(year.deposits),
                _amount(year.interest),
                _amount(year.withdrawals),
                _amount(year.transfers_in),
                _amount(year.transfers_out),
                _amount(year.loan),
                _amount(year.closing_balance),
            )
            for year in years_of(statement)
        ],
    )
    document.paragraph(
        "本对账单按业务日期列示期间内的全部账务；期初余额加收入合计减支出合计等于期末余额。"
        "提取含销户提取；贷款相关为偿还住房公积金贷款的提取；转入、转出含内部转移。",
        size=8.5,
    )
    return document.render()
